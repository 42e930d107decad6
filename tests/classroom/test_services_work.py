"""The student-work services (classroom/services/work.py): drafts, turn-in, unsubmit, resubmit."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from classroom import services
from classroom.models import Answer, Assignment, Attempt
from lessons.models import marking_questions
from tests.factories import (
    AnswerFactory,
    AssignmentFactory,
    AttemptFactory,
    ClassroomFactory,
    EnrolmentFactory,
    KeyPointFactory,
    LessonFactory,
    MisconceptionFactory,
    QuestionFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

MADE = "The Bolsheviks saved Petrograd from the general, so people trusted them."


NOTHING_FOUND = {"points_made": [], "points_missed": [], "misconceptions": [], "suggested_mark": 0}


WRONG = "Kornilov was a Bolshevik who attacked the city."


@pytest.fixture
def lesson(db):
    lesson = LessonFactory(title="The Kornilov revolt")
    SectionFactory(lesson=lesson, position=1, heading="The march on Petrograd")
    q1 = QuestionFactory(lesson=lesson, key="why-support", position=1, after_section=1)
    KeyPointFactory(
        question=q1,
        key="saviours",
        text="The Bolsheviks were seen as the saviours of Petrograd.",
        hint="Who did people credit with stopping Kornilov?",
        phrases="bolsheviks saved petrograd\ndefended the city",
    )
    KeyPointFactory(
        question=q1,
        key="red-guards",
        text="The Red Guards were armed.",
        hint="Think about what the Red Guards were given to defend the city.",
        phrases="red guards armed",
    )
    MisconceptionFactory(
        question=q1,
        key="kornilov-bolshevik",
        phrases="kornilov was a bolshevik",
        feedback="Kornilov was a general who moved against the government.",
    )
    QuestionFactory(
        lesson=lesson, key="who-kornilov", position=2, prompt="Who was Kornilov?", marks=1
    )
    return lesson


@pytest.fixture
def assignment(lesson, student):
    classroom = ClassroomFactory(name="10H History")
    EnrolmentFactory(classroom=classroom, student=student)
    return AssignmentFactory(
        classroom=classroom,
        lesson=lesson,
        instructions="Answer in full sentences.",
        due_at=timezone.now() + timedelta(days=2),
    )


@pytest.fixture
def questions(lesson):
    return list(lesson.questions.order_by("position"))


@pytest.fixture
def turned_in(teacher, student):
    """An assignment not accepting late work, turned in by the student."""
    classroom = ClassroomFactory(teacher=teacher)
    EnrolmentFactory(classroom=classroom, student=student)
    assignment = AssignmentFactory(classroom=classroom, accept_late=False)
    question = QuestionFactory(lesson=assignment.lesson)
    services.turn_in(
        student=student, assignment=assignment, texts={question.pk: "On time."}, base_version=0
    )
    return assignment


def _return(attempt, *, allow, mark=1, comment="Good start."):
    for answer in attempt.answers.all():
        answer.mark = mark
        answer.comment = comment
        answer.save()
    attempt.state = Attempt.State.RETURNED
    attempt.returned_at = timezone.now()
    attempt.returned_by = attempt.assignment.classroom.teacher
    attempt.overall_comment = "Add more detail."
    attempt.resubmission_allowed = allow
    attempt.save()


def test_save_draft_creates_then_updates_the_attempt(student, assignment, questions):
    q1, q2 = questions
    attempt = services.save_draft(
        student=student, assignment=assignment, texts={q1.pk: "First go"}, base_version=0
    )
    assert (attempt.number, attempt.state, attempt.version) == (1, "draft", 1)
    assert attempt.saved_at is not None
    attempt = services.save_draft(
        student=student,
        assignment=assignment,
        texts={q1.pk: "Second go", q2.pk: "A general"},
        base_version=1,
    )
    assert attempt.version == 2
    assert Attempt.objects.count() == 1
    texts = dict(attempt.answers.values_list("question_id", "text"))
    assert texts == {q1.pk: "Second go", q2.pk: "A general"}


def test_a_stale_save_of_the_same_text_is_not_a_conflict(student, assignment, questions):
    q1 = questions[0]
    services.save_draft(
        student=student, assignment=assignment, texts={q1.pk: "Same"}, base_version=0
    )
    attempt = services.save_draft(
        student=student, assignment=assignment, texts={q1.pk: "Same"}, base_version=0
    )
    assert attempt.version == 1


def test_a_too_long_answer_is_refused_alone(student, assignment, questions):
    long_text = "x" * (Answer.MAX_LENGTH + 1)
    with pytest.raises(services.AnswersTooLong) as refused:
        services.save_draft(
            student=student,
            assignment=assignment,
            texts={questions[0].pk: long_text, questions[1].pk: "Kept"},
            base_version=0,
        )
    assert set(refused.value.errors) == {questions[0].pk}
    assert f"the most is {Answer.MAX_LENGTH}" in refused.value.errors[questions[0].pk]
    attempt = refused.value.attempt
    assert attempt.version == 1
    assert {a.question_id: a.text for a in attempt.answers.all()} == {questions[1].pk: "Kept"}
    assert "Your other answers are saved" in str(refused.value)


def test_nothing_saved_when_the_only_answer_is_too_long(student, assignment, questions):
    long_text = "x" * (Answer.MAX_LENGTH + 1)
    with pytest.raises(services.AnswersTooLong) as refused:
        services.save_draft(
            student=student,
            assignment=assignment,
            texts={questions[0].pk: long_text},
            base_version=0,
        )
    assert refused.value.attempt is None
    assert not Attempt.objects.exists()


def test_turn_in_marks_every_answer_with_the_markscheme_version(student, assignment, questions):
    q1, q2 = questions
    attempt = services.turn_in(
        student=student, assignment=assignment, texts={q1.pk: MADE}, base_version=0
    )
    assert attempt.state == Attempt.State.TURNED_IN
    assert attempt.turned_in_at is not None
    assert attempt.is_late is False
    answers = {a.question_id: a for a in attempt.answers.all()}
    assert set(answers) == {q1.pk, q2.pk}  # an unanswered question is kept, empty
    result = answers[q1.pk].result
    assert [hit["key"] for hit in result["points_made"]] == ["saviours"]
    assert result["points_missed"] == ["red-guards"]
    assert answers[q1.pk].markscheme_version == q1.markscheme_version
    assert answers[q2.pk].text == ""


def test_resubmit_refused_when_not_allowed(student, assignment, questions):
    attempt = services.turn_in(
        student=student, assignment=assignment, texts={questions[0].pk: MADE}, base_version=0
    )
    _return(attempt, allow=False)
    with pytest.raises(services.ServiceError, match="not asked"):
        services.resubmit(student=student, assignment=assignment)
    with pytest.raises(services.ServiceError, match="returned this work"):
        services.save_draft(
            student=student, assignment=assignment, texts={questions[0].pk: "x"}, base_version=0
        )


@pytest.mark.parametrize(
    "prepared, read, expected",
    [(True, "alone", 6), (False, "alone", 9), (True, "with the assignment", 4)],
    ids=["prepared", "first-in-process", "as-the-view-reads-it"],
)
def test_a_turn_in_of_four_answers_takes_six_queries_or_fewer(
    student, assignment, prepared, read, expected
):
    """The lesson's mark scheme stamp (1), the work's lock (1), the latest attempt and its
    answers (1: the answers joined to their attempt), the texts and results (1, run once a
    row), the student's own due time (1: an extension, which lateness follows), the state
    (1). The marking is done before the lock, so nothing else waits for it. The first
    turn-in to a lesson in a process (or the first after its mark schemes changed) also reads
    the questions, key points and misconceptions (3). Read as the Turn in view reads it, the
    assignment comes with the stamp and the student's own due time: 4."""
    for n in range(2):
        QuestionFactory(lesson=assignment.lesson, position=10 + n)
    questions = list(assignment.lesson.questions.order_by("position"))
    assert len(questions) == 4
    for question in questions:
        KeyPointFactory(question=question, phrases="saved petrograd")
    texts = {q.pk: f"Draft {n}" for n, q in enumerate(questions)}
    attempt = services.save_draft(
        student=student, assignment=assignment, texts=texts, base_version=0
    )
    if prepared:
        marking_questions(assignment.lesson_id)
    if read == "with the assignment":
        assignment = Assignment.objects.get_for_student(student, assignment.pk, lesson=True)
    with CaptureQueriesContext(connection) as ctx:
        services.turn_in(
            student=student,
            assignment=assignment,
            texts={q.pk: "The Bolsheviks saved Petrograd." for q in questions},
            base_version=attempt.version,
        )
    queries = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(queries) == expected, "\n".join(queries)
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.TURNED_IN
    assert all(a.result["points_made"] for a in attempt.answers.all())


