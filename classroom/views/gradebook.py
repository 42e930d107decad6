"""A class's gradebook: the page, and its two CSV downloads (the grid, and every answer)."""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from classroom.models import (
    Answer,
    Assignment,
    Attempt,
    Classroom,
    Status,
    User,
    read_students_due_times,
    work_status,
)
from classroom.permissions import AuthedHttpRequest, teacher_required
from lessons.models import Question

if TYPE_CHECKING:
    from _csv import Writer  # what csv.writer() returns


class MarkRow:
    """One student's line in the marking list, or cell in the gradebook: their status, mark and
    own due time. `is_set` is False where the assignment is not set for them (chosen students)."""

    def __init__(
        self, assignment: Assignment, student: User, attempt: Attempt | None, now: datetime
    ) -> None:
        self.assignment = assignment
        self.student = student
        self.attempt = attempt
        self.is_set = assignment.is_set_for(student)
        self.status: Status = work_status(assignment, student, attempt, now)
        self.total = attempt.total_mark if attempt else None
        self.max_marks = assignment.max_marks or 0
        self.due_at = assignment.due_at_for(student)
        self.extended = self.due_at != assignment.due_at

    @property
    def shown(self) -> bool:
        """In the gradebook: set for the student, or work of theirs to keep showing."""
        return self.is_set or self.attempt is not None

    @property
    def can_mark(self) -> bool:
        return self.attempt is not None and self.attempt.state != Attempt.State.DRAFT

    @property
    def is_missing(self) -> bool:
        return self.shown and self.status == Status.MISSING

    @property
    def returned_mark(self) -> int | None:
        """The total of returned work (None when not returned or returned without marks)."""
        return self.total if self.status == Status.RETURNED else None

    @property
    def label(self) -> str:
        """The status in words, or that the assignment is not set for this student."""
        return self.status.label if self.shown else NOT_SET


NOT_SET = "Not assigned"


@dataclass(frozen=True)
class Average:
    """Marks of returned work: `marks` got out of `out_of` in `count` pieces of work."""

    marks: int
    out_of: int
    count: int

    @property
    def mean(self) -> float | None:
        """The mean mark per piece of returned work."""
        return round(self.marks / self.count, 1) if self.count else None

    @property
    def percent(self) -> int | None:
        return round(100 * self.marks / self.out_of) if self.out_of else None


def average(rows: Iterable[MarkRow]) -> Average:
    """The returned, marked work among `rows`, added up."""
    returned = [row for row in rows if row.returned_mark is not None]
    return Average(
        marks=sum(row.returned_mark or 0 for row in returned),
        out_of=sum(row.max_marks for row in returned),
        count=len(returned),
    )


def marks_prefetch() -> Prefetch:
    return Prefetch("answers", queryset=Answer.objects.only("id", "attempt_id", "mark"))


def _gradebook(
    classroom: Classroom, *, with_answers: bool = False
) -> tuple[list[User], list[Assignment], dict[tuple[int, int], Attempt]]:
    """Current students, assignments (oldest first), latest attempt by (assignment, student)."""
    students = list(
        User.objects.filter(
            enrolments__classroom=classroom, enrolments__removed_at__isnull=True
        ).order_by("display_name", "username")
    )
    assignments = list(
        classroom.assignments.select_related("lesson").with_max_marks().order_by("created_at", "pk")
    )
    read_students_due_times(assignments)
    answers = (
        Prefetch("answers", queryset=Answer.objects.select_related("question"))
        if with_answers
        else marks_prefetch()
    )
    attempts = Attempt.objects.filter(assignment__classroom=classroom).prefetch_related(answers)
    by_id = {assignment.pk: assignment for assignment in assignments}
    latest = attempts.latest_by_work()
    for attempt in latest.values():
        attempt.assignment = by_id[attempt.assignment_id]  # status() reads it: no query each
    return students, assignments, latest


