"""Notifications: notices to people about what happened, shown under "Notifications".

`notify` stores one notice per recipient inside the caller's transaction, so a notice exists
exactly when the action that caused it was saved. Recipients who have an email address and
want emails are emailed by a background task (classroom/tasks.py) enqueued once that
transaction commits: a slow or failing mail server never delays or undoes the action.
"""

import logging
from collections.abc import Iterable
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from classroom.models import Assignment, Attempt, Notification, User

logger = logging.getLogger(__name__)


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
    wanting = [
        n.recipient_id for n in notices if n.recipient.email and n.recipient.email_notifications
    ]
    if wanting:
        # robust: an enqueue that fails is logged; the action it follows stays done.
        transaction.on_commit(
            partial(
                _enqueue_emails,
                recipient_ids=wanting,
                kind=str(kind),
                key=key,
                created_at=now.isoformat(),
            ),
            robust=True,
        )
    return created


def site_address() -> str:
    """The site's address for links in emails (no request to take it from): SITE_URL."""
    return settings.SITE_URL or "http://localhost:8000"


def notification_email(notice: Notification) -> EmailMessage:
    """The plain-text email of one notice, linking to it (opening it marks it read)."""
    site = site_address()
    link = site + reverse("classroom:notification-open", kwargs={"pk": notice.pk})
    account = site + reverse("classroom:account-update")
    body = (
        f"{notice.message}\n\n"
        f"Open it: {link}\n\n"
        "You get this email because email notifications are on for your account"
        f' ({notice.recipient.username}). To stop them, untick "Email me notifications" on'
        f" your account page: {account}\n"
    )
    return EmailMessage(
        subject=f"October 1917: {notice.get_kind_display()}",
        body=body,
        to=[notice.recipient.email],
    )


def _enqueue_emails(*, recipient_ids: list[int], kind: str, key: str, created_at: str) -> None:
    # Imported here: classroom.tasks imports the services.
    from classroom.tasks import email_notifications

    email_notifications.enqueue(
        recipient_ids=recipient_ids, kind=kind, key=key, created_at=created_at
    )


def email_notices(*, recipient_ids: list[int], kind: str, key: str, created_at: str) -> int:
    """Email the notices of one `notify` call to those of `recipient_ids` who still have an
    address and want emails; return how many were sent. A message the mail server refuses is
    logged and the others are still sent (the notices stay on the site either way)."""
    notices = (
        Notification.objects.filter(
            recipient_id__in=recipient_ids,
            kind=kind,
            key=key,
            created_at=datetime.fromisoformat(created_at),
            recipient__email_notifications=True,
        )
        .exclude(recipient__email="")
        .select_related("recipient")
    )
    connection = get_connection()
    sent = 0
    for notice in notices:
        message = notification_email(notice)
        message.connection = connection
        try:
            sent += message.send()
        except Exception:
            logger.exception(
                "Could not email notification %s to user %s", notice.pk, notice.recipient_id
            )
    return sent


@transaction.atomic
def open_notification(*, notification: Notification) -> str:
    """Mark the notice read (once) and return the page it is about."""
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        recount_unread(user_ids=[notification.recipient_id])
    return notification.url


@transaction.atomic
def mark_all_read(*, user: User) -> int:
    """Mark every unread notice of the user read; return how many there were."""
    count = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    recount_unread(user_ids=[user.pk])
    return count


def mark_read_about(*, user: User, kind: Notification.Kind, url: str) -> int:
    """Mark the user's unread notices of `kind` about the page at `url` read (its page was
    read another way); return how many there were."""
    count = Notification.objects.filter(
        recipient=user, kind=kind, url=url, read_at__isnull=True
    ).update(read_at=timezone.now())
    if count:
        recount_unread(user_ids=[user.pk])
        user.refresh_from_db(fields=["unread_notifications"])  # the page shows the new count
    return count


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
