"""Teachers' marking: the marking list of an assignment and the marking view of an attempt.

Every attempt is fetched through `Attempt.objects.for_teacher(user)` (another teacher's ids
give 404).
"""

from django.contrib import messages
from django.db.models import Count, F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from classroom import services
from classroom.forms import (
    MarkingForm,
)
from classroom.http import posted
from classroom.models import (
    Answer,
    Assignment,
    Attempt,
    CommentBankEntry,
    Enrolment,
    FeedbackChange,
    Status,
    User,
    WorkComment,
    read_students_due_times,
)
from classroom.permissions import AuthedHttpRequest, teacher_required
from classroom.views.gradebook import MarkRow, marks_prefetch
from classroom.views.talk import teacher_thread
from lessons.marking import MarkingResult, has_substance, highlight_spans
from lessons.models import Question


@teacher_required
def assignment_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The marking list: every student the assignment is for with their status, mark and own
    due time; below, work kept from former students and students no longer chosen."""
    assignment = get_object_or_404(
        Assignment.objects.for_teacher(request.user)
        .select_related("classroom", "lesson")
        .with_max_marks(),
        pk=pk,
    )
    read_students_due_times([assignment])
    latest = assignment.attempts.prefetch_related(marks_prefetch()).latest_by_work()
    students, former, unchosen = _marking_rows(assignment, latest)
    counts = dict.fromkeys(Status, 0)
    for _, row in students:
        counts[row.status] += 1
    return render(
        request,
        "classroom/assignment_detail.html",
        {
            "assignment": assignment,
            "classroom": assignment.classroom,
            "students": students,
            "former": former,
            "unchosen": unchosen,
            "counts": [(status.label, counts[status]) for status in Status],
            "has_work": bool(latest),
            "to_return": sum(row.status in RETURNABLE for _, row in students + unchosen + former),
            "unread": _unread_by_student(assignment),
        },
    )


RETURNABLE = {Status.TURNED_IN, Status.LATE}

Rows = list[tuple[User, MarkRow]]


def _marking_rows(
    assignment: Assignment, latest: dict[tuple[int, int], Attempt]
) -> tuple[Rows, Rows, Rows]:
    """The students it is for; former students with work; students with work it is no longer
    set for (taken out of the chosen students: their work stays for the teacher)."""
    now = timezone.now()
    students: Rows = []
    former: Rows = []
    unchosen: Rows = []
    enrolments = Enrolment.objects.filter(classroom=assignment.classroom_id).select_related(
        "student"
    )
    for enrolment in enrolments:
        student = enrolment.student
        attempt = latest.get((assignment.pk, student.pk))
        row = (student, MarkRow(assignment, student, attempt, now))
        if enrolment.removed_at is None and row[1].is_set:
            students.append(row)
        elif attempt is None:
            continue
        elif enrolment.removed_at is None:
            unchosen.append(row)
        else:
            former.append(row)
    return students, former, unchosen


@teacher_required
@require_POST
def assignment_return_marked(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Return every turned-in piece of work whose answers all have a mark; say how many."""
    assignment = get_object_or_404(
        Assignment.objects.for_teacher(request.user).select_related("classroom", "lesson"), pk=pk
    )
    done = services.return_all_marked(assignment=assignment, teacher=request.user)
    left = (
        f" {done.not_marked} turned-in piece{'s' if done.not_marked != 1 else ''} of work"
        f" {'are' if done.not_marked != 1 else 'is'} not fully marked, so"
        f" {'they stay' if done.not_marked != 1 else 'it stays'} turned in: mark every"
        " answer, then return."
        if done.not_marked
        else ""
    )
    if done.returned:
        pieces = f"{done.returned} piece{'s' if done.returned != 1 else ''} of work"
        messages.success(request, f"Returned {pieces} to the students.{left}")
    else:
        messages.info(request, f"No marked work was waiting to be returned.{left}")
    return redirect(assignment)


def _unread_by_student(assignment: Assignment) -> dict[int, int]:
    """Student id -> how many of their private comments the teacher has not read."""
    return dict(
        WorkComment.objects.filter(
            assignment=assignment, author_id=F("student_id"), read_at__isnull=True
        )
        .values_list("student_id")
        .annotate(n=Count("pk"))
    )


def _question_blocks(
    questions: list[Question], answers: dict[int, Answer], results: dict[int, MarkingResult]
) -> list[dict]:
    """Per question: its answer, highlighted answer pieces, points made and missed."""
    blocks = []
    for question in questions:
        answer = answers.get(question.pk)
        result = results.get(question.pk)
        block: dict[str, object] = {
            "question": question,
            "answer": answer,
            "pieces": None,
            "result": result,
        }
        if answer is not None and result is not None:
            texts = {p.key: p.text for p in question.mark_scheme.points}
            block["made"] = [texts.get(hit.key, hit.key) for hit in result.points_made]
            corrections = {m.key: m.feedback for m in question.mark_scheme.misconceptions}
            block["misconceptions"] = [
                corrections[hit.key] for hit in result.misconceptions if hit.key in corrections
            ]
            block["pieces"] = highlight_spans(answer.text, result)
            # Nothing found in an answer of substance: the points may be there in other
            # words, so the teacher is asked to read it with care.
            block["found_nothing"] = not result.points_made and has_substance(answer.text)
        blocks.append(block)
    return blocks


