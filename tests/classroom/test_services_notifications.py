"""Notifications (classroom/services/notifications.py): a notice is stored exactly when the
action that caused it is, for the people it concerns, and a keyed notice reaches a person once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from classroom import services
from classroom.models import Notification
from tests.factories import (
    ClassroomFactory,
    EnrolmentFactory,
    LessonFactory,
    QuestionFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def classroom(teacher, student):
    classroom = ClassroomFactory(teacher=teacher)
    EnrolmentFactory(classroom=classroom, student=student)
    return classroom


def test_a_new_assignment_tells_each_current_student_once(teacher, student, classroom):
    left = StudentFactory()
    EnrolmentFactory(classroom=classroom, student=left, removed_at=timezone.now())
    lesson = LessonFactory()
    [assignment] = services.assign_lessons(classroom=classroom, lessons=[lesson], teacher=teacher)
    notice = Notification.objects.get()
    assert notice.recipient == student
    assert notice.kind == Notification.Kind.ASSIGNED
    assert notice.url == reverse("classroom:work-detail", kwargs={"pk": assignment.pk})
    assert lesson.title in notice.message and classroom.name in notice.message
    # Told again under the same key (a job run twice): nobody hears it twice.
    services.notify_assigned(assignment=assignment)
    assert Notification.objects.count() == 1
    student.refresh_from_db()
    assert student.unread_notifications == 1


def test_the_unread_count_follows_the_notifications(student):
    def notify():
        services.notify(
            recipients=[student], kind=Notification.Kind.ANNOUNCEMENT, message="Hi", url="/"
        )

    notify()
    notify()
    student.refresh_from_db()
    assert student.unread_notifications == 2
    Notification.objects.filter(pk=Notification.objects.first().pk).update(read_at=timezone.now())
    services.recount_unread(user_ids=[student.pk])
    student.refresh_from_db()
    assert student.unread_notifications == 1


def test_an_assignment_that_starts_later_tells_no_one_yet(teacher, classroom):
    services.assign_lessons(
        classroom=classroom,
        lessons=[LessonFactory()],
        teacher=teacher,
        start_at=timezone.now() + timedelta(days=1),
    )
    assert not Notification.objects.exists()


def test_returning_work_tells_the_student(teacher, student, classroom):
    [assignment] = services.assign_lessons(
        classroom=classroom, lessons=[LessonFactory()], teacher=teacher
    )
    question = QuestionFactory(lesson=assignment.lesson, marks=2)
    attempt = services.turn_in(
        student=student, assignment=assignment, texts={question.pk: "An answer."}, base_version=0
    )
    Notification.objects.all().delete()
    services.return_attempt(
        attempt=attempt, teacher=teacher, marks={question.pk: 1}, comments={}, overall_comment=""
    )
    notice = Notification.objects.get()
    assert (notice.recipient, notice.kind) == (student, Notification.Kind.RETURNED)
    # Saving feedback again on returned work is not a second return.
    services.mark_attempt(
        attempt=attempt, teacher=teacher, marks={question.pk: 2}, comments={}, overall_comment=""
    )
    assert Notification.objects.count() == 1
