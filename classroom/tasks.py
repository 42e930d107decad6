"""Background work through Django's Tasks API (the django-tasks backport of Django 6's
django.tasks): emailing notifications and re-marking stored answers.

With the default database backend the tasks wait in the database until the worker
(`manage.py db_worker`, started by `make run`) runs them; tests run them at once (the
immediate backend). Arguments are plain JSON: ids, never model objects.
"""

import logging

from django_tasks import task

from classroom import services
from lessons.models import Question

logger = logging.getLogger(__name__)


@task()
def email_notifications(*, recipient_ids: list[int], kind: str, key: str, created_at: str) -> int:
    """Email the notices of one `notify` call (services.email_notices); how many were sent."""
    return services.email_notices(
        recipient_ids=recipient_ids, kind=kind, key=key, created_at=created_at
    )


@task()
def remark_question(*, question_id: int) -> dict[str, int]:
    """Re-mark a question's stored answers after its mark scheme changed (the checker review
    page in the admin enqueues this, so the page answers at once however many there are)."""
    question = Question.objects.filter(pk=question_id).first()
    if question is None:  # deleted since: nothing to re-mark (never "every lesson")
        logger.warning("Re-marking skipped: question %s no longer exists", question_id)
        return {"answers": 0, "changed": 0, "restamped": 0}
    report = services.remark_answers(question=question)
    logger.info(
        "Re-marked question %s: %s of %s results changed, %s restamped",
        question_id,
        report.changed,
        report.answers,
        report.restamped,
    )
    return {"answers": report.answers, "changed": report.changed, "restamped": report.restamped}