def test_the_latest_work_is_read_in_one_query_when_it_has_answers(
    student, assignment, questions, django_assert_num_queries
):
    """`_latest_work`: the latest attempt and its own answers by question, one query when it
    has answers (joined to it), two when it has none yet or there is no attempt."""
    from classroom.services.work import _latest_work

    q1, q2 = questions
    with django_assert_num_queries(2):
        assert _latest_work(student, assignment) == (None, {})
    first = Attempt.objects.create(student=student, assignment=assignment, number=1)
    with django_assert_num_queries(2):
        assert _latest_work(student, assignment) == (first, {})
    texts = {q1.pk: "First go", q2.pk: "A general"}
    services.turn_in(student=student, assignment=assignment, texts=texts, base_version=0)
    first.refresh_from_db()
    _return(first, allow=True)
    second = services.resubmit(student=student, assignment=assignment)
    services.save_draft(
        student=student, assignment=assignment, texts={q1.pk: "Better"}, base_version=1
    )
    with django_assert_num_queries(1):
        latest, answers = _latest_work(student, assignment)
        assert all(answer.attempt is latest for answer in answers.values())
    assert (latest.pk, latest.number, latest.version) == (second.pk, 2, 2)
    assert {qid: a.text for qid, a in answers.items()} == {q1.pk: "Better", q2.pk: "A general"}
    assert {a.attempt_id for a in answers.values()} == {second.pk}


