"""A student's notifications in Chromium: the count in the navigation, opening one by
keyboard (it is read and its page opens), and "Mark all as read"."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import force_log_in


def test_a_student_opens_a_notification_and_marks_the_rest_read(page, world, live_server):
    student = world.student
    student.refresh_from_db()
    unread = student.unread_notifications
    assert unread >= 2  # the world's assignments were set, one piece of work returned
    force_log_in(page, student, live_server.url)
    page.goto(reverse("lessons:lesson-list"))
    nav = page.get_by_role("navigation", name="Main")
    link = nav.get_by_role("link", name=f"Notifications {unread} unread")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()

    returned = world.work["Returned"]
    notice = page.get_by_role("link", name=re.compile(f"Your work on {returned.lesson.title}"))
    notice.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(reverse("classroom:work-detail", args=[returned.pk])))
    nav.get_by_role("link", name=f"Notifications {unread - 1} unread").click()

    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text(f"Marked {unread - 1} notifications read.")).to_be_visible()
    expect(nav.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    expect(page.get_by_text("Unread", exact=True)).to_have_count(0)
