"""Issue 16's whole journey in Chromium, each person in their own browser: a teacher announces,
sets a lesson for two chosen students of three with an extension for one, answers a student's
question, marks and returns all marked work; the student follows it all in Notifications, the
student left out never hears of it, and the teacher was emailed about the question."""

import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from classroom.models import Attempt
from tests.browser.conftest import field, give_extension, log_in

KORNILOV = "The Kornilov revolt"
ANNOUNCEMENT = "Test on **Friday**: revise the Kornilov revolt."
QUESTION = "I don't understand question 2"
REPLY = "Read the second section again: who armed the Red Guards?"
THANKS = "Thank you, I see it now: the Petrograd Soviet did."
ANSWER = (
    "The Red Guards and the railway workers stopped Kornilov, so the Bolsheviks gained support."
)


def open_marking_list(teacher) -> None:
    teacher.get_by_role("link", name="My classes").first.click()
    teacher.get_by_role("link", name="10H History").click()
    teacher.get_by_role("link", name=KORNILOV).click()


def answer_every_question_and_turn_in(student, prompts: list[str]) -> None:
    for prompt in prompts:
        student.get_by_role("textbox", name=prompt).fill(ANSWER)
    student.get_by_role("button", name="Turn in").click()
    expect(student.get_by_role("heading", name="Instant feedback")).to_be_visible()


def mark_every_answer(teacher, name: str) -> None:
    teacher.get_by_role("link", name=f"Mark {name}'s work").click()
    marks = teacher.get_by_label("Mark", exact=True)
    expect(marks.first).to_be_visible()
    for index in range(marks.count()):
        marks.nth(index).fill("1")
    teacher.get_by_role("button", name="Save", exact=True).click()
    expect(teacher.get_by_text("Marks and comments saved.")).to_be_visible()


