"""Screenshots of the main pages at phone and desktop widths, for the README.

Run by `make screenshots` (SCREENSHOTS=1); skipped in the ordinary test run.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import force_log_in

pytestmark = [
    pytest.mark.screenshots,
    pytest.mark.skipif(
        os.environ.get("SCREENSHOTS") != "1", reason="run by `make screenshots` (SCREENSHOTS=1)"
    ),
]

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}

# file name -> (who is logged in, address, heading to scroll to or None)
SHOTS = {
    "lesson": (None, lambda w: "/lessons/kornilov-revolt/", None),
    "overview": (None, lambda w: reverse("lessons:overview"), None),
    "my-work": ("student", lambda w: reverse("classroom:work-list"), None),
    "instant-feedback": (
        "student",
        lambda w: reverse("classroom:work-detail", args=[w.work["Turned in"].pk]),
        "Instant feedback",
    ),
    "my-classes": ("teacher", lambda w: reverse("classroom:classroom-list"), None),
    "class-page": ("teacher", lambda w: w.classroom.get_absolute_url(), None),
    "marking-view": (
        "teacher",
        lambda w: reverse("classroom:attempt-mark", args=[w.turned_in.pk]),
        None,
    ),
    "gradebook": (
        "teacher",
        lambda w: reverse("classroom:classroom-gradebook", args=[w.classroom.pk]),
        None,
    ),
    "insight": (
        "teacher",
        lambda w: reverse("classroom:assignment-insight", args=[w.work["Turned in"].pk]),
        None,
    ),
    "checker-review": (
        "admin",
        lambda w: reverse(
            "admin:classroom_checkerreview_review",
            args=[w.work["Returned"].lesson.questions.active().order_by("position").first().pk],
        ),
        None,
    ),
}


def test_screenshots(browser, live_server, world):
    OUT.mkdir(parents=True, exist_ok=True)
    saved = []
    for size, (width, height) in SIZES.items():
        phone = size == "phone"
        for who in (None, "student", "teacher", "admin"):
            context = browser.new_context(
                base_url=live_server.url,
                viewport={"width": width, "height": height},
                is_mobile=phone,
                has_touch=phone,
                device_scale_factor=2 if phone else 1,
                reduced_motion="reduce",  # Bootstrap scrolls smoothly otherwise
            )
            page = context.new_page()
            if who is not None:
                force_log_in(page, getattr(world, who), live_server.url)
            for name, (shot_who, address, heading) in SHOTS.items():
                if shot_who != who:
                    continue
                page.goto(address(world))
                expect(page.get_by_role("heading", level=1).first).to_be_visible()
                if heading:
                    target = page.get_by_role("heading", name=heading)
                    target.evaluate("el => el.scrollIntoView({block: 'start'})")
                    page.evaluate("window.scrollBy(0, -16)")
                path = OUT / f"{name}-{size}.png"
                page.screenshot(path=str(path))
                saved.append(path.name)
            context.close()
    print("\n".join(["Saved in docs/screenshots/:", *sorted(saved)]))
    assert len(saved) == len(SHOTS) * len(SIZES)
