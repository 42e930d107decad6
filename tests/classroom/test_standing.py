"""Rules that keep a student's standing and a person's account safe."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from classroom import services
from classroom.models import Attempt, Enrolment, User
from tests.factories import (
    PASSWORD,
    AssignmentFactory,
    ClassroomFactory,
    EnrolmentFactory,
    QuestionFactory,
    StudentFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def turned_in(teacher, student):
    classroom = ClassroomFactory(teacher=teacher)
    EnrolmentFactory(classroom=classroom, student=student)
    assignment = AssignmentFactory(classroom=classroom, accept_late=False)
    question = QuestionFactory(lesson=assignment.lesson)
    services.turn_in(
        student=student, assignment=assignment, texts={question.pk: "On time."}, base_version=0
    )
    return assignment


def test_unsubmit_is_refused_once_the_work_could_not_be_turned_in_again(student, turned_in):
    turned_in.due_at = timezone.now() - timedelta(hours=1)
    turned_in.save()
    with pytest.raises(services.ServiceError, match="could\\s+not turn this in again"):
        services.unsubmit(student=student, assignment=turned_in)
    attempt = Attempt.objects.get(assignment=turned_in)
    assert attempt.state == Attempt.State.TURNED_IN and not attempt.is_late
    # With late work accepted, unsubmitting is still allowed.
    turned_in.accept_late = True
    turned_in.save()
    services.unsubmit(student=student, assignment=turned_in)


def test_a_teacher_cannot_reset_the_password_of_staff_or_another_teachers_student(teacher):
    classroom = ClassroomFactory(teacher=teacher)
    staff = StudentFactory(username="staff-kid", is_staff=True)
    shared = StudentFactory(username="shared-kid")
    for person in (staff, shared):
        EnrolmentFactory(classroom=classroom, student=person)
    EnrolmentFactory(classroom=ClassroomFactory(teacher=TeacherFactory()), student=shared)
    with pytest.raises(services.ServiceError, match="Ask an admin"):
        services.reset_student_password(classroom=classroom, student=staff)
    with pytest.raises(services.ServiceError, match="another teacher's class"):
        services.reset_student_password(classroom=classroom, student=shared)
    for person in (staff, shared):
        person.refresh_from_db()
        assert person.check_password(PASSWORD) and not person.must_change_password
    # Once they left the other class, their own teacher can.
    Enrolment.objects.filter(student=shared).exclude(classroom=classroom).update(
        removed_at=timezone.now()
    )
    assert services.reset_student_password(classroom=classroom, student=shared).password


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
