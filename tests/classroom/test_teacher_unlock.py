"""A teacher unlocks their own student after a login lockout, from the class page."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from tests.factories import ClassroomFactory, EnrolmentFactory, StudentFactory, TeacherFactory

pytestmark = pytest.mark.django_db


def locked(username: str) -> AccessAttempt:
    return AccessAttempt.objects.create(
        username=username, ip_address="203.0.113.7", failures_since_start=5, user_agent="test"
    )


def test_teacher_unlocks_a_student_in_their_class(client, teacher):
    classroom = ClassroomFactory(teacher=teacher)
    student = StudentFactory(display_name="Locked Lena")
    EnrolmentFactory(classroom=classroom, student=student)
    locked(student.username)
    client.force_login(teacher)
    page = client.get(classroom.get_absolute_url()).content.decode()
    url = reverse("classroom:student-unlock", args=[classroom.pk, student.pk])
    assert url in page
    response = client.post(url, follow=True)
    assert "Locked Lena is unlocked and can log in again." in response.content.decode()
    assert not AccessAttempt.objects.filter(username=student.username).exists()
    again = client.post(url, follow=True)
    assert "was not locked out" in again.content.decode()


def test_other_teacher_cannot_unlock(client, teacher):
    classroom = ClassroomFactory(teacher=teacher)
    student = StudentFactory()
    EnrolmentFactory(classroom=classroom, student=student)
    locked(student.username)
    client.force_login(TeacherFactory())
    url = reverse("classroom:student-unlock", args=[classroom.pk, student.pk])
    assert client.post(url).status_code == 404
    assert client.get(url).status_code in (404, 405)
    assert AccessAttempt.objects.filter(username=student.username).exists()


def test_unlock_shows_only_for_a_student_locked_out_now(client, teacher, settings):
    classroom = ClassroomFactory(teacher=teacher)
    locked_out, fine, failed_once, long_ago = (
        StudentFactory(display_name=name) for name in ("Lena", "Fedor", "Olga", "Pavel")
    )
    for student in (locked_out, fine, failed_once, long_ago):
        EnrolmentFactory(classroom=classroom, student=student)
    locked(locked_out.username)
    AccessAttempt.objects.create(
        username=failed_once.username, ip_address="203.0.113.7", failures_since_start=1
    )
    old = locked(long_ago.username)  # the cool-off time has passed: the lockout is over
    AccessAttempt.objects.filter(pk=old.pk).update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    client.force_login(teacher)
    page = client.get(classroom.get_absolute_url()).content.decode()
    assert page.count("Unlock login") == 1 and page.count("Locked out") == 1
    assert reverse("classroom:student-unlock", args=[classroom.pk, locked_out.pk]) in page
    for student in (fine, failed_once, long_ago):
        assert reverse("classroom:student-unlock", args=[classroom.pk, student.pk]) not in page
