"""The marking view shows the model answer as paragraphs, without the content file's wrapping."""

from django.urls import reverse
from pytest_django.asserts import assertContains

from tests.factories import (
    AnswerFactory,
    AssignmentFactory,
    AttemptFactory,
    ClassroomFactory,
    EnrolmentFactory,
    QuestionFactory,
    StudentFactory,
)


def test_model_answer_shows_as_paragraphs(client, teacher):
    classroom = ClassroomFactory(teacher=teacher)
    assignment = AssignmentFactory(classroom=classroom)
    question = QuestionFactory(
        lesson=assignment.lesson,
        model_answer="The Bolsheviks were seen\nas the saviours of Petrograd.\n\nSo support grew.",
    )
    student = StudentFactory()
    EnrolmentFactory(classroom=classroom, student=student)
    attempt = AttemptFactory(assignment=assignment, student=student, turned_in=True)
    AnswerFactory(attempt=attempt, question=question)
    client.force_login(teacher)
    response = client.get(reverse("classroom:attempt-mark", args=[attempt.pk]))
    # Paragraphs, the line break inside the first one a space (no <br>): html=True compares
    # the whole element, so a <br> inside would not match.
    assertContains(
        response,
        '<div class="model-answer mt-2"><p>The Bolsheviks were seen as the saviours of '
        "Petrograd.</p><p>So support grew.</p></div>",
        html=True,
    )
