"""Classes and rosters: classes, their join codes, who is in them, and assignments."""

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from classroom.models import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    Assignment,
    Classroom,
    Enrolment,
    User,
)
from classroom.services.errors import ServiceError
from classroom.services.notifications import notify_assigned
from lessons.models import Lesson


def new_join_code() -> str:
    """A join code not used by any active class."""
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if not Classroom.objects.active().filter(join_code=code).exists():
            return code


# How many fresh join codes to try when another request takes the same one at the same moment.
_JOIN_CODE_TRIES = 10


def _save_with_new_join_code(classroom: Classroom) -> Classroom:
    """Give the class a fresh join code and save it, retrying if another class takes it first."""
    for _ in range(_JOIN_CODE_TRIES):
        classroom.join_code = new_join_code()
        try:
            with transaction.atomic():
                classroom.save()
        except IntegrityError:
            continue
        return classroom
    raise ServiceError("Could not find a free join code. Try again in a moment.")


@transaction.atomic
def create_classroom(*, teacher: User, name: str, year_group: str = "") -> Classroom:
    if not teacher.is_teacher:
        raise ServiceError("Only teachers can create classes.")
    return _save_with_new_join_code(Classroom(teacher=teacher, name=name, year_group=year_group))


@transaction.atomic
def regenerate_join_code(*, classroom: Classroom) -> Classroom:
    """A new join code; the old one stops working at once."""
    if classroom.is_archived:
        raise ServiceError("Restore the class before giving it a new join code.")
    return _save_with_new_join_code(classroom)


@transaction.atomic
def archive_classroom(*, classroom: Classroom) -> Classroom:
    """Hide the class from students; nothing is deleted."""
    classroom.is_archived = True
    classroom.save(update_fields=["is_archived"])
    return classroom


@transaction.atomic
def restore_classroom(*, classroom: Classroom) -> Classroom:
    """Bring an archived class back, with a new join code if an active class now has its code."""
    if not classroom.is_archived:
        return classroom
    classroom.is_archived = False
    taken = (
        Classroom.objects.active().filter(join_code=classroom.join_code).exclude(pk=classroom.pk)
    )
    if not taken.exists():
        try:
            with transaction.atomic():
                classroom.save(update_fields=["is_archived"])
            return classroom
        except IntegrityError:
            pass  # taken between the check and the save
    return _save_with_new_join_code(classroom)


@transaction.atomic
def enrol_student(*, classroom: Classroom, student: User) -> Enrolment:
    """Put a student in a class; idempotent, and a removed student is taken back in."""
    enrolment, _ = Enrolment.objects.get_or_create(classroom=classroom, student=student)
    if enrolment.removed_at is not None:
        enrolment.removed_at = None
        enrolment.save(update_fields=["removed_at"])
    return enrolment


@transaction.atomic
def remove_student(*, classroom: Classroom, student: User) -> Enrolment:
    """Take a student out of a class. Their work is kept; joining again brings them back."""
    enrolment = Enrolment.objects.select_for_update().get(classroom=classroom, student=student)
    if enrolment.removed_at is None:
        enrolment.removed_at = timezone.now()
        enrolment.save(update_fields=["removed_at"])
    return enrolment


@transaction.atomic
def join_class(*, student: User, classroom: Classroom) -> tuple[Enrolment, bool]:
    """Enrol a student by join code: the enrolment, and False when they were already in the
    class (joining twice changes nothing); a removed student is taken back in."""
    if not student.is_student:
        raise ServiceError("Joining a class is for students. Teachers create classes instead.")
    already_in = Enrolment.objects.current().filter(classroom=classroom, student=student).exists()
    return enrol_student(classroom=classroom, student=student), not already_in


@transaction.atomic
def assign_lessons(
    *,
    classroom: Classroom,
    lessons: Iterable[Lesson],
    teacher: User,
    instructions: str = "",
    start_at: datetime | None = None,
    due_at: datetime | None = None,
    show_instant_feedback: bool = True,
    accept_late: bool = True,
) -> list[Assignment]:
    """One assignment per lesson (a lesson may be set again later)."""
    if classroom.teacher_id != teacher.pk:
        raise ServiceError("You can only assign lessons to your own classes.")
    lessons = list(lessons)
    if not lessons:
        raise ServiceError("Choose at least one lesson.")
    if start_at and due_at and due_at < start_at:
        raise ServiceError("Set the due date on or after the start date.")
    assignments = [
        Assignment.objects.create(
            classroom=classroom,
            lesson=lesson,
            created_by=teacher,
            instructions=instructions,
            start_at=start_at,
            due_at=due_at,
            show_instant_feedback=show_instant_feedback,
            accept_late=accept_late,
        )
        for lesson in lessons
    ]
    for assignment in assignments:
        notify_assigned(assignment=assignment)
    return assignments


@transaction.atomic
def delete_assignment(*, assignment: Assignment) -> None:
    """Delete an assignment no student has saved or turned in anything for.

    The database refuses the delete once an attempt exists (its foreign key protects it), so
    a student who starts at the same moment keeps their work and the teacher is told.
    """
    if assignment.has_work:
        raise ServiceError(
            "Students have started this assignment, so it cannot be deleted: archive it instead."
        )
    try:
        with transaction.atomic():
            assignment.delete()
    except models.ProtectedError:
        raise ServiceError(
            "A student has just started this assignment, so it cannot be deleted: archive it"
            " instead."
        ) from None


@transaction.atomic
def archive_assignment(*, assignment: Assignment) -> Assignment:
    """Hide the assignment from students; it stays in the gradebook and the marking list."""
    assignment.is_archived = True
    assignment.save(update_fields=["is_archived"])
    return assignment


@transaction.atomic
def restore_assignment(*, assignment: Assignment) -> Assignment:
    """Show an archived assignment to the class's students again."""
    assignment.is_archived = False
    assignment.save(update_fields=["is_archived"])
    return assignment
