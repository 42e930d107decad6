"""Email of notifications through a background task: enqueued once the action commits, sent
to those with an address who want it, and never able to delay or undo the action."""

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from classroom import services
from classroom.models import Attempt, Notification
from tests.factories import (
    AssignmentFactory,
    ClassroomFactory,
    EnrolmentFactory,
    QuestionFactory,
    StudentFactory,
)

REPO = Path(__file__).resolve().parents[2]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def database_url() -> str:
    """The test database, as DATABASE_URL for a process of its own."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor != "postgresql":
        pytest.skip("the worker process is given SQLite or PostgreSQL")
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = db["HOST"] or "localhost"
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("The mail server is down")


def announce(people, **extra):
    return services.notify(
        recipients=people,
        kind=Notification.Kind.ANNOUNCEMENT,
        message="Bring your textbook tomorrow.",
        url="/my-work/",
        **extra,
    )


@pytest.mark.django_db
def test_an_email_goes_once_the_action_commits(
    teacher, student, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://classroom.example.org"
    with django_capture_on_commit_callbacks() as callbacks:
        [notice] = announce([teacher])
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    [email] = mail.outbox
    assert email.to == [teacher.email]
    assert email.subject == "October 1917: Announcement"
    assert "Bring your textbook tomorrow." in email.body
    assert f"https://classroom.example.org/notifications/{notice.pk}/" in email.body
    assert "https://classroom.example.org/account/" in email.body
    assert email.content_subtype == "plain" and not hasattr(email, "alternatives")


@pytest.mark.django_db
def test_no_email_without_an_address_or_when_turned_off(
    teacher, student, django_capture_on_commit_callbacks
):
    quiet = StudentFactory(email="quiet@school.example", email_notifications=False)
    assert student.email == ""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        announce([student, quiet])
    assert callbacks == []  # nobody to email: no task at all
    assert mail.outbox == []
    assert Notification.objects.count() == 2  # told on the site all the same


@pytest.mark.django_db
def test_turned_off_between_the_notice_and_the_task_means_no_email(
    teacher, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        announce([teacher])
    services.update_account(user=teacher, email=teacher.email, email_notifications=False)
    for callback in callbacks:
        callback()
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_keyed_notice_is_emailed_once(teacher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        announce([teacher], key="once")
    with django_capture_on_commit_callbacks(execute=True):
        announce([teacher], key="once")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_failing_mail_server_does_not_undo_returning_work(
    client, teacher, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    student = StudentFactory(email="kid@school.example")
    classroom = ClassroomFactory(teacher=teacher)
    EnrolmentFactory(classroom=classroom, student=student)
    assignment = AssignmentFactory(classroom=classroom)
    question = QuestionFactory(lesson=assignment.lesson, marks=2)
    attempt = services.turn_in(
        student=student, assignment=assignment, texts={question.pk: "Text"}, base_version=0
    )
    client.force_login(teacher)
    url = reverse("classroom:attempt-mark", args=[attempt.pk])
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {f"mark_{question.pk}": "2", "return": "1"})
    assert response.status_code == 302
    assert Attempt.objects.get(pk=attempt.pk).state == Attempt.State.RETURNED
    assert Notification.objects.get(recipient=student).kind == Notification.Kind.RETURNED
    assert "Could not email notification" in caplog.text
    assert "The mail server is down" in caplog.text


@pytest.mark.django_db
def test_one_refused_message_does_not_stop_the_others(teacher, caplog, monkeypatch):
    other = StudentFactory(email="other@school.example")
    notices = announce([teacher, other])
    sent_to = []

    def send(message, fail_silently=False):
        if message.to == [teacher.email]:
            raise OSError("mailbox full")
        sent_to.append(message.to)
        return 1

    monkeypatch.setattr("django.core.mail.EmailMessage.send", send)
    sent = services.email_notices(
        recipient_ids=[teacher.pk, other.pk],
        kind=notices[0].kind,
        key="",
        created_at=notices[0].created_at.isoformat(),
    )
    assert sent == 1 and sent_to == [["other@school.example"]]
    assert "mailbox full" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_sends_a_queued_email(teacher, settings, tmp_path):
    """The real worker (django-tasks-db's db_worker, in its own process) runs a queued task."""
    settings.TASKS = DATABASE_TASKS
    [notice] = announce([teacher])  # autocommit: the commit enqueues the task at once
    queued = DBTaskResult.objects.get()
    assert queued.status == "READY" and queued.task_path == "classroom.tasks.email_notifications"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"filemail:///{tmp_path}",  # django-environ: four slashes, absolute
        "SITE_URL": "http://classroom.test",
    }
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload"]
    command.append("--no-startup-delay")
    subprocess.run(command, cwd=REPO, env=env, check=True, timeout=60, capture_output=True)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    [sent] = list(tmp_path.iterdir())
    text = sent.read_text()
    assert f"To: {teacher.email}" in text
    assert f"http://classroom.test/notifications/{notice.pk}/" in text


def _group(pgid: int) -> list[str]:
    found = subprocess.run(["ps", "-o", "args=", "-g", str(pgid)], capture_output=True, text=True)
    return [line for line in found.stdout.splitlines() if "defunct" not in line]


@pytest.mark.django_db(transaction=True)
def test_make_run_starts_the_worker_and_stops_it_with_the_server():
    """bin/with-worker (what `make run` runs): Ctrl+C stops the server and the worker."""
    env = {**os.environ, "DATABASE_URL": database_url()}
    python = sys.executable
    command = ["bin/with-worker", python, "manage.py", "runserver", "127.0.0.1:0", "--noreload"]
    process = subprocess.Popen(
        command, cwd=REPO, env=env, start_new_session=True, stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(
            "db_worker" in p for p in _group(process.pid)
        ):
            time.sleep(0.2)
        time.sleep(2)  # the worker is polling the database, the server serving
        running = _group(process.pid)
        assert any("db_worker" in p for p in running), running
        assert any("runserver" in p for p in running), running
        os.killpg(process.pid, signal.SIGINT)  # Ctrl+C in the terminal
        process.wait(timeout=30)
        time.sleep(0.5)
        assert _group(process.pid) == []
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
