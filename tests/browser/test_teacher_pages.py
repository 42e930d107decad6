"""The teacher's pages a new teacher tripped over, in a real Chromium: login cards that a
reload cannot duplicate, a name already in the class, assigning a lesson twice, deleting
and archiving, "Unlock login", the two CSV downloads and insight's labels."""

import csv
import io
import re

from axe_playwright_python.sync_playwright import Axe
from axes.models import AccessAttempt
from django.urls import reverse
from playwright.sync_api import expect

from classroom.models import Assignment, User
from tests.browser.conftest import field, force_log_in, log_in
from tests.browser.test_accessibility import AXE_OPTIONS, describe
from tests.factories import EnrolmentFactory, StudentFactory

PASSWORD_RE = re.compile(r"[a-z]+-[a-z]+-[a-z]+-\d\d")


def class_students(world):
    return list(User.objects.filter(enrolments__classroom=world.classroom).order_by("pk"))


def add_students(page, names: str) -> None:
    page.get_by_role("link", name="Add students").click()
    field(page, "Student names").fill(names)
    page.get_by_role("button", name="Add students").click()


def test_login_cards_survive_a_reload_and_make_no_duplicates(page, world, live_server):
    log_in(page, world.teacher.username)
    page.goto(world.classroom.get_absolute_url())
    before = len(class_students(world))
    add_students(page, "Dora Davies\nIvan Petrov")
    expect(page.get_by_role("heading", name="Login cards for 10H History")).to_be_visible()
    cards = page.get_by_role("article")
    expect(cards).to_have_count(2)
    passwords = PASSWORD_RE.findall(page.locator("main").inner_text())
    assert len(passwords) == 2
    expect(page.get_by_role("button", name="Print cards")).to_be_visible()
    axe = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert not axe, describe(axe)

    page.reload()  # what made dora.d332: now it only shows the same cards again
    expect(cards).to_have_count(2)
    assert PASSWORD_RE.findall(page.locator("main").inner_text()) == passwords
    assert len(class_students(world)) == before + 2

    page.get_by_role("link", name="Back to 10H History").click()
    expect(page.get_by_role("heading", name="10H History", level=1)).to_be_visible()
    page.goto(reverse("classroom:students-cards", args=[world.classroom.pk]))
    expect(page.get_by_text("There are no login cards to show")).to_be_visible()
    assert not PASSWORD_RE.search(page.locator("main").inner_text())
    assert len(class_students(world)) == before + 2


def test_done_puts_the_cards_away(page, world):
    log_in(page, world.teacher.username)
    page.goto(world.classroom.get_absolute_url())
    add_students(page, "Dora Davies")
    page.get_by_role("button", name="Done: I have printed them").click()
    expect(page.get_by_text("The login cards are put away")).to_be_visible()
    page.go_back()
    expect(page.get_by_text("There are no login cards to show")).to_be_visible()


def test_a_name_already_in_the_class_is_flagged_first(page, world):
    log_in(page, world.teacher.username)
    page.goto(world.classroom.get_absolute_url())
    before = len(class_students(world))
    add_students(page, "Anna K.\nZoë Smith")
    expect(page.get_by_text("No one has been added yet.")).to_be_visible()
    expect(page.get_by_text("Anna K. is already in the class (username anna)")).to_be_visible()
    assert len(class_students(world)) == before
    page.get_by_label("Add them anyway").check()
    page.get_by_role("button", name="Add students").click()
    expect(page.get_by_role("article")).to_have_count(2)
    assert len(class_students(world)) == before + 2


def test_unlock_login_shows_only_for_a_locked_out_student(page, world):
    AccessAttempt.objects.create(
        username=world.student.username, ip_address="203.0.113.7", failures_since_start=5
    )
    log_in(page, world.teacher.username)
    page.goto(world.classroom.get_absolute_url())
    unlock = page.get_by_role("button", name=re.compile("^Unlock login"))
    expect(unlock).to_have_count(1)
    expect(page.get_by_role("button", name="Unlock login of Anna K.")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Anna K. Locked out")).to_be_visible()
    unlock.click()
    expect(page.get_by_text("Anna K. is unlocked and can log in again.")).to_be_visible()
    expect(unlock).to_have_count(0)


def test_assigning_a_lesson_again_is_warned_about(page, world, lessons):
    log_in(page, world.teacher.username)
    page.goto(world.classroom.get_absolute_url())
    page.get_by_role("link", name="Assign lesson").click()
    page.get_by_role("checkbox", name=re.compile("The June offensive")).check()
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text("10H History already has The June offensive")).to_be_visible()
    june = lessons["june-offensive"]
    assert Assignment.objects.filter(classroom=world.classroom, lesson=june).count() == 1
    page.get_by_role("checkbox", name=re.compile("^Assign again")).check()
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text("1 lesson assigned to 10H History.")).to_be_visible()
    assert Assignment.objects.filter(classroom=world.classroom, lesson=june).count() == 2


