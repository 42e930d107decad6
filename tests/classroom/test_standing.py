"""Rules that keep a student's standing and a person's account safe."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from classroom.models import User
from tests.factories import (
    PASSWORD,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


def test_a_superuser_made_on_the_command_line_is_not_a_student(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-admin-password-1917")
    call_command(
        "createsuperuser",
        "--noinput",
        "--username",
        "head",
        "--email",
        "h@x.org",
        stdout=io.StringIO(),
    )
    head = User.objects.get(username="head")
    assert head.is_superuser and not head.is_student


def test_a_new_password_must_differ_from_the_first_time_one(client, teacher):
    student = StudentFactory(username="kid", must_change_password=True)
    client.force_login(student)
    page = client.get(reverse("password_change")).content.decode()
    assert "First-time password (from your card)" in page
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert "it must be different from the one you have now (the one on your card)" in (
        response.content.decode()
    )
    student.refresh_from_db()
    assert student.must_change_password


def test_signed_in_pages_are_not_kept_by_the_browser(client, student):
    assert "no-store" not in client.get("/").get("Cache-Control", "")
    client.force_login(student)
    assert "no-store" in client.get(reverse("classroom:work-list"))["Cache-Control"]
