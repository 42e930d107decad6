"""People and coursework: users, classes, enrolments, assignments, work and feedback."""

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from functools import cache
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.core.exceptions import ValidationError
from django.db import connection, connections, models
from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from classroom.compiled import CompiledQuery
from lessons.marking import RULES_VERSION, Criterion, MarkingResult
from lessons.models import (
    Lesson,
    Question,
    column_sql,
    content_parts_sql,
    marking_questions,
    markscheme_stamp_sql,
)
from lessons.rendering import render_markdown


class UserManager(BaseUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """An admin (`createsuperuser`) is not a student: give them the teacher role."""
        extra_fields.setdefault("role", User.Role.TEACHER)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who uses the site; `role` says whether they teach or learn."""

    class Role(models.TextChoices):
        TEACHER = "teacher", "Teacher"
        STUDENT = "student", "Student"

    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STUDENT)
    display_name = models.CharField(
        max_length=150, blank=True, help_text="The name teachers see; the username when empty."
    )
    must_change_password = models.BooleanField(
        default=False,
        help_text="First-time password (login cards, resets): a new one is asked for at login.",
    )
    email_notifications = models.BooleanField(
        "Email me notifications",
        default=True,
        help_text="Notifications are also sent to the email address, when there is one.",
    )
    # Kept on the user row, which every logged-in request loads anyway, so the count in the
    # navigation costs no query; services.notifications.recount_unread keeps it true.
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_TAKEN = "That username is taken. Choose another, for example by adding a number."

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["teacher", "student"]), name="user_role_valid"
            ),
            # "CaseKid" and "casekid" would be two people who log in with the same name.
            models.UniqueConstraint(Lower("username"), name="user_username_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name shown on pages."""
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_teacher(self) -> bool:
        return self.role == self.Role.TEACHER

    @property
    def is_student(self) -> bool:
        return self.role == self.Role.STUDENT


JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


class ClassroomQuerySet(models.QuerySet):
    def active(self) -> "ClassroomQuerySet":
        return self.filter(is_archived=False)

    def for_teacher(self, user: User) -> "ClassroomQuerySet":
        return self.filter(teacher=user)


class Classroom(models.Model):
    """A teaching group. Named Classroom because `class` is a Python keyword."""

    teacher = models.ForeignKey(User, on_delete=models.PROTECT, related_name="classrooms")
    name = models.CharField(max_length=100)
    year_group = models.CharField(max_length=50, blank=True)
    join_code = models.CharField(max_length=JOIN_CODE_LENGTH)
    is_archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClassroomQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["join_code"],
                condition=models.Q(is_archived=False),
                name="classroom_unique_active_join_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("classroom:classroom-detail", kwargs={"pk": self.pk})


class EnrolmentQuerySet(models.QuerySet):
    def current(self) -> "EnrolmentQuerySet":
        return self.filter(removed_at__isnull=True)


class Enrolment(models.Model):
    """A student in a class. Removing a student sets `removed_at`; their work stays."""

    classroom = models.ForeignKey(Classroom, on_delete=models.PROTECT, related_name="enrolments")
    student = models.ForeignKey(User, on_delete=models.PROTECT, related_name="enrolments")
    joined_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["classroom", "student__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["classroom", "student"], name="enrolment_unique_student_classroom"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} in {self.classroom}"


class AssignmentQuerySet(models.QuerySet):
    def visible_to_students(self, now: datetime | None = None) -> "AssignmentQuerySet":
        """Started (or with no start date), not archived, and in an active class."""
        now = now or timezone.now()
        return self.filter(is_archived=False, classroom__is_archived=False).filter(
            models.Q(start_at__isnull=True) | models.Q(start_at__lte=now)
        )

    def for_student(self, user: User) -> "AssignmentQuerySet":
        """Visible assignments of the student's current classes that are set for them: for
        the whole class, or for chosen students among whom they are."""
        return (
            self.visible_to_students()
            .filter(
                classroom__enrolments__student=user, classroom__enrolments__removed_at__isnull=True
            )
            .set_for(user)
        )

    def with_lesson_versions(self) -> "AssignmentQuerySet":
        """The lesson in the same query, with its content version and markscheme stamp, so
        that a student's page needs no query of its own for them (`Assignment.lesson_read`,
        `Assignment.marking_questions`). The SQL names the lesson's table: nothing else in the
        query may join it under another alias."""
        return self.select_related("lesson").annotate(
            _lesson_content=RawSQL(content_parts_sql(), (), output_field=TextField()),
            _lesson_stamp=RawSQL(markscheme_stamp_sql(), (), output_field=TextField()),
        )

    def set_for(self, user: User) -> "AssignmentQuerySet":
        """Assignments set for the whole class, or for chosen students among whom `user` is."""
        chosen = AssignedStudent.objects.filter(assignment=OuterRef("pk"), student=user)
        return self.filter(Q(for_chosen_students=False) | Exists(chosen))

    def with_due_time_of(self, student: User) -> "AssignmentQuerySet":
        """Annotate the student's own due time, which `due_at_for(student)` then reads (no
        query of its own): for pages that show one student their work.

        Plain SQL (`own_due_sql`), as the lesson's versions are: every page of a student's work
        runs it, and as a `Subquery` it was a fifth of the Python of that page's first query
        (1.5 of 7.9 million instructions, callgrind); the SQL is the same.
        """
        return self.annotate(
            own_due_at=RawSQL(own_due_sql(), (student.pk,), output_field=models.DateTimeField()),
            own_due_student=models.Value(student.pk, output_field=IntegerField()),
        )

    def for_teacher(self, user: User) -> "AssignmentQuerySet":
        return self.filter(classroom__teacher=user)

    def with_max_marks(self) -> "AssignmentQuerySet":
        """Annotate `max_marks`: the marks available in the lesson (its active questions)."""
        return self.annotate(
            max_marks=Subquery(
                Question.objects.active()
                .filter(lesson=OuterRef("lesson"))
                .values("lesson")
                .annotate(total=Sum("marks"))
                .values("total")[:1],
                output_field=IntegerField(),
            )
        )


_AssignmentManagerBase = models.Manager.from_queryset(AssignmentQuerySet)


class AssignmentManager(_AssignmentManagerBase):
    def get_for_student(self, user: User, pk: int, *, lesson: bool = False) -> "Assignment":
        """The assignment `pk` when `for_student(user)` holds it, with its class and teacher;
        Assignment.DoesNotExist otherwise. With `lesson`, its lesson too, with the versions
        the page and the marking go by (`with_lesson_versions`).

        The same rules decided for one row, for the pages of a student's own work, which run
        this on every request: one query for the row joined to the student's current
        enrolment, with their own due time (`with_due_time_of`), then visibility and "set
        for" checked on the row (a query more only for work set for chosen students).
        Compiling `for_student`'s subqueries took longer than running the whole query (2.6
        ms against 1.1 ms in one process), and the query is compiled once
        (`classroom.compiled`); a test checks that both agree in every case.
        """
        read = _ASSIGNMENT_WITH_LESSON_FOR_STUDENT if lesson else _ASSIGNMENT_FOR_STUDENT
        assignment = read.get(user.pk, pk)
        if (
            assignment.classroom.is_archived
            or not assignment.is_visible_to_students()
            or not assignment.is_set_for(user)
        ):
            raise Assignment.DoesNotExist("No such assignment for this student.")
        return assignment


def _assignment_for_student(*, lesson: bool) -> "CompiledQuery[Assignment]":
    """The read of `AssignmentManager.get_for_student`, by the student's and assignment's ids."""

    def build(student_id: int, pk: int) -> AssignmentQuerySet:
        assignments = Assignment.objects.with_lesson_versions() if lesson else Assignment.objects
        return (
            assignments.select_related("classroom__teacher")
            .with_due_time_of(User(pk=student_id))
            .filter(
                classroom__enrolments__student=student_id,
                classroom__enrolments__removed_at__isnull=True,
                pk=pk,
            )
        )

    return CompiledQuery(build, params=2)


_ASSIGNMENT_FOR_STUDENT = _assignment_for_student(lesson=False)
_ASSIGNMENT_WITH_LESSON_FOR_STUDENT = _assignment_for_student(lesson=True)


def own_due_sql() -> str:
    """The SQL of a student's own due time on an assignment (their extension's, or NULL), with
    the student's id as its one parameter, for a query of assignments (their table under its
    own name). No user input in the text: table and column names only."""
    return _own_due_sql(connection.vendor)


@cache  # every page of a student's work uses it: built once per database kind
def _own_due_sql(vendor: str) -> str:
    table = connection.ops.quote_name(Extension._meta.db_table)
    return (
        f"(SELECT {column_sql(Extension, 'due_at')} FROM {table}"
        f" WHERE {column_sql(Extension, 'assignment')} = {column_sql(Assignment, 'id')}"
        f" AND {column_sql(Extension, 'student')} = %s)"
    )


class Assignment(models.Model):
    """One lesson set for one class."""

    classroom = models.ForeignKey(Classroom, on_delete=models.PROTECT, related_name="assignments")
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="assignments")
    instructions = models.TextField(blank=True)
    start_at = models.DateTimeField(
        null=True, blank=True, help_text="Hidden from students before this time."
    )
    due_at = models.DateTimeField(null=True, blank=True)
    show_instant_feedback = models.BooleanField(default=True)
    accept_late = models.BooleanField(default=True, help_text="Accept work turned in after Due.")
    for_chosen_students = models.BooleanField(
        default=False,
        help_text="Set for the chosen students only (assigned students), not the whole class.",
    )
    is_archived = models.BooleanField(
        default=False,
        help_text="Hidden from students; kept in the gradebook and the marking list.",
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssignmentManager()
    # Only on rows fetched through `AssignmentQuerySet.with_max_marks()`.
    max_marks: int | None

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_at__isnull=True)
                | Q(due_at__isnull=True)
                | Q(due_at__gte=F("start_at")),
                name="assignment_due_not_before_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lesson} for {self.classroom}"

    def get_absolute_url(self) -> str:
        return reverse("classroom:assignment-detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.start_at and self.due_at and self.due_at < self.start_at:
            raise ValidationError(
                {"due_at": "Due must not be before the start: move Due later or the start earlier."}
            )

    @property
    def has_work(self) -> bool:
        """Has any student saved or turned in anything, or has a private comment been written?
        Then it can be archived, not deleted."""
        return self.attempts.exists() or self.comments.exists()

    def students(self) -> models.QuerySet[User]:
        """The students this assignment is for: the class's current students, or those of them
        it is set for when it is set for chosen students."""
        students = User.objects.filter(
            enrolments__classroom_id=self.classroom_id, enrolments__removed_at__isnull=True
        )
        if self.for_chosen_students:
            chosen = AssignedStudent.objects.filter(assignment_id=self.pk)
            students = students.filter(pk__in=chosen.values("student_id"))
        return students

    def is_set_for(self, student: "User | int") -> bool:
        """Is the assignment set for this student of the class (the whole class, or chosen)?
        Reads the chosen students prefetched ("chosen") when there."""
        if not self.for_chosen_students:
            return True
        student_id = student if isinstance(student, int) else student.pk
        return any(chosen.student_id == student_id for chosen in self.chosen.all())

    def due_at_for(self, student: "User | int") -> datetime | None:
        """The student's own due time: their extension's when they have one, else the
        assignment's; none when the assignment has no due time (an extension of one that has
        lost its due time since counts no more). The one place a student's due time is decided.

        Reads what `with_due_time_of` annotated or `read_students_due_times` read when there (no
        query), else asks once per student.
        """
        if self.due_at is None:
            return None  # nothing to extend (extensions are given to work with a due time)
        student_id = student if isinstance(student, int) else student.pk
        # Each student's extension (None: none), remembered: the due time itself may change.
        known: dict[int, datetime | None] = self.__dict__.setdefault("_extended_to", {})
        if student_id not in known:
            known[student_id] = self._extension_of(student_id)
        return known[student_id] or self.due_at

    def _extension_of(self, student_id: int) -> datetime | None:
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("extensions")
        if getattr(self, "own_due_student", None) == student_id:
            return self.own_due_at  # type: ignore[attr-defined]  # annotated
        if prefetched is not None:
            return next((e.due_at for e in prefetched if e.student_id == student_id), None)
        return (
            Extension.objects.filter(assignment_id=self.pk, student_id=student_id)
            .values_list("due_at", flat=True)
            .first()
        )

    def forget_due_times(self) -> None:
        """Drop the due times `due_at_for` remembered (after an extension changes)."""
        self.__dict__.pop("_extended_to", None)

    def due_times(self, students: Iterable[User]) -> dict[int, datetime | None]:
        """Each student's own due time (`due_at_for`), by student id: their extensions read in
        one query (none when already read, or when the assignment has no due time)."""
        students = list(students)
        if self.due_at is not None and "extensions" not in getattr(
            self, "_prefetched_objects_cache", {}
        ):
            known: dict[int, datetime | None] = self.__dict__.setdefault("_extended_to", {})
            extended = dict(
                Extension.objects.filter(
                    assignment_id=self.pk, student__in=[s.pk for s in students]
                ).values_list("student_id", "due_at")
            )
            for student in students:
                known.setdefault(student.pk, extended.get(student.pk))
        return {student.pk: self.due_at_for(student) for student in students}

    def lesson_read(self) -> Lesson:
        """The lesson, with its content version when read `with_lesson_versions` (else read
        now, with it)."""
        if hasattr(self, "_lesson_content"):
            self.lesson._content_parts = self._lesson_content  # type: ignore[attr-defined]
            return self.lesson
        return Lesson.objects.with_content_version().get(pk=self.lesson_id)

    def marking_questions(self) -> dict[int, Question]:
        """The lesson's questions ready for marking (`lessons.models.marking_questions`), by
        the markscheme stamp read `with_lesson_versions` when it was: no query then, on a
        process's every request after its first for the lesson."""
        return marking_questions(self.lesson_id, stamp=getattr(self, "_lesson_stamp", None))

    def is_visible_to_students(self, now: datetime | None = None) -> bool:
        """Started (or with no start time), not archived (the class is not looked at)."""
        return not self.is_archived and (
            self.start_at is None or self.start_at <= (now or timezone.now())
        )

    def is_overdue_for(self, student: "User | int", now: datetime | None = None) -> bool:
        """Is the student's own due time (`due_at_for`) past?"""
        due_at = self.due_at_for(student)
        return due_at is not None and (now or timezone.now()) > due_at

    def accepts_turn_in_for(self, student: "User | int", now: datetime | None = None) -> bool:
        """Can the student turn in now: late work is accepted, or their own due time is ahead."""
        return self.accept_late or not self.is_overdue_for(student, now)

    def is_extended_for(self, student: "User | int") -> bool:
        """Has the student their own due time (an extension)?"""
        return self.due_at_for(student) != self.due_at


class AssignedStudent(models.Model):
    """A student an assignment is set for, when it is set for chosen students only."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="chosen")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student"], name="assignedstudent_once_per_student"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} chosen for {self.assignment}"


class Extension(models.Model):
    """One student's own due time for an assignment, given by the teacher."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extensions")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="extensions")
    due_at = models.DateTimeField()
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student"], name="extension_once_per_student"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student}'s extension on {self.assignment}"


def read_students_due_times(assignments: "list[Assignment]") -> None:
    """Read what `due_at_for` and `is_set_for` need for every student of these assignments,
    so a list of students asks nothing more: the extensions of those with a due time (one
    query) and the chosen students of those set for chosen students (one query); none when
    no assignment has either."""
    models.prefetch_related_objects([a for a in assignments if a.due_at], "extensions")
    models.prefetch_related_objects([a for a in assignments if a.for_chosen_students], "chosen")


class Status(models.TextChoices):
    """What a student's work on an assignment looks like, in the words users see."""

    ASSIGNED = "assigned", "Assigned"
    DRAFT = "draft", "Draft"
    TURNED_IN = "turned_in", "Turned in"
    LATE = "late", "Late"
    MISSING = "missing", "Missing"
    RETURNED = "returned", "Returned"

    @property
    def badge(self) -> str:
        """The Bootstrap badge class the status is shown with."""
        return _STATUS_BADGES[self]


_STATUS_BADGES = {
    Status.ASSIGNED: "text-bg-primary",
    Status.DRAFT: "text-bg-warning",
    Status.TURNED_IN: "text-bg-success",
    Status.LATE: "text-bg-secondary",
    Status.MISSING: "text-bg-danger",
    Status.RETURNED: "text-bg-info",
}


class StudentWork(models.Model):
    """One student's work on one assignment: the row every write to it locks first.

    Saving, turning in, unsubmitting, resubmitting, marking, returning and erasing all take
    this lock, so two of them on the same work (a teacher returning while the student
    unsubmits) run one after the other, never interleaved.
    """

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student"], name="studentwork_one_per_student"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} on {self.assignment}"

    @classmethod
    def lock(cls, *, assignment_id: int, student_id: int) -> None:
        """Take the lock on this work until the end of the transaction (made on first use).

        Only this row is locked (`of=("self",)`), not the assignment, class and lesson rows
        every marking teacher shares. SQLite has no row locks: there, IMMEDIATE transactions
        already run one writer at a time.
        """
        if not _LOCK_WORK.rows(assignment_id, student_id):  # the first write: make the row
            cls.objects.get_or_create(assignment_id=assignment_id, student_id=student_id)
            if not _LOCK_WORK.rows(assignment_id, student_id):
                raise cls.DoesNotExist("The work's row was not made.")


# Compiled once (classroom.compiled): every save and turn-in takes this lock.
_LOCK_WORK: "CompiledQuery[Any]" = CompiledQuery(
    lambda assignment_id, student_id: (
        StudentWork.objects.select_for_update(of=("self",))
        .filter(assignment_id=assignment_id, student_id=student_id)
        .values_list("pk")
    ),
    params=2,
)


class AttemptQuerySet(models.QuerySet):
    def for_student(self, user: User) -> "AttemptQuerySet":
        return self.filter(student=user)

    def for_teacher(self, user: User) -> "AttemptQuerySet":
        return self.filter(assignment__classroom__teacher=user)

    def with_marked_total(self) -> "AttemptQuerySet":
        """Annotate `marked_total`: the sum of the teacher's marks (None until one is given)."""
        return self.annotate(marked_total=Sum("answers__mark"))

    def latest_by_work(self) -> "dict[tuple[int, int], Attempt]":
        """(assignment id, student id) -> the latest attempt (the highest number) of each."""
        latest = {}
        for attempt in self.order_by("assignment_id", "student_id", "number"):
            latest[(attempt.assignment_id, attempt.student_id)] = attempt
        return latest


class Attempt(models.Model):
    """One go at an assignment: a draft, then turned in, then returned. Never overwritten.

    A resubmission is a new attempt (number 2, 3, ...) that starts from the returned text.
    """

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        TURNED_IN = "turned_in", "Turned in"
        RETURNED = "returned", "Returned"

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="attempts")
    student = models.ForeignKey(User, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(
        default=0,
        help_text="Goes up with every saved change; a save from an older version is refused.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    turned_in_at = models.DateTimeField(null=True, blank=True)
    is_late = models.BooleanField(default=False)
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    overall_comment = models.TextField(blank=True)
    resubmission_allowed = models.BooleanField(default=False)

    objects = AttemptQuerySet.as_manager()
    # Only on rows fetched through `AttemptQuerySet.with_marked_total()`.
    marked_total: int | None

    class Meta:
        # Own columns only: ordering by the foreign keys would join their tables to sort.
        ordering = ["assignment_id", "student_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student", "number"], name="attempt_unique_number"
            ),
            models.UniqueConstraint(
                fields=["assignment", "student"],
                condition=~models.Q(state="returned"),
                name="attempt_one_open_per_student",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "turned_in", "returned"]),
                name="attempt_state_known",
            ),
            # Turned in exactly when turned in or returned; returned exactly when returned.
            models.CheckConstraint(
                condition=Q(state="draft", turned_in_at__isnull=True)
                | Q(state__in=["turned_in", "returned"], turned_in_at__isnull=False),
                name="attempt_turned_in_at_with_state",
            ),
            models.CheckConstraint(
                condition=Q(state="returned", returned_at__isnull=False, returned_by__isnull=False)
                | Q(~Q(state="returned"), returned_at__isnull=True, returned_by__isnull=True),
                name="attempt_returned_with_state",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} on {self.assignment} (attempt {self.number})"

    def get_absolute_url(self) -> str:
        """The marking view: attempts are seen by teachers (and in the admin's "View on site")."""
        return reverse("classroom:attempt-mark", kwargs={"pk": self.pk})

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def is_turned_in(self) -> bool:
        return self.state == self.State.TURNED_IN

    @property
    def is_returned(self) -> bool:
        return self.state == self.State.RETURNED

    @property
    def total_mark(self) -> int | None:
        """Sum of the teacher's marks (None until any answer is marked); uses prefetched answers."""
        marks = [a.mark for a in self.answers.all() if a.mark is not None]
        return sum(marks) if marks else None

    # --- State transitions: each sets every field that goes with it, and only applies to the
    # --- state it starts from (compare-and-set), so a stale request changes nothing.

    def _move(self, expected: str, **fields: object) -> bool:
        """Write `fields` (the new state among them) only if the row is still in `expected`;
        True when it was. The caller holds the work's lock (StudentWork.lock)."""
        fields["version"] = self.version + 1
        updated = Attempt.objects.filter(pk=self.pk, state=expected).update(**fields)
        if updated:
            for name, value in fields.items():
                setattr(self, name, value)
        return bool(updated)

    def turn_in(self, *, now: datetime, **also: object) -> bool:
        """Turned in at `now` (late if past due); `also` other fields to write with it."""
        return self._move(
            self.State.DRAFT,
            state=self.State.TURNED_IN,
            turned_in_at=now,
            is_late=self.assignment.is_overdue_for(self.student_id, now),
            **also,
        )

    def unsubmit(self) -> bool:
        return self._move(
            self.State.TURNED_IN, state=self.State.DRAFT, turned_in_at=None, is_late=False
        )

    def return_to_student(self, *, teacher: User, now: datetime) -> bool:
        return self._move(
            self.State.TURNED_IN,
            state=self.State.RETURNED,
            returned_at=now,
            returned_by=teacher,
        )

    def status(self, now: datetime | None = None) -> Status:
        if self.state == self.State.RETURNED:
            return Status.RETURNED
        if self.state == self.State.TURNED_IN:
            return Status.LATE if self.is_late else Status.TURNED_IN
        if self.number == 1 and self.assignment.is_overdue_for(self.student_id, now):
            return Status.MISSING
        return Status.DRAFT


