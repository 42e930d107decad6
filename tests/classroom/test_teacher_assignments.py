"""Assign lesson: one assignment per lesson, due dates in the site's time zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from classroom import services
from classroom.models import Assignment
from tests.factories import (
    AssignmentFactory,
    AttemptFactory,
    ClassroomFactory,
    EnrolmentFactory,
    LessonFactory,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def classroom(teacher):
    return ClassroomFactory(teacher=teacher)


def test_assign_form_wording(client, teacher, classroom):
    LessonFactory(title="The Kornilov revolt")
    client.force_login(teacher)
    html = client.get(reverse("classroom:assignment-create", args=[classroom.pk])).content.decode()
    for word in ("Lesson", "Instructions", "Due", "Assign", "The Kornilov revolt"):
        assert word in html
    assert 'type="checkbox"' in html and 'type="date"' in html and 'type="time"' in html


def test_assign_several_lessons(client, teacher, classroom, settings):
    settings.TIME_ZONE = "Europe/London"
    lessons = [LessonFactory(), LessonFactory()]
    client.force_login(teacher)
    response = client.post(
        reverse("classroom:assignment-create", args=[classroom.pk]),
        {
            "lessons": [lesson.pk for lesson in lessons],
            "classrooms": [classroom.pk],
            "instructions": "Read carefully.",
            "due_date": "2030-07-01",
            "start_date": "2030-06-01",
            "show_instant_feedback": "on",
        },
    )
    assert response.status_code == 302
    assignments = Assignment.objects.filter(classroom=classroom)
    assert {a.lesson_id for a in assignments} == {lesson.pk for lesson in lessons}
    for assignment in assignments:
        # A date without a time: the end of that day in the site's time zone (BST here).
        assert assignment.due_at == datetime(2030, 7, 1, 23, 59, 59, tzinfo=LONDON)
        assert assignment.start_at == datetime(2030, 6, 1, tzinfo=LONDON)
        assert assignment.show_instant_feedback and not assignment.accept_late
        assert assignment.created_by == teacher and assignment.instructions == "Read carefully."


def test_assign_with_time(client, teacher, classroom):
    lesson = LessonFactory()
    client.force_login(teacher)
    client.post(
        reverse("classroom:assignment-create", args=[classroom.pk]),
        {
            "lessons": [lesson.pk],
            "classrooms": [classroom.pk],
            "due_date": "2030-01-10",
            "due_time": "09:30",
        },
    )
    assignment = Assignment.objects.get()
    assert assignment.due_at == datetime(2030, 1, 10, 9, 30, tzinfo=LONDON)
    assert assignment.start_at is None and not assignment.show_instant_feedback


def test_assign_errors(client, teacher, classroom):
    lesson = LessonFactory()
    client.force_login(teacher)
    url = reverse("classroom:assignment-create", args=[classroom.pk])
    html = client.post(url, {}).content.decode()
    assert "Choose at least one lesson to assign." in html
    html = client.post(
        url, {"lessons": [lesson.pk], "due_date": "2030-01-01", "start_date": "2030-02-01"}
    ).content.decode()
    assert "Set the due date on or after the start date." in html
    html = client.post(url, {"lessons": [lesson.pk], "due_time": "09:00"}).content.decode()
    assert "Choose a due date for the due time, or clear the time." in html
    assert not Assignment.objects.exists()


def test_update_assignment(client, teacher, classroom):
    assignment = AssignmentFactory(classroom=classroom)
    client.force_login(teacher)
    url = reverse("classroom:assignment-update", args=[assignment.pk])
    html = client.get(url).content.decode()
    assert "Lesson" in html
    response = client.post(
        url,
        {
            "lesson": assignment.lesson_id,
            "instructions": "New",
            "due_date": "2030-03-03",
            "accept_late": "on",
        },
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.instructions == "New" and assignment.accept_late
    assert assignment.due_at == datetime(2030, 3, 3, 23, 59, 59, tzinfo=LONDON)


def test_update_keeps_lesson_once_work_exists(client, teacher, classroom):
    assignment = AssignmentFactory(classroom=classroom)
    AttemptFactory(assignment=assignment)
    other = LessonFactory()
    client.force_login(teacher)
    client.post(
        reverse("classroom:assignment-update", args=[assignment.pk]),
        {"lesson": other.pk, "instructions": ""},
    )
    assignment.refresh_from_db()
    assert assignment.lesson_id != other.pk


def test_other_teacher_cannot_touch_assignment(client, classroom):
    from tests.factories import TeacherFactory

    assignment = AssignmentFactory(classroom=classroom)
    client.force_login(TeacherFactory())
    for name in ("assignment-detail", "assignment-update", "assignment-delete"):
        assert client.get(reverse(f"classroom:{name}", args=[assignment.pk])).status_code == 404
    for name in ("assignment-delete", "assignment-archive", "assignment-restore"):
        assert client.post(reverse(f"classroom:{name}", args=[assignment.pk])).status_code == 404
    assignment.refresh_from_db()
    assert not assignment.is_archived


# --- Assigning a lesson again -------------------------------------------------------------------


def test_a_second_assignment_of_a_lesson_is_warned_about_first(client, teacher, classroom):
    kornilov, july = LessonFactory(title="The Kornilov revolt"), LessonFactory(title="July")
    first = AssignmentFactory(classroom=classroom, lesson=kornilov)
    AssignmentFactory(lesson=july)  # another class's: no warning for it
    client.force_login(teacher)
    url = reverse("classroom:assignment-create", args=[classroom.pk])
    data = {
        "lessons": [kornilov.pk, july.pk],
        "classrooms": [classroom.pk],
        "instructions": "Again",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    set_on = f"{timezone.localtime(first.created_at):%-d %B %Y}"
    assert f"{classroom.name} already has The Kornilov revolt (set {set_on})" in html
    assert "tick “Assign again”" in html
    assert 'type="checkbox" name="assign_again"' in html
    assert list(Assignment.objects.filter(classroom=classroom)) == [first]
    # The teacher goes ahead: both lessons are set, Kornilov a second time.
    data = {**data, "assign_again": "on"}
    assert client.post(url, data).status_code == 302
    assert Assignment.objects.filter(classroom=classroom, lesson=kornilov).count() == 2
    assert Assignment.objects.filter(classroom=classroom, lesson=july).count() == 1


def test_a_first_assignment_needs_no_confirming(client, teacher, classroom):
    lesson = LessonFactory()
    client.force_login(teacher)
    html = client.get(reverse("classroom:assignment-create", args=[classroom.pk])).text
    assert 'type="checkbox" name="assign_again"' not in html
    url = reverse("classroom:assignment-create", args=[classroom.pk])
    assert (
        client.post(url, {"lessons": [lesson.pk], "classrooms": [classroom.pk]}).status_code == 302
    )


# --- Deleting and archiving ---------------------------------------------------------------------


def test_an_assignment_without_work_is_deleted_after_confirming(client, teacher, classroom):
    assignment = AssignmentFactory(classroom=classroom, lesson__title="The July days")
    client.force_login(teacher)
    detail = client.get(assignment.get_absolute_url()).text
    url = reverse("classroom:assignment-delete", args=[assignment.pk])
    assert url in detail and "Archive assignment" not in detail
    page = client.get(url).text
    assert "Delete this assignment?" in page and "Delete assignment" in page
    assert Assignment.objects.filter(pk=assignment.pk).exists()  # asking deletes nothing
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == classroom.get_absolute_url()
    assert "“The July days” is deleted from" in response.text
    assert not Assignment.objects.filter(pk=assignment.pk).exists()


def test_an_assignment_with_work_is_archived_not_deleted(client, teacher, classroom, student):
    assignment = AssignmentFactory(classroom=classroom, lesson__title="The July days")
    EnrolmentFactory(classroom=classroom, student=student)
    attempt = AttemptFactory(assignment=assignment, student=student)
    client.force_login(teacher)
    url = reverse("classroom:assignment-delete", args=[assignment.pk])
    assert "This assignment cannot be deleted" in client.get(url).text
    response = client.post(url, follow=True)
    assert "so it cannot be deleted: archive it instead" in response.text
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    with pytest.raises(services.ServiceError):
        services.delete_assignment(assignment=assignment)

    detail = client.get(assignment.get_absolute_url()).text
    assert url not in detail and "Archive assignment" in detail
    response = client.post(
        reverse("classroom:assignment-archive", args=[assignment.pk]), follow=True
    )
    assert "is archived: students no longer see it" in response.text
    assignment.refresh_from_db()
    assert assignment.is_archived
    # Hidden from the student, kept for the teacher.
    assert not Assignment.objects.for_student(student).exists()
    client.force_login(student)
    assert "The July days" not in client.get(reverse("classroom:work-list")).text
    assert client.get(reverse("classroom:work-detail", args=[assignment.pk])).status_code == 404
    client.force_login(teacher)
    detail = client.get(assignment.get_absolute_url()).text
    assert "This assignment is archived" in detail and "Un-archive" in detail
    assert reverse("classroom:attempt-mark", args=[attempt.pk]) not in detail  # a draft
    gradebook = client.get(reverse("classroom:classroom-gradebook", args=[classroom.pk])).text
    assert "The July days" in gradebook and "Archived" in gradebook
    class_page = client.get(classroom.get_absolute_url()).text
    assert "Archived assignments" in class_page and assignment.get_absolute_url() in class_page
    # Un-archived: the student sees it again, with their draft.
    client.post(reverse("classroom:assignment-restore", args=[assignment.pk]))
    assignment.refresh_from_db()
    assert not assignment.is_archived
    assert list(Assignment.objects.for_student(student)) == [assignment]


def test_archived_turned_in_work_can_still_be_marked(client, teacher, classroom, student):
    assignment = AssignmentFactory(classroom=classroom)
    EnrolmentFactory(classroom=classroom, student=student)
    attempt = AttemptFactory(assignment=assignment, student=student, turned_in=True)
    services.archive_assignment(assignment=assignment)
    client.force_login(teacher)
    assert (
        reverse("classroom:attempt-mark", args=[attempt.pk])
        in client.get(assignment.get_absolute_url()).text
    )
    assert client.get(reverse("classroom:attempt-mark", args=[attempt.pk])).status_code == 200
