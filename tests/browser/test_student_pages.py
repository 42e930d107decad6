"""What a student sees: their mark once returned, rejoining a class, logging out, and what a
"Check this:" correction is about. Elements are found by role, label and visible text."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from classroom import services
from classroom.models import User
from tests.browser.conftest import field, force_log_in, log_in


def test_returned_work_shows_the_mark_in_my_work_and_on_the_page(page, world, live_server):
    returned = world.work["Returned"]
    questions = list(returned.lesson.questions.active())
    total, out_of = len(questions), sum(q.marks for q in questions)  # a mark of 1 each
    force_log_in(page, world.student, live_server.url)
    page.goto(reverse("classroom:work-list"))
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=returned.lesson.title))
    expect(row.get_by_role("cell").last).to_have_text(f"{total} out of {out_of}")
    # Turned in, not returned: no mark, even one the teacher has typed.
    turned_in = page.get_by_role("row").filter(
        has=page.get_by_role("link", name=world.work["Turned in"].lesson.title)
    )
    expect(turned_in.get_by_role("cell").last).not_to_contain_text("out of")
    page.get_by_role("link", name=returned.lesson.title).click()
    summary = page.get_by_role("region", name="Returned by your teacher")
    expect(summary).to_contain_text(f"Mark: {total} out of {out_of}")
    first = page.locator(f"#question-{questions[0].key}")
    expect(first).to_contain_text(f"Mark: 1 out of {questions[0].marks}")
    expect(first).to_contain_text("Comment: Good start: add a date.")


def test_rejoining_a_class_says_you_are_already_in_it_and_logging_out_says_so(page, world):
    log_in(page, world.student.username)
    page.goto(reverse("classroom:join"))
    field(page, "Join code").fill(world.classroom.join_code.lower())
    page.get_by_role("button", name="Join class").click()
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    expect(
        page.get_by_text("You are already in 10H History. Your work for it is below.")
    ).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_check_this_quotes_the_words_of_the_answer(page, world, lessons, live_server):
    kornilov = lessons["kornilov-revolt"]
    question = next(
        q
        for q in kornilov.questions.active().order_by("position")
        if q.misconceptions.filter(key="kornilov-bolshevik").exists()
    )
    boris = User.objects.get(username="boris")
    (assignment,) = services.assign_lessons(
        classroom=world.classroom, lessons=[kornilov], teacher=world.teacher, due_at=None
    )
    services.turn_in(
        student=boris,
        assignment=assignment,
        texts={question.pk: "Kornilov was a communist who joined the Bolsheviks in August."},
        base_version=0,
    )
    force_log_in(page, boris, live_server.url)
    page.goto(reverse("classroom:work-detail", args=[assignment.pk]))
    feedback = page.get_by_role("status").filter(has_text="Instant feedback")
    correction = feedback.locator("p").filter(has_text="Check this:")
    expect(correction).to_have_text(
        re.compile(r"Check this:\s+you wrote “Kornilov was a communist who joined the Bolsheviks”")
    )
