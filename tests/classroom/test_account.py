"""The account page: a person's email address and whether notifications are emailed."""

import pytest
from django.urls import reverse

from tests.factories import StudentFactory
from tests.pages import text_of

pytestmark = pytest.mark.django_db

ACCOUNT = reverse("classroom:account-update")


def test_the_navigation_links_to_the_account_page(client, student):
    client.force_login(student)
    page = client.get(reverse("lessons:lesson-list")).content.decode()
    assert f'href="{ACCOUNT}">Account: Student One</a>' in page


def test_the_page_shows_the_settings_and_a_password_link(client, teacher):
    client.force_login(teacher)
    response = client.get(ACCOUNT)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="ms-teacher@school.example"' in page
    assert 'name="email_notifications"' in page and "checked" in page
    assert f'href="{reverse("password_change")}">Change your password</a>' in page
    assert "Email address" in text_of(page) and "Email me notifications" in text_of(page)


def test_a_student_adds_an_address_and_turns_emails_off(client, student):
    client.force_login(student)
    response = client.post(ACCOUNT, {"email": "  student.one@school.example "}, follow=True)
    assert "Your account settings are saved." in response.content.decode()
    student.refresh_from_db()
    assert student.email == "student.one@school.example"
    assert student.email_notifications is False  # unticked: not posted


def test_emails_on_without_an_address_says_what_to_do(client, student):
    client.force_login(student)
    response = client.post(ACCOUNT, {"email": "", "email_notifications": "on"}, follow=True)
    assert "add an email address to have them emailed too" in response.content.decode()
    student.refresh_from_db()
    assert student.email == "" and student.email_notifications is True


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("not-an-address", "Enter an email address such as name@school.example"),
        ("a@" + "b" * 260 + ".example", "at most 254 characters"),
    ],
)
def test_a_bad_address_is_refused_with_a_clear_message(client, teacher, email, error):
    client.force_login(teacher)
    response = client.post(ACCOUNT, {"email": email, "email_notifications": "on"})
    assert response.status_code == 200
    assert error in response.content.decode()
    teacher.refresh_from_db()
    assert teacher.email == "ms-teacher@school.example"


def test_each_person_changes_only_their_own_account(client, student):
    other = StudentFactory(email="other@school.example")
    client.force_login(student)
    client.post(ACCOUNT, {"email": "mine@school.example", "email_notifications": "on"})
    other.refresh_from_db()
    assert other.email == "other@school.example"
