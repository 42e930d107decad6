"""Attempts and answers sort by their own columns: listing them joins no other table, and the
pages that show answers in question order ask for it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from classroom import services
from classroom.models import Answer, Attempt
from tests.factories import (
    AssignmentFactory,
    ClassroomFactory,
    EnrolmentFactory,
    QuestionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(teacher, student):
    classroom = ClassroomFactory(teacher=teacher)
    EnrolmentFactory(classroom=classroom, student=student)
    assignment = AssignmentFactory(classroom=classroom)
    # Made in the opposite order to their positions.
    second = QuestionFactory(lesson=assignment.lesson, position=2)
    first = QuestionFactory(lesson=assignment.lesson, position=1)
    texts = {second.pk: "Second.", first.pk: "First."}
    return services.save_draft(student=student, assignment=assignment, texts=texts, base_version=0)


@pytest.mark.parametrize(
    "listing",
    [lambda attempt: list(attempt.answers.all()), lambda attempt: list(Attempt.objects.all())],
    ids=["an attempt's answers", "attempts"],
)
def test_listing_joins_no_other_table(attempt, listing):
    with CaptureQueriesContext(connection) as ctx:
        listing(attempt)
    (query,) = ctx.captured_queries
    assert "JOIN" not in query["sql"]


def test_the_student_page_shows_answers_in_question_order(client, student, attempt):
    assert [a.text for a in Answer.objects.order_by("question__position")] == ["First.", "Second."]
    client.force_login(student)
    html = client.get(f"/my-work/{attempt.assignment_id}/").content.decode()
    assert html.index("First.") < html.index("Second.")
