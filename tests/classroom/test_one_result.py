"""One result everywhere, in honest words: the student's instant feedback, the marking view and
insight show the same result for an answer; where the check finds nothing in an answer of
substance, nobody is told the answer is wrong."""

import re

import pytest
from django.urls import reverse

from classroom import services
from classroom.models import Answer, Attempt
from lessons.marking import RULES_VERSION, MarkingResult
from tests import pages
from tests.factories import (
    AssignmentFactory,
    ClassroomFactory,
    EnrolmentFactory,
    KeyPointFactory,
    LessonFactory,
    MisconceptionFactory,
    QuestionFactory,
)
from tests.pages import checkboxes, ticked

pytestmark = pytest.mark.django_db

UNRECOGNISED = (
    "The instant check did not recognise the points in this answer. Your teacher will read it."
)
NOT_FOUND = (
    "Points the instant check did not find (if you made them in other words, your teacher will"
    " see it)"
)
# A correct answer in words the mark scheme below does not know.
OWN_WORDS = "He could not do it because at that moment he was sitting in a cell in Kresty."


@pytest.fixture
def question(db):
    lesson = LessonFactory(slug="kornilov-revolt", title="The Kornilov revolt")
    question = QuestionFactory(
        lesson=lesson, key="trotsky", position=1, prompt="Why could Trotsky not lead?", marks=2
    )
    KeyPointFactory(
        question=question,
        key="in-prison",
        position=1,
        text="Trotsky was in prison.",
        hint="Where was Trotsky in August 1917?",
        phrases="in prison",
    )
    KeyPointFactory(
        question=question,
        key="released-later",
        position=2,
        text="He was released only after the danger had passed.",
        hint="When did he come out?",
        phrases="released september",
    )
    return question


@pytest.fixture
def assignment(question, student, teacher):
    classroom = ClassroomFactory(teacher=teacher, name="10H History")
    EnrolmentFactory(classroom=classroom, student=student)
    return AssignmentFactory(classroom=classroom, lesson=question.lesson)


def turn_in(student, assignment, question, text):
    return services.turn_in(
        student=student, assignment=assignment, texts={question.pk: text}, base_version=0
    )


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def student_feedback(client, student, assignment) -> str:
    client.force_login(student)
    html = client.get(reverse("classroom:work-detail", args=[assignment.pk])).content.decode()
    return pages.text_of(pages.element_with_class(html, "instant-feedback"))


def marking_view(client, teacher, attempt) -> str:
    client.force_login(teacher)
    url = reverse("classroom:attempt-mark", args=[attempt.pk])
    return text_of(client.get(url).content.decode())


def insight_students(client, teacher, assignment, key: str) -> list[str]:
    client.force_login(teacher)
    url = reverse("classroom:assignment-insight", args=[assignment.pk])
    (insight,) = client.get(url).context["insights"]
    (figure,) = [f for f in insight.points if f.key == key]
    return [s.name for s in figure.students]


def test_an_answer_of_substance_with_nothing_found_gets_honest_words(
    client, student, teacher, assignment, question
):
    attempt = turn_in(student, assignment, question, OWN_WORDS)
    feedback = student_feedback(client, student, assignment)
    assert UNRECOGNISED in feedback
    assert NOT_FOUND in feedback
    assert "Where was Trotsky in August 1917?" in feedback  # the hints, as ideas to check
    for never in ("wrong", "does not make the key points", "Well done"):
        assert never not in feedback
    page = marking_view(client, teacher, attempt)
    assert "Read with care: the instant check found no key point in this answer." in page
    assert "not found by the instant check" in page


def test_a_short_answer_with_nothing_found_gets_the_hints_only(
    client, student, assignment, question
):
    turn_in(student, assignment, question, "No idea.")
    feedback = student_feedback(client, student, assignment)
    assert UNRECOGNISED not in feedback
    assert NOT_FOUND in feedback and "When did he come out?" in feedback


def test_a_blank_answer_says_so(client, student, assignment, question):
    turn_in(student, assignment, question, "")
    feedback = student_feedback(client, student, assignment)
    assert "You left this question blank." in feedback
    assert UNRECOGNISED not in feedback


def test_a_point_found_is_praised_and_nothing_is_flagged(
    client, student, teacher, assignment, question
):
    attempt = turn_in(student, assignment, question, "He was in prison at the time.")
    feedback = student_feedback(client, student, assignment)
    assert "Well done. You explained: Trotsky was in prison." in feedback
    assert UNRECOGNISED not in feedback
    assert "Read with care" not in marking_view(client, teacher, attempt)


