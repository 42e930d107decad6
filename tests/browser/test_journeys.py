"""The journeys of PRODUCT.md in a real Chromium, using only what a person sees.

Elements are found by role, label and visible text; nothing here uses a CSS selector.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from classroom import services
from classroom.models import Attempt, Classroom
from tests.browser.conftest import field, log_in
from tests.factories import PASSWORD

KORNILOV = "The Kornilov revolt"
ANSWER = (
    "The Red Guards and the railway workers stopped Kornilov, so the Bolsheviks were seen "
    "to have saved Petrograd and their support grew."
)


def open_assignment(page, title: str = KORNILOV) -> None:
    page.get_by_role("link", name="My work").first.click()
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    page.get_by_role("link", name=title).click()


def wait_saved(page) -> None:
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible(timeout=30_000)


# --- a. Teacher journey -------------------------------------------------------------------------


def test_teacher_creates_a_class_and_assigns_a_lesson(page, kornilov, teacher_user):
    log_in(page, teacher_user.username)
    expect(page.get_by_role("heading", name="My classes", level=1)).to_be_visible()

    page.get_by_role("link", name="Create class").click()
    field(page, "Class name").fill("10H History")
    field(page, "Year group").fill("Year 10")
    page.get_by_role("button", name="Create class").click()
    expect(page.get_by_role("heading", name="10H History", level=1)).to_be_visible()

    page.get_by_role("link", name="Assign lesson").click()
    page.get_by_role("checkbox", name=re.compile(KORNILOV)).check()
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    field(page, "Due").fill(due)
    page.get_by_role("button", name="Assign", exact=True).click()

    expect(page.get_by_role("heading", name="10H History", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=KORNILOV)).to_be_visible()
    classroom = Classroom.objects.get(teacher=teacher_user, name="10H History")
    expect(page.get_by_role("heading", name="Join code")).to_be_visible()
    expect(page.get_by_text(classroom.join_code, exact=True)).to_be_visible()
    assert classroom.assignments.get().due_at is not None


# --- b. Student journey -------------------------------------------------------------------------


def test_student_joins_answers_and_turns_in(page, assigned, first_prompt):
    page.goto("/join/")
    field(page, "Join code").fill(assigned.join_code.lower())
    field(page, "Username").fill("new-student")
    field(page, "Password").fill("a quiet river in june")
    page.get_by_role("button", name="Join class").click()
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()

    page.get_by_role("link", name=KORNILOV).click()
    box = page.get_by_role("textbox", name=first_prompt)
    box.fill(ANSWER)
    wait_saved(page)

    page.reload()
    expect(page.get_by_role("textbox", name=first_prompt)).to_have_value(ANSWER)

    page.get_by_role("button", name="Turn in").click()
    expect(page.get_by_role("heading", name="Instant feedback")).to_be_visible()
    expect(page.get_by_text("Turned in", exact=True).first).to_be_visible()


def test_an_answer_the_check_does_not_recognise_gets_honest_words(page, pupil, first_prompt):
    """Nothing found in an answer of substance: the student reads that the teacher will read
    it, with the hints as ideas to check, never that the answer is wrong."""
    log_in(page, pupil.username)
    open_assignment(page)
    page.get_by_role("textbox", name=first_prompt).fill(
        "My grandmother keeps chickens behind the old barn near our village school every summer."
    )
    page.get_by_role("button", name="Turn in").click()
    feedback = page.get_by_role("status", name="Instant feedback")
    expect(feedback.get_by_role("heading", name="Instant feedback")).to_be_visible()
    expect(
        feedback.get_by_text(
            "The instant check did not recognise the points in this answer."
            " Your teacher will read it."
        ).first
    ).to_be_visible()
    expect(feedback.get_by_text("Points the instant check did not find").first).to_be_visible()
    expect(feedback).not_to_contain_text("wrong")
    expect(feedback).not_to_contain_text("does not make the key points")


# --- c. Marking, returning, resubmitting ---------------------------------------------------------


def test_teacher_returns_and_student_resubmits(new_page, assigned, pupil, kornilov, first_prompt):
    assignment = assigned.assignments.get()
    question = kornilov.questions.active().order_by("position").first()
    services.turn_in(
        student=pupil, assignment=assignment, texts={question.pk: ANSWER}, base_version=0
    )

    teacher = new_page()
    log_in(teacher, "ms-ivanova")
    teacher.get_by_role("link", name="10H History").click()
    teacher.get_by_role("link", name=KORNILOV).click()
    teacher.get_by_role("link", name="Mark Anna K.'s work").click()
    expect(teacher.get_by_text("Attempt 1")).to_be_visible()
    teacher.get_by_label("Mark", exact=True).first.fill("2")
    teacher.get_by_label("Comment", exact=True).first.fill("Good: now name who led the defence.")
    teacher.get_by_label("Overall comment").fill("A strong start.")
    teacher.get_by_label("Allow resubmission").check()
    teacher.get_by_role("button", name="Return").click()
    expect(teacher.get_by_text("Work returned to Anna K.")).to_be_visible()

    student = new_page()
    log_in(student, "pupil-anna", PASSWORD)
    open_assignment(student)
    expect(student.get_by_text("Returned", exact=True).first).to_be_visible()
    expect(student.get_by_text(f"2 out of {question.marks}").first).to_be_visible()
    expect(student.get_by_text("Good: now name who led the defence.").first).to_be_visible()
    expect(student.get_by_text("A strong start.").first).to_be_visible()

    student.get_by_role("button", name="Resubmit").click()
    expect(student.get_by_text("Attempt 2", exact=True)).to_be_visible()
    expect(student.get_by_text("Attempt 1")).to_be_visible()
    box = student.get_by_role("textbox", name=first_prompt)
    expect(box).to_have_value(ANSWER)  # the new attempt starts from the returned text
    box.fill(ANSWER + " Trotsky's role needs care.")
    wait_saved(student)
    student.get_by_role("button", name="Turn in").click()
    expect(student.get_by_role("heading", name="Instant feedback")).to_be_visible()
    expect(student.get_by_text("Attempt 2", exact=True)).to_be_visible()
    expect(student.get_by_text("Attempt 1")).to_be_visible()

    # The teacher sees both attempts too: the new one to mark, and the returned one.
    teacher.get_by_role("link", name="10H History").click()
    teacher.get_by_role("link", name=KORNILOV).click()
    expect(teacher.get_by_text("attempt 2")).to_be_visible()
    teacher.get_by_role("link", name="Mark Anna K.'s work").click()
    attempts = teacher.get_by_role("navigation", name="Attempts")
    expect(attempts.get_by_text("Attempt 2", exact=True)).to_be_visible()
    attempts.get_by_role("link", name="Attempt 1").click()
    expect(teacher.get_by_text("Good: now name who led the defence.")).to_be_visible()


# --- d. Autosave survives a reload ---------------------------------------------------------------


def test_autosave_survives_a_reload(page, pupil, first_prompt):
    log_in(page, pupil.username)
    open_assignment(page)
    expect(page.get_by_text("Not saved yet")).to_be_visible()
    page.get_by_role("textbox", name=first_prompt).press_sequentially(
        "Kornilov marched on Petrograd."
    )
    wait_saved(page)
    page.reload()
    expect(page.get_by_role("textbox", name=first_prompt)).to_have_value(
        "Kornilov marched on Petrograd."
    )
    attempt = Attempt.objects.get(student=pupil)
    assert attempt.state == Attempt.State.DRAFT
    assert attempt.answers.get().text == "Kornilov marched on Petrograd."


def test_text_typed_just_before_logging_out_is_saved_first(page, pupil, first_prompt):
    """Logging out deletes the copy kept in the browser: what was typed is saved before."""
    log_in(page, pupil.username)
    open_assignment(page)
    page.get_by_role("textbox", name=first_prompt).fill("Typed a moment before logging out.")
    page.get_by_role("button", name="Log out").click()  # before the autosave's pause is over
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    answer = Attempt.objects.get(student=pupil).answers.get()
    assert answer.text == "Typed a moment before logging out."
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('classroom:'))") == []


# --- e. Session expired -----------------------------------------------------------------------


def test_text_typed_after_the_session_expired_is_kept(page, pupil, first_prompt):
    log_in(page, pupil.username)
    open_assignment(page)
    box = page.get_by_role("textbox", name=first_prompt)
    box.fill("Kornilov marched on Petrograd.")
    wait_saved(page)

    page.context.clear_cookies()  # the session expires
    box.press("End")
    box.press_sequentially(" The railway workers cut his supplies.")
    expect(page.get_by_role("alert")).to_contain_text("kept on this computer")
    expect(page.get_by_text("Not saved: logged out")).to_be_visible()

    # The message offers the way back in, and the login comes back to this page.
    page.get_by_role("alert").get_by_role("link", name="Log in again").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    field(page, "Username").fill(pupil.username)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", name=KORNILOV, level=1)).to_be_visible()
    full = "Kornilov marched on Petrograd. The railway workers cut his supplies."
    expect(page.get_by_role("textbox", name=first_prompt)).to_have_value(full)
    wait_saved(page)  # and the kept copy reaches the server
    page.reload()
    expect(page.get_by_role("textbox", name=first_prompt)).to_have_value(full)
    assert Attempt.objects.get(student=pupil).answers.get().text == full


# --- f. Double click on "Turn in" ---------------------------------------------------------------


def test_double_click_on_turn_in_makes_one_attempt(page, pupil, first_prompt):
    log_in(page, pupil.username)
    open_assignment(page)
    page.get_by_role("textbox", name=first_prompt).fill(ANSWER)
    page.get_by_role("button", name="Turn in").dblclick()
    expect(page.get_by_role("heading", name="Instant feedback")).to_be_visible()
    attempts = Attempt.objects.filter(student=pupil)
    assert attempts.count() == 1
    assert attempts.get().state == Attempt.State.TURNED_IN


# --- g. The student journey with the keyboard alone ------------------------------------------

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const labels = el.labels ? Array.from(el.labels).map(l => l.innerText.trim()) : [];
  return {
    tag: el.tagName.toLowerCase(),
    name: (el.getAttribute('aria-label') || labels[0] || el.innerText || el.value || '').trim(),
    outline: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    shadow: style.boxShadow,
  };
}"""


