"""remark: re-runs the engine over a lesson's turned-in work; the teacher's marks stay."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from classroom.models import Answer, Assignment, Attempt, Classroom
from lessons.marking import RULES_VERSION
from tests.factories import KeyPointFactory, LessonFactory, QuestionFactory, StudentFactory

pytestmark = pytest.mark.django_db


def make_answer(assignment, student, question, text, *, state=Attempt.State.TURNED_IN, **extra):
    """An answer marked by the engine as turn-in does, with the scheme of that moment."""
    attempt, _ = Attempt.objects.get_or_create(
        assignment=assignment,
        student=student,
        number=1,
        defaults={
            "state": state,
            "turned_in_at": None if state == Attempt.State.DRAFT else timezone.now(),
            "returned_at": timezone.now() if state == Attempt.State.RETURNED else None,
            "returned_by": (
                assignment.classroom.teacher if state == Attempt.State.RETURNED else None
            ),
        },
    )
    question = type(question).objects.with_markscheme().get(pk=question.pk)
    return Answer.objects.create(
        attempt=attempt,
        question=question,
        text=text,
        result=question.mark_scheme.mark(text).to_dict(),
        markscheme_version=question.markscheme_version,
        rules_version=RULES_VERSION,
        **extra,
    )


def remark(slug: str | None) -> str:
    out = io.StringIO()
    call_command("remark", *(["--lesson", slug] if slug else []), stdout=out)
    return out.getvalue()


@pytest.fixture
def setup(teacher):
    lesson = LessonFactory(slug="kornilov-revolt")
    question = QuestionFactory(lesson=lesson, key="why-support-grew", marks=2)
    point = KeyPointFactory(question=question, key="saved", phrases="bolsheviks saved petrograd")
    classroom = Classroom.objects.create(teacher=teacher, name="10B", join_code="ABCDEF")
    assignment = Assignment.objects.create(classroom=classroom, lesson=lesson, created_by=teacher)
    return lesson, question, point, assignment


def test_remark_updates_results_and_keeps_teacher_marks(setup, teacher):
    lesson, question, point, assignment = setup
    marked = make_answer(
        assignment,
        StudentFactory(),
        question,
        "The Red Guards defended the city.",
        state=Attempt.State.RETURNED,
        mark=2,
        comment="Good: you explained the Red Guards.",
        marked_by=teacher,
    )
    unchanged = make_answer(
        assignment, StudentFactory(), question, "The Bolsheviks saved Petrograd."
    )
    draft = make_answer(
        assignment, StudentFactory(), question, "Red Guards defended it.", state=Attempt.State.DRAFT
    )
    assert marked.result["points_made"] == []
    old_version = marked.markscheme_version

    point.phrases = "bolsheviks saved petrograd\nred guards defended"
    point.save()
    out = remark("kornilov-revolt")

    assert "1 of 2 results changed for kornilov-revolt" in out
    assert "(1 more stamped with the current mark scheme and rules versions)" in out
    marked.refresh_from_db()
    assert [hit["key"] for hit in marked.result["points_made"]] == ["saved"]
    assert marked.result["suggested_mark"] == 1
    assert marked.markscheme_version != old_version
    # The teacher's mark and comment win: untouched.
    assert marked.mark == 2
    assert marked.comment == "Good: you explained the Red Guards."
    assert marked.marked_by == teacher
    unchanged.refresh_from_db()
    assert unchanged.markscheme_version == marked.markscheme_version
    draft.refresh_from_db()  # drafts are not marked work
    assert draft.markscheme_version == old_version
    assert draft.result["points_made"] == []

    assert "0 of 2 results changed" in remark("kornilov-revolt")  # a second run changes nothing


def test_remark_fills_missing_results(setup):
    _, question, _, assignment = setup
    answer = make_answer(assignment, StudentFactory(), question, "Bolsheviks saved Petrograd.")
    Answer.objects.filter(pk=answer.pk).update(result=None, markscheme_version="")
    assert "1 of 1 results changed" in remark("kornilov-revolt")
    answer.refresh_from_db()
    assert answer.result["suggested_mark"] == 1


def test_remark_leaves_other_lessons_alone(setup):
    _, question, point, assignment = setup
    answer = make_answer(assignment, StudentFactory(), question, "Red Guards defended the city.")
    point.phrases = "red guards defended"
    point.save()
    other = LessonFactory(slug="june-offensive")
    assert "0 of 0 results changed for june-offensive" in remark(other.slug)
    answer.refresh_from_db()
    assert answer.result["points_made"] == []


def test_remark_unknown_lesson(db):
    with pytest.raises(CommandError, match="No lesson with the slug 'nope'"):
        remark("nope")


def test_remark_brings_results_of_older_rules_up_to_date(setup, teacher):
    """A result the version 1 engine stored is re-marked by the current rules; a second run
    changes nothing, and the teacher's mark stays."""
    _, question, point, assignment = setup
    point.phrases = "not defend government"
    point.save()
    text = "The garrison wouldn't defend the government."
    answer = make_answer(assignment, StudentFactory(), question, text, mark=1, marked_by=teacher)
    # What version 1 stored: a phrase carrying a negation could not match.
    old = {**answer.result, "points_made": [], "points_missed": ["saved"], "suggested_mark": 0}
    Answer.objects.filter(pk=answer.pk).update(result=old, rules_version=1)

    assert "1 of 1 results changed across all lessons" in remark(None)
    answer.refresh_from_db()
    assert [hit["key"] for hit in answer.result["points_made"]] == ["saved"]
    assert answer.rules_version == RULES_VERSION
    assert answer.mark == 1
    assert "0 of 1 results changed" in remark(None)


def test_remark_restamps_an_unchanged_result_of_older_rules(setup):
    _, question, _, assignment = setup
    answer = make_answer(assignment, StudentFactory(), question, "Bolsheviks saved Petrograd.")
    Answer.objects.filter(pk=answer.pk).update(rules_version=1)
    out = remark("kornilov-revolt")
    assert "0 of 1 results changed for kornilov-revolt (1 more stamped" in out
    answer.refresh_from_db()
    assert answer.rules_version == RULES_VERSION