def work_status(
    assignment: Assignment,
    student: "User | int",
    attempt: Attempt | None,
    now: datetime | None = None,
) -> Status:
    """The status of a student's work given their latest attempt (None: nothing saved); Missing
    follows the student's own due time."""
    if attempt is None:
        return Status.MISSING if assignment.is_overdue_for(student, now) else Status.ASSIGNED
    return attempt.status(now)


class AnswerQuerySet(models.QuerySet):
    def of_latest_attempt(self, *, student_id: int, assignment_id: int) -> "AnswerQuerySet":
        """The answers of the student's latest attempt (the highest number) at the assignment.

        Every save and turn-in reads it inside the work's lock, compiled once
        (`services.work._LATEST_ANSWERS`, classroom.compiled).
        """
        latest = (
            Attempt.objects.filter(student_id=student_id, assignment_id=assignment_id)
            .order_by("-number")
            .values("pk")[:1]
        )
        return self.filter(attempt_id=Subquery(latest))

    def update_each(self, answers: "list[Answer]", fields: list[str]) -> None:
        """Write `fields` of each saved answer: one UPDATE statement run once a row.

        What `bulk_update` does, in one round trip too (the driver's executemany), without
        the CASE expression per field that `bulk_update` builds in Python: 1.5 ms instead of
        6 ms for the five answers of a turn-in (bench/README.md). Values are prepared by the
        fields themselves, as `save()` prepares them; names come from the model.
        """
        if not answers:
            return
        self._for_write = True
        db = connections[self.db]
        quote = db.ops.quote_name
        columns = [self.model._meta.get_field(name) for name in fields]
        sql = "UPDATE {} SET {} WHERE {} = %s".format(
            quote(self.model._meta.db_table),
            ", ".join(f"{quote(field.column)} = %s" for field in columns),
            quote(self.model._meta.pk.column),
        )
        rows = [
            [field.get_db_prep_save(getattr(answer, field.attname), db) for field in columns]
            + [answer.pk]
            for answer in answers
        ]
        with db.cursor() as cursor:
            cursor.executemany(sql, rows)


