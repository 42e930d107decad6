"""Teachers' ticks teach the instant check, in a real Chromium: the mark follows the ticks until
the teacher types one; the student sees the teacher's judgement once returned; insight gives
the agreement; an editor turns a disagreement into a sample and a phrase, preview first."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from classroom import services
from classroom.models import Answer, Attempt
from lessons.models import KeyPoint, SampleAnswer
from tests.browser.conftest import force_log_in, log_in
from tests.factories import (
    ClassroomFactory,
    EnrolmentFactory,
    KeyPointFactory,
    LessonFactory,
    QuestionFactory,
    SampleAnswerFactory,
    SectionFactory,
    StudentFactory,
    TeacherFactory,
    UserFactory,
)

KORNILOV_ANSWER = "Kornilov was an army general who marched on Petrograd to make himself dictator."
TROTSKY_ANSWER = "He could not do it because at that moment he was sitting in a cell in Kresty."


@pytest.fixture
def marked_class(transactional_db):
    """A class whose student turned in two answers; the check finds 2 of 3 points in the first
    and nothing in the second."""
    lesson = LessonFactory(slug="kornilov-test", title="The Kornilov test")
    SectionFactory(lesson=lesson, position=1, heading="The march", body="Text.")
    who = QuestionFactory(
        lesson=lesson,
        key="who",
        position=1,
        prompt="Who was Kornilov and what did he do?",
        marks=3,
        model_answer="An army general. He marched on Petrograd. He wanted to seize power.",
    )
    for position, (key, text, phrase) in enumerate(
        [
            ("general", "He was an army general.", "army general"),
            ("marched", "He marched on Petrograd.", "marched petrograd"),
            ("seize", "He wanted to seize power.", "seize power"),
        ],
        start=1,
    ):
        KeyPointFactory(
            question=who, key=key, position=position, text=text, phrases=phrase, hint="Think."
        )
    SampleAnswerFactory(
        question=who, position=0, answer=who.model_answer, expect=["general", "marched", "seize"]
    )
    trotsky = QuestionFactory(
        lesson=lesson,
        key="trotsky",
        position=2,
        prompt="Why could Trotsky not lead the defence?",
        marks=1,
        model_answer="He was in prison.",
    )
    KeyPointFactory(
        question=trotsky,
        key="in-prison",
        position=1,
        text="He was in prison.",
        phrases="in prison",
        hint="Where was he?",
    )
    SampleAnswerFactory(
        question=trotsky, position=0, answer="He was in prison.", expect=["in-prison"]
    )
    teacher = TeacherFactory(username="ms-ivanova", display_name="Ms Ivanova")
    student = StudentFactory(username="anna", display_name="Anna K.")
    classroom = ClassroomFactory(teacher=teacher, name="10H History", join_code="KQ7M3P")
    EnrolmentFactory(classroom=classroom, student=student)
    (assignment,) = services.assign_lessons(
        classroom=classroom,
        lessons=[lesson],
        teacher=teacher,
        due_at=timezone.now() + timedelta(days=7),
    )
    attempt = services.turn_in(
        student=student,
        assignment=assignment,
        texts={who.pk: KORNILOV_ANSWER, trotsky.pk: TROTSKY_ANSWER},
        base_version=0,
    )
    return {
        "teacher": teacher,
        "student": student,
        "assignment": assignment,
        "attempt": attempt,
        "who": who,
        "trotsky": trotsky,
    }


def test_ticks_marks_return_insight_and_checker_review(new_page, live_server, marked_class):
    who, trotsky = marked_class["who"], marked_class["trotsky"]
    attempt = marked_class["attempt"]

    # The teacher: the mark follows the ticks until a mark is typed.
    page = new_page()
    log_in(page, "ms-ivanova")
    page.goto(reverse("classroom:attempt-mark", args=[attempt.pk]))
    first = page.get_by_role("region", name=re.compile("Question 1"))
    second = page.get_by_role("region", name=re.compile("Question 2"))
    made = first.get_by_role("group", name="Made")
    expect(made.get_by_role("checkbox", name=re.compile("He was an army general"))).to_be_checked()
    expect(made.get_by_role("checkbox", name=re.compile("He marched"))).to_be_checked()
    expect(made.get_by_role("checkbox", name=re.compile("seize power"))).not_to_be_checked()
    mark = first.get_by_role("spinbutton", name="Mark")
    expect(mark).to_have_value("2")
    made.get_by_role("checkbox", name=re.compile("He marched")).uncheck()
    expect(mark).to_have_value("1")
    made.get_by_role("checkbox", name=re.compile("seize power")).check()
    expect(mark).to_have_value("2")
    mark.fill("3")
    made.get_by_role("checkbox", name=re.compile("He was an army general")).uncheck()
    expect(mark).to_have_value("3")  # the typed mark wins
    made.get_by_role("checkbox", name=re.compile("He was an army general")).check()
    second_mark = second.get_by_role("spinbutton", name="Mark")
    expect(second_mark).to_have_value("0")
    expect(second.get_by_text("Read with care")).to_be_visible()
    second.get_by_role("group", name="Made").get_by_role("checkbox").check()
    expect(second_mark).to_have_value("1")
    expect(page.get_by_text(re.compile(r"Total so far:\s*4\s*out of 4"))).to_be_visible()
    page.get_by_role("button", name="Return", exact=True).click()
    expect(page.get_by_text("Work returned to Anna K.")).to_be_visible()

    answers = {a.question_id: a for a in Answer.objects.filter(attempt=attempt)}
    assert Attempt.objects.get(pk=attempt.pk).state == Attempt.State.RETURNED
    assert (answers[who.pk].mark, sorted(answers[who.pk].points_judged)) == (
        3,
        ["general", "seize"],
    )
    assert (answers[trotsky.pk].mark, answers[trotsky.pk].points_judged) == (1, ["in-prison"])

    # The student reads the teacher's judgement.
    student_page = new_page()
    log_in(student_page, "anna")
    student_page.goto(reverse("classroom:work-detail", args=[marked_class["assignment"].pk]))
    feedback = student_page.get_by_role("status", name="Instant feedback")
    expect(feedback.get_by_text("You explained: He wanted to seize power.")).to_be_visible()
    expect(feedback.get_by_text("You explained: He was in prison.")).to_be_visible()
    expect(feedback).not_to_contain_text("You explained: He marched on Petrograd.")
    expect(feedback.get_by_text("Points your teacher did not find in this answer")).to_be_visible()

    # Insight: how far the check agreed.
    page.goto(reverse("classroom:assignment-insight", args=[marked_class["assignment"].pk]))
    expect(
        page.get_by_text("The instant check agreed with your ticks on 0 of 1 marked answer.").first
    ).to_be_visible()

    # The editor: the Trotsky answer as a sample, and a phrase for it, preview first.
    editor = UserFactory(username="editor", is_staff=True, is_superuser=True)
    admin_page = new_page()
    force_log_in(admin_page, editor, live_server.url)
    admin_page.goto(reverse("admin:lessons_question_change", args=[trotsky.pk]))
    # The object tools' link (the sidebar's, first, lists every question).
    admin_page.get_by_role("link", name="Checker review").last.click()
    expect(admin_page.get_by_text(TROTSKY_ANSWER)).to_be_visible()
    admin_page.get_by_role("button", name="Add as sample").click()
    expect(admin_page.get_by_text("Added as a sample")).to_be_visible()
    phrase = admin_page.get_by_role("combobox", name="Phrase")  # a text box with suggestions
    phrase.fill("cell kresty")
    admin_page.get_by_role("button", name="Suggest a phrase").click()
    expect(
        admin_page.get_by_role("heading", name="What adding “cell kresty” would do")
    ).to_be_visible()
    assert KeyPoint.objects.get(question=trotsky).phrases == "in prison"  # nothing saved yet
    admin_page.get_by_role("button", name="Save phrase").click()
    expect(admin_page.get_by_text("Added the phrase “cell kresty”")).to_be_visible()
    stored = Answer.objects.get(question=trotsky)
    assert "in-prison" not in {p["key"] for p in stored.result["points_made"]}
    admin_page.get_by_role("button", name="Re-mark stored answers").click()
    expect(admin_page.get_by_text("has started in the background")).to_be_visible()
    # The tests' tasks backend runs the task at once: the stored answer now makes the point.
    stored.refresh_from_db()
    assert "in-prison" in {p["key"] for p in stored.result["points_made"]}

    assert SampleAnswer.objects.filter(question=trotsky).count() == 2
    out = io.StringIO()
    call_command("check_markscheme", "--lesson", "kornilov-test", stdout=out)
    assert "3/3 samples agree across 2 questions." in out.getvalue()
