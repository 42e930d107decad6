"""Notifications: notices to people about what happened, shown under "Notifications".

`notify` stores one notice per recipient inside the caller's transaction, so a notice exists
exactly when the action that caused it was saved.
"""

from collections.abc import Iterable

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from classroom.models import Assignment, Attempt, Notification, User


def notify(
    *,
    recipients: Iterable[User],
    kind: Notification.Kind,
    message: str,
    url: str,
    key: str = "",
) -> list[Notification]:
    """Tell each recipient `message` about the page at `url`. With a `key`, a person who was
    already told under that key is not told again (running a job twice tells no one twice)."""
    now = timezone.now()
    notices = [
        Notification(
            recipient=person, kind=kind, message=message[:300], url=url, key=key, created_at=now
        )
        for person in recipients
    ]
    if not notices:
        return []
    # ignore_conflicts: a keyed notice already sent is skipped by the database, race or not.
    created = Notification.objects.bulk_create(notices, ignore_conflicts=bool(key))
    recount_unread(user_ids=[notice.recipient_id for notice in notices])
    return created


def recount_unread(*, user_ids: Iterable[int]) -> None:
    """Set each user's unread count from their notifications, in one statement: whatever
    changed them (new notices, reading, a race between the two), the count ends up true."""
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    User.objects.filter(pk__in=set(user_ids)).update(
        unread_notifications=Coalesce(Subquery(unread), 0)
    )


def notify_assigned(*, assignment: Assignment) -> None:
    """Tell the assignment's students it is set, once, when they can see it."""
    if not assignment.is_visible_to_students():
        return
    notify(
        recipients=assignment.students(),
        kind=Notification.Kind.ASSIGNED,
        message=f"New assignment in {assignment.classroom.name}: {assignment.lesson.title}",
        url=reverse("classroom:work-detail", kwargs={"pk": assignment.pk}),
        key=f"assigned:{assignment.pk}",
    )


def notify_returned(*, attempt: Attempt) -> None:
    """Tell the student their work came back."""
    assignment = attempt.assignment
    notify(
        recipients=[attempt.student],
        kind=Notification.Kind.RETURNED,
        message=f"Your work on {assignment.lesson.title} was returned with feedback.",
        url=reverse("classroom:work-detail", kwargs={"pk": assignment.pk}),
    )