def test_delete_an_unstarted_assignment_and_archive_a_started_one(new_page, world, live_server):
    teacher = new_page()
    log_in(teacher, world.teacher.username)
    # "Assigned": nobody has started it, so it can be deleted, after a confirmation.
    unstarted = world.work["Assigned"]
    teacher.goto(unstarted.get_absolute_url())
    teacher.get_by_role("link", name="Delete assignment").click()
    expect(teacher.get_by_role("heading", name="Delete this assignment?")).to_be_visible()
    teacher.get_by_role("button", name="Delete assignment").click()
    expect(teacher.get_by_text("is deleted from 10H History")).to_be_visible()
    assert not Assignment.objects.filter(pk=unstarted.pk).exists()

    # "Turned in" has work: archived, hidden from the student, kept in the gradebook.
    started = world.work["Turned in"]
    teacher.goto(started.get_absolute_url())
    expect(teacher.get_by_role("link", name="Delete assignment")).to_have_count(0)
    teacher.get_by_text("Archive this assignment").click()
    teacher.get_by_role("button", name="Archive assignment").click()
    expect(teacher.get_by_text("This assignment is archived")).to_be_visible()
    student = new_page()
    force_log_in(student, world.student, live_server.url)
    student.goto(reverse("classroom:work-list"))
    expect(student.get_by_role("heading", name="My work", level=1)).to_be_visible()
    expect(student.get_by_role("link", name="The June offensive")).to_have_count(0)
    teacher.goto(reverse("classroom:classroom-gradebook", args=[world.classroom.pk]))
    expect(teacher.get_by_role("columnheader", name=re.compile("The June offensive"))).to_have_text(
        re.compile("Archived")
    )
    teacher.goto(started.get_absolute_url())
    teacher.get_by_role("button", name="Un-archive").click()
    student.reload()
    expect(student.get_by_role("link", name="The June offensive")).to_be_visible()


def test_both_csv_downloads(page, world):
    """The world has Anna K. and Boris P.; Zoë's name must come through Excel's way in."""
    zoe = StudentFactory(username="zoe", display_name="Zoë Smith")
    EnrolmentFactory(classroom=world.classroom, student=zoe)
    log_in(page, world.teacher.username)
    page.goto(reverse("classroom:classroom-gradebook", args=[world.classroom.pk]))
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    raw = open(download.value.path(), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf")
    grid = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert grid[0][:2] == ["Student", "Username"]
    # A column per assignment, then each student's percentage; the class averages below.
    assert len(grid[0]) == 2 + len(world.work) + 1
    assert grid[0][-1] == "Percentage of returned marks"
    assert [row[0] for row in grid[1:]] == [
        "Anna K.",
        "Boris P.",
        "Zoë Smith",
        "Class average of returned marks",
    ]
    assert {len(row) for row in grid} == {len(grid[0])}

    with page.expect_download() as download:
        page.get_by_role("link", name="Download answers and comments (CSV)").click()
    raw = open(download.value.path(), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:8] == [
        "Student",
        "Username",
        "Lesson",
        "Set",
        "Due",
        "Status",
        "Question number",
        "Question",
    ]
    assert {len(row) for row in rows} == {len(rows[0])}
    assert "Zoë Smith" in {row[0] for row in rows}


def test_insight_rows_read_as_whole_statements(page, world):
    """A misconception is labelled by its correction, never by its key."""
    assignment = world.work["Turned in"]
    question = assignment.lesson.questions.active().order_by("position").first()
    mistake = question.misconceptions.filter(is_retired=False).first()
    point = question.key_points.filter(is_retired=False).first()
    log_in(page, world.teacher.username)
    page.goto(reverse("classroom:assignment-insight", args=[assignment.pk]))
    expect(page.get_by_role("rowheader", name=point.text).first).to_be_visible()
    if mistake is not None:
        correction = " ".join(mistake.feedback.split())
        expect(page.get_by_role("rowheader", name=correction).first).to_be_visible()
        key_words = mistake.key.replace("-", " ").capitalize()
        expect(page.get_by_role("rowheader", name=key_words, exact=True)).to_have_count(0)
