"""The cron command `notify_due`: "due tomorrow" notices, once, to those who have not turned
in, and the notices of scheduled assignments once they start."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from classroom import services
from classroom.models import Notification
from tests.factories import (
    AssignmentFactory,
    AttemptFactory,
    ClassroomFactory,
    EnrolmentFactory,
    LessonFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


def run() -> str:
    out = io.StringIO()
    call_command("notify_due", stdout=out)
    return out.getvalue()


def due_notices():
    return Notification.objects.filter(kind=Notification.Kind.DUE_TOMORROW)


@pytest.fixture
def classroom(teacher):
    return ClassroomFactory(teacher=teacher, name="9C History")


@pytest.fixture
def students(classroom):
    people = [StudentFactory(username=f"kid-{i}") for i in range(5)]
    for person in people:
        EnrolmentFactory(classroom=classroom, student=person)
    return people


def test_due_tomorrow_tells_those_not_turned_in_once(classroom, students):
    now = timezone.now()
    assignment = AssignmentFactory(
        classroom=classroom, lesson__title="The July Days", due_at=now + timedelta(hours=20)
    )
    drafting, untouched, turned_in, returned, removed = students
    AttemptFactory(assignment=assignment, student=drafting)
    AttemptFactory(assignment=assignment, student=turned_in, turned_in=True)
    AttemptFactory(assignment=assignment, student=returned, returned=True)
    classroom.enrolments.filter(student=removed).update(removed_at=now)

    out = run()
    assert "Due within 24 hours: 2 students told (1 assignments looked at)" in out
    told = due_notices()
    assert {n.recipient for n in told} == {drafting, untouched}
    notice = told.first()
    assert notice.key == f"due:{assignment.pk}"
    assert notice.url == reverse("classroom:work-detail", kwargs={"pk": assignment.pk})
    assert "The July Days" in notice.message and "9C History" in notice.message
    assert "Turn it in before then." in notice.message
    drafting.refresh_from_db()
    assert drafting.unread_notifications == 1

    # Run again (cron twice, or an hour later): nobody is told twice.
    assert "Due within 24 hours: 0 students told" in run()
    assert due_notices().count() == 2
    drafting.refresh_from_db()
    assert drafting.unread_notifications == 1


@pytest.mark.parametrize(
    "when", [timedelta(hours=25), timedelta(hours=-1), timedelta(days=-3), None]
)
def test_only_work_due_within_the_next_24_hours(classroom, students, when):
    due = timezone.now() + when if when is not None else None
    AssignmentFactory(classroom=classroom, due_at=due)
    run()
    assert not due_notices().exists()


def test_archived_and_unstarted_assignments_and_archived_classes_are_skipped(
    teacher, classroom, students
):
    soon = timezone.now() + timedelta(hours=5)
    AssignmentFactory(classroom=classroom, due_at=soon, is_archived=True)
    AssignmentFactory(classroom=classroom, due_at=soon, start_at=soon - timedelta(hours=1))
    archived = ClassroomFactory(teacher=teacher, is_archived=True)
    EnrolmentFactory(classroom=archived, student=students[0])
    AssignmentFactory(classroom=archived, due_at=soon)
    run()
    assert not due_notices().exists()


def test_the_due_time_comes_from_the_assignment_for_each_student(classroom, students, monkeypatch):
    """One place decides a student's due time (Assignment.due_times): an extension there
    moves the notice (here: one student's due time is pushed past the window)."""
    from classroom.models import Assignment

    assignment = AssignmentFactory(classroom=classroom, due_at=timezone.now() + timedelta(hours=3))
    later = students[0]
    original = Assignment.due_times

    def with_extension(self, people):
        times = original(self, people)
        times[later.pk] = timezone.now() + timedelta(days=3)
        return times

    monkeypatch.setattr(Assignment, "due_times", with_extension)
    run()
    told = {n.recipient_id for n in due_notices()}
    assert later.pk not in told and len(told) == len(students) - 1
    assert {n.key for n in due_notices()} == {f"due:{assignment.pk}"}


def test_scheduled_assignments_are_announced_once_they_start(teacher, classroom, students):
    now = timezone.now()
    later = now + timedelta(hours=2)
    [assignment] = services.assign_lessons(
        classroom=classroom,
        lessons=[LessonFactory()],
        teacher=teacher,
        start_at=later,
    )
    assigned = Notification.objects.filter(kind=Notification.Kind.ASSIGNED)
    assert not assigned.exists()  # not visible yet: nobody told
    run()
    assert not assigned.exists()
    type(assignment).objects.filter(pk=assignment.pk).update(start_at=now - timedelta(hours=1))
    out = run()
    assert "Scheduled assignments started: 5 students told" in out
    assert assigned.count() == len(students)
    run()
    assert assigned.count() == len(students)  # once


@pytest.mark.parametrize("n", [3, 30])
def test_notify_due_query_count(classroom, n, django_assert_num_queries):
    for i in range(n):
        EnrolmentFactory(classroom=classroom, student=StudentFactory(username=f"many-{i}"))
    AssignmentFactory(classroom=classroom, due_at=timezone.now() + timedelta(hours=2))
    # assignments; then per assignment: savepoint, students, done, told, their extensions
    # (own due times), insert, recount, release
    with django_assert_num_queries(9):
        services.notify_due()
    assert due_notices().count() == n
