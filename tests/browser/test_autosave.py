"""The autosave when the security token (the csrftoken cookie) changes under the page."""

import re

from playwright.sync_api import expect

from classroom.models import Attempt
from tests.browser.conftest import log_in
from tests.browser.test_journeys import open_assignment, wait_saved

TEXT = "Kornilov marched on Petrograd."


def saves(page) -> list[int]:
    """The status of every autosave request the page makes, in order (filled as they come)."""
    statuses: list[int] = []
    page.on(
        "response",
        lambda response: (
            statuses.append(response.status)
            if response.request.method == "POST" and re.search(r"/save/$", response.url)
            else None
        ),
    )
    return statuses


def test_a_new_token_in_the_cookie_is_used_after_one_refused_save(
    page, live_server, pupil, first_prompt
):
    log_in(page, pupil.username)
    open_assignment(page)
    statuses = saves(page)
    # Another token than the page's (as after logging in again in another tab).
    page.context.add_cookies([{"name": "csrftoken", "value": "a" * 32, "url": live_server.url}])

    page.get_by_role("textbox", name=first_prompt).fill(TEXT)
    wait_saved(page)
    assert statuses == [403, 200]  # refused once, then saved with the cookie's token
    expect(page.get_by_role("alert")).to_be_hidden()
    assert Attempt.objects.get(student=pupil).answers.get().text == TEXT

    # The page's forms use the new token too: Save draft posts without a 403.
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Saved at").first).to_be_visible()
    expect(page.get_by_role("textbox", name=first_prompt)).to_have_value(TEXT)


def test_logging_in_again_in_another_tab_lets_the_first_tab_save(page, pupil, first_prompt):
    log_in(page, pupil.username)
    open_assignment(page)
    box = page.get_by_role("textbox", name=first_prompt)
    page.context.clear_cookies(name="sessionid")  # the session expires
    box.fill(TEXT)
    expect(page.get_by_text("Not saved: logged out")).to_be_visible()

    other_tab = page.context.new_page()  # same browser: logging in gives a new token
    log_in(other_tab, pupil.username)
    expect(other_tab.get_by_role("heading", name="My work", level=1)).to_be_visible()
    other_tab.close()

    statuses = saves(page)
    box.press("End")
    box.press_sequentially(" He failed.")
    wait_saved(page)
    assert statuses == [403, 200]
    expect(page.get_by_role("alert")).to_be_hidden()
    assert Attempt.objects.get(student=pupil).answers.get().text == TEXT + " He failed."


def test_a_refused_security_check_says_to_reload_and_the_text_comes_back(page, pupil, first_prompt):
    log_in(page, pupil.username)
    open_assignment(page)
    statuses = saves(page)
    page.context.clear_cookies(name="csrftoken")  # still logged in, but no token to send

    page.get_by_role("textbox", name=first_prompt).fill(TEXT)
    expect(page.get_by_role("alert")).to_contain_text("reload the page")
    expect(page.get_by_role("status")).to_have_text("Not saved")
    assert statuses == [403]  # no newer token to try: no retry, no loop
    assert not Attempt.objects.exists()

    page.reload()
    expect(page.get_by_role("textbox", name=first_prompt)).to_have_value(TEXT)
    wait_saved(page)
    assert Attempt.objects.get(student=pupil).answers.get().text == TEXT
