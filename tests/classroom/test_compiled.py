"""classroom.compiled: a read compiled once gives what the ORM gives, with the caller's values."""

from datetime import datetime, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.db.models import F, IntegerField, Value
from django.db.models.expressions import RawSQL
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from classroom.compiled import CompiledQuery
from classroom.models import Assignment, StudentWork
from tests.factories import AssignmentFactory, StudentFactory

pytestmark = pytest.mark.django_db


def _assignments(classroom_id: int, pk: int):
    """A read of the shape the student pages use: two tables joined, annotations, a raw part."""
    return (
        Assignment.objects.select_related("classroom__teacher", "lesson")
        .annotate(
            doubled=F("pk") * 2,
            constant=Value(7),
            asked_for=RawSQL("%s + 0", (pk,), output_field=IntegerField()),
        )
        .filter(classroom_id=classroom_id, pk=pk)
    )


def _field_values(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def test_it_gives_what_the_orm_gives_with_related_objects_and_annotations():
    assignment = AssignmentFactory(due_at=timezone.now() + timedelta(days=2))
    read = CompiledQuery(_assignments, params=2)
    expected = _assignments(assignment.classroom_id, assignment.pk).get()

    found = read.get(assignment.classroom_id, assignment.pk)

    assert _field_values(found) == _field_values(expected)
    assert found.due_at == assignment.due_at and found.due_at.tzinfo is not None  # converted
    assert (found.doubled, found.constant, found.asked_for) == (assignment.pk * 2, 7, assignment.pk)
    with CaptureQueriesContext(connection) as queries:  # the joined rows came with it
        assert _field_values(found.classroom) == _field_values(expected.classroom)
        assert _field_values(found.classroom.teacher) == _field_values(expected.classroom.teacher)
        assert found.lesson.slug == expected.lesson.slug
    assert len(queries) == 0
    assert found._state.db == "default" and not found._state.adding


def test_it_is_compiled_once_and_run_with_each_callers_values():
    first, second = AssignmentFactory(), AssignmentFactory()
    built = []

    def build(classroom_id: int, pk: int):
        built.append((classroom_id, pk))
        return _assignments(classroom_id, pk)

    read = CompiledQuery(build, params=2)
    assert read.get(first.classroom_id, first.pk) == first
    assert read.get(second.classroom_id, second.pk) == second
    assert read.all(first.classroom_id, second.pk) == []  # the values are not mixed up
    assert read.get(first.classroom_id, first.pk).asked_for == first.pk
    assert len(built) == 1  # the stand-ins, once
    assert all(value < 0 for value in built[0])
    with CaptureQueriesContext(connection) as queries:
        read.all(first.classroom_id, first.pk)
    assert len(queries) == 1


def test_get_says_when_there_is_no_row_or_more_than_one():
    first = AssignmentFactory()
    AssignmentFactory(classroom=first.classroom)
    read = CompiledQuery(
        lambda classroom_id: Assignment.objects.filter(classroom=classroom_id), params=1
    )
    assert len(read.all(first.classroom_id)) == 2
    with pytest.raises(Assignment.MultipleObjectsReturned):
        read.get(first.classroom_id)
    with pytest.raises(Assignment.DoesNotExist):
        read.get(first.classroom_id + 1000)


def test_rows_of_a_values_list_are_tuples_converted_as_django_converts_them():
    assignment = AssignmentFactory(due_at=timezone.now())
    read = CompiledQuery(
        lambda pk: Assignment.objects.filter(pk=pk).values_list("pk", "due_at"), params=1
    )
    assert read.rows(assignment.pk) == [(assignment.pk, assignment.due_at)]
    assert read.rows(assignment.pk + 1000) == []


def test_a_parameter_that_does_not_reach_the_sql_is_refused_at_once():
    read = CompiledQuery(lambda pk, unused: Assignment.objects.filter(pk=pk), params=2)
    with pytest.raises(ValueError, match="not in the compiled SQL"):
        read.all(1, 2)


def test_what_it_cannot_run_as_the_orm_would_is_refused():
    prefetching = CompiledQuery(
        lambda pk: Assignment.objects.filter(pk=pk).prefetch_related("extensions"), params=1
    )
    with pytest.raises(ValueError, match="prefetch_related"):
        prefetching.all(1)
    values = CompiledQuery(lambda pk: Assignment.objects.filter(pk=pk).values_list("pk"), params=1)
    with pytest.raises(TypeError, match="rows()"):
        values.all(1)


def test_the_values_are_ids_and_as_many_as_declared():
    read = CompiledQuery(lambda pk: Assignment.objects.filter(pk=pk), params=1)
    for value in ("1 OR 1=1", 1.0, True):
        with pytest.raises(TypeError, match="a parameter of kind int"):
            read.all(value)
    texts = CompiledQuery(lambda key: Session.objects.filter(session_key=key), params=(str,))
    with pytest.raises(TypeError, match="a parameter of kind str, not int"):
        texts.all(1)
    with pytest.raises(ValueError, match="integers or texts"):
        CompiledQuery(lambda when: Session.objects.filter(expire_date=when), params=(datetime,))
    with pytest.raises(TypeError, match="1 parameters expected"):
        read.all(1, 2)
    with pytest.raises(ValueError):
        CompiledQuery(lambda: Assignment.objects.all(), params=0)


def test_a_text_parameter_reaches_the_sql_as_it_is():
    keys = CompiledQuery(lambda key: Session.objects.filter(session_key=key), params=(str,))
    mixed = CompiledQuery(
        lambda key, pk: Assignment.objects.filter(lesson__slug=key, pk=pk), params=(str, int)
    )
    assignment = AssignmentFactory()
    Session.objects.create(
        session_key="k" * 32, session_data="", expire_date=timezone.now() + timedelta(days=1)
    )
    assert [s.session_key for s in keys.all("k" * 32)] == ["k" * 32]
    assert keys.all("x" * 32) == [] and keys.all("' OR ''='") == []
    assert mixed.get(assignment.lesson.slug, assignment.pk) == assignment
    assert mixed.all("another-lesson", assignment.pk) == []


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_is_refused_outside_a_transaction_as_django_refuses_it():
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite has no row locks: IMMEDIATE transactions serialise the writers")
    assignment, student = AssignmentFactory(), StudentFactory()
    StudentWork.objects.create(assignment=assignment, student=student)
    read = CompiledQuery(
        lambda pk: (
            StudentWork.objects.select_for_update(of=("self",))
            .filter(assignment=pk)
            .values_list("pk")
        ),
        params=1,
    )
    with transaction.atomic():  # compiled here, inside a transaction
        assert len(read.rows(assignment.pk)) == 1
    with pytest.raises(TransactionManagementError):  # the compiled SQL is not run outside one
        read.rows(assignment.pk)
