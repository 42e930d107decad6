"""An attempt's rules hold whatever writes it: state transitions compare and set, the database
checks its fields, the admin shows the state read-only and marks changed there
go through the marking service (the work's lock, the change history after return)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from classroom import services
from classroom.models import Attempt, FeedbackChange
from tests.factories import (
    AssignmentFactory,
    ClassroomFactory,
    EnrolmentFactory,
    KeyPointFactory,
    QuestionFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(teacher):
    classroom = ClassroomFactory(teacher=teacher)
    assignment = AssignmentFactory(classroom=classroom)
    question = QuestionFactory(lesson=assignment.lesson, marks=3)
    KeyPointFactory(question=question)
    student = StudentFactory()
    EnrolmentFactory(classroom=classroom, student=student)
    attempt = services.turn_in(
        student=student, assignment=assignment, texts={question.pk: "Some words."}, base_version=0
    )
    services.return_attempt(
        attempt=attempt, teacher=teacher, marks={question.pk: 1}, comments={}, overall_comment=""
    )
    return Attempt.objects.get(pk=attempt.pk)


def change_url(attempt):
    return reverse("admin:classroom_attempt_change", args=[attempt.pk])


def form_data(attempt, **answer_fields):
    answer = attempt.answers.get()
    data = {
        "student": attempt.student_id,
        "assignment": attempt.assignment_id,
        "number": attempt.number,
        "overall_comment": attempt.overall_comment,
        "answers-TOTAL_FORMS": "1",
        "answers-INITIAL_FORMS": "1",
        "answers-MIN_NUM_FORMS": "0",
        "answers-MAX_NUM_FORMS": "1000",
        "answers-0-id": answer.pk,
        "answers-0-attempt": attempt.pk,
        "answers-0-text": answer.text,
        "answers-0-mark": answer.mark,
        "answers-0-comment": answer.comment,
    }
    data.update({f"answers-0-{k}": v for k, v in answer_fields.items()})
    return data


def test_the_state_is_read_only_in_the_admin(client, returned):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    html = client.get(change_url(returned)).content.decode()
    assert 'name="state"' not in html
    assert 'name="returned_at_0"' not in html and 'name="turned_in_at_0"' not in html
    response = client.post(change_url(returned), {**form_data(returned), "state": "draft"})
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.state == Attempt.State.RETURNED  # a posted state is ignored


def test_a_mark_changed_in_the_admin_is_in_the_change_history(client, returned):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    data = form_data(returned, mark="3", comment="Rechecked by the head of department.")
    data["overall_comment"] = "Moderated."
    response = client.post(change_url(returned), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    answer = returned.answers.get()
    assert (answer.mark, answer.comment, answer.marked_by) == (
        3,
        "Rechecked by the head of department.",
        admin,
    )
    changes = {
        c.field: (c.old_value, c.new_value, c.changed_by)
        for c in FeedbackChange.objects.filter(attempt=returned)
    }
    assert changes == {
        "mark": ("1", "3", admin),
        "comment": ("", "Rechecked by the head of department.", admin),
        "overall_comment": ("", "Moderated.", admin),
    }


def test_an_assignment_due_before_its_start_is_refused(teacher):
    assignment = AssignmentFactory(classroom=ClassroomFactory(teacher=teacher))
    now = timezone.now()
    assignment.start_at, assignment.due_at = now, now - timedelta(days=1)
    with pytest.raises(ValidationError, match="Due must not be before the start"):
        assignment.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        assignment.save()  # and the database refuses it whatever writes it


@pytest.mark.parametrize(
    "fields",
    [
        {"state": "lost"},
        {"state": "draft"},  # still has turned_in_at and returned_at
        {"state": "turned_in"},  # still has returned_at
        {"returned_at": None},
        {"returned_by": None},
        {"turned_in_at": None},
    ],
)
def test_the_database_keeps_an_attempts_fields_consistent(returned, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.filter(pk=returned.pk).update(**fields)


def test_a_stale_transition_changes_nothing(returned):
    stale = Attempt.objects.get(pk=returned.pk)
    stale.state = Attempt.State.TURNED_IN  # as a page opened before the return saw it
    assert stale.unsubmit() is False
    returned.refresh_from_db()
    assert returned.state == Attempt.State.RETURNED and returned.returned_at is not None
