"""check_markscheme: runs the engine over the stored samples, as CONTENT-FORMAT.md says."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.factories import (
    KeyPointFactory,
    LessonFactory,
    MisconceptionFactory,
    QuestionFactory,
    SampleAnswerFactory,
)

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, CommandError | None]:
    """The command's standard output, and the error it ended with (None: exit status 0)."""
    out = io.StringIO()
    try:
        call_command("check_markscheme", *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


@pytest.fixture
def question():
    lesson = LessonFactory(slug="kornilov-revolt")
    question = QuestionFactory(
        lesson=lesson,
        key="why-support-grew",
        marks=2,
        model_answer="The Bolsheviks saved Petrograd.\nThe Red Guards were armed.",
    )
    KeyPointFactory(
        question=question,
        key="saved-petrograd",
        text="The Bolsheviks saved Petrograd.",
        phrases="bolsheviks saved petrograd",
    )
    KeyPointFactory(
        question=question,
        key="red-guards",
        text="The Red Guards were armed.",
        phrases="red guards armed",
    )
    MisconceptionFactory(question=question, key="kornilov-bolshevik")
    return question


@pytest.fixture
def agreeing(question):
    SampleAnswerFactory(
        question=question,
        position=0,
        answer="Petrograd was saved by the Bolsheviks, and the Red Guards were armed.",
        expect=["saved-petrograd", "red-guards"],
    )
    SampleAnswerFactory(
        question=question,
        position=1,
        answer="Kornilov was a Bolshevik.",
        expect=[],
        expected_misconceptions=["kornilov-bolshevik"],
    )
    return question


@pytest.fixture
def disagreeing(agreeing):
    # Expects a point it does not make, and shows a misconception it does not expect.
    SampleAnswerFactory(
        question=agreeing,
        position=2,
        answer="The Bolsheviks saved Petrograd. Kornilov was a Bolshevik.",
        expect=["saved-petrograd", "red-guards"],
    )
    return agreeing


def test_all_agree_exits_zero(agreeing):
    out, error = run()
    assert error is None
    assert "kornilov-revolt/why-support-grew: 2/2 samples agree; precision 1.00, recall 1.00" in out


def test_disagreement_is_reported_and_exits_non_zero(disagreeing):
    out, error = run()
    assert error is not None
    assert "1 of 3 sample answers disagree" in str(error)
    assert "kornilov-revolt/why-support-grew: 2/3 samples agree; precision 1.00, recall 0.75" in out
    assert "sample 2: 'The Bolsheviks saved Petrograd. Kornilov was a Bolshevik.'" in out
    assert "key points: expected [saved-petrograd, red-guards], found [saved-petrograd]" in out
    assert "misconceptions: expected [], found [kornilov-bolshevik]" in out
    # Agreeing samples are not listed.
    assert "sample 0" not in out


def test_summary_line_gives_the_four_figures(disagreeing):
    out, _ = run()
    # 3 samples: points 4 expected, 3 found, all right (precision 1, recall 0.75, F1 6/7);
    # misconceptions 1 expected and found, 1 found unexpected (F1 2/3); marks 2, 0 and 2
    # expected, 2, 0 and 1 suggested; no credited answer given 0.
    assert (
        "Over 3 samples: key points F1 0.86 (precision 1.00, recall 0.75);"
        " misconceptions F1 0.67; same mark 67% (2 of 3); credited answers given 0: 0 of 2."
    ) in out


def test_a_key_point_whose_text_does_not_make_it_fails(agreeing):
    agreeing.key_points.filter(key="red-guards").update(text="Workers had rifles.")
    out, error = run()
    assert error is not None
    assert "1 key point texts do not make their own point" in str(error)
    assert "key point red-guards: its own text does not make the point" in out


def test_a_model_answer_short_of_full_marks_fails(agreeing):
    agreeing.model_answer = "The Bolsheviks saved Petrograd."
    agreeing.save()
    out, error = run()
    assert error is not None
    assert "1 model answers do not earn full marks" in str(error)
    assert "the model answer earns 1 of 2 marks, not full marks" in out


def test_json_prints_only_one_array(disagreeing):
    out, error = run("--json")
    assert error is not None  # still non-zero
    data = json.loads(out)  # nothing but the array on standard output
    assert data == [
        {
            "lesson": "kornilov-revolt",
            "question": "why-support-grew",
            "sample": 0,
            "expected": ["saved-petrograd", "red-guards"],
            "matched": ["saved-petrograd", "red-guards"],
            "expected_misconceptions": [],
            "misconceptions": [],
        },
        {
            "lesson": "kornilov-revolt",
            "question": "why-support-grew",
            "sample": 1,
            "expected": [],
            "matched": [],
            "expected_misconceptions": ["kornilov-bolshevik"],
            "misconceptions": ["kornilov-bolshevik"],
        },
        {
            "lesson": "kornilov-revolt",
            "question": "why-support-grew",
            "sample": 2,
            "expected": ["saved-petrograd", "red-guards"],
            "matched": ["saved-petrograd"],
            "expected_misconceptions": [],
            "misconceptions": ["kornilov-bolshevik"],
        },
    ]


def test_json_exits_zero_when_all_agree(agreeing):
    out, error = run("--json")
    assert error is None
    assert [row["sample"] for row in json.loads(out)] == [0, 1]


def test_lesson_option_checks_only_that_lesson(disagreeing):
    other = QuestionFactory(
        lesson=LessonFactory(slug="june-offensive"),
        key="why-failed",
        marks=1,
        model_answer="Soldiers deserted.",
    )
    KeyPointFactory(
        question=other, key="deserted", text="Soldiers deserted.", phrases="soldiers deserted"
    )
    SampleAnswerFactory(
        question=other, position=0, answer="Soldiers deserted.", expect=["deserted"]
    )

    out, error = run("--lesson", "june-offensive", "--json")
    assert error is None  # the disagreeing sample is in the other lesson
    assert {(row["lesson"], row["question"]) for row in json.loads(out)} == {
        ("june-offensive", "why-failed")
    }

    out, error = run("--lesson", "june-offensive")
    assert "june-offensive/why-failed: 1/1 samples agree" in out
    assert "kornilov-revolt" not in out


def test_unknown_lesson_is_a_clear_error(agreeing):
    out, error = run("--lesson", "no-such-lesson")
    assert error is not None
    assert "No lesson with the slug 'no-such-lesson'" in str(error)
    assert "kornilov-revolt" in str(error)  # the known slugs are listed
    assert out == ""


def test_retired_questions_and_points_are_left_out(agreeing):
    retired = QuestionFactory(lesson=agreeing.lesson, key="old-question", is_retired=True)
    KeyPointFactory(question=retired, key="old", phrases="old phrase")
    SampleAnswerFactory(question=retired, position=0, answer="Nothing.", expect=["old"])
    # A retired key point is no longer expected, even by a sample that still names it.
    KeyPointFactory(question=agreeing, key="gone", phrases="bolsheviks", is_retired=True)
    SampleAnswerFactory(question=agreeing, position=2, answer="Bolsheviks.", expect=["gone"])

    out, error = run("--json")
    assert error is None
    rows = json.loads(out)
    assert {row["question"] for row in rows} == {"why-support-grew"}
    assert rows[-1]["expected"] == [] and rows[-1]["matched"] == []


def test_query_count_does_not_grow_with_questions(django_assert_max_num_queries, agreeing):
    for n in range(5):
        question = QuestionFactory(lesson=agreeing.lesson)
        KeyPointFactory(question=question, phrases="bolsheviks")
        MisconceptionFactory(question=question)
        SampleAnswerFactory(question=question, position=0, answer="Bolsheviks.", expect=[f"x{n}"])
    with django_assert_max_num_queries(7):
        run("--json")


def test_shipped_samples_all_agree(shipped_lessons):
    assert shipped_lessons, "lessons/content/ holds no lessons"
    out, error = run("--json")
    rows = json.loads(out)
    disagreeing = [
        row
        for row in rows
        if sorted(row["expected"]) != sorted(row["matched"])
        or sorted(row["expected_misconceptions"]) != sorted(row["misconceptions"])
    ]
    assert disagreeing == []
    assert error is None
    assert {row["lesson"] for row in rows} == {lesson.slug for lesson in shipped_lessons}
