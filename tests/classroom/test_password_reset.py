"""Password reset by email is for teachers; a student's address gets no email."""

import pytest
from django.core import mail

from tests.factories import StudentFactory, TeacherFactory

pytestmark = pytest.mark.django_db


def test_teacher_gets_a_reset_link_and_student_does_not(client):
    TeacherFactory(username="ms-reset", email="teacher@school.example")
    StudentFactory(username="kid", email="kid@school.example")
    response = client.post("/accounts/password_reset/", {"email": "teacher@school.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "ms-reset" in mail.outbox[0].body
    assert "/accounts/reset/" in mail.outbox[0].body
    client.post("/accounts/password_reset/", {"email": "kid@school.example"})
    assert len(mail.outbox) == 1  # nothing sent to the student


def test_password_change_page_for_first_time_passwords(client):
    student = StudentFactory(must_change_password=True)
    client.force_login(student)
    response = client.get("/my-work/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/"
    page = client.get("/accounts/password_change/").content.decode()
    assert "first-time password" in page


def test_changing_a_first_time_password_ends_the_restriction(client):
    student = StudentFactory(must_change_password=True)
    client.force_login(student)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "petrograd-1917",
            "new_password1": "a-brand-new-secret-77",
            "new_password2": "a-brand-new-secret-77",
        },
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert not student.must_change_password
    assert client.get("/my-work/").status_code == 200


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        (
            {
                "old_password": "wrong",
                "new_password1": "n3w-secret-77",
                "new_password2": "n3w-secret-77",
            },
            "old_password",
            "incorrect",
        ),
        (
            {"old_password": "petrograd-1917", "new_password1": "abc", "new_password2": "abc"},
            "new_password1",
            "too short",
        ),
        (
            {
                "old_password": "petrograd-1917",
                "new_password1": "n3w-secret-77",
                "new_password2": "n3w-secret-78",
            },
            "new_password2",
            "didn’t match",
        ),
        (
            {
                "old_password": "petrograd-1917",
                "new_password1": "petrograd-1917",
                "new_password2": "petrograd-1917",
            },
            "new_password1",
            "the one on your card",
        ),
    ],
    ids=["wrong card password", "too short", "confirmation differs", "same as the card"],
)
def test_a_refused_first_time_password_says_why_under_the_field_and_what_to_retype(
    client, posted, field, message
):
    student = StudentFactory(must_change_password=True)
    client.force_login(student)
    response = client.post("/accounts/password_change/", posted)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {field}, form.errors
    assert message in " ".join(form.errors[field])
    page = response.content.decode()
    assert "First-time password (from your card)" in page
    assert "Your password was not changed." in page
    assert "type the password from your card and your new password (twice) again" in " ".join(
        page.split()
    )
    assert 'value="' + posted["new_password1"] + '"' not in page  # passwords never echoed
    student.refresh_from_db()
    assert student.must_change_password