def _attempt_to_mark(request: AuthedHttpRequest, pk: int) -> Attempt:
    return get_object_or_404(
        Attempt.objects.for_teacher(request.user)
        .exclude(state=Attempt.State.DRAFT)
        .select_related("assignment__classroom", "assignment__lesson", "student")
        .prefetch_related("answers"),
        pk=pk,
    )


def _questions_and_answers(
    attempt: Attempt,
) -> tuple[list[Question], dict[int, Answer], dict[int, MarkingResult]]:
    """The lesson's questions (with retired ones the student answered, which stay markable),
    the answers by question id, and each answer's instant feedback by question id."""
    questions = list(
        Question.objects.active().filter(lesson=attempt.assignment.lesson_id).with_markscheme()
    )
    answers = {answer.question_id: answer for answer in attempt.answers.all()}
    retired_ids = set(answers) - {q.pk for q in questions}
    if retired_ids:
        questions += list(Question.objects.filter(pk__in=retired_ids).with_markscheme())
    # As on the student's and the insight page: until the work is returned, a result from an
    # older mark scheme or older rules is read afresh (not saved), so the points shown and the
    # suggested mark follow the scheme shown beside them; once returned it stays as returned.
    by_id = {question.pk: question for question in questions}
    returned = attempt.state == Attempt.State.RETURNED
    results = {
        qid: answer.current_result(by_id[qid], returned=returned) for qid, answer in answers.items()
    }
    return questions, answers, results


def _save_marking(
    request: AuthedHttpRequest, attempt: Attempt, form: MarkingForm
) -> HttpResponse | None:
    """Save (or return) the marking; where to go next, or None when it was refused."""
    returning = "return" in request.POST
    try:
        saved = services.save_marking(
            attempt=attempt,
            teacher=request.user,
            marks=form.marks(),
            comments=form.comments(),
            overall_comment=form.cleaned_data["overall_comment"].strip(),
            points=form.points(),
            dismissed=form.dismissed(),
            return_work=returning,
            allow_resubmission=form.cleaned_data["allow_resubmission"],
            to_bank=form.bank_comments(),
        )
    except services.ServiceError as error:
        form.add_error(None, str(error))
        return None
    for warning in saved.not_banked:  # the marks are saved all the same
        messages.warning(request, warning)
    if not returning:
        messages.success(request, "Marks and comments saved.")
        return redirect("classroom:attempt-mark", pk=attempt.pk)
    messages.success(request, f"Work returned to {attempt.student.name}.")
    next_attempt = _next_to_mark(attempt)
    if next_attempt is not None:
        return redirect("classroom:attempt-mark", pk=next_attempt.pk)
    return redirect(attempt.assignment)


def _marking_blocks(
    request: AuthedHttpRequest,
    form: MarkingForm,
    questions: list[Question],
    answers: dict[int, Answer],
    results: dict[int, MarkingResult],
) -> list[dict]:
    """Per question: its answer and feedback, its form fields, its ticks and its bank."""
    bank: dict[int, list[str]] = {}
    for entry in CommentBankEntry.objects.for_teacher(request.user).filter(
        question__in=[q.pk for q in questions]
    ):
        bank.setdefault(entry.question_id, []).append(entry.text)
    blocks = _question_blocks(questions, answers, results)
    for block in blocks:
        question = block["question"]
        block["fields"] = form.question_fields(question)
        block["points_field"], block["dismiss_field"] = form.judgement_fields(question)
        if block["points_field"] is not None:
            found = {hit.key for hit in block["result"].points_made} if block["result"] else set()
            block["judged"] = block["answer"].is_judged
            block["ticks"] = [
                (checkbox, point.marks, point.key in found)
                for checkbox, point in zip(
                    block["points_field"], question.mark_scheme.points, strict=True
                )
            ]
        block["bank"] = bank.get(question.pk, [])
    return blocks


@teacher_required
def attempt_mark(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    attempt = _attempt_to_mark(request, pk)
    assignment = attempt.assignment
    questions, answers, results = _questions_and_answers(attempt)
    initial = {
        "overall_comment": attempt.overall_comment,
        "allow_resubmission": attempt.resubmission_allowed,
    }
    form = MarkingForm(
        posted(request), questions=questions, answers=answers, results=results, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        response = _save_marking(request, attempt, form)
        if response is not None:
            return response
    context = {
        "attempt": attempt,
        "assignment": assignment,
        "classroom": assignment.classroom,
        "form": form,
        "blocks": _marking_blocks(request, form, questions, answers, results),
        "changes": FeedbackChange.objects.filter(attempt=attempt).select_related(
            "changed_by", "answer__question"
        ),
        "next_attempt": _next_to_mark(attempt),
        "other_attempts": Attempt.objects.filter(
            assignment=assignment, student=attempt.student_id
        ).order_by("number"),
        "max_marks": sum(q.marks for q in questions if not q.is_retired),
        **teacher_thread(request, assignment, attempt.student),
    }
    return render(request, "classroom/attempt_mark.html", context)


def _next_to_mark(attempt: Attempt) -> Attempt | None:
    """The next turned-in (not yet returned) attempt of the same assignment."""
    return (
        Attempt.objects.filter(assignment=attempt.assignment_id, state=Attempt.State.TURNED_IN)
        .exclude(pk=attempt.pk)
        .order_by("turned_in_at", "pk")
        .first()
    )
