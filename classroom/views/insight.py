"""The class insight page: what a class's turned-in answers to an assignment show, per question."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from classroom.models import Answer, AssignedStudent, Assignment, Attempt, User
from classroom.permissions import AuthedHttpRequest, teacher_required
from lessons.marking import MarkingResult
from lessons.models import Question


@dataclass
class Figure:
    """How many of the answers to a question made a key point or showed a misconception."""

    key: str
    label: str
    detail: str  # the hint of a key point, the correction of a misconception
    total: int  # answers to the question
    students: list[User] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.students)

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.total) if self.total else 0


@dataclass
class Agreement:
    """How far the instant check agreed with the teacher's ticks on a question's marked answers."""

    marked: int = 0  # answers the teacher ticked the key points of
    agreed: int = 0  # of those, the ones where the check found the same points, none dismissed
    missed: Counter = field(default_factory=Counter)  # point key -> times the check missed it
    over: Counter = field(default_factory=Counter)  # point key -> times it credited it wrongly
    texts: dict[str, str] = field(default_factory=dict)  # point key -> its text

    def add(self, answer: Answer, result: MarkingResult) -> None:
        if not answer.is_judged:
            return
        self.marked += 1
        found = {hit.key for hit in result.points_made}
        judged = set(answer.points_judged or [])
        self.missed.update(judged - found)
        self.over.update(found - judged)
        self.agreed += not answer.disagrees_with(result)

    def _most(self, counts: Counter) -> tuple[str, int] | None:
        if not counts:
            return None
        # Most often first; a tie goes to the point that comes first in the mark scheme.
        order = {key: index for index, key in enumerate(self.texts)}
        key, count = min(counts.items(), key=lambda kv: (-kv[1], order.get(kv[0], len(order))))
        return self.texts.get(key, "a key point no longer in the mark scheme"), count

    @property
    def most_missed(self) -> tuple[str, int] | None:
        """The point the check missed most often (its text and how often), if any."""
        return self._most(self.missed)

    @property
    def most_over_credited(self) -> tuple[str, int] | None:
        return self._most(self.over)


@dataclass
class QuestionInsight:
    question: Question
    answered: int
    points: list[Figure]
    misconceptions: list[Figure]
    agreement: Agreement


def _set_for(assignment: Assignment) -> Q:
    """Answers of the students the assignment is set for (all of them, or the chosen)."""
    if not assignment.for_chosen_students:
        return Q()
    chosen = AssignedStudent.objects.filter(assignment=assignment.pk)
    return Q(attempt__student__in=chosen.values("student_id"))


def latest_answers(assignment: Assignment) -> list[Answer]:
    """Each answer, from the latest turned-in or returned attempt, of the current students the
    assignment is set for.

    One query whatever the class size; the choice of attempt is made in Python.
    """
    answers = (
        Answer.objects.filter(
            attempt__assignment=assignment,
            attempt__state__in=[Attempt.State.TURNED_IN, Attempt.State.RETURNED],
            attempt__student__enrolments__classroom=assignment.classroom_id,
            attempt__student__enrolments__removed_at__isnull=True,
        )
        .filter(_set_for(assignment))
        .select_related("attempt__student")
        .only(
            "question_id",
            "text",
            "result",
            "markscheme_version",
            "rules_version",
            "points_judged",
            "misconceptions_dismissed",
            "attempt__number",
            "attempt__state",
            "attempt__student__username",
            "attempt__student__display_name",
            "attempt__student__first_name",
            "attempt__student__last_name",
        )
    )
    latest: dict[int, int] = {}
    rows = list(answers)
    for answer in rows:
        student_id = answer.attempt.student_id
        latest[student_id] = max(latest.get(student_id, 0), answer.attempt.number)
    return [a for a in rows if a.attempt.number == latest[a.attempt.student_id]]


def _question_insight(question: Question, answers: list[Answer]) -> QuestionInsight:
    """How the latest answers to one question did, point by point, by name."""
    scheme = question.mark_scheme
    answers = sorted(
        answers, key=lambda a: (a.attempt.student.name.casefold(), a.attempt.student.username)
    )
    total = len(answers)
    points = {p.key: Figure(p.key, p.text, "", total) for p in scheme.points}
    # Each row is labelled with whole sentences a teacher reads: a key point by its
    # statement, a misconception (which has no statement of its own, and whose key reads
    # like a fragment: "Tsar ordered") by the correction the students were shown.
    errors = {m.key: Figure(m.key, m.feedback, "", total) for m in scheme.misconceptions}
    agreement = Agreement(texts={p.key: p.text for p in scheme.points})
    for answer in answers:
        # The result the student and the marking view show (read afresh until returned).
        result = answer.current_result(
            question, returned=answer.attempt.state == Attempt.State.RETURNED
        )
        agreement.add(answer, result)
        student = answer.attempt.student
        for hit in result.points_made:
            if hit.key in points:
                points[hit.key].students.append(student)
        for hit in result.misconceptions:
            if hit.key in errors:
                errors[hit.key].students.append(student)
    return QuestionInsight(question, total, list(points.values()), list(errors.values()), agreement)


def question_insights(assignment: Assignment) -> list[QuestionInsight]:
    questions = list(
        Question.objects.active()
        .filter(lesson=assignment.lesson_id)
        .with_markscheme()
        .order_by("position")
    )
    by_question: dict[int, list[Answer]] = {q.pk: [] for q in questions}
    for answer in latest_answers(assignment):
        if answer.question_id in by_question:
            by_question[answer.question_id].append(answer)
    return [_question_insight(question, by_question[question.pk]) for question in questions]


@teacher_required
def assignment_insight(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.for_teacher(request.user).select_related("lesson", "classroom"), pk=pk
    )
    context = {"assignment": assignment, "insights": question_insights(assignment)}
    return render(request, "classroom/assignment_insight.html", context)
