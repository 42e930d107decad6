"""Work is never deleted by removing, archiving or retiring: the database refuses deletes."""

import pytest
from django.db.models import ProtectedError

from classroom import services
from classroom.models import Answer, Attempt
from tests.factories import (
    AnswerFactory,
    AssignmentFactory,
    AttemptFactory,
    EnrolmentFactory,
    QuestionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def answer():
    assignment = AssignmentFactory()
    question = QuestionFactory(lesson=assignment.lesson)
    enrolment = EnrolmentFactory(classroom=assignment.classroom)
    attempt = AttemptFactory(assignment=assignment, student=enrolment.student, returned=True)
    return AnswerFactory(attempt=attempt, question=question, text="Kept", mark=1, comment="Good")


def test_removing_archiving_and_retiring_keep_the_work(answer):
    classroom = answer.attempt.assignment.classroom
    services.remove_student(classroom=classroom, student=answer.attempt.student)
    services.archive_classroom(classroom=classroom)
    answer.question.is_retired = True
    answer.question.save()
    kept = Answer.objects.get(pk=answer.pk)
    assert (kept.text, kept.mark, kept.comment) == ("Kept", 1, "Good")


@pytest.mark.parametrize(
    "owner",
    [
        lambda a: a.attempt.student,
        lambda a: a.attempt.assignment.classroom,
        lambda a: a.attempt.assignment,
        lambda a: a.attempt.assignment.lesson,
        lambda a: a.question,
    ],
    ids=["student", "classroom", "assignment", "lesson", "question"],
)
def test_deleting_what_work_belongs_to_is_refused(answer, owner):
    with pytest.raises(ProtectedError):
        owner(answer).delete()
    assert Attempt.objects.filter(pk=answer.attempt_id).exists()
    assert Answer.objects.filter(pk=answer.pk).exists()
