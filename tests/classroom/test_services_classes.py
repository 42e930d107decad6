"""The class and roster services (classroom/services/classes.py): classes, join codes,
enrolments, assignments."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from classroom import services
from classroom.models import JOIN_CODE_ALPHABET, Assignment
from classroom.services import classes
from tests.factories import (
    AssignmentFactory,
    AttemptFactory,
    ClassroomFactory,
    LessonFactory,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def classroom(teacher):
    return ClassroomFactory(teacher=teacher)


def test_create_classroom_gives_join_code(teacher):
    classroom = services.create_classroom(teacher=teacher, name="10H", year_group="Year 10")
    assert len(classroom.join_code) == 6
    assert set(classroom.join_code) <= set(JOIN_CODE_ALPHABET)


def test_create_classroom_retries_on_code_race(teacher, monkeypatch):
    taken = ClassroomFactory(join_code="AAAAAA")
    codes = iter([taken.join_code, "BBBBBB"])
    monkeypatch.setattr(classes, "new_join_code", lambda: next(codes))
    classroom = services.create_classroom(teacher=teacher, name="10H")
    assert classroom.join_code == "BBBBBB"


def test_restore_picks_new_code_when_taken(teacher, classroom):
    services.archive_classroom(classroom=classroom)
    ClassroomFactory(join_code=classroom.join_code)
    old = classroom.join_code
    services.restore_classroom(classroom=classroom)
    classroom.refresh_from_db()
    assert not classroom.is_archived and classroom.join_code != old


def test_join_class_says_whether_the_student_was_already_in(classroom, student):
    enrolment, joined = services.join_class(student=student, classroom=classroom)
    assert joined
    again, joined = services.join_class(student=student, classroom=classroom)
    assert again == enrolment
    assert not joined


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


def test_a_student_starting_at_the_moment_of_delete_keeps_their_work(
    teacher, classroom, monkeypatch
):
    """The check and the delete race; the database's protection decides, and says so."""
    assignment = AssignmentFactory(classroom=classroom)
    AttemptFactory(assignment=assignment, state="draft")
    # As if the check ran a moment before the student's first save.
    monkeypatch.setattr(Assignment, "has_work", property(lambda self: False))
    with pytest.raises(services.ServiceError, match="just started"):
        services.delete_assignment(assignment=assignment)
    assert Assignment.objects.filter(pk=assignment.pk).exists()