def focus_is_visible(focused: dict) -> bool:
    outline = focused["outline"] != "none" and focused["outlineWidth"] > 0
    return outline or focused["shadow"] not in ("", "none")


def tab_to(page, name: str, *, limit: int = 200) -> dict:
    """Press Tab until the element named `name` has focus; every stop must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        assert focus_is_visible(focused), f"no visible focus on {focused}"
        if focused["name"] == name or focused["name"].startswith(name):
            return focused
    raise AssertionError(f"Tab never reached {name!r}")


def test_student_journey_with_the_keyboard_alone(page, assigned, first_prompt):
    page.goto("/join/")
    tab_to(page, "Join code")
    page.keyboard.type(assigned.join_code.lower())
    tab_to(page, "Username")
    page.keyboard.type("keyboard-kid")
    tab_to(page, "Password")
    page.keyboard.type("a quiet river in june")
    tab_to(page, "Join class")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()

    tab_to(page, KORNILOV)
    page.keyboard.press("Enter")
    expect(page.get_by_role("textbox", name=first_prompt)).to_be_visible()

    tab_to(page, first_prompt)
    page.keyboard.type(ANSWER)
    wait_saved(page)

    page.keyboard.press("F5")
    expect(page.get_by_role("textbox", name=first_prompt)).to_have_value(ANSWER)

    tab_to(page, "Turn in")
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", name="Instant feedback")).to_be_visible()


# --- h. The comment bank ------------------------------------------------------------------------


def test_teacher_keeps_a_comment_bank(page, kornilov, teacher_user, first_prompt):
    """Add a comment from the bank's page, reword it, then delete it."""
    log_in(page, teacher_user.username)
    page.get_by_role("link", name="Comment bank").click()
    expect(page.get_by_role("heading", name="Comment bank", level=1)).to_be_visible()
    expect(page.get_by_text("Your comment bank is empty")).to_be_visible()

    field(page, "Question").select_option(label=f"{KORNILOV}, question 1: {first_prompt}")
    field(page, "Comment").fill("Name who armed the Red Guards.")
    page.get_by_role("button", name="Add to comment bank").click()
    expect(page.get_by_text("Comment saved to your comment bank.")).to_be_visible()
    expect(page.get_by_role("heading", name=KORNILOV, level=2)).to_be_visible()

    page.get_by_role("link", name="Edit the comment “Name who armed the Red Guards.”").click()
    field(page, "Comment").fill("Name who armed the Red Guards, and say why it mattered.")
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Name who armed the Red Guards, and say why it mattered.", exact=True)
    ).to_be_visible()

    page.get_by_role("button", name=re.compile("^Delete the comment")).click()
    expect(page.get_by_text("Deleted from your comment bank")).to_be_visible()
    expect(page.get_by_text("Your comment bank is empty")).to_be_visible()
    assert not teacher_user.comment_bank.exists()


def _tab_to(page, starts_with: str, limit: int = 300) -> None:
    """Press Tab until the focused element's text starts with `starts_with`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate("document.activeElement && document.activeElement.textContent")
        if text and " ".join(text.split()).startswith(starts_with):
            return
    pytest.fail(f"No element starting with {starts_with!r} could be reached with Tab")


def test_glossary_is_reached_and_used_with_the_keyboard(page, kornilov):
    page.goto(kornilov.get_absolute_url())
    _tab_to(page, "Glossary")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Glossary", level=1)).to_be_visible()
    term = kornilov.key_terms.order_by("position").first()
    _tab_to(page, f"In “{kornilov.title}”: {term.term}")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(term.get_absolute_url()) + "$"))
    expect(page.get_by_role("term").filter(has_text=term.term).first).to_be_visible()