class Answer(models.Model):
    """A student's answer to one question in one attempt, with its marking and feedback."""

    MAX_LENGTH = 5000

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(blank=True, max_length=MAX_LENGTH)
    # What the instant-feedback engine found at turn-in, the mark scheme version it used and
    # the version of the matching rules it followed (`lessons.marking.RULES_VERSION`).
    result = models.JSONField(null=True, blank=True)
    markscheme_version = models.CharField(max_length=20, blank=True)
    rules_version = models.PositiveSmallIntegerField(null=True, blank=True)
    mark = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # The teacher's judgement, saved with the mark: the key points they ticked as made (None
    # until they mark the answer) and the misconceptions the check flagged that they dismissed.
    points_judged = models.JSONField(null=True, blank=True)
    misconceptions_dismissed = models.JSONField(default=list, blank=True)
    marked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(null=True, blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        # Own columns only (no join to sort); pages showing answers in question order ask for
        # it ("question__position").
        ordering = ["attempt_id", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="answer_unique_question"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt}: {self.question.key}"

    @property
    def is_judged(self) -> bool:
        """Has a teacher ticked the key points of this answer?"""
        return self.points_judged is not None

    def disagrees_with(self, result: MarkingResult) -> bool:
        """Do the teacher's ticks or dismissals differ from what the check found (`result`)?"""
        if not self.is_judged:
            return False
        found = {hit.key for hit in result.points_made}
        flagged = {hit.key for hit in result.misconceptions}
        return found != set(self.points_judged or []) or bool(
            flagged & set(self.misconceptions_dismissed or [])
        )

    def mark_with(self, question: Question) -> None:
        """Store the engine's result for this answer, stamped with both versions (not saved)."""
        self.result = question.mark_scheme.mark(self.text).to_dict()
        self.markscheme_version = question.markscheme_version
        self.rules_version = RULES_VERSION

    def result_is_current(self, question: Question) -> bool:
        """Was the stored result made by this mark scheme under these matching rules?"""
        return (
            self.result is not None
            and self.markscheme_version == question.markscheme_version
            and self.rules_version == RULES_VERSION
        )

    def current_result(self, question: Question, *, returned: bool) -> MarkingResult:
        """The result every page shows for this answer: the students', the marking view, insight.

        Until the work is returned, the answer as the current mark scheme and rules mark it
        (read afresh when either changed since turn-in; not saved: `remark` saves). Once the
        work is returned, what was returned stays as returned. `question` is this answer's
        question, with its mark scheme prefetched. A stored result that cannot be read is
        read afresh too.
        """
        if self.result is not None and (returned or self.result_is_current(question)):
            stored = self._stored_result(question)
            if stored is not None:
                return stored
        return question.mark_scheme.mark(self.text)

    def _stored_result(self, question: Question) -> MarkingResult | None:
        """The stored result, typed. A point missed that has been retired since keeps its hint
        when the question's key points are there with the retired ones (returned work)."""
        if self.result is None:
            return None
        try:
            result = MarkingResult.from_dict(self.result, question.mark_scheme)
            missed = list(self.result["points_missed"])
        except (KeyError, TypeError, ValueError):
            return None
        if len(result.points_missed) == len(missed):
            return result
        criteria = {
            p.key: Criterion(key=p.key, phrases=(), marks=p.marks, text=p.text, hint=p.hint)
            for p in question.key_points.all()
        }
        return replace(result, points_missed=tuple(criteria[k] for k in missed if k in criteria))


class CommentBankEntryQuerySet(models.QuerySet):
    def for_teacher(self, user: User) -> "CommentBankEntryQuerySet":
        return self.filter(teacher=user)


class CommentBankEntry(models.Model):
    """A teacher's reusable comment for a question."""

    teacher = models.ForeignKey(User, on_delete=models.CASCADE, related_name="comment_bank")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommentBankEntryQuerySet.as_manager()

    class Meta:
        ordering = ["question", "text"]
        verbose_name_plural = "comment bank entries"
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "question", "text"], name="commentbank_unique_text"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class FeedbackChange(models.Model):
    """A change to a mark, comment, tick or dismissal after the work was returned: who, when,
    old and new."""

    class Field(models.TextChoices):
        MARK = "mark", "Mark"
        COMMENT = "comment", "Comment"
        OVERALL_COMMENT = "overall_comment", "Overall comment"
        POINTS = "points", "Key points made"
        DISMISSED = "dismissed", "Misconceptions dismissed"

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="changes")
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    field = models.CharField(max_length=20, choices=Field.choices)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    changed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.field} changed on {self.attempt}"


