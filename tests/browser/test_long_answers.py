"""Long answers and a Turn in pressed after the session expired, as a student meets them."""

import re

from playwright.sync_api import expect

from classroom.models import Answer, Attempt
from tests.browser.conftest import field, log_in
from tests.browser.test_journeys import KORNILOV, open_assignment, wait_saved
from tests.factories import PASSWORD

MOST = Answer.MAX_LENGTH


def test_the_limit_shows_before_it_is_reached_and_a_long_answer_is_refused_alone(
    page, pupil, first_prompt
):
    log_in(page, pupil.username)
    open_assignment(page)
    first = page.get_by_role("textbox", name=first_prompt)
    second = page.locator("[data-answer]").nth(1)
    counter = page.locator("[data-count-for]").first

    first.fill("x" * 100)
    expect(counter).to_have_text("")  # far from the limit: nothing to say
    first.fill("x" * 4200)
    expect(counter).to_have_text("4,200 of 5,000 characters")

    # Over the limit: the count says by how much, and that answer alone is refused.
    second.fill("Kornilov's troops never reached Petrograd.")
    first.fill("x" * (MOST + 25))
    expect(counter).to_have_text(
        "5,025 of 5,000 characters: 25 too many. Shorten this answer to save it."
    )
    status = page.locator("[data-saved-status]")
    expect(status).to_have_text(re.compile(r"Saved at \d\d:\d\d, except the answer marked in red"))
    expect(page.locator("[data-error-for]").first).to_contain_text(f"the most is {MOST}")
    expect(first).to_have_attribute("aria-invalid", "true")
    answers = {a.question.position: a.text for a in Attempt.objects.get().answers.all()}
    assert "Kornilov's troops never reached Petrograd." in answers.values()
    assert not any(len(text) > MOST for text in answers.values())

    # Shortened, it saves.
    first.fill("x" * MOST)
    wait_saved(page)
    expect(first).not_to_have_attribute("aria-invalid", "true")
    assert max(len(a.text) for a in Attempt.objects.get().answers.all()) == MOST


def test_a_refused_turn_in_comes_back_to_the_work_page_unsaved(page, pupil, first_prompt):
    log_in(page, pupil.username)
    open_assignment(page)
    first = page.get_by_role("textbox", name=first_prompt)
    page.evaluate(  # typed too much, then Turn in straight away (before any autosave)
        "([box, text]) => { document.querySelector(box).value = text; }",
        ["[data-answer]", "y" * (MOST + 1)],
    )
    page.get_by_role("button", name="Turn in").click()
    expect(page.get_by_text("An answer can't be saved as it is")).to_be_visible()
    assert re.search(r"/my-work/\d+/$", page.url), page.url
    expect(first).to_have_value("y" * (MOST + 1))
    expect(page.locator("[data-saved-status]")).to_have_text(
        "Not saved: see the answer marked in red"
    )
    assert not Attempt.objects.filter(state=Attempt.State.TURNED_IN).exists()


def test_turn_in_pressed_after_the_session_expired(page, pupil, first_prompt):
    log_in(page, pupil.username)
    open_assignment(page)
    box = page.get_by_role("textbox", name=first_prompt)
    box.fill("Kornilov marched on Petrograd.")
    wait_saved(page)

    page.context.clear_cookies(name="sessionid")  # the session expires (the CSRF cookie stays)
    box.fill("Kornilov marched on Petrograd, and the railway workers stopped him.")
    page.get_by_role("button", name="Turn in").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    field(page, "Username").fill(pupil.username)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()

    expect(page.get_by_role("heading", name=KORNILOV, level=1)).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Not turned in yet")).to_contain_text(
        "press Turn in again"
    )
    full = "Kornilov marched on Petrograd, and the railway workers stopped him."
    expect(page.get_by_role("textbox", name=first_prompt)).to_have_value(full)
    assert Attempt.objects.get().state == Attempt.State.DRAFT
    page.get_by_role("button", name="Turn in").click()
    expect(page.get_by_text("Turned in.")).to_be_visible()
    attempt = Attempt.objects.get()
    assert attempt.state == Attempt.State.TURNED_IN
    assert attempt.answers.get(question__position=1).text == full
