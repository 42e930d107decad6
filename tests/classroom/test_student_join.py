"""/join/: new students sign up with a join code; logged-in students join another class."""

import pytest
from django.urls import reverse
from django.utils import timezone

from classroom.models import Enrolment, User
from tests.factories import AssignmentFactory, ClassroomFactory, EnrolmentFactory

JOIN = "/join/"
GOOD_PASSWORD = "winter-palace-1917"


@pytest.fixture
def classroom(db):
    return ClassroomFactory(join_code="AB3K7Q", name="10H History")


def test_join_page_has_the_product_wording(client, classroom):
    html = client.get(JOIN).content.decode()
    for words in ("Join code", "Username", "Password", "Join class"):
        assert words in html


def test_new_student_joins_with_a_lower_case_code_and_spaces(client, classroom):
    response = client.post(
        JOIN,
        {
            "join_code": " ab3 k7q ",
            "username": "anna-k",
            "password": GOOD_PASSWORD,
            "display_name": "Anna K",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("classroom:work-list")
    student = User.objects.get(username="anna-k")
    assert student.is_student
    assert student.display_name == "Anna K"
    assert Enrolment.objects.get(student=student).classroom == classroom
    assert response.context["user"] == student  # logged in
    html = response.content.decode()
    assert "My work" in html
    assert "You joined 10H History" in html


def test_joining_shows_assignments_the_class_already_has(client, classroom):
    assignment = AssignmentFactory(classroom=classroom, lesson__title="The Kornilov revolt")
    client.post(JOIN, {"join_code": "AB3K7Q", "username": "late-joiner", "password": GOOD_PASSWORD})
    html = client.get(reverse("classroom:work-list")).content.decode()
    assert "The Kornilov revolt" in html
    assert reverse("classroom:work-detail", args=[assignment.pk]) in html


def test_wrong_code_is_a_clear_error_and_keeps_the_username(client, classroom):
    response = client.post(
        JOIN, {"join_code": "ZZZZZZ", "username": "anna-k", "password": GOOD_PASSWORD}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "No class has the join code ZZZZZZ" in html
    assert 'value="anna-k"' in html
    assert not User.objects.filter(username="anna-k").exists()


def test_archived_class_code_does_not_work(client, classroom):
    classroom.is_archived = True
    classroom.save()
    response = client.post(
        JOIN, {"join_code": "AB3K7Q", "username": "anna-k", "password": GOOD_PASSWORD}
    )
    assert "No class has the join code" in response.content.decode()


def test_short_password_and_taken_username_are_refused(client, classroom, student):
    response = client.post(JOIN, {"join_code": "AB3K7Q", "username": "anna-k", "password": "short"})
    assert "at least 12 characters" in response.content.decode()
    response = client.post(
        JOIN, {"join_code": "AB3K7Q", "username": student.username, "password": GOOD_PASSWORD}
    )
    assert "That username is taken" in response.content.decode()
    assert User.objects.count() == 2  # student and the class's teacher


def test_logged_in_student_sees_only_the_code_and_joins_another_class(client, classroom, student):
    client.force_login(student)
    html = client.get(JOIN).content.decode()
    assert "Join code" in html
    assert 'name="username"' not in html
    response = client.post(JOIN, {"join_code": "ab3k7q"})
    assert response.status_code == 302
    assert Enrolment.objects.filter(student=student, classroom=classroom).exists()


def test_joining_twice_is_harmless_and_says_you_are_already_in(client, classroom, student):
    client.force_login(student)
    first = client.post(JOIN, {"join_code": "AB3K7Q"}, follow=True).content.decode()
    assert f"You joined {classroom.name}." in first
    second = client.post(JOIN, {"join_code": "ab3k7q"}, follow=True)
    html = second.content.decode()
    assert second.redirect_chain[-1][0] == "/my-work/"
    assert f"You are already in {classroom.name}. Your work for it is below." in html
    assert "You joined" not in html
    assert "alert-danger" not in html
    assert Enrolment.objects.filter(student=student, classroom=classroom).count() == 1


def test_rejoining_after_removal_says_you_joined(client, classroom, student):
    EnrolmentFactory(student=student, classroom=classroom, removed_at=timezone.now())
    client.force_login(student)
    html = client.post(JOIN, {"join_code": "AB3K7Q"}, follow=True).content.decode()
    assert f"You joined {classroom.name}." in html


def test_rejoining_after_removal_re_enrols(client, classroom, student):
    enrolment = EnrolmentFactory(student=student, classroom=classroom, removed_at=timezone.now())
    client.force_login(student)
    client.post(JOIN, {"join_code": "AB3K7Q"})
    enrolment.refresh_from_db()
    assert enrolment.removed_at is None


def test_teacher_visiting_join_is_told_it_is_for_students(client, classroom, teacher):
    client.force_login(teacher)
    response = client.get(JOIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "is for students" in html
    assert 'name="join_code"' not in html
    client.post(JOIN, {"join_code": "AB3K7Q"})
    assert not Enrolment.objects.filter(student=teacher).exists()


def test_login_page_links_to_join(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "Join your class with a join code" in html
