"""A lesson on a phone and on paper: key terms before the questions; a clean printed worksheet."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import force_log_in

LESSON = "/lessons/kornilov-revolt/"


def _top(locator) -> float:
    return locator.bounding_box()["y"]


@pytest.mark.parametrize("who", [None, "student"])
def test_key_terms_come_before_the_questions_on_a_phone(who, new_page, world, live_server):
    page = new_page(390, 844)
    if who:
        force_log_in(page, world.student, live_server.url)
        page.goto(f"/my-work/{world.work['Assigned'].pk}/")
    else:
        page.goto(LESSON)
    key_terms = page.get_by_role("heading", name="Key terms")
    first_question = page.get_by_text("Question 1 ·")
    expect(key_terms).to_be_visible()
    assert _top(key_terms) < _top(first_question)
    # On a wide screen they stay beside the text, on the right.
    page.set_viewport_size({"width": 1280, "height": 900})
    terms_box = key_terms.bounding_box()
    text_box = page.get_by_role("heading", level=2).nth(1).bounding_box()
    assert terms_box["x"] > text_box["x"] + text_box["width"] - 1


def test_a_printed_lesson_is_a_clean_worksheet(page, lessons):
    lesson = lessons["kornilov-revolt"]
    page.goto(LESSON)
    expect(page.get_by_text("Name:")).to_be_hidden()  # on screen, no name line
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name=lesson.title, level=1)).to_be_visible()
    expect(page.get_by_text(lesson.period, exact=True)).to_be_visible()
    expect(page.get_by_text(lesson.summary)).to_be_visible()
    for label in ("Name:", "Class:", "Date:"):
        expect(page.get_by_text(label, exact=True)).to_be_visible()
    # No site navigation, no links to other lessons, no "log in to answer".
    expect(page.get_by_role("navigation")).to_have_count(0)
    expect(page.get_by_role("link", name="Next lesson")).to_have_count(0)
    expect(page.get_by_role("link", name="Log in")).to_have_count(0)
    # Every question, each with room to write.
    questions = lesson.questions.active().order_by("position")
    for question in questions:
        prompt = page.get_by_text(question.prompt, exact=True)
        expect(prompt).to_be_visible()
        lines = page.locator(f"#question-{question.key} .answer-lines")
        assert lines.bounding_box()["height"] >= 100
    assert page.pdf()[:4] == b"%PDF"
