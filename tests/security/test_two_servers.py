"""Two app servers behave as one: two gunicorn servers on one PostgreSQL database and one Redis
cache, as the README's production layout has them (a proxy would pick either for each request).

Runs in CI's PostgreSQL run (Redis is on the machine at 127.0.0.1:6379).
"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from classroom.models import Attempt
from lessons.models import Section
from tests.factories import (
    PASSWORD,
    AssignmentFactory,
    ClassroomFactory,
    EnrolmentFactory,
    KeyPointFactory,
    LessonFactory,
    QuestionFactory,
    SectionFactory,
    StudentFactory,
)

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TWO_SERVERS_REDIS_URL", "redis://127.0.0.1:6379/7")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="app servers share a PostgreSQL database"
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def servers(settings):
    if not redis_available():
        pytest.fail("No Redis at 127.0.0.1:6379: start it (redis-server --daemonize yes).")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": "0",
        "CACHE_URL": REDIS_URL,
        "DJANGO_DEBUG": "true",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    processes, bases = [], []
    for _ in range(2):
        port = free_port()
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "classroom.wsgi", "--bind", f"127.0.0.1:{port}"],
                cwd=REPO,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base in bases:
            deadline = time.monotonic() + 60  # a busy CI machine starts gunicorn slowly
            while time.monotonic() < deadline:
                try:
                    if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass  # not listening yet, or still loading the app
                time.sleep(0.1)
            else:
                pytest.fail(f"{base} did not start within 60 s")
        yield bases
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        redis.Redis.from_url(REDIS_URL).flushdb()


def csrf(session: requests.Session, url: str) -> str:
    page = session.get(url).text
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def log_in(session: requests.Session, base: str, username: str, password: str):
    token = csrf(session, f"{base}/accounts/login/")
    return session.post(
        f"{base}/accounts/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
    )


def test_two_servers_behave_as_one(servers):
    a, b = servers
    lesson = LessonFactory(slug="two-servers", title="Two servers")
    section = SectionFactory(lesson=lesson, position=1, heading="One", body="First words.")
    question = QuestionFactory(lesson=lesson, position=1)
    KeyPointFactory(question=question)
    classroom = ClassroomFactory()
    assignment = AssignmentFactory(classroom=classroom, lesson=lesson)
    # Hashed as the servers hash (the tests may use a faster hasher of their own).
    student = StudentFactory(username="two-servers-kid")
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    type(student).objects.filter(pk=student.pk).update(password=hashed)
    EnrolmentFactory(classroom=classroom, student=student)

    # Signed in on one, saving there, turning in on the other: one session, one piece of work.
    session = requests.Session()
    signed_in = log_in(session, a, "two-servers-kid", PASSWORD)
    assert "Log out" in signed_in.text, signed_in.text[:3000]
    work = f"/my-work/{assignment.pk}/"
    token = csrf(session, f"{a}{work}")
    saved = session.post(
        f"{a}{work}save/",
        {f"answer-{question.pk}": "The Bolsheviks saved Petrograd.", "version": "0"},
        headers={"X-CSRFToken": token, "Accept": "application/json", "Referer": f"{a}{work}"},
    )
    assert saved.status_code == 200, saved.text[:500]
    version = saved.json()["version"]
    turned = session.post(
        f"{b}{work}turn-in/",
        {
            f"answer-{question.pk}": "The Bolsheviks saved Petrograd.",
            "version": str(version),
            "csrfmiddlewaretoken": token,
        },
        headers={"Referer": f"{b}{work}"},
    )
    assert turned.status_code == 200 and "Instant feedback" in turned.text
    assert Attempt.objects.get(student=student).state == Attempt.State.TURNED_IN

    # An edit to a lesson shows on both at once (the rendered body is cached in Redis).
    for base in (a, b):
        assert "First words." in requests.get(f"{base}{lesson.get_absolute_url()}").text
    Section.objects.filter(pk=section.pk).update(body="Edited words.")
    Section.objects.get(pk=section.pk).save()  # as the admin saves it: updated_at moves
    for base in (a, b):
        page = requests.get(f"{base}{lesson.get_absolute_url()}").text
        assert "Edited words." in page and "First words." not in page

    # A lockout earned on one holds on the other.
    other = requests.Session()
    for _ in range(5):
        log_in(other, a, "two-servers-kid", "wrong-password-here")
    assert log_in(requests.Session(), b, "two-servers-kid", PASSWORD).status_code == 429

    # The join-code limit is shared: wrong codes on one count on the other.
    guesser = requests.Session()
    for n in range(10):
        token = csrf(guesser, f"{a}/join/")
        guesser.post(
            f"{a}/join/",
            {"join_code": f"ZZZZ{n:02d}", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{a}/join/"},
        )
    token = csrf(guesser, f"{b}/join/")
    limited = guesser.post(
        f"{b}/join/",
        {
            "join_code": classroom.join_code,
            "username": "late",
            "password": "winter-palace-1917",
            "csrfmiddlewaretoken": token,
        },
        headers={"Referer": f"{b}/join/"},
    )
    assert limited.status_code == 429
