"""Shaping an assignment in Chromium: set for two chosen students, an extension for one, the
students' views of it, and "Return all marked"."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from classroom import services
from classroom.models import Assignment, Attempt
from tests.browser.conftest import field, force_log_in, give_extension

KORNILOV = "The Kornilov revolt"


def test_assign_to_two_chosen_students_extend_one_and_return_all_marked(
    new_page, live_server, kornilov, teacher_user
):
    from tests.factories import ClassroomFactory, EnrolmentFactory

    classroom = ClassroomFactory(teacher=teacher_user, name="10H History")
    anna, boris, clara = (
        EnrolmentFactory(classroom=classroom, student__display_name=name).student
        for name in ("Anna K.", "Boris P.", "Clara M.")
    )
    teacher = new_page()
    force_log_in(teacher, teacher_user, live_server.url)

    # The teacher sets the lesson for Anna and Boris only, due in two days.
    teacher.goto(reverse("classroom:assignment-create", args=[classroom.pk]))
    expect(teacher.get_by_role("checkbox", name="10H History")).to_be_checked()
    teacher.get_by_role("checkbox", name=re.compile(KORNILOV)).check()
    field(teacher, "Due").fill((timezone.localdate() + timedelta(days=2)).isoformat())
    teacher.get_by_role("radio", name="Chosen students only").check()
    teacher.get_by_role("checkbox", name="Anna K.").check()
    teacher.get_by_role("checkbox", name="Boris P.").check()
    teacher.get_by_role("button", name="Assign", exact=True).click()
    expect(
        teacher.get_by_text("1 lesson assigned to 2 chosen students of 10H History.")
    ).to_be_visible()
    assignment = Assignment.objects.get()

    # Anna gets a week more, from the marking list.
    teacher.goto(assignment.get_absolute_url())
    expect(teacher.get_by_role("row", name=re.compile("Clara"))).to_have_count(0)
    own = give_extension(teacher, "Anna K.", days=9)

    # Anna sees her own due time; Boris the class's; Clara nothing at all.
    student = new_page()
    force_log_in(student, anna, live_server.url)
    student.goto(reverse("classroom:work-list"))
    row = student.get_by_role("row", name=re.compile(KORNILOV))
    expect(row).to_contain_text(f"{own:%a} {own.day} {own:%b %Y}, 16:30")
    expect(row).to_contain_text("Extended for you")
    row.get_by_role("link", name=KORNILOV).click()
    expect(student.get_by_text("your own due time")).to_be_visible()

    other = new_page()
    force_log_in(other, boris, live_server.url)
    other.goto(reverse("classroom:work-list"))
    expect(other.get_by_role("row", name=re.compile(KORNILOV))).not_to_contain_text("Extended")

    outsider = new_page()
    force_log_in(outsider, clara, live_server.url)
    outsider.goto(reverse("classroom:work-list"))
    expect(outsider.get_by_role("heading", name="My work", level=1)).to_be_visible()
    expect(outsider.get_by_text(KORNILOV)).to_have_count(0)
    response = outsider.goto(reverse("classroom:work-detail", args=[assignment.pk]))
    assert response is not None and response.status == 404

    # Both turn in; the teacher marks every answer and presses "Return all marked".
    questions = list(kornilov.questions.active())
    for pupil in (anna, boris):
        attempt = services.turn_in(
            student=pupil,
            assignment=assignment,
            texts={q.pk: "The Red Guards stopped Kornilov." for q in questions},
            base_version=0,
        )
        services.mark_attempt(
            attempt=attempt,
            teacher=teacher_user,
            marks={q.pk: 1 for q in questions},
            comments={},
            overall_comment="",
        )
    teacher.goto(assignment.get_absolute_url())
    teacher.get_by_role("button", name="Return all marked").click()
    expect(teacher.get_by_text("Returned 2 pieces of work to the students.")).to_be_visible()
    assert Attempt.objects.filter(state=Attempt.State.RETURNED).count() == 2
    expect(teacher.get_by_role("button", name="Return all marked")).to_have_count(0)