class CheckerReview(Question):
    """A question seen from its teachers' marking: the admin's "Checker review" pages."""

    class Meta:
        proxy = True
        verbose_name = "checker review"
        verbose_name_plural = "checker review"


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A notice to one person about something that happened: it links to the page it is about
    and is read once that page is opened from it (or all are marked read)."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "New assignment"
        RETURNED = "returned", "Work returned"
        COMMENT = "comment", "Private comment"
        ANNOUNCEMENT = "announcement", "Announcement"
        DUE_TOMORROW = "due_tomorrow", "Due tomorrow"

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=200, help_text="The page it is about (a path on this site).")
    key = models.CharField(
        max_length=100,
        blank=True,
        help_text="Set for notices that must reach a person once only (due tomorrow).",
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=["assigned", "returned", "comment", "announcement", "due_tomorrow"]
                ),
                name="notification_kind_valid",
            ),
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~Q(key=""),
                name="notification_once_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient}: {self.message[:40]}"


class Announcement(models.Model):
    """A teacher's message to one class (Markdown), shown on the class page and on My work."""

    MAX_LENGTH = 5000

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="announcements")
    body = models.TextField(max_length=MAX_LENGTH, help_text="Markdown, as in the lessons.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["classroom", "-created_at"], name="announcement_newest")]

    def __str__(self) -> str:
        return f"{self.classroom}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        return self.classroom.get_absolute_url() + f"#announcement-{self.pk}"

    @property
    def anchor(self) -> str:
        """The id of the announcement on the pages that show it."""
        return f"announcement-{self.pk}"

    @property
    def html(self) -> SafeString:
        """The body as HTML, sanitised as the lessons are."""
        return render_markdown(self.body)

    @property
    def was_edited(self) -> bool:
        return (self.updated_at - self.created_at).total_seconds() > 60


class WorkCommentQuerySet(models.QuerySet):
    def thread(self, *, assignment_id: int, student_id: int) -> "WorkCommentQuerySet":
        return self.filter(assignment_id=assignment_id, student_id=student_id)

    def unread_by(self, user: User) -> "WorkCommentQuerySet":
        """Comments `user` has not read yet: written by the other party of the thread."""
        return self.filter(read_at__isnull=True).exclude(author=user)


class WorkComment(models.Model):
    """A private comment on one student's work on one assignment: a thread only that student
    and the class's teacher see. Unread until the other party opens the page showing it."""

    MAX_LENGTH = 2000

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="comments")
    student = models.ForeignKey(User, on_delete=models.PROTECT, related_name="work_threads")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="work_comments")
    body = models.TextField(max_length=MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = WorkCommentQuerySet.as_manager()

    is_new = False  # set by services.read_thread on the comments it just marked read

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "private comment"
        indexes = [
            models.Index(fields=["assignment", "student", "created_at"], name="workcomment_thread"),
            models.Index(fields=["student", "read_at"], name="workcomment_student_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.assignment} ({self.student}): {self.body[:40]}"

    @property
    def by_student(self) -> bool:
        return self.author_id == self.student_id
