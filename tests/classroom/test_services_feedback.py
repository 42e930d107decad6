"""The feedback and marking services (classroom/services/feedback.py): saving marks, and keeping
the comments the teacher ticked in their comment bank."""

import pytest

from classroom import services
from classroom.models import Attempt, CommentBankEntry
from tests.factories import (
    AssignmentFactory,
    ClassroomFactory,
    EnrolmentFactory,
    QuestionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def turned_in(teacher, student):
    classroom = ClassroomFactory(teacher=teacher)
    EnrolmentFactory(classroom=classroom, student=student)
    assignment = AssignmentFactory(classroom=classroom)
    question = QuestionFactory(lesson=assignment.lesson, marks=2)
    attempt = services.turn_in(
        student=student, assignment=assignment, texts={question.pk: "An answer."}, base_version=0
    )
    return attempt, question


def _save(attempt, question, teacher, comment, *, to_bank):
    return services.save_marking(
        attempt=attempt,
        teacher=teacher,
        marks={question.pk: 1},
        comments={question.pk: comment},
        overall_comment="",
        return_work=True,
        to_bank=[(question, text) for text in to_bank],
    )


def test_marking_keeps_the_ticked_comment_in_the_bank(teacher, turned_in):
    attempt, question = turned_in
    saved = _save(attempt, question, teacher, "Name a date.", to_bank=["Name a date."])
    assert saved.not_banked == []
    assert saved.attempt.state == Attempt.State.RETURNED
    bank = CommentBankEntry.objects.get()
    assert (bank.teacher, bank.question, bank.text) == (teacher, question, "Name a date.")


def test_a_comment_the_bank_refuses_leaves_the_marking_saved(teacher, turned_in):
    attempt, question = turned_in
    limit = CommentBankEntry._meta.get_field("text").max_length
    saved = _save(attempt, question, teacher, "Long.", to_bank=["x" * (limit + 1)])
    assert len(saved.not_banked) == 1
    assert saved.not_banked[0].startswith(f"Question {question.position}: ")
    assert "shorten it" in saved.not_banked[0]
    assert not CommentBankEntry.objects.exists()
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.RETURNED
    assert attempt.answers.get().mark == 1


def test_nothing_is_banked_when_the_marking_is_refused(teacher, turned_in):
    attempt, question = turned_in
    with pytest.raises(services.ServiceError, match="from 0 to 2"):
        services.save_marking(
            attempt=attempt,
            teacher=teacher,
            marks={question.pk: 3},
            comments={},
            overall_comment="",
            to_bank=[(question, "Name a date.")],
        )
    assert not CommentBankEntry.objects.exists()