@teacher_required
def gradebook(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    students, assignments, latest = _gradebook(classroom)
    rows = _grid(students, assignments, latest)
    return render(
        request,
        "classroom/gradebook.html",
        {
            "classroom": classroom,
            "rows": rows,
            "columns": [
                (a, average(cells[i] for _, cells, _ in rows)) for i, a in enumerate(assignments)
            ],
        },
    )


def _grid(
    students: list[User], assignments: list[Assignment], latest: dict[tuple[int, int], Attempt]
) -> list[tuple[User, list[MarkRow], Average]]:
    """Per student: a cell per assignment, and their returned marks added up."""
    now = timezone.now()
    rows = []
    for student in students:
        cells = [MarkRow(a, student, latest.get((a.pk, student.pk)), now) for a in assignments]
        rows.append((student, cells, average(cells)))
    return rows


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """Stop spreadsheets reading a cell as a formula (CSV injection): prefix a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv_response(filename: str) -> tuple[HttpResponse, "Writer"]:
    """A CSV download and its writer. UTF-8 with a byte-order mark, so Excel reads "Zoë"."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    return response, writer


def _assignment_heading(assignment: Assignment, repeated: set[str]) -> str:
    """A gradebook column's name: the lesson, with the day it was set when set more than once."""
    heading = assignment.lesson.title
    if heading in repeated:
        heading += f", set {timezone.localtime(assignment.created_at):%-d %b %Y}"
    archived = ", archived" if assignment.is_archived else ""
    return f"{heading} (out of {assignment.max_marks or 0}{archived})"


def _repeated_titles(assignments: list[Assignment]) -> set[str]:
    titles = [assignment.lesson.title for assignment in assignments]
    return {title for title in titles if titles.count(title) > 1}


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@teacher_required
def gradebook_csv(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The gradebook as the page shows it: a row per student, a column per assignment.

    A cell is the total mark, or the status while no answer has a mark.
    """
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    students, assignments, latest = _gradebook(classroom)
    response, writer = _csv_response(f"gradebook-{classroom.pk}.csv")
    repeated = _repeated_titles(assignments)
    writer.writerow(
        [csv_safe(cell) for cell in ["Student", "Username"]]
        + [csv_safe(_assignment_heading(a, repeated)) for a in assignments]
        + [PERCENT_HEADING]
    )
    rows = _grid(students, assignments, latest)
    for student, cells, overall in rows:
        row: list[object] = [student.name, student.username]
        row += [cell.total if cell.total is not None else cell.label for cell in cells]
        row.append(_or_blank(overall.percent))
        writer.writerow([csv_safe(cell) for cell in row])
    columns = [average(cells[i] for _, cells, _ in rows) for i in range(len(assignments))]
    writer.writerow([AVERAGE_HEADING, ""] + [_or_blank(column.mean) for column in columns] + [""])
    return response


PERCENT_HEADING = "Percentage of returned marks"
AVERAGE_HEADING = "Class average of returned marks"


def _or_blank(value: object) -> object:
    return "" if value is None else value


ANSWERS_CSV_HEADER = [
    "Student",
    "Username",
    "Lesson",
    "Set",
    "Due",
    "Status",
    "Question number",
    "Question",
    "Answer",
    "Mark",
    "Out of",
    "Comment",
    "Total",
    "Total out of",
    "Overall comment",
]


def _answer_rows(
    student: User,
    assignment: Assignment,
    attempt: Attempt | None,
    asked: list[Question],
    now: datetime,
) -> Iterator[list[object]]:
    """The answers CSV's rows for one student and assignment: one per question asked, and one
    per question retired after the student answered it."""
    by_question = {a.question_id: a for a in attempt.answers.all()} if attempt else {}
    retired = [a.question for a in by_question.values() if a.question not in asked]
    start = [
        student.name,
        student.username,
        assignment.lesson.title,
        _local(assignment.created_at),
        _local(assignment.due_at_for(student)),
        work_status(assignment, student, attempt, now).label,
    ]
    end = [
        attempt.total_mark if attempt and attempt.total_mark is not None else "",
        assignment.max_marks or 0,
        attempt.overall_comment if attempt else "",
    ]
    for question in [*asked, *sorted(retired, key=lambda q: q.position)]:
        answer = by_question.get(question.pk)
        yield [
            *start,
            question.position,
            question.prompt,
            answer.text if answer else "",
            "" if answer is None or answer.mark is None else answer.mark,
            question.marks,
            answer.comment if answer else "",
            *end,
        ]


@teacher_required
def answers_csv(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Every answer with its mark and comment: one row per student, assignment and question.

    The columns are the same on every row (ANSWERS_CSV_HEADER): a row names its lesson and
    its question, so a column never means a different question on different rows.
    """
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    students, assignments, latest = _gradebook(classroom, with_answers=True)
    questions: dict[int, list[Question]] = {}
    for question in Question.objects.active().filter(lesson__in={a.lesson_id for a in assignments}):
        questions.setdefault(question.lesson_id, []).append(question)
    response, writer = _csv_response(f"answers-{classroom.pk}.csv")
    writer.writerow(ANSWERS_CSV_HEADER)
    now = timezone.now()
    for student in students:
        for assignment in assignments:
            attempt = latest.get((assignment.pk, student.pk))
            if attempt is None and not assignment.is_set_for(student):
                continue  # not set for this student (chosen students)
            asked = questions.get(assignment.lesson_id, [])
            for row in _answer_rows(student, assignment, attempt, asked, now):
                writer.writerow([csv_safe(cell) for cell in row])
    return response
