"""The factories build only what the services could build."""

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from classroom.models import Attempt
from tests.factories import AssignmentFactory, AttemptFactory


def test_an_attempt_is_a_saved_draft_by_default(db):
    attempt = AttemptFactory()
    assert attempt.state == Attempt.State.DRAFT
    assert attempt.saved_at is not None
    assert attempt.turned_in_at is None and not attempt.is_late
    assert attempt.returned_at is None and attempt.returned_by is None


def test_turned_in_sets_the_time_and_lateness_as_turning_in_does(db):
    on_time = AttemptFactory(turned_in=True)
    assert on_time.state == Attempt.State.TURNED_IN
    assert on_time.turned_in_at is not None and not on_time.is_late
    assert on_time.returned_at is None and on_time.returned_by is None

    overdue = AssignmentFactory(due_at=timezone.now() - timedelta(days=1))
    assert AttemptFactory(assignment=overdue, turned_in=True).is_late


def test_returned_is_turned_in_then_returned_by_the_class_teacher(db):
    attempt = AttemptFactory(returned=True)
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.RETURNED
    assert attempt.turned_in_at is not None
    assert attempt.returned_at >= attempt.turned_in_at
    assert attempt.returned_by == attempt.assignment.classroom.teacher


def test_a_state_without_its_times_is_refused(db):
    """Pass the traits: a bare `state` builds what no service could, and the database says so."""
    with pytest.raises(IntegrityError):
        AttemptFactory(state=Attempt.State.TURNED_IN)
