"""Classes and rosters: classes, their join codes, who is in them, and assignments."""

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, models, transaction
from django.db.models import Case, When
from django.utils import timezone

from classroom.models import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    AssignedStudent,
    Assignment,
    Attempt,
    Classroom,
    Enrolment,
    Extension,
    StudentWork,
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


def _target_classes(
    classroom: Classroom | None, classrooms: Iterable[Classroom], teacher: User
) -> list[Classroom]:
    """The classes to assign to, each once: the teacher's own active classes only."""
    targets = {c.pk: c for c in [*([classroom] if classroom else []), *classrooms]}
    if not targets:
        raise ServiceError("Choose at least one class to assign to.")
    for target in targets.values():
        if target.teacher_id != teacher.pk:
            raise ServiceError("You can only assign lessons to your own classes.")
        if target.is_archived:
            raise ServiceError(f"Restore {target.name} before assigning lessons to it.")
    return list(targets.values())


def _checked_students(
    classrooms: list[Classroom], students: Iterable[User] | None
) -> list[User] | None:
    """The chosen students (None: the whole class), each a current student of the one class."""
    if students is None:
        return None
    chosen = {student.pk: student for student in students}
    if len(classrooms) != 1:
        raise ServiceError(
            "Chosen students belong to one class: tick only one class, or choose All students."
        )
    if not chosen:
        raise ServiceError("Choose at least one student, or choose All students.")
    (classroom,) = classrooms
    current = Enrolment.objects.current().filter(classroom=classroom, student__in=list(chosen))
    if current.count() != len(chosen):
        raise ServiceError(
            f"Only current students of {classroom.name} can be chosen: reload the page and"
            " choose again."
        )
    return list(chosen.values())


def _choose(assignment: Assignment, students: list[User] | None) -> None:
    """Set the assignment for the chosen students (None: the whole class)."""
    AssignedStudent.objects.filter(assignment=assignment).delete()
    assignment.for_chosen_students = students is not None
    assignment.save(update_fields=["for_chosen_students"])
    AssignedStudent.objects.bulk_create(
        AssignedStudent(assignment=assignment, student=student) for student in students or []
    )


@transaction.atomic
def assign_lessons(
    *,
    lessons: Iterable[Lesson],
    teacher: User,
    classroom: Classroom | None = None,
    classrooms: Iterable[Classroom] = (),
    students: Iterable[User] | None = None,
    instructions: str = "",
    start_at: datetime | None = None,
    due_at: datetime | None = None,
    show_instant_feedback: bool = True,
    accept_late: bool = True,
) -> list[Assignment]:
    """One assignment per lesson and class (a lesson may be set again later): to `classroom`
    and `classrooms`, the teacher's own; with `students`, to those students of the one class
    only (None: the whole class)."""
    targets = _target_classes(classroom, classrooms, teacher)
    lessons = list(lessons)
    if not lessons:
        raise ServiceError("Choose at least one lesson.")
    if start_at and due_at and due_at < start_at:
        raise ServiceError("Set the due date on or after the start date.")
    chosen = _checked_students(targets, students)
    assignments = []
    for target in targets:
        for lesson in lessons:
            assignment = Assignment.objects.create(
                classroom=target,
                lesson=lesson,
                created_by=teacher,
                instructions=instructions,
                start_at=start_at,
                due_at=due_at,
                show_instant_feedback=show_instant_feedback,
                accept_late=accept_late,
            )
            if chosen is not None:
                _choose(assignment, chosen)
            assignments.append(assignment)
    for assignment in assignments:
        notify_assigned(assignment=assignment)
    return assignments


# What editing an assignment may change besides who it is for.
ASSIGNMENT_FIELDS = (
    "lesson",
    "instructions",
    "start_at",
    "due_at",
    "show_instant_feedback",
    "accept_late",
)


@transaction.atomic
def update_assignment(
    *, assignment: Assignment, students: Iterable[User] | None, **fields: object
) -> Assignment:
    """Save an edited assignment (`fields` among ASSIGNMENT_FIELDS) and who it is for: chosen
    students of its class, or (None) the whole class.

    Students taken out of the choice no longer see it; work they saved or turned in is kept,
    and the teacher still sees it on the marking list. Newly chosen students are told.
    """
    unknown = set(fields) - set(ASSIGNMENT_FIELDS)
    if unknown:
        raise ValueError(f"Not fields of an assignment to edit: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(assignment, name, value)
    if assignment.start_at and assignment.due_at and assignment.due_at < assignment.start_at:
        raise ServiceError("Set the due date on or after the start date.")
    assignment.save()
    _choose(assignment, _checked_students([assignment.classroom], students))
    assignment.forget_due_times()
    notify_assigned(assignment=assignment)
    return assignment


def _restamp_lateness(assignment: Assignment, student: User) -> None:
    """Turned-in work not yet returned is late exactly when turned in after the student's own
    due time (returned work keeps what it was returned as)."""
    due_at = assignment.due_at_for(student)
    turned_in = Attempt.objects.filter(
        assignment=assignment, student=student, state=Attempt.State.TURNED_IN
    )
    if due_at is None:
        turned_in.update(is_late=False)
    else:
        turned_in.update(is_late=Case(When(turned_in_at__gt=due_at, then=True), default=False))


def _check_extension_for(assignment: Assignment, student: User, teacher: User) -> None:
    if assignment.classroom.teacher_id != teacher.pk:
        raise ServiceError("You can only give extensions in your own classes.")
    if not assignment.students().filter(pk=student.pk).exists():
        raise ServiceError(
            f"{student.name} is not set this assignment, so cannot have an extension."
        )


@transaction.atomic
def grant_extension(
    *, assignment: Assignment, student: User, due_at: datetime, teacher: User
) -> Extension:
    """Give one student their own due time (replacing an extension they had): lateness,
    Missing and whether late work is accepted follow it."""
    _check_extension_for(assignment, student, teacher)
    if assignment.due_at is None:
        raise ServiceError(
            "This assignment has no due date, so there is nothing to extend: give it a due date"
            " first (Edit assignment)."
        )
    if due_at <= assignment.due_at:
        due = timezone.localtime(assignment.due_at)
        raise ServiceError(
            f"An extension gives more time: choose a time after the class's due time"
            f" ({due:%-d %B %Y, %H:%M})."
        )
    StudentWork.lock(assignment_id=assignment.pk, student_id=student.pk)
    extension, _ = Extension.objects.update_or_create(
        assignment=assignment,
        student=student,
        defaults={"due_at": due_at, "granted_by": teacher, "granted_at": timezone.now()},
    )
    assignment.forget_due_times()
    _restamp_lateness(assignment, student)
    return extension


@transaction.atomic
def remove_extension(*, assignment: Assignment, student: User, teacher: User) -> bool:
    """Take a student's extension away (the assignment's due time is theirs again); False when
    they had none."""
    if assignment.classroom.teacher_id != teacher.pk:
        raise ServiceError("You can only change extensions in your own classes.")
    StudentWork.lock(assignment_id=assignment.pk, student_id=student.pk)
    deleted, _ = Extension.objects.filter(assignment=assignment, student=student).delete()
    assignment.forget_due_times()
    _restamp_lateness(assignment, student)
    return bool(deleted)


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
