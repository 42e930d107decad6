"""No form lets anyone choose their own role or staff rights, or take over another's class."""

import pytest

from classroom.models import Classroom, User
from tests.factories import ClassroomFactory, TeacherFactory

pytestmark = pytest.mark.django_db

EXTRA = {"role": "teacher", "is_staff": "on", "is_superuser": "on", "teacher": ""}


def test_teacher_signup_cannot_grant_staff(client, settings):
    settings.TEACHER_SIGNUP_CODE = "winter-palace"
    client.post(
        "/accounts/signup/",
        {
            "teacher_code": "winter-palace",
            "username": "new-teacher",
            "email": "new@school.example",
            "password1": "a-long-enough-secret-41",
            "password2": "a-long-enough-secret-41",
            **EXTRA,
        },
    )
    user = User.objects.get(username="new-teacher")
    assert user.is_teacher
    assert not user.is_staff and not user.is_superuser


def test_join_cannot_make_a_teacher_or_staff(client):
    classroom = ClassroomFactory()
    client.post(
        "/join/",
        {
            "join_code": classroom.join_code,
            "username": "sneaky",
            "password": "a-long-enough-secret-41",
            **EXTRA,
        },
    )
    user = User.objects.get(username="sneaky")
    assert user.is_student
    assert not user.is_staff and not user.is_superuser


def test_class_edit_cannot_move_the_class_to_another_teacher(client, teacher):
    classroom = ClassroomFactory(teacher=teacher)
    other = TeacherFactory()
    client.force_login(teacher)
    client.post(
        f"/classes/{classroom.pk}/edit/",
        {"name": "Renamed", "year_group": "10", "teacher": other.pk, "join_code": "AAAAAA"},
    )
    classroom.refresh_from_db()
    assert classroom.name == "Renamed"
    assert classroom.teacher == teacher
    assert classroom.join_code != "AAAAAA"
    assert Classroom.objects.filter(teacher=other).count() == 0
