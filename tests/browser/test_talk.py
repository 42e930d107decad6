"""Talk in a real Chromium: a student asks a question in the private thread, the teacher
answers it from the marking list, and the student reads the answer; a teacher announces."""

import re

from playwright.sync_api import expect

from classroom.models import WorkComment
from tests.browser.conftest import field, log_in

KORNILOV = "The Kornilov revolt"
QUESTION = "I don't understand question 2: who armed the Red Guards?"
REPLY = "Look again at the second section: the Petrograd Soviet did."


def test_a_student_asks_and_the_teacher_answers(new_page, pupil, teacher_user):
    student = new_page()
    log_in(student, pupil.username)
    student.get_by_role("link", name=KORNILOV).click()
    field(student, "Private comment").fill(QUESTION)
    student.get_by_role("button", name="Send comment").click()
    expect(student.get_by_role("status").filter(has_text="Comment sent")).to_be_visible()
    thread = student.get_by_role("region", name="Private comments")
    expect(thread.get_by_text(QUESTION)).to_be_visible()

    teacher = new_page()
    log_in(teacher, teacher_user.username)
    teacher.get_by_role("link", name="10H History").click()
    teacher.get_by_role("link", name=KORNILOV).click()
    expect(teacher.get_by_text("1 unread comment")).to_be_visible()
    teacher.get_by_role("link", name=re.compile(r"Comments with Anna K\.")).click()
    expect(teacher.get_by_text(QUESTION)).to_be_visible()
    expect(teacher.get_by_text("New", exact=True)).to_be_visible()
    field(teacher, "Private comment").fill(REPLY)
    teacher.get_by_role("button", name="Send comment").click()
    expect(teacher.get_by_text(REPLY)).to_be_visible()

    student.get_by_role("link", name="My work").first.click()
    expect(student.get_by_text("1 unread reply")).to_be_visible()
    student.get_by_role("link", name=re.compile("1 unread reply")).click()
    expect(student.get_by_text(REPLY)).to_be_visible()
    expect(student.get_by_text("Ms Ivanova", exact=True)).to_be_visible()
    assert WorkComment.objects.filter(read_at__isnull=True).count() == 0


def test_a_teacher_announces_and_the_student_reads_it(new_page, pupil, teacher_user):
    teacher = new_page()
    log_in(teacher, teacher_user.username)
    teacher.get_by_role("link", name="10H History").click()
    field(teacher, "Announcement").fill("Test on **Friday**: revise the Kornilov revolt.")
    teacher.get_by_role("button", name="Post announcement").click()
    expect(teacher.get_by_role("status").filter(has_text="Announcement posted")).to_be_visible()
    expect(teacher.locator("strong", has_text="Friday")).to_be_visible()

    student = new_page()
    log_in(student, pupil.username)
    announcements = student.get_by_role("region", name="Announcements")
    expect(announcements.get_by_text("revise the Kornilov revolt")).to_be_visible()
    expect(announcements.get_by_text("10H History")).to_be_visible()