def test_student_teacher_and_insight_agree_after_the_mark_scheme_changes(
    client, student, teacher, assignment, question
):
    """An admin adds a phrase after turn-in: every page shows the point made, with the new
    hint for what is still missing, before anything is saved."""
    attempt = turn_in(student, assignment, question, OWN_WORDS)
    point = question.key_points.get(key="in-prison")
    point.phrases += "\ncell kresty"
    point.save()
    question.key_points.filter(key="released-later").update(hint="When was he let out?")

    feedback = student_feedback(client, student, assignment)
    assert "Well done. You explained: Trotsky was in prison." in feedback
    assert "When was he let out?" in feedback
    assert UNRECOGNISED not in feedback
    page = marking_view(client, teacher, attempt)
    assert "Trotsky was in prison. (1 mark; found by the instant check)" in page
    assert "Suggested mark from the key points: 1 / 2" in page
    assert insight_students(client, teacher, assignment, "in-prison") == ["Student One"]
    # Nothing was written: `remark` stores the new result.
    assert Answer.objects.get(question=question).result["points_made"] == []


def test_a_result_of_older_rules_is_read_afresh_until_returned(
    client, student, teacher, assignment, question
):
    turn_in(student, assignment, question, "He was in prison.")
    # As the version 1 engine might have stored it: nothing found.
    stale = {"points_made": [], "points_missed": ["in-prison", "released-later"]}
    Answer.objects.filter(question=question).update(
        result={**stale, "misconceptions": [], "suggested_mark": 0, "max_marks": 2},
        rules_version=RULES_VERSION - 1,
    )
    assert "You explained: Trotsky was in prison." in student_feedback(client, student, assignment)
    assert insight_students(client, teacher, assignment, "in-prison") == ["Student One"]


def test_what_was_returned_stays_as_returned(client, student, teacher, assignment, question):
    attempt = turn_in(student, assignment, question, "He was in prison.")
    services.return_attempt(
        attempt=attempt,
        teacher=teacher,
        marks={question.pk: 1},
        comments={},
        overall_comment="",
    )
    assert Attempt.objects.get().state == Attempt.State.RETURNED
    assert Answer.objects.get(question=question).mark == 1
    question.key_points.filter(key="in-prison").update(phrases="locked up")

    assert "Well done. You explained: Trotsky was in prison." in student_feedback(
        client, student, assignment
    )
    page = marking_view(client, teacher, attempt)
    assert "Trotsky was in prison. (1 mark; found by the instant check)" in page
    assert insight_students(client, teacher, assignment, "in-prison") == ["Student One"]


# --- The teacher's ticks and dismissals ----------------------------------------------------------


@pytest.fixture
def misconception(question):
    return MisconceptionFactory(
        question=question,
        key="trotsky-led",
        phrases="trotsky led defence",
        feedback="Trotsky did not lead the defence: he was in prison.",
    )


def post_marking(client, teacher, attempt, question, **data):
    client.force_login(teacher)
    url = reverse("classroom:attempt-mark", args=[attempt.pk])
    return client.post(url, {"overall_comment": "", **data})


def test_ticks_are_saved_and_a_blank_mark_follows_them(
    client, student, teacher, assignment, question
):
    attempt = turn_in(student, assignment, question, OWN_WORDS)
    page = client_get_marking(client, teacher, attempt)
    assert ticked(page, f"points_{question.pk}") == []  # the check found nothing
    response = post_marking(
        client,
        teacher,
        attempt,
        question,
        **{f"points_{question.pk}": ["in-prison"], f"mark_{question.pk}": "", "save": "1"},
    )
    assert response.status_code == 302
    answer = Answer.objects.get(question=question)
    assert answer.points_judged == ["in-prison"]
    assert answer.mark == 1  # left blank: the marks of the ticked points
    # Saved ticks are what the page ticks next time, and they say so.
    page = client_get_marking(client, teacher, attempt)
    assert ticked(page, f"points_{question.pk}") == ["in-prison"]
    assert "you saved last time" in page


def test_a_typed_mark_wins_over_the_ticks(client, student, teacher, assignment, question):
    attempt = turn_in(student, assignment, question, "He was in prison.")
    post_marking(
        client,
        teacher,
        attempt,
        question,
        **{f"points_{question.pk}": ["in-prison"], f"mark_{question.pk}": "2", "save": "1"},
    )
    answer = Answer.objects.get(question=question)
    assert (answer.mark, answer.points_judged) == (2, ["in-prison"])