def test_unsubmit_is_refused_once_the_work_could_not_be_turned_in_again(student, turned_in):
    turned_in.due_at = timezone.now() - timedelta(hours=1)
    turned_in.save()
    with pytest.raises(services.ServiceError, match="could\\s+not turn this in again"):
        services.unsubmit(student=student, assignment=turned_in)
    attempt = Attempt.objects.get(assignment=turned_in)
    assert attempt.state == Attempt.State.TURNED_IN and not attempt.is_late
    # With late work accepted, unsubmitting is still allowed.
    turned_in.accept_late = True
    turned_in.save()
    services.unsubmit(student=student, assignment=turned_in)


# --- A refused turn-in still saves the draft --------------------------------------------------


def test_a_late_turn_in_refused_keeps_what_was_typed_as_a_draft(student, assignment, questions):
    assignment.due_at = timezone.now() - timedelta(hours=1)
    assignment.accept_late = False
    assignment.save()
    with pytest.raises(services.ServiceError, match="not accepting late work"):
        services.turn_in_or_keep_draft(
            student=student, assignment=assignment, texts={questions[0].pk: MADE}, base_version=0
        )
    attempt = Attempt.objects.get()
    assert attempt.state == Attempt.State.DRAFT
    assert attempt.answers.get(question=questions[0]).text == MADE


def test_a_turn_in_with_an_answer_too_long_saves_the_others(student, assignment, questions):
    texts = {questions[0].pk: MADE, questions[1].pk: "x" * (Answer.MAX_LENGTH + 1)}
    with pytest.raises(services.AnswersTooLong) as refused:
        services.turn_in_or_keep_draft(
            student=student, assignment=assignment, texts=texts, base_version=0
        )
    assert set(refused.value.errors) == {questions[1].pk}
    assert refused.value.attempt is not None
    attempt = Attempt.objects.get()
    assert attempt.state == Attempt.State.DRAFT
    assert [a.text for a in attempt.answers.all()] == [MADE]


def test_a_refused_turn_in_of_a_stale_draft_saves_nothing(student, assignment, questions):
    services.save_draft(
        student=student, assignment=assignment, texts={questions[0].pk: WRONG}, base_version=0
    )
    assignment.due_at = timezone.now() - timedelta(hours=1)
    assignment.accept_late = False
    assignment.save()
    with pytest.raises(services.DraftConflict):
        services.turn_in_or_keep_draft(
            student=student, assignment=assignment, texts={questions[0].pk: MADE}, base_version=0
        )
    assert Answer.objects.get().text == WRONG


def test_a_turn_in_of_returned_work_is_refused_and_changes_nothing(student, assignment, questions):
    attempt = services.turn_in(
        student=student, assignment=assignment, texts={questions[0].pk: WRONG}, base_version=0
    )
    _return(attempt, allow=False)
    with pytest.raises(services.ServiceError, match="returned"):
        services.turn_in_or_keep_draft(
            student=student, assignment=assignment, texts={questions[0].pk: MADE}, base_version=1
        )
    assert Attempt.objects.get().state == Attempt.State.RETURNED
    assert Answer.objects.get(question=questions[0]).text == WRONG


def test_the_answers_of_the_latest_attempt_are_that_students_on_that_assignment():
    """`Answer.objects.of_latest_attempt`: the highest-numbered attempt of this student at this
    assignment, whatever other students and assignments hold (higher numbers included)."""
    first = AttemptFactory(returned=True)
    student, assignment = first.student, first.assignment
    second = AttemptFactory(student=student, assignment=assignment, number=2)
    AnswerFactory(attempt=first, text="first")
    latest = AnswerFactory(attempt=second, text="second")
    AttemptFactory(assignment=assignment, number=3)  # another student's, numbered higher
    AnswerFactory(attempt=AttemptFactory(student=student, number=4), text="elsewhere")

    found = Answer.objects.of_latest_attempt(student_id=student.pk, assignment_id=assignment.pk)
    assert list(found) == [latest]
    nobody = Answer.objects.of_latest_attempt(student_id=student.pk, assignment_id=0)
    assert not nobody.exists()
