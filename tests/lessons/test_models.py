"""The lesson's content version: read in the page's own query, never by a hidden one, and only
on the databases its plain SQL is written for."""

import pytest
from django.db import NotSupportedError, connection
from django.test.utils import CaptureQueriesContext

from lessons.models import (
    KeyTerm,
    Lesson,
    Question,
    Section,
    content_parts_sql,
    markscheme_stamp,
    markscheme_stamp_sql,
)
from tests.factories import LessonFactory, QuestionFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_the_content_version_is_read_with_the_lesson_and_follows_an_edit():
    lesson = LessonFactory()
    before = Lesson.objects.with_content_version().get(pk=lesson.pk).content_version
    SectionFactory(lesson=lesson, position=1)
    with CaptureQueriesContext(connection) as ctx:
        after = Lesson.objects.with_content_version().get(pk=lesson.pk).content_version
    assert len(ctx.captured_queries) == 1
    assert after != before


def test_the_sql_names_tables_and_columns_from_the_models():
    sql = str(Lesson.objects.with_content_version().query)
    for model in (Section, KeyTerm, Question):
        table = connection.ops.quote_name(model._meta.db_table)
        assert f"{table}.{connection.ops.quote_name(model._meta.get_field('lesson').column)}" in sql


def test_without_the_annotation_it_says_so_and_runs_no_query():
    lesson = Lesson.objects.get(pk=LessonFactory().pk)
    with (
        CaptureQueriesContext(connection) as ctx,
        pytest.raises(RuntimeError, match="with_content"),
    ):
        lesson.content_version  # noqa: B018
    assert ctx.captured_queries == []


@pytest.mark.parametrize(
    "read",
    [
        lambda lesson: Lesson.objects.with_content_version(),
        lambda lesson: markscheme_stamp(lesson.pk),
        lambda lesson: content_parts_sql(),
        lambda lesson: markscheme_stamp_sql(),
    ],
    ids=["content version", "mark scheme stamp", "content SQL", "mark scheme stamp SQL"],
)
def test_another_database_is_refused_with_a_clear_error(monkeypatch, read):
    lesson = QuestionFactory().lesson
    monkeypatch.setattr(connection, "vendor", "mysql")
    with pytest.raises(NotSupportedError, match="SQLite and PostgreSQL; this database is mysql"):
        read(lesson)