def test_ticks_of_points_not_in_the_question_are_ignored(
    client, student, teacher, assignment, question
):
    attempt = turn_in(student, assignment, question, "He was in prison.")
    response = post_marking(
        client,
        teacher,
        attempt,
        question,
        **{f"points_{question.pk}": ["in-prison", "made-up"], "save": "1"},
    )
    assert response.status_code == 200  # a form error, nothing saved
    assert "The mark scheme has changed since this page was opened" in response.content.decode()
    assert Answer.objects.get(question=question).points_judged is None


def test_dismissals_and_ticks_after_return_are_in_the_change_history(
    client, student, teacher, assignment, question, misconception
):
    attempt = turn_in(student, assignment, question, "Trotsky led the defence from prison.")
    page = client_get_marking(client, teacher, attempt)
    assert checkboxes(page, f"dismiss_{question.pk}") == {"trotsky-led": False}
    assert "Not in this answer" in page
    post_marking(
        client,
        teacher,
        attempt,
        question,
        **{f"points_{question.pk}": ["in-prison"], f"mark_{question.pk}": "", "return": "1"},
    )
    post_marking(
        client,
        teacher,
        attempt,
        question,
        **{
            f"points_{question.pk}": [],
            f"dismiss_{question.pk}": ["trotsky-led"],
            f"mark_{question.pk}": "",
            "save": "1",
        },
    )
    answer = Answer.objects.get(question=question)
    assert answer.misconceptions_dismissed == ["trotsky-led"]
    assert (answer.points_judged, answer.mark) == ([], 0)
    changes = {c.field: (c.old_value, c.new_value) for c in answer.changes.all()}
    assert changes == {
        "points": ("in-prison", ""),
        "dismissed": ("", "trotsky-led"),
        "mark": ("1", "0"),
    }
    page = client_get_marking(client, teacher, attempt)
    assert "Key points made" in page and "Misconceptions dismissed" in page  # history labels


def test_the_student_sees_the_check_until_return_then_the_teacher(
    client, student, teacher, assignment, question, misconception
):
    attempt = turn_in(student, assignment, question, "Trotsky led the defence from prison.")
    before = student_feedback(client, student, assignment)
    assert "Trotsky did not lead the defence" in before
    post_marking(
        client,
        teacher,
        attempt,
        question,
        **{
            f"points_{question.pk}": ["released-later"],
            f"dismiss_{question.pk}": ["trotsky-led"],
            f"mark_{question.pk}": "",
            "save": "1",
        },
    )
    # Saved, not returned: still the instant check.
    assert "You explained: He was released" not in student_feedback(client, student, assignment)
    post_marking(
        client,
        teacher,
        attempt,
        question,
        **{
            f"points_{question.pk}": ["released-later"],
            f"dismiss_{question.pk}": ["trotsky-led"],
            f"mark_{question.pk}": "",
            "return": "1",
        },
    )
    after = student_feedback(client, student, assignment)
    assert "Well done. You explained: He was released only after the danger had passed." in after
    assert "Points your teacher did not find in this answer" in after
    assert "Where was Trotsky in August 1917?" in after  # the unticked point's hint
    assert "Trotsky did not lead the defence" not in after  # dismissed
    assert "Well done. You explained: Trotsky was in prison." not in after


def client_get_marking(client, teacher, attempt) -> str:
    client.force_login(teacher)
    return client.get(reverse("classroom:attempt-mark", args=[attempt.pk])).content.decode()


# --- One typed way to read it: Answer.current_result ------------------------------------------


def test_the_current_result_is_typed_and_as_stored_while_current(student, assignment, question):
    turn_in(student, assignment, question, "He was in prison.")
    answer = Answer.objects.get()
    result = answer.current_result(question, returned=False)
    assert isinstance(result, MarkingResult)
    assert result == MarkingResult.from_dict(answer.result, question.mark_scheme)
    assert [hit.key for hit in result.points_made] == ["in-prison"]
    assert [point.hint for point in result.points_missed] == ["When did he come out?"]


def test_an_unreadable_stored_result_is_read_afresh(student, assignment, question):
    turn_in(student, assignment, question, "He was in prison.")
    Answer.objects.update(result={"points_made": "garbled"})
    answer = Answer.objects.get()
    result = answer.current_result(question, returned=True)
    assert [hit.key for hit in result.points_made] == ["in-prison"]


def test_returned_work_keeps_the_hint_of_a_point_retired_since(student, assignment, question):
    turn_in(student, assignment, question, "He was in prison.")
    question.key_points.filter(key="released-later").update(is_retired=True)
    answer = Answer.objects.get()
    fresh = type(question).objects.get(pk=question.pk)  # the scheme without the retired point
    result = answer.current_result(fresh, returned=True)
    assert [point.hint for point in result.points_missed] == ["When did he come out?"]
    assert [hit.key for hit in answer.current_result(fresh, returned=False).points_missed] == []