def test_announce_assign_to_chosen_talk_mark_return_and_notify(
    new_page, live_server, kornilov, teacher_user
):
    from tests.factories import ClassroomFactory, EnrolmentFactory

    assert teacher_user.email and teacher_user.email_notifications
    classroom = ClassroomFactory(teacher=teacher_user, name="10H History")
    anna, boris, clara = (
        EnrolmentFactory(
            classroom=classroom, student__username=username, student__display_name=name
        ).student
        for username, name in (("anna", "Anna K."), ("boris", "Boris P."), ("clara", "Clara M."))
    )
    prompts = [q.prompt for q in kornilov.questions.active().order_by("position")]
    mail.outbox.clear()

    # 1. The teacher posts an announcement to the class.
    teacher = new_page()
    log_in(teacher, teacher_user.username)
    teacher.get_by_role("link", name="10H History").click()
    field(teacher, "Announcement").fill(ANNOUNCEMENT)
    teacher.get_by_role("button", name="Post announcement").click()
    expect(teacher.get_by_role("status").filter(has_text="Announcement posted")).to_be_visible()

    # 2. ... sets the lesson for Anna and Boris only, and gives Anna a week more.
    teacher.get_by_role("link", name="Assign lesson").click()
    teacher.get_by_role("checkbox", name=re.compile(KORNILOV)).check()
    field(teacher, "Due").fill((timezone.localdate() + timedelta(days=2)).isoformat())
    teacher.get_by_role("radio", name="Chosen students only").check()
    teacher.get_by_role("checkbox", name="Anna K.").check()
    teacher.get_by_role("checkbox", name="Boris P.").check()
    teacher.get_by_role("button", name="Assign", exact=True).click()
    expect(
        teacher.get_by_text("1 lesson assigned to 2 chosen students of 10H History.")
    ).to_be_visible()
    teacher.get_by_role("link", name=KORNILOV).click()
    expect(teacher.get_by_role("row", name=re.compile("Clara"))).to_have_count(0)
    own = give_extension(teacher, "Anna K.", days=9)

    # 3. Anna reads the announcement and her own due time, and asks about question 2.
    student = new_page()
    log_in(student, anna.username)
    expect(student.get_by_role("heading", name="My work", level=1)).to_be_visible()
    announcements = student.get_by_role("region", name="Announcements")
    expect(announcements.get_by_text("revise the Kornilov revolt")).to_be_visible()
    expect(announcements.locator("strong", has_text="Friday")).to_be_visible()
    row = student.get_by_role("row", name=re.compile(KORNILOV))
    expect(row).to_contain_text(f"{own:%a} {own.day} {own:%b %Y}, 16:30")
    expect(row).to_contain_text("Extended for you")
    row.get_by_role("link", name=KORNILOV).click()
    expect(student.get_by_text("your own due time")).to_be_visible()
    field(student, "Private comment").fill(QUESTION)
    student.get_by_role("button", name="Send comment").click()
    expect(student.get_by_role("status").filter(has_text="Comment sent")).to_be_visible()

    # 4. The teacher sees the unread comment on the marking list and answers it.
    open_marking_list(teacher)
    expect(teacher.get_by_text("1 unread comment")).to_be_visible()
    teacher.get_by_role("link", name=re.compile(r"Comments with Anna K\.")).click()
    expect(teacher.get_by_text(QUESTION)).to_be_visible()
    field(teacher, "Private comment").fill(REPLY)
    teacher.get_by_role("button", name="Send comment").click()
    expect(teacher.get_by_text(REPLY)).to_be_visible()

    # 5. Anna reads the answer, thanks the teacher and turns in; Boris turns in too.
    student.reload()
    thread = student.get_by_role("region", name="Private comments")
    expect(thread.get_by_text(REPLY)).to_be_visible()
    field(student, "Private comment").fill(THANKS)
    student.get_by_role("button", name="Send comment").click()
    expect(thread.get_by_text(THANKS)).to_be_visible()
    answer_every_question_and_turn_in(student, prompts)

    other = new_page()
    log_in(other, boris.username)
    other.get_by_role("link", name=KORNILOV).click()
    answer_every_question_and_turn_in(other, prompts)

    # The teacher marks every answer of both and returns all marked work at once.
    open_marking_list(teacher)
    mark_every_answer(teacher, "Anna K.")
    open_marking_list(teacher)
    mark_every_answer(teacher, "Boris P.")
    open_marking_list(teacher)
    teacher.get_by_role("button", name="Return all marked").click()
    expect(teacher.get_by_text("Returned 2 pieces of work to the students.")).to_be_visible()
    assert Attempt.objects.filter(state=Attempt.State.RETURNED).count() == 2
    # Anna's comments were read in their thread, so nothing is left unread in Notifications.
    expect(
        teacher.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Notifications", exact=True
        )
    ).to_be_visible()

    # 6. Anna follows it all in Notifications.
    # The reply she read on the work page is read here too: the announcement, the new
    # assignment and the returned work are unread.
    student.get_by_role("link", name="My work").first.click()
    unread = 3
    nav = student.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name=f"Notifications {unread} unread").click()
    expect(student.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    for notice in (
        "Announcement in 10H History: Test on",
        f"New assignment in 10H History: {KORNILOV}",
        f"Ms Ivanova replied about {KORNILOV}: {REPLY}",
        f"Your work on {KORNILOV} was returned with feedback.",
    ):
        expect(student.get_by_role("link", name=re.compile(re.escape(notice)))).to_have_count(1)
    returned = student.get_by_role("link", name=re.compile("was returned with feedback"))
    returned.focus()
    student.keyboard.press("Enter")
    expect(student.get_by_text("Returned", exact=True).first).to_be_visible()
    total = len(prompts)
    expect(student.get_by_text(re.compile(rf"\b{total} out of \d+")).first).to_be_visible()
    nav.get_by_role("link", name=f"Notifications {unread - 1} unread").click()
    student.get_by_role("button", name="Mark all as read").click()
    expect(student.get_by_text(f"Marked {unread - 1} notifications read.")).to_be_visible()
    expect(nav.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    expect(student.get_by_text("Unread", exact=True)).to_have_count(0)

    # 7. Clara, not chosen, never sees the assignment nor hears of it.
    outsider = new_page()
    log_in(outsider, clara.username)
    expect(outsider.get_by_role("heading", name="My work", level=1)).to_be_visible()
    expect(outsider.get_by_role("region", name="Announcements")).to_contain_text("Friday")
    expect(outsider.get_by_text(KORNILOV, exact=True)).to_have_count(0)
    outsider.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile("^Notifications")
    ).click()
    expect(outsider.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    expect(
        outsider.get_by_role("link", name=re.compile("Announcement in 10H History"))
    ).to_be_visible()
    expect(outsider.get_by_text(re.compile(KORNILOV))).to_have_count(0)

    # 8. The teacher was emailed about Anna's question (and her thanks), and nobody else was.
    to_teacher = [m for m in mail.outbox if m.to == [teacher_user.email]]
    assert any(QUESTION in m.body and "Anna K. wrote about" in m.body for m in to_teacher)
    assert all(m.to == [teacher_user.email] for m in mail.outbox)
