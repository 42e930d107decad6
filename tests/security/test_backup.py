"""`manage.py backup`: a consistent copy of the database that holds every submission."""

import io
import sqlite3
import stat
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from classroom import services
from tests.factories import (
    AssignmentFactory,
    ClassroomFactory,
    EnrolmentFactory,
    LessonFactory,
    QuestionFactory,
    StudentFactory,
)


@pytest.mark.django_db(transaction=True)
def test_backup_holds_every_submission(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("restores the SQLite copy with sqlite3; PostgreSQL backups use pg_dump")
    lesson = LessonFactory()
    questions = [QuestionFactory(lesson=lesson, position=n) for n in (1, 2)]
    classroom = ClassroomFactory()
    assignment = AssignmentFactory(classroom=classroom, lesson=lesson)
    texts = {}
    for n in range(5):
        student = StudentFactory()
        EnrolmentFactory(classroom=classroom, student=student)
        answers = {
            q.pk: f"Answer {n} to question {q.pk}: the Bolsheviks <b>won</b>" for q in questions
        }
        texts.update({(student.pk, qid): text for qid, text in answers.items()})
        services.turn_in(student=student, assignment=assignment, texts=answers, base_version=0)

    out = io.StringIO()
    call_command("backup", "--dir", str(tmp_path), stdout=out)
    path = Path(out.getvalue().strip())
    assert path.parent == tmp_path and path.exists()
    assert path.name.startswith("db-") and path.name.endswith("Z.sqlite3")

    restored = sqlite3.connect(path)
    try:
        assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert restored.execute(
            "SELECT count(*) FROM classroom_attempt WHERE state = 'turned_in'"
        ).fetchone() == (5,)
        rows = restored.execute(
            "SELECT a.student_id, n.question_id, n.text FROM classroom_answer n"
            " JOIN classroom_attempt a ON a.id = n.attempt_id"
        ).fetchall()
    finally:
        restored.close()
    assert {(student_id, qid): text for student_id, qid, text in rows} == texts


def test_backup_without_pg_dump_says_what_to_install(monkeypatch, tmp_path):
    from django.core.management.base import CommandError

    from classroom.management.commands import backup

    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(CommandError, match="pg_dump was not found"):
        backup.Command()._postgres({"NAME": "classroom"}, tmp_path / "x.dump")


@pytest.mark.django_db(transaction=True)
def test_postgres_backup_is_a_pg_dump_archive(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump backs up PostgreSQL only")
    import shutil
    import subprocess

    if shutil.which("pg_restore") is None:
        pytest.skip("pg_restore is not installed")
    out = io.StringIO()
    call_command("backup", "--dir", str(tmp_path), stdout=out)
    path = Path(out.getvalue().strip())
    assert path.name.endswith(".dump") and path.stat().st_size > 0
    listing = subprocess.run(
        ["pg_restore", "--list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "TABLE DATA public classroom_attempt" in listing


@pytest.mark.django_db(transaction=True)
def test_backups_are_readable_by_their_owner_only(tmp_path):
    """A backup holds every child's work: its file is the owner's alone, as is its folder."""
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL backup needs pg_dump; its file is made the same way")
    out = io.StringIO()
    call_command("backup", "--dir", str(tmp_path / "backups"), stdout=out)
    path = Path(out.getvalue().strip())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
