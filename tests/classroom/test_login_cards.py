"""Adding students: Post/Redirect/Get, cards kept until the teacher leaves them, never stored
in clear, and a name already in the class flagged before anyone is made."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from classroom import logincards, services
from classroom.models import User
from tests.factories import ClassroomFactory, EnrolmentFactory, StudentFactory

pytestmark = pytest.mark.django_db
PASSWORD_RE = r"[a-z]+-[a-z]+-[a-z]+-\d\d"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def classroom(teacher):
    return ClassroomFactory(teacher=teacher, name="10H History")


def add_url(classroom):
    return reverse("classroom:students-add", args=[classroom.pk])


def cards_url(classroom):
    return reverse("classroom:students-cards", args=[classroom.pk])


def students(classroom):
    return list(User.objects.filter(enrolments__classroom=classroom).order_by("pk"))


def test_a_reload_of_the_cards_makes_no_one_again(client, teacher, classroom):
    client.force_login(teacher)
    response = client.post(add_url(classroom), {"names": "Dora D\nIvan P"})
    assert response.status_code == 302 and response["Location"] == cards_url(classroom)
    first = client.get(cards_url(classroom)).text
    passwords = re.findall(PASSWORD_RE, first)
    assert len(passwords) == 2
    for _ in range(3):  # reloading, and printing, as often as the teacher likes
        again = client.get(cards_url(classroom))
        assert again["Cache-Control"] == "no-store"
        assert re.findall(PASSWORD_RE, again.text) == passwords
    made = students(classroom)
    assert [s.username for s in made] == ["dora.d", "ivan.p"]
    for student, password in zip(made, passwords, strict=True):
        assert student.check_password(password)


def test_passwords_are_never_in_the_database_in_clear(client, teacher, classroom):
    client.force_login(teacher)
    client.post(add_url(classroom), {"names": "Dora D"})
    (password,) = re.findall(PASSWORD_RE, client.get(cards_url(classroom)).text)
    for session in Session.objects.all():
        stored = str(session.get_decoded()) + session.session_data
        assert password not in stored
        for word in password.split("-")[:3]:
            assert word not in stored
    # The key is only in the browser: the session alone opens nothing.
    key = client.cookies[logincards.COOKIE]
    assert key["httponly"] and key["samesite"] == "Strict"
    client.cookies.pop(logincards.COOKIE)
    assert password not in client.get(cards_url(classroom)).text


def test_cards_go_when_the_teacher_leaves_them(client, teacher, classroom):
    client.force_login(teacher)
    client.post(add_url(classroom), {"names": "Dora D"})
    assert re.search(PASSWORD_RE, client.get(cards_url(classroom)).text)
    client.get(classroom.get_absolute_url())  # anywhere else
    page = client.get(cards_url(classroom)).text
    assert not re.search(PASSWORD_RE, page) and "There are no login cards to show" in page
    assert logincards.SESSION_KEY not in client.session
    assert not client.cookies[logincards.COOKIE].value  # the key is deleted too


def test_done_puts_the_cards_away(client, teacher, classroom):
    client.force_login(teacher)
    client.post(add_url(classroom), {"names": "Dora D"})
    response = client.post(cards_url(classroom), follow=True)
    assert response.redirect_chain[-1][0] == classroom.get_absolute_url()
    assert "The login cards are put away" in response.text
    assert not re.search(PASSWORD_RE, client.get(cards_url(classroom)).text)


def test_a_missing_page_does_not_count_as_leaving(client, teacher, classroom):
    """A browser's own requests (/favicon.ico) must not take the cards away."""
    client.force_login(teacher)
    client.post(add_url(classroom), {"names": "Dora D"})
    assert client.get("/favicon.ico").status_code == 404
    assert re.search(PASSWORD_RE, client.get(cards_url(classroom)).text)


def test_cards_are_kept_per_class_and_teacher(client, teacher, classroom):
    client.force_login(teacher)
    client.post(add_url(classroom), {"names": "Dora D"})
    other = ClassroomFactory(teacher=teacher)
    assert not re.search(PASSWORD_RE, client.get(cards_url(other)).text)
    client.force_login(StudentFactory())
    assert client.get(cards_url(classroom)).status_code == 403


def test_a_name_already_in_the_class_is_flagged_before_anyone_is_made(client, teacher, classroom):
    dora = StudentFactory(display_name="Dora D", username="dora.d")
    EnrolmentFactory(classroom=classroom, student=dora)
    client.force_login(teacher)
    response = client.post(add_url(classroom), {"names": "dora  d\nIvan P\nIvan P\nLena K"})
    assert response.status_code == 200
    html = response.text
    assert "No one has been added yet." in html
    assert "dora d is already in the class (username dora.d)" in html
    assert "Ivan P is in the list twice" in html
    assert 'type="checkbox" name="confirm_same_names"' in html
    assert students(classroom) == [dora]
    # A new name typed before confirming is flagged in its turn.
    changed = {
        "names": "Ivan P\nIvan P\nLena K\nLena K",
        "same_names": "dora d\nIvan P",
        "confirm_same_names": "on",
    }
    html = client.post(add_url(classroom), changed).text
    assert "Lena K is in the list twice" in html and students(classroom) == [dora]
    # Confirmed: the teacher means them.
    confirmed = {"names": "dora d\nIvan P", "same_names": "dora d\nIvan P"}
    confirmed["confirm_same_names"] = "on"
    assert client.post(add_url(classroom), confirmed).status_code == 302
    assert [s.display_name for s in students(classroom)] == ["Dora D", "dora d", "Ivan P"]


def test_a_removed_students_name_is_not_flagged(client, teacher, classroom):
    gone = StudentFactory(display_name="Dora D")
    EnrolmentFactory(classroom=classroom, student=gone)
    services.remove_student(classroom=classroom, student=gone)
    client.force_login(teacher)
    assert client.post(add_url(classroom), {"names": "Dora D"}).status_code == 302


def test_seal_round_trip_and_refuses_a_wrong_key():
    key, other = b"k" * 32, b"o" * 32
    sealed = logincards.seal(key, b'["amber-badger-cloud-42"]')
    assert b"amber" not in sealed.encode()
    assert logincards.unseal(key, sealed) == b'["amber-badger-cloud-42"]'
    assert logincards.unseal(other, sealed) is None
    assert logincards.unseal(key, "not base64!") is None


@pytest.mark.parametrize("cookie", ["not-hex", "abcd", "00" * 31, "00" * 64])
def test_a_key_cookie_tampered_with_is_no_key(rf, cookie):
    request = rf.get("/")
    request.COOKIES[logincards.COOKIE] = cookie
    assert logincards._key(request) is None
