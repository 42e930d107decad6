"""Teachers' pages: classes, rosters, assigning lessons, marking and the gradebook.

Every object is fetched through a queryset scoped to the requesting teacher, so another
teacher's ids give 404; students get 403 and visitors the login page.
"""

import csv
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from classroom import logincards, ratelimit, services
from classroom.forms import (
    AssignmentCreateForm,
    AssignmentUpdateForm,
    ClassroomForm,
    CommentBankEditForm,
    CommentBankEntryForm,
    MarkingForm,
    StudentsAddForm,
    TeacherSignupForm,
)
from classroom.http import site_url
from classroom.models import (
    Answer,
    Assignment,
    Attempt,
    Classroom,
    CommentBankEntry,
    Enrolment,
    FeedbackChange,
    Status,
    User,
    work_status,
)
from lessons.marking import MarkingResult, has_substance, highlight_spans
from lessons.models import Question


def teacher_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; then only teachers may pass (others get 403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_teacher:
            raise PermissionDenied("This page is for teachers.")
        return view(request, *args, **kwargs)

    return wrapper


# --- Queries ----------------------------------------------------------------------------------


def _max_marks_subquery() -> Subquery:
    """The marks available in an assignment's lesson (its active questions)."""
    return Subquery(
        Question.objects.active()
        .filter(lesson=OuterRef("lesson"))
        .values("lesson")
        .annotate(total=Sum("marks"))
        .values("total")[:1],
        output_field=IntegerField(),
    )


def _latest_attempts(attempts) -> dict[tuple[int, int], Attempt]:
    """(assignment id, student id) -> the latest attempt, from attempts ordered by number."""
    latest: dict[tuple[int, int], Attempt] = {}
    for attempt in attempts:
        latest[(attempt.assignment_id, attempt.student_id)] = attempt
    return latest


def _marks_prefetch() -> Prefetch:
    return Prefetch("answers", queryset=Answer.objects.only("id", "attempt_id", "mark"))


class _Row:
    """One student's line in the marking list or the gradebook."""

    def __init__(self, assignment: Assignment, attempt: Attempt | None, now) -> None:
        self.assignment = assignment
        self.attempt = attempt
        self.status: Status = work_status(assignment, attempt, now)
        self.total = attempt.total_mark if attempt else None
        self.max_marks = assignment.max_marks or 0

    @property
    def can_mark(self) -> bool:
        return self.attempt is not None and self.attempt.state != Attempt.State.DRAFT


def _posted(request: HttpRequest):
    """The POST data to bind a form to (even when empty), or None on GET."""
    return request.POST if request.method == "POST" else None


# --- Accounts ---------------------------------------------------------------------------------


@never_cache
def teacher_signup(request: HttpRequest) -> HttpResponse:
    if not settings.TEACHER_SIGNUP_CODE:
        return render(request, "classroom/teacher_signup_closed.html")
    if request.user.is_authenticated:
        return redirect("home")
    form = TeacherSignupForm(_posted(request))
    # Security: guessing the teacher code is limited as join codes are (classroom/ratelimit.py).
    if request.method == "POST" and ratelimit.guesses_exceeded(request, "signup"):
        form.add_error(None, ratelimit.SIGNUP_LIMIT_MESSAGE)
        return render(request, "classroom/teacher_signup.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome! Your teacher account is ready.")
        return redirect("classroom:classroom-list")
    if request.method == "POST" and "teacher_code" in form.errors:
        ratelimit.record_guess(request, "signup")
    return render(request, "classroom/teacher_signup.html", {"form": form})


# --- Classes ----------------------------------------------------------------------------------


@teacher_required
def classroom_list(request: HttpRequest) -> HttpResponse:
    classrooms = Classroom.objects.for_teacher(request.user).annotate(
        student_count=Count("enrolments", filter=Q(enrolments__removed_at__isnull=True))
    )
    active = [c for c in classrooms if not c.is_archived]
    archived = [c for c in classrooms if c.is_archived]
    return render(
        request, "classroom/classroom_list.html", {"active": active, "archived": archived}
    )


@teacher_required
def classroom_create(request: HttpRequest) -> HttpResponse:
    form = ClassroomForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        classroom = services.create_classroom(teacher=request.user, **form.cleaned_data)
        messages.success(request, f"Class “{classroom.name}” created.")
        return redirect(classroom)
    return render(request, "classroom/classroom_form.html", {"form": form})


@teacher_required
def classroom_update(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    form = ClassroomForm(_posted(request), instance=classroom)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Class saved.")
        return redirect(classroom)
    return render(request, "classroom/classroom_form.html", {"form": form, "classroom": classroom})


@teacher_required
def classroom_detail(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    enrolments = list(
        Enrolment.objects.current().filter(classroom=classroom).select_related("student")
    )
    current = Q(
        attempts__student__enrolments__classroom=classroom,
        attempts__student__enrolments__removed_at__isnull=True,
    )
    assignments = (
        classroom.assignments.select_related("lesson")
        .annotate(
            turned_in_count=Count(
                "attempts__student",
                filter=current & ~Q(attempts__state=Attempt.State.DRAFT),
                distinct=True,
            )
        )
        .order_by("-created_at", "-pk")
    )
    locked = ratelimit.locked_out_usernames(e.student.username for e in enrolments)
    return render(
        request,
        "classroom/classroom_detail.html",
        {
            "classroom": classroom,
            "enrolments": enrolments,
            "assignments": [a for a in assignments if not a.is_archived],
            "archived_assignments": [a for a in assignments if a.is_archived],
            "locked_out": locked,
        },
    )


@teacher_required
@require_POST
def classroom_archive(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    services.archive_classroom(classroom=classroom)
    messages.success(request, f"“{classroom.name}” is archived. Students no longer see it.")
    return redirect("classroom:classroom-list")


@teacher_required
@require_POST
def classroom_restore(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    services.restore_classroom(classroom=classroom)
    messages.success(request, f"“{classroom.name}” is restored.")
    return redirect(classroom)


@teacher_required
@require_POST
def classroom_regenerate_code(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    try:
        services.regenerate_join_code(classroom=classroom)
    except services.ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"The new join code is {classroom.join_code}. The old one no longer works."
        )
    return redirect(classroom)


# --- Roster -----------------------------------------------------------------------------------


def _cards_kept(
    request: HttpRequest, classroom: Classroom, cards: list, heading: str
) -> HttpResponse:
    """Redirect to the cards page, the cards kept for it (a reload of it makes nothing)."""
    response = redirect("classroom:students-cards", pk=classroom.pk)
    logincards.keep(request, response, classroom=classroom, heading=heading, cards=cards)
    return response


@teacher_required
def students_add(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user).active(), pk=pk)
    form = StudentsAddForm(_posted(request), classroom=classroom)
    if request.method == "POST" and form.is_valid():
        try:
            cards = services.add_students(classroom=classroom, names=form.cleaned_data["names"])
        except services.ServiceError as error:
            form.add_error("names", str(error))
        else:
            return _cards_kept(request, classroom, cards, f"Login cards for {classroom.name}")
    return render(request, "classroom/students_add.html", {"classroom": classroom, "form": form})


@teacher_required
def students_cards(request: HttpRequest, pk: int) -> HttpResponse:
    """The login cards just made, until the teacher leaves this page or presses "Done".

    GET shows them (as often as the teacher reloads or prints); POST is "Done": they go.
    First-time passwords are never cached by the browser and never stored in clear.
    """
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    if request.method == "POST":
        response = redirect(classroom)
        logincards.forget(request, response)
        messages.info(request, "The login cards are put away. Their passwords are not shown again.")
        return response
    kept = logincards.shown(request, classroom)
    heading, cards = kept if kept else ("Login cards", [])
    response = render(
        request,
        "classroom/login_cards.html",
        {
            "classroom": classroom,
            "cards": cards,
            "heading": heading,
            "login_url": site_url(request) + reverse("login"),
        },
    )
    logincards.forget(request, response, keep_class=classroom.pk)  # another class's: gone
    response["Cache-Control"] = "no-store"
    return response


def _roster_student(request: HttpRequest, pk: int, student_pk: int) -> tuple[Classroom, User]:
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    student = get_object_or_404(
        User.objects.filter(enrolments__classroom=classroom, enrolments__removed_at__isnull=True),
        pk=student_pk,
    )
    return classroom, student


@teacher_required
@require_POST
def enrolment_remove(request: HttpRequest, pk: int, student_pk: int) -> HttpResponse:
    classroom, student = _roster_student(request, pk, student_pk)
    services.remove_student(classroom=classroom, student=student)
    messages.success(request, f"{student.name} was removed from the class. Their work is kept.")
    return redirect(classroom)


@teacher_required
@require_POST
def student_reset_password(request: HttpRequest, pk: int, student_pk: int) -> HttpResponse:
    classroom, student = _roster_student(request, pk, student_pk)
    try:
        card = services.reset_student_password(classroom=classroom, student=student)
    except services.ServiceError as error:
        messages.error(request, str(error))
        return redirect(classroom)
    return _cards_kept(request, classroom, [card], f"New first-time password for {student.name}")


@teacher_required
@require_POST
def student_unlock(request: HttpRequest, pk: int, student_pk: int) -> HttpResponse:
    """Lift a lockout after too many failed logins, so the student can try again at once."""
    classroom, student = _roster_student(request, pk, student_pk)
    try:
        cleared = services.unlock_student(teacher=request.user, student=student)
    except services.UnlockRefused as refused:  # e.g. a teacher's account enrolled through the admin
        messages.error(request, str(refused))
        return redirect(classroom)
    if cleared:
        messages.success(request, f"{student.name} is unlocked and can log in again.")
    else:
        messages.info(request, f"{student.name} was not locked out: nothing to unlock.")
    return redirect(classroom)


# --- Assignments ------------------------------------------------------------------------------


@teacher_required
def assignment_create(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user).active(), pk=pk)
    form = AssignmentCreateForm(_posted(request), classroom=classroom)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignments = services.assign_lessons(
                classroom=classroom,
                lessons=data["lessons"],
                teacher=request.user,
                instructions=data["instructions"],
                start_at=data["start_at"],
                due_at=data["due_at"],
                show_instant_feedback=data["show_instant_feedback"],
                accept_late=data["accept_late"],
            )
        except services.ServiceError as error:
            form.add_error(None, str(error))
        else:
            count = len(assignments)
            messages.success(
                request, f"{count} lesson{'s' if count != 1 else ''} assigned to {classroom.name}."
            )
            return redirect(classroom)
    return render(request, "classroom/assignment_form.html", {"form": form, "classroom": classroom})


@teacher_required
def assignment_update(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.for_teacher(request.user).select_related("classroom", "lesson"), pk=pk
    )
    has_work = assignment.attempts.exists()
    form = AssignmentUpdateForm(
        _posted(request),
        initial=AssignmentUpdateForm.initial_from(assignment),
        has_work=has_work,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assignment.lesson = data["lesson"]
        assignment.instructions = data["instructions"]
        assignment.start_at = data["start_at"]
        assignment.due_at = data["due_at"]
        assignment.show_instant_feedback = data["show_instant_feedback"]
        assignment.accept_late = data["accept_late"]
        assignment.save()
        messages.success(request, "Assignment saved.")
        return redirect(assignment)
    return render(
        request,
        "classroom/assignment_form.html",
        {"form": form, "classroom": assignment.classroom, "assignment": assignment},
    )


def _own_assignment(request: HttpRequest, pk: int) -> Assignment:
    return get_object_or_404(
        Assignment.objects.for_teacher(request.user).select_related("classroom", "lesson"), pk=pk
    )


@teacher_required
def assignment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then delete an assignment without student work; one with work is archived instead."""
    assignment = _own_assignment(request, pk)
    classroom = assignment.classroom
    if request.method == "POST":
        try:
            services.delete_assignment(assignment=assignment)
        except services.ServiceError as error:
            messages.error(request, str(error))
            return redirect("classroom:assignment-delete", pk=pk)
        messages.success(request, f"“{assignment.lesson.title}” is deleted from {classroom.name}.")
        return redirect(classroom)
    return render(
        request,
        "classroom/assignment_delete.html",
        {"assignment": assignment, "classroom": classroom, "has_work": assignment.has_work},
    )


@teacher_required
@require_POST
def assignment_archive(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _own_assignment(request, pk)
    services.archive_assignment(assignment=assignment)
    messages.success(
        request,
        f"“{assignment.lesson.title}” is archived: students no longer see it. Its work stays in"
        " the gradebook and below.",
    )
    return redirect(assignment)


@teacher_required
@require_POST
def assignment_restore(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _own_assignment(request, pk)
    services.restore_assignment(assignment=assignment)
    messages.success(request, f"“{assignment.lesson.title}” is back: students see it again.")
    return redirect(assignment)


@teacher_required
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The marking list: every student of the class with their status and mark."""
    assignment = get_object_or_404(
        Assignment.objects.for_teacher(request.user)
        .select_related("classroom", "lesson")
        .annotate(max_marks=_max_marks_subquery()),
        pk=pk,
    )
    attempts = assignment.attempts.order_by("student", "number").prefetch_related(_marks_prefetch())
    latest = _latest_attempts(attempts)
    now = timezone.now()
    students, former = [], []
    for enrolment in Enrolment.objects.filter(classroom=assignment.classroom_id).select_related(
        "student"
    ):
        attempt = latest.get((assignment.pk, enrolment.student_id))
        attempt_row = (enrolment.student, _Row(assignment, attempt, now))
        if enrolment.removed_at is None:
            students.append(attempt_row)
        elif attempt is not None:
            former.append(attempt_row)
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
            "counts": [(status.label, counts[status]) for status in Status],
            "has_work": bool(latest),
        },
    )


# --- Marking ----------------------------------------------------------------------------------


def _question_blocks(attempt: Attempt, questions: list[Question], answers: dict) -> list[dict]:
    """Per question: its answer, highlighted answer pieces, points made and missed."""
    blocks = []
    for question in questions:
        answer = answers.get(question.pk)
        block = {"question": question, "answer": answer, "pieces": None, "result": None}
        if answer is not None and answer.result:
            try:
                result = MarkingResult.from_dict(answer.result, question.mark_scheme)
            except (KeyError, TypeError, ValueError):
                result = None  # an unreadable stored result: show the plain answer
            if result is not None:
                texts = {p.key: p.text for p in question.mark_scheme.points}
                block["result"] = result
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


@teacher_required
def attempt_mark(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_object_or_404(
        Attempt.objects.for_teacher(request.user)
        .exclude(state=Attempt.State.DRAFT)
        .select_related("assignment__classroom", "assignment__lesson", "student")
        .prefetch_related("answers"),
        pk=pk,
    )
    assignment = attempt.assignment
    questions = list(
        Question.objects.active().filter(lesson=assignment.lesson_id).with_markscheme()
    )
    answers = {answer.question_id: answer for answer in attempt.answers.all()}
    # Retired questions the student answered stay markable.
    retired_ids = set(answers) - {q.pk for q in questions}
    if retired_ids:
        questions += list(Question.objects.filter(pk__in=retired_ids).with_markscheme())
    # As on the student's and the insight page: until the work is returned, a result from an
    # older mark scheme or older rules is read afresh (not saved), so the points shown and the
    # suggested mark follow the scheme shown beside them; once returned it stays as returned.
    by_id = {question.pk: question for question in questions}
    returned = attempt.state == Attempt.State.RETURNED
    for answer in answers.values():
        answer.result = answer.current_result(by_id[answer.question_id], returned=returned)
    form = MarkingForm(
        _posted(request),
        questions=questions,
        answers=answers,
        initial={
            "overall_comment": attempt.overall_comment,
            "allow_resubmission": attempt.resubmission_allowed,
        },
    )
    if request.method == "POST" and form.is_valid():
        returning = "return" in request.POST
        try:
            services.mark_attempt(
                attempt=attempt,
                teacher=request.user,
                marks=form.marks(),
                comments=form.comments(),
                overall_comment=form.cleaned_data["overall_comment"].strip(),
                points=form.points(),
                dismissed=form.dismissed(),
                return_work=returning,
                allow_resubmission=form.cleaned_data["allow_resubmission"],
            )
        except services.ServiceError as error:
            form.add_error(None, str(error))
        else:
            for question, text in form.bank_comments():
                try:
                    services.save_to_comment_bank(
                        teacher=request.user, question=question, text=text
                    )
                except services.ServiceError as error:  # the marks are saved all the same
                    messages.warning(request, f"Question {question.position}: {error}")
            if returning:
                messages.success(request, f"Work returned to {attempt.student.name}.")
                next_attempt = _next_to_mark(attempt)
                if next_attempt is not None:
                    return redirect("classroom:attempt-mark", pk=next_attempt.pk)
                return redirect(assignment)
            messages.success(request, "Marks and comments saved.")
            return redirect("classroom:attempt-mark", pk=attempt.pk)
    bank: dict[int, list[str]] = {}
    for entry in CommentBankEntry.objects.for_teacher(request.user).filter(
        question__in=[q.pk for q in questions]
    ):
        bank.setdefault(entry.question_id, []).append(entry.text)
    blocks = _question_blocks(attempt, questions, answers)
    for block in blocks:
        question = block["question"]
        block["fields"] = form.question_fields(question)
        block["points_field"], block["dismiss_field"] = form.judgement_fields(question)
        if block["points_field"] is not None:
            answer = block["answer"]
            found = {hit.key for hit in block["result"].points_made} if block["result"] else set()
            block["judged"] = answer.is_judged
            block["ticks"] = [
                (checkbox, point.marks, point.key in found)
                for checkbox, point in zip(
                    block["points_field"], question.mark_scheme.points, strict=True
                )
            ]
        block["bank"] = bank.get(question.pk, [])
    changes = FeedbackChange.objects.filter(attempt=attempt).select_related(
        "changed_by", "answer__question"
    )
    return render(
        request,
        "classroom/attempt_mark.html",
        {
            "attempt": attempt,
            "assignment": assignment,
            "classroom": assignment.classroom,
            "form": form,
            "blocks": blocks,
            "changes": changes,
            "next_attempt": _next_to_mark(attempt),
            "other_attempts": Attempt.objects.filter(
                assignment=assignment, student=attempt.student_id
            ).order_by("number"),
            "max_marks": sum(q.marks for q in questions if not q.is_retired),
        },
    )


def _next_to_mark(attempt: Attempt) -> Attempt | None:
    """The next turned-in (not yet returned) attempt of the same assignment."""
    return (
        Attempt.objects.filter(assignment=attempt.assignment_id, state=Attempt.State.TURNED_IN)
        .exclude(pk=attempt.pk)
        .order_by("turned_in_at", "pk")
        .first()
    )


def _comment_bank_page(request: HttpRequest, form: CommentBankEntryForm) -> HttpResponse:
    # Ordered by lesson, then question: the template groups them with {% regroup %}.
    entries = (
        CommentBankEntry.objects.for_teacher(request.user)
        .select_related("question__lesson")
        .order_by(
            "question__lesson__order",
            "question__lesson__slug",  # lessons may share an order: keep each one together
            "question__position",
            "question_id",
            "text",
        )
    )
    return render(
        request,
        "classroom/commentbank_list.html",
        {"form": form.for_new_comments(), "entries": entries},
    )


@teacher_required
def comment_bank_list(request: HttpRequest) -> HttpResponse:
    """The teacher's reusable comments, by lesson and question, to add, reword or delete."""
    return _comment_bank_page(request, CommentBankEntryForm())


@teacher_required
@require_POST
def comment_bank_create(request: HttpRequest) -> HttpResponse:
    """Save a reusable comment: JSON for fetch(); else back to the marking view or the bank."""
    form = CommentBankEntryForm(request.POST)
    wants_json = "application/json" in request.headers.get("Accept", "")
    attempt = None
    if request.POST.get("attempt"):
        attempt_id = request.POST["attempt"]
        if not (attempt_id.isascii() and attempt_id.isdigit()):
            raise Http404("No such work.")
        attempt = get_object_or_404(Attempt.objects.for_teacher(request.user), pk=attempt_id)
    if form.is_valid():
        entry = services.save_to_comment_bank(
            teacher=request.user,
            question=form.cleaned_data["question"],
            text=form.cleaned_data["text"],
        )
        if wants_json:
            return JsonResponse({"id": entry.pk, "text": entry.text}, status=201)
        messages.success(request, "Comment saved to your comment bank.")
    elif wants_json:
        errors = [error for errors in form.errors.values() for error in errors]
        return JsonResponse({"errors": errors}, status=400)
    elif attempt is None:
        return _comment_bank_page(request, form)  # the bank's page, with the text kept
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    if attempt is not None:
        return redirect("classroom:attempt-mark", pk=attempt.pk)
    return redirect("classroom:commentbank-list")


GONE_FROM_BANK = (
    "That comment is no longer in your comment bank (it may have been deleted in another tab)."
)


@teacher_required
def comment_bank_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Reword a comment. Feedback already given keeps the words it was given with.

    A POST for a comment that is not in the teacher's bank (deleted in another tab, or
    someone else's) goes back to the bank with a message, so a stale form is explained.
    """
    entries = CommentBankEntry.objects.for_teacher(request.user).select_related("question__lesson")
    if request.method != "POST":
        entry = get_object_or_404(entries, pk=pk)
        return render(
            request,
            "classroom/commentbank_form.html",
            {"form": CommentBankEditForm(instance=entry), "entry": entry},
        )
    entry = entries.filter(pk=pk).first()
    if entry is None:
        messages.info(request, GONE_FROM_BANK)
        return redirect("classroom:commentbank-list")
    form = CommentBankEditForm(request.POST, instance=entry)
    if form.is_valid():
        try:
            with transaction.atomic():
                form.save()
        except IntegrityError:  # the same wording saved from another tab meanwhile
            form.add_error("text", CommentBankEditForm.DUPLICATE)
        else:
            messages.success(request, "Comment changed. Feedback already given keeps its words.")
            return redirect("classroom:commentbank-list")
    return render(request, "classroom/commentbank_form.html", {"form": form, "entry": entry})


@teacher_required
@require_POST
def comment_bank_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a comment from the bank; feedback already given with it stays as it is."""
    entry = CommentBankEntry.objects.for_teacher(request.user).filter(pk=pk).first()
    if entry is None:  # deleted already (a second click, another tab), or not theirs
        messages.info(request, GONE_FROM_BANK)
    else:
        entry.delete()
        messages.success(
            request,
            f"Deleted from your comment bank: “{Truncator(entry.text).chars(80)}”. "
            "Feedback already given keeps it.",
        )
    return redirect("classroom:commentbank-list")


# --- Gradebook --------------------------------------------------------------------------------


def _gradebook(classroom: Classroom, *, with_answers: bool = False):
    """Current students, assignments (oldest first), latest attempt by (assignment, student)."""
    students = list(
        User.objects.filter(
            enrolments__classroom=classroom, enrolments__removed_at__isnull=True
        ).order_by("display_name", "username")
    )
    assignments = list(
        classroom.assignments.select_related("lesson")
        .annotate(max_marks=_max_marks_subquery())
        .order_by("created_at", "pk")
    )
    answers = (
        Prefetch("answers", queryset=Answer.objects.select_related("question"))
        if with_answers
        else _marks_prefetch()
    )
    attempts = (
        Attempt.objects.filter(assignment__classroom=classroom)
        .order_by("assignment", "student", "number")
        .prefetch_related(answers)
    )
    by_id = {assignment.pk: assignment for assignment in assignments}
    latest = _latest_attempts(attempts)
    for attempt in latest.values():
        attempt.assignment = by_id[attempt.assignment_id]  # status() reads it: no query each
    return students, assignments, latest


@teacher_required
def gradebook(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    students, assignments, latest = _gradebook(classroom)
    now = timezone.now()
    rows = [
        (
            student,
            [_Row(a, latest.get((a.pk, student.pk)), now) for a in assignments],
        )
        for student in students
    ]
    return render(
        request,
        "classroom/gradebook.html",
        {"classroom": classroom, "assignments": assignments, "rows": rows},
    )


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """Stop spreadsheets reading a cell as a formula (CSV injection): prefix a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv_response(filename: str) -> tuple[HttpResponse, "csv._writer"]:
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
def gradebook_csv(request: HttpRequest, pk: int) -> HttpResponse:
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
    )
    now = timezone.now()
    for student in students:
        row: list[object] = [student.name, student.username]
        for assignment in assignments:
            attempt = latest.get((assignment.pk, student.pk))
            total = attempt.total_mark if attempt else None
            row.append(total if total is not None else work_status(assignment, attempt, now).label)
        writer.writerow([csv_safe(cell) for cell in row])
    return response


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


@teacher_required
def answers_csv(request: HttpRequest, pk: int) -> HttpResponse:
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
            by_question = {a.question_id: a for a in attempt.answers.all()} if attempt else {}
            asked = questions.get(assignment.lesson_id, [])
            # A question retired after the student answered it keeps its row.
            retired = [a.question for a in by_question.values() if a.question not in asked]
            start = [
                student.name,
                student.username,
                assignment.lesson.title,
                _local(assignment.created_at),
                _local(assignment.due_at),
                work_status(assignment, attempt, now).label,
            ]
            end = [
                attempt.total_mark if attempt and attempt.total_mark is not None else "",
                assignment.max_marks or 0,
                attempt.overall_comment if attempt else "",
            ]
            for question in [*asked, *sorted(retired, key=lambda q: q.position)]:
                answer = by_question.get(question.pk)
                row = [
                    *start,
                    question.position,
                    question.prompt,
                    answer.text if answer else "",
                    "" if answer is None or answer.mark is None else answer.mark,
                    question.marks,
                    answer.comment if answer else "",
                    *end,
                ]
                writer.writerow([csv_safe(cell) for cell in row])
    return response
