"""Notices that come from the clock, not from anyone's action: "due tomorrow", and "new
assignment" once a scheduled assignment starts. The `notify_due` command (cron) runs both;
each is keyed, so running it twice (or overlapping runs) tells no one twice."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from classroom.models import Assignment, Attempt, Notification, User
from classroom.services.notifications import notify, notify_assigned

DUE_WINDOW = timedelta(hours=24)
# Scheduled assignments that started this long ago or less are announced (a missed cron run
# or two is caught up); a student told before is not told again.
STARTED_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Reminded:
    assignments: int  # looked at
    told: int  # people newly told


def _due_students(assignment: Assignment, now: datetime) -> dict[datetime, list[User]]:
    """The assignment's students with nothing turned in or returned whose own due time falls
    in the next 24 hours and who were not told yet, grouped by that due time."""
    students = list(assignment.students())
    done = set(
        Attempt.objects.filter(
            assignment=assignment,
            state__in=[Attempt.State.TURNED_IN, Attempt.State.RETURNED],
        ).values_list("student_id", flat=True)
    )
    told = set(
        Notification.objects.filter(key=f"due:{assignment.pk}").values_list(
            "recipient_id", flat=True
        )
    )
    due = assignment.due_times(students)
    groups: dict[datetime, list[User]] = defaultdict(list)
    for student in students:
        due_at = due[student.pk]
        if due_at and now < due_at <= now + DUE_WINDOW and student.pk not in done | told:
            groups[due_at].append(student)
    return groups


def notify_due(*, now: datetime | None = None) -> Reminded:
    """Tell each student whose work on an assignment is not turned in (or returned) and is
    due within 24 hours, once per assignment (key `due:<pk>`). Archived assignments and
    classes, and assignments not yet started, are skipped."""
    now = now or timezone.now()
    # A student's own due time is never before the assignment's (an extension moves it
    # later), so assignments due after the window cannot be due for anyone in it.
    assignments = (
        Assignment.objects.visible_to_students(now)
        .filter(due_at__isnull=False, due_at__lte=now + DUE_WINDOW)
        .select_related("classroom", "lesson")
    )
    told = looked = 0
    for assignment in assignments:
        looked += 1
        with transaction.atomic():
            for due_at, students in _due_students(assignment, now).items():
                notify(
                    recipients=students,
                    kind=Notification.Kind.DUE_TOMORROW,
                    message=(
                        f"Due soon in {assignment.classroom.name}: {assignment.lesson.title},"
                        f" due {_when(due_at)}. Turn it in before then."
                    ),
                    url=reverse("classroom:work-detail", kwargs={"pk": assignment.pk}),
                    key=f"due:{assignment.pk}",
                )
                told += len(students)
    return Reminded(assignments=looked, told=told)


def _when(moment: datetime) -> str:
    """E.g. "Wednesday 2 December, 09:00" in the site's time zone."""
    return date_format(timezone.localtime(moment), "l j F, H:i")


def notify_started(*, now: datetime | None = None) -> Reminded:
    """Tell the students of scheduled assignments that have started (in the last week) that
    they are set: notify_assigned is keyed, so those told already are not told again."""
    now = now or timezone.now()
    assignments = (
        Assignment.objects.visible_to_students(now)
        .filter(start_at__gt=now - STARTED_WINDOW)
        .select_related("classroom", "lesson")
    )
    before = Notification.objects.filter(kind=Notification.Kind.ASSIGNED).count()
    looked = 0
    for assignment in assignments:
        looked += 1
        with transaction.atomic():
            notify_assigned(assignment=assignment)
    told = Notification.objects.filter(kind=Notification.Kind.ASSIGNED).count() - before
    return Reminded(assignments=looked, told=told)
