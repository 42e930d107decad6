"""classroom.sessions: a session is read as Django's database sessions read it."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends import db as django_db_sessions
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from classroom.sessions import SessionStore
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def test_it_is_the_session_engine():
    assert settings.SESSION_ENGINE == "classroom.sessions"


def test_a_session_is_read_as_djangos_reads_it():
    ours = SessionStore()
    ours["answer"] = "kept"
    ours.create()
    key = ours.session_key
    with CaptureQueriesContext(connection) as queries:
        read = SessionStore(key)
        assert read["answer"] == "kept"
    assert len(queries) == 1
    assert django_db_sessions.SessionStore(key)["answer"] == "kept"  # the same table


def test_an_expired_unknown_or_missing_key_reads_as_no_session():
    expired = SessionStore()
    expired["answer"] = "old"
    expired.set_expiry(timezone.now() - timedelta(seconds=1))
    expired.create()
    for key in (expired.session_key, "x" * 32, None):
        store = SessionStore(key)
        assert store.load() == {}
        assert store.session_key is None  # a new key is made on the next save
        assert django_db_sessions.SessionStore(key).load() == {}


def test_a_signed_in_request_reads_its_session_and_user(client):
    student = StudentFactory()
    client.force_login(student)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/my-work/")
    assert response.status_code == 200 and response.wsgi_request.user == student
    session_queries = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
    assert len(session_queries) == 1  # read once, not written back (nothing changed)
    assert session_queries[0].lstrip().upper().startswith("SELECT")
