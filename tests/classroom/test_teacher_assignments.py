"""Assign lesson: one assignment per lesson, due dates in the site's time zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from classroom import services
from classroom.models import Assignment
from tests.factories import AssignmentFactory, AttemptFactory, ClassroomFactory, LessonFactory

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
        {"lessons": [lesson.pk], "due_date": "2030-01-10", "due_time": "09:30"},
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


def test_assign_lessons_service_validates(teacher, classroom):
    lesson = LessonFactory()
    with pytest.raises(services.ServiceError):
        services.assign_lessons(
            classroom=classroom,
            lessons=[lesson],
            teacher=teacher,
            start_at=datetime(2030, 2, 1, tzinfo=LONDON),
            due_at=datetime(2030, 1, 1, tzinfo=LONDON),
        )
    created = services.assign_lessons(
        classroom=classroom, lessons=[lesson, lesson], teacher=teacher
    )
    assert len(created) == 2


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
    for name in ("assignment-detail", "assignment-update"):
        assert client.get(reverse(f"classroom:{name}", args=[assignment.pk])).status_code == 404
