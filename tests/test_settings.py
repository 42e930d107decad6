"""Settings from the environment: SQLite tuning, production configuration, cache."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-real-secret-" + "x" * 60,
    "DJANGO_ALLOWED_HOSTS": "classroom.example.org,www.classroom.example.org",
    "EMAIL_URL": "smtp+tls://classroom:secret@smtp.example.org:587",
    "SITE_URL": "https://classroom.example.org",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "EMAIL_", "TRUSTED_", "SESSION_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_sqlite_is_tuned_for_concurrent_writers():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite tuning applies to SQLite only")
    name = connection.settings_dict["NAME"]
    assert name != ":memory:" and "mode=memory" not in str(name)
    assert Path(name).exists()  # a file-backed test database
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert cursor.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert connection.transaction_mode == "IMMEDIATE"


def test_sqlite_url_gets_the_same_tuning(tmp_path):
    code = (
        "from django.conf import settings;"
        "d = settings.DATABASES['default'];"
        "print(d['NAME'], d['OPTIONS']['transaction_mode'], 'WAL' in d['OPTIONS']['init_command'],"
        " d['CONN_MAX_AGE'])"
    )
    result = manage(
        "shell", "--no-imports", "-c", code, DATABASE_URL=f"sqlite:///{tmp_path}/other.sqlite3"
    )
    assert result.returncode == 0, result.stderr
    # A worker keeps its SQLite connection between requests too (opening one costs ~2 ms).
    assert result.stdout.split() == [f"{tmp_path}/other.sqlite3", "IMMEDIATE", "True", "60"]
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DATABASE_URL=f"sqlite:///{tmp_path}/other.sqlite3",
        DATABASE_CONN_MAX_AGE="0",
    )
    assert result.stdout.split()[-1] == "0", result.stderr


def test_postgres_url_is_not_given_sqlite_options():
    code = (
        "from django.conf import settings;"
        "d = settings.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'], 'transaction_mode' in d.get('OPTIONS', {}))"
    )
    result = manage(
        "shell", "--no-imports", "-c", code, DATABASE_URL="postgres://u:p@db.example:5432/school"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "school", "False"]


def test_postgres_keeps_the_plans_of_repeated_queries_unless_told_not_to():
    code = (
        "from django.conf import settings;"
        "o = settings.DATABASES['default'].get('OPTIONS', {});"
        "print(o.get('server_side_binding'), o.get('prepare_threshold'))"
    )
    url = "postgres://u:p@db.example:5432/school"
    result = manage("shell", "--no-imports", "-c", code, DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "5"]
    result = manage(
        "shell", "--no-imports", "-c", code, DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="false"
    )
    assert result.stdout.split() == ["None", "None"], result.stderr


@pytest.mark.django_db
def test_a_query_run_often_becomes_a_prepared_statement():
    """On PostgreSQL, a query run five times on a connection is prepared at its next run: the
    server then runs it without planning it again (pg_prepared_statements lists it). The
    query's text is this test's own, so no earlier test on the connection has run it."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")

    def run(n: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                'SELECT "username" AS "probe_of_prepared" FROM "classroom_user" WHERE "id" = %s',
                [n],
            )

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%probe_of_prepared%"],
            )
            return cursor.fetchone()[0]

    for n in range(5):
        run(n)
    assert prepared() == 0
    run(5)
    assert prepared() == 1


def test_development_defaults():
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert settings.AUTH_USER_MODEL == "classroom.User"


def test_production_configuration_passes_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS > 0, s.SECURE_PROXY_SSL_HEADER[0], s.ALLOWED_HOSTS)"
    )
    result = manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.stdout.strip() == (
        "False True True True True HTTP_X_FORWARDED_PROTO "
        "['classroom.example.org', 'www.classroom.example.org']"
    )


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = manage("check", **env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_redis_cache_from_cache_url():
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = manage("shell", "--no-imports", "-c", code, CACHE_URL="redis://127.0.0.1:6379/1")
    assert result.stdout.strip() == "django.core.cache.backends.redis.RedisCache"


def test_production_without_email_is_a_deploy_warning():
    """Password reset links printed to the console log in production: a warning to fix."""
    env = {k: v for k, v in PRODUCTION.items() if k != "EMAIL_URL"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "classroom.W001" in result.stderr + result.stdout
    assert "Set EMAIL_URL" in result.stderr + result.stdout


def test_production_without_site_url_is_a_deploy_warning():
    """Links in emails built without the site's address would point at localhost."""
    env = {k: v for k, v in PRODUCTION.items() if k != "SITE_URL"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "classroom.W002" in result.stderr + result.stdout
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr


def test_no_proxy_is_trusted_and_sessions_end_with_the_browser_by_default():
    code = (
        "from django.conf import settings as s;"
        " print(s.TRUSTED_PROXY_COUNT, s.SESSION_EXPIRE_AT_BROWSER_CLOSE)"
    )
    for env in ({}, PRODUCTION):
        result = manage("shell", "--no-imports", "-c", code, **env)
        assert result.stdout.split() == ["0", "True"], result.stderr
