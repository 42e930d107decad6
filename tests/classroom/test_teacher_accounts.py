"""Teacher sign-up, the create_teacher command, and who may open teacher pages."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from classroom.models import User
from tests.factories import ClassroomFactory, StudentFactory, TeacherFactory

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"


def test_signup_closed_without_code(client, settings):
    settings.TEACHER_SIGNUP_CODE = ""
    response = client.get(SIGNUP)
    assert response.status_code == 200
    assert b"Teacher sign-up is closed" in response.content
    assert b"Ask an administrator" in response.content
    response = client.post(SIGNUP, {"teacher_code": "", "username": "x"})
    assert not User.objects.filter(username="x").exists()


def _signup_data(**overrides):
    data = {
        "teacher_code": "winter-palace",
        "username": "mr-history",
        "email": "mr@school.example",
        "password1": "a-long-unusual-pass-1917",
        "password2": "a-long-unusual-pass-1917",
    }
    data.update(overrides)
    return data


def test_signup_creates_teacher_and_logs_in(client, settings):
    settings.TEACHER_SIGNUP_CODE = "winter-palace"
    response = client.post(SIGNUP, _signup_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("classroom:classroom-list")
    user = User.objects.get(username="mr-history")
    assert user.is_teacher
    assert client.get(reverse("classroom:classroom-list")).status_code == 200


def test_signup_wrong_code_and_weak_password(client, settings):
    settings.TEACHER_SIGNUP_CODE = "winter-palace"
    response = client.post(SIGNUP, _signup_data(teacher_code="nope"))
    assert b"teacher code is not right" in response.content
    response = client.post(SIGNUP, _signup_data(password1="123", password2="123"))
    assert b"too short" in response.content
    assert not User.objects.filter(username="mr-history").exists()


def test_create_teacher_command():
    call_command(
        "create_teacher", "ms-lenin", "--password", "a-long-unusual-pass-1917", stdout=io.StringIO()
    )
    user = User.objects.get(username="ms-lenin")
    assert user.is_teacher and user.check_password("a-long-unusual-pass-1917")
    with pytest.raises(CommandError, match="taken"):
        call_command("create_teacher", "ms-lenin", "--password", "x-long-unusual-pass-1917")
    with pytest.raises(CommandError, match="too short"):
        call_command("create_teacher", "other", "--password", "short")


def test_create_teacher_asks_for_password(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a-long-unusual-pass-1917")
    call_command("create_teacher", "asked", stdout=io.StringIO())
    assert User.objects.get(username="asked").check_password("a-long-unusual-pass-1917")


def test_teacher_pages_need_login(client):
    classroom = ClassroomFactory()
    url = reverse("classroom:classroom-detail", args=[classroom.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/classes/{classroom.pk}/"
    response = client.get(reverse("classroom:classroom-list"))
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    "name",
    ["classroom-list", "classroom-create"],
)
def test_students_get_403(client, name):
    client.force_login(StudentFactory())
    assert client.get(reverse(f"classroom:{name}")).status_code == 403


def test_students_get_403_on_class_page(client):
    classroom = ClassroomFactory()
    client.force_login(StudentFactory())
    assert client.get(classroom.get_absolute_url()).status_code == 403


def test_nav_shows_my_classes_to_teachers(client):
    client.force_login(TeacherFactory())
    assert b"My classes" in client.get("/").content
