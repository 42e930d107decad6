"""Students: join a class, "My work", and answering an assignment.

Every assignment is fetched through `Assignment.objects.for_student(user)`, so another
student's assignment, or one not started yet, is a 404.
"""

from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import cast

from django.contrib import messages
from django.contrib.auth import login
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from classroom import ratelimit, services
from classroom.forms import CommentForm, JoinCodeForm, JoinForm
from classroom.models import (
    Announcement,
    Answer,
    Assignment,
    Attempt,
    Classroom,
    Status,
    User,
    WorkComment,
    work_status,
)
from classroom.permissions import AuthedHttpRequest, student_required, wants_json
from classroom.views.talk import post_comment
from lessons.marking import Hit, has_substance
from lessons.models import Question
from lessons.views import lesson_frame

# "My work" shows what needs doing first: Missing, Assigned, Draft, then Returned, then done.
ACTION_ORDER = {
    Status.MISSING: 0,
    Status.ASSIGNED: 1,
    Status.DRAFT: 2,
    Status.RETURNED: 3,
    Status.TURNED_IN: 4,
    Status.LATE: 4,
}


# --- Joining ----------------------------------------------------------------------------------


def _join_as_new_student(request: HttpRequest, form: JoinForm) -> HttpResponse | None:
    """Make the account, enrol it and log it in; None (the form told why) when the username
    was taken a moment ago by someone else."""
    try:
        user = services.register_student(
            classroom=form.classroom,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            display_name=form.cleaned_data["display_name"].strip(),
        )
    except services.UsernameTaken as error:
        form.add_error("username", str(error))
        return None
    login(request, user, backend="classroom.backends.ModelBackend")
    return _joined(request, form.classroom)


def _joined(request: HttpRequest, classroom: Classroom) -> HttpResponse:
    messages.success(request, f"You joined {classroom.name}. Your work for it is below.")
    return redirect("classroom:work-list")


def _join_another_class(request: HttpRequest, student: User, classroom: Classroom) -> HttpResponse:
    _, joined = services.join_class(student=student, classroom=classroom)
    if joined:
        return _joined(request, classroom)
    messages.info(request, f"You are already in {classroom.name}. Your work for it is below.")
    return redirect("classroom:work-list")


def join(request: HttpRequest) -> HttpResponse:
    """/join/: a new student signs up with a join code; a logged-in student joins another class."""
    user = request.user
    if user.is_authenticated and not user.is_student:
        messages.info(
            request,
            "Joining a class with a join code is for students. As a teacher, create a class "
            "and give its join code to your students.",
        )
        return render(request, "classroom/join.html", {"form": None})
    form = (JoinCodeForm if user.is_authenticated else JoinForm)(request.POST or None)
    # Security: join-code guessing limit per address (see classroom/ratelimit.py).
    if request.method == "POST" and ratelimit.join_attempts_exceeded(request):
        form.add_error(None, ratelimit.JOIN_LIMIT_MESSAGE)
        return render(request, "classroom/join.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        if user.is_authenticated:
            return _join_another_class(request, user, form.classroom)
        response = _join_as_new_student(request, cast(JoinForm, form))  # a visitor's form
        if response is not None:
            return response
    elif request.method == "POST":
        ratelimit.record_join_attempt(request, form)  # Security: counts wrong join codes only.
    return render(request, "classroom/join.html", {"form": form})


# --- My work ----------------------------------------------------------------------------------


ANNOUNCEMENTS_SHOWN = 10  # on My work: the newest of the student's classes


@dataclass
class WorkRow:
    assignment: Assignment
    attempt: Attempt | None
    status: Status
    due_at: datetime | None  # the student's own due time
    extended: bool
    unread_comments: int = 0  # the teacher's private comments the student has not read

    @property
    def mark(self) -> int | None:
        """The teacher's total, once returned: never a mark the student was not sent."""
        if self.status != Status.RETURNED or self.attempt is None:
            return None
        return self.attempt.marked_total


@student_required
def work_list(request: AuthedHttpRequest) -> HttpResponse:
    now = timezone.now()
    mine = Attempt.objects.for_student(request.user).with_marked_total().order_by("-number")
    assignments = (
        Assignment.objects.for_student(request.user)
        .with_max_marks()
        .with_due_time_of(request.user)
        .select_related("lesson", "classroom")
        .prefetch_related(Prefetch("attempts", queryset=mine, to_attr="my_attempts"))
    )
    unread = dict(
        WorkComment.objects.filter(student=request.user)
        .unread_by(request.user)
        .values_list("assignment_id")
        .annotate(n=Count("pk"))
    )
    rows = []
    for assignment in assignments:
        latest = assignment.my_attempts[0] if assignment.my_attempts else None
        status = work_status(assignment, request.user, latest, now)
        due_at = assignment.due_at_for(request.user)
        extended = due_at != assignment.due_at
        unread_count = unread.get(assignment.pk, 0)
        rows.append(WorkRow(assignment, latest, status, due_at, extended, unread_count))
    rows.sort(
        key=lambda row: (
            ACTION_ORDER[row.status],
            row.due_at is None,
            row.due_at or now,
            row.assignment.pk,
        )
    )
    announcements = Announcement.objects.filter(
        classroom__is_archived=False,
        classroom__enrolments__student=request.user,
        classroom__enrolments__removed_at__isnull=True,
    ).select_related("classroom")[:ANNOUNCEMENTS_SHOWN]
    return render(
        request, "classroom/work_list.html", {"rows": rows, "announcements": announcements}
    )


# --- One assignment -----------------------------------------------------------------------------


@dataclass
class Correction:
    """A misconception the check found: the student's words it is about, and what to check."""

    quote: str
    text: str


QUOTE_LIMIT = 120  # characters: longer stretches are quoted as their matched words only


def quote_of(text: str, hit: Hit) -> str:
    """The words of `text` a hit is about: the stretch from its first matched word to its
    last, or (when that is long) the matched words with "..." between them."""
    spans = hit.spans
    if not spans:
        return " ... ".join(hit.words)
    stretch = " ".join(text[spans[0][0] : spans[-1][1]].split())
    if len(stretch) <= QUOTE_LIMIT:
        return stretch
    return " ... ".join(" ".join(text[start:end].split()) for start, end in spans)


@dataclass
class Feedback:
    """Instant feedback on one answer, in the words a student reads. Never a mark."""

    made: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    blank: bool = False  # the student wrote nothing
    unrecognised: bool = False  # an answer of substance in which the check found no point
    by_teacher: bool = False  # returned work the teacher judged: their ticks, not the check's


def instant_feedback(answer: Answer, *, returned: bool) -> Feedback | None:
    """The instant check's result for an answer, as every page shows it (`current_result`).

    Uses the question's prefetched lesson, points and misconceptions.
    """
    if not answer.result:
        return None
    question = answer.question
    result = answer.current_result(question, returned=returned)
    points = {p.key: p for p in question.key_points.all()}
    wrong = {m.key: m for m in question.misconceptions.all()}
    made_keys = [hit.key for hit in result.points_made]
    missed_keys = [point.key for point in result.points_missed]
    hits = {hit.key: hit for hit in result.misconceptions}
    flagged = list(hits)
    by_teacher = returned and answer.is_judged
    if by_teacher:  # once returned, the teacher's judgement is what the student reads
        scheme = {*made_keys, *missed_keys}  # the points the returned result was given for
        judged = answer.points_judged or []  # never None here: `is_judged`
        made_keys = [key for key in points if key in judged]
        missed_keys = [key for key in points if key in scheme and key not in made_keys]
        flagged = [key for key in flagged if key not in answer.misconceptions_dismissed]
    made = [points[key].text for key in made_keys if key in points]
    return Feedback(
        made=made,
        missed=[
            points[key].hint or "There is another point to make: look back at the lesson text."
            for key in missed_keys
            if key in points
        ],
        corrections=[
            Correction(quote=quote_of(answer.text, hits[key]), text=wrong[key].feedback)
            for key in flagged
            if key in wrong
        ],
        blank=not answer.text.strip(),
        unrecognised=not made and not by_teacher and has_substance(answer.text),
        by_teacher=by_teacher,
    )


@dataclass
class QuestionRow:
    """What the answer box of one question shows."""

    text: str = ""
    error: str = ""
    answer: Answer | None = None


def _assignment_for(request: AuthedHttpRequest, pk: int, *, lesson: bool = False) -> Assignment:
    """The student's assignment `pk`, or 404; with `lesson`, its lesson read in the same query
    with the versions the page and the marking go by (`with_lesson_versions`)."""
    try:
        return Assignment.objects.get_for_student(request.user, pk, lesson=lesson)
    except Assignment.DoesNotExist:
        raise Http404("No such assignment.") from None


def _attempts(request: AuthedHttpRequest, assignment: Assignment) -> list[Attempt]:
    """The student's attempts, earliest first, with their answers (in the lesson's order of
    questions), each answer's question ready for feedback.

    An answer's question is the lesson's prepared one (`marking_questions`: its mark scheme,
    version, key points and misconceptions kept in this process, one query to check) whenever
    that has every key point and misconception the answer's result names. Otherwise (returned
    work that names a point retired since, or a retired question) the question's own key
    points and misconceptions are read, retired ones included.

    The questions are not joined to the answers (the prepared ones serve nearly every answer)
    and the attempts are put in order here, not in SQL: for an ORDER BY Django hashes every
    selected column. Together a quarter of this read's Python (7.0 against 5.3 million
    instructions, callgrind).
    """
    answers = Prefetch("answers", queryset=Answer.objects.order_by("question__position"))
    attempts = sorted(
        Attempt.objects.for_student(request.user)
        .filter(assignment=assignment)
        .prefetch_related(answers)
        .order_by(),
        key=attrgetter("number"),
    )
    prepared = assignment.marking_questions() if attempts else {}
    own = []
    for attempt in attempts:
        for answer in attempt.answers.all():
            question = prepared.get(answer.question_id)
            if question is not None and _names_only(answer.result, question):
                answer.question = question
            else:
                own.append(answer)
    _read_own_questions(own)
    return attempts


def _read_own_questions(answers: list[Answer]) -> None:
    """Give each answer its question as stored, with its lesson, key points and misconceptions
    (retired ones included): three queries, none when there is no such answer."""
    if not answers:
        return
    questions = (
        Question.objects.select_related("lesson")
        .prefetch_related("key_points", "misconceptions")
        .in_bulk({answer.question_id for answer in answers})
    )
    for answer in answers:
        answer.question = questions[answer.question_id]


def _names_only(result: dict | None, question: Question) -> bool:
    """Does `result` name only key points and misconceptions `question` has?"""
    scheme = question.mark_scheme
    points = {point.key for point in scheme.points}
    wrong = {m.key for m in scheme.misconceptions}
    result = result or {}
    return (
        {hit["key"] for hit in result.get("points_made", [])} | set(result.get("points_missed", []))
    ) <= points and {hit["key"] for hit in result.get("misconceptions", [])} <= wrong


def _question_rows(questions, answers: dict[int, Answer], texts, errors) -> dict[int, QuestionRow]:
    """Each question's answer box: the text sent back (when refused) or the saved one."""
    rows = {}
    for question in questions:
        answer = answers.get(question.pk)
        rows[question.pk] = QuestionRow(
            text=(texts or {}).get(question.pk, answer.text if answer else ""),
            error=(errors or {}).get(question.pk, ""),
            answer=answer,
        )
    return rows


def _history(assignment: Assignment, earlier: list[Attempt]) -> list[tuple[Attempt, list]]:
    """Earlier attempts, each answer with its instant feedback (when the class is shown it)."""
    return [
        (
            attempt,
            [
                (
                    a,
                    instant_feedback(a, returned=attempt.state == Attempt.State.RETURNED)
                    if assignment.show_instant_feedback
                    else None,
                )
                for a in attempt.answers.all()
            ],
        )
        for attempt in earlier
    ]


# The parts of the work page's lesson each student sees differently (templates named by these).
WORK_SLOTS = ("summary_template", "question_template")


def _own_due(assignment: Assignment, student: User) -> dict[str, object]:
    """The student's own due time, whether it is an extension, and whether late work is
    refused to them now."""
    return {
        "due_at": assignment.due_at_for(student),
        "extended": assignment.is_extended_for(student),
        "late_refused": not assignment.accepts_turn_in_for(student),
    }


def _detail_context(
    request: AuthedHttpRequest,
    assignment: Assignment,
    *,
    texts: dict[int, str] | None = None,
    errors: dict[int, str] | None = None,
) -> dict[str, object]:
    lesson = assignment.lesson_read()
    # The lesson around the answer boxes is kept per content version; only the student's own
    # parts (the summary at the top, each answer box) are rendered per request.
    frame = lesson_frame(lesson, "classroom/_work_lesson.html", WORK_SLOTS)
    attempts = _attempts(request, assignment)
    for attempt in attempts:
        attempt.assignment = assignment  # status() reads it; saves a query
    current = attempts[-1] if attempts else None
    editable = current is None or current.state == Attempt.State.DRAFT
    answers = {a.question_id: a for a in current.answers.all()} if current else {}
    show_feedback = assignment.show_instant_feedback and not editable
    returned = current is not None and current.state == Attempt.State.RETURNED
    return {
        "lesson": lesson,
        "lesson_frame": frame,
        "summary_template": "classroom/_work_summary.html",
        "question_template": "includes/_question_answer.html",
        "assignment": assignment,
        "attempt": current,
        "status": work_status(assignment, request.user, current),
        **_own_due(assignment, request.user),
        "editable": editable,
        "version": current.version if current else 0,
        "question_rows": _question_rows(frame.questions, answers, texts, errors),
        "feedback_rows": [
            (answer.question, instant_feedback(answer, returned=returned))
            for answer in (current.answers.all() if current and show_feedback else [])
            if not answer.question.is_retired
        ],
        "history": _history(assignment, attempts[:-1]),
        "max_marks": sum(question.marks for question in frame.questions),
        "max_answer_length": Answer.MAX_LENGTH,
    }


def _thread_context(
    request: AuthedHttpRequest, assignment: Assignment, form: CommentForm | None = None
) -> dict[str, object]:
    """The private thread with the teacher (read by the student now) and its form."""
    return {
        "comments": services.read_thread(
            assignment=assignment, student=request.user, reader=request.user
        ),
        "comment_form": form or CommentForm(other=assignment.classroom.teacher.name),
    }


@student_required
def work_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment_for(request, pk, lesson=True)
    texts, errors = _refused_answers(request, assignment)
    context = _detail_context(request, assignment, texts=texts, errors=errors)
    context["not_saved"] = bool(errors)
    # Logged out when they pressed Turn in (student_required sent them to log in, then here).
    context["turn_in_again"] = request.GET.get("turn-in") == "again" and context["editable"]
    context.update(_thread_context(request, assignment))
    return render(request, "classroom/work_detail.html", context)


@require_POST
@student_required
def work_comment(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A private comment to the teacher. A student who left the class, or whose class or
    assignment is archived, is told why it cannot be sent (their page is gone)."""
    assignment = get_object_or_404(
        Assignment.objects.set_for(request.user)
        .filter(classroom__enrolments__student=request.user)
        .select_related("classroom__teacher", "lesson"),
        pk=pk,
    )
    refusal = services.comment_refusal(
        assignment=assignment, student=request.user, author=request.user
    )
    if refusal:
        messages.error(request, refusal)
        return redirect("classroom:work-list")
    form = CommentForm(request.POST, other=assignment.classroom.teacher.name)
    if form.is_valid() and post_comment(request, form, assignment, request.user):
        return redirect(reverse("classroom:work-detail", args=[pk]) + "#comments")
    context = _detail_context(request, assignment)
    context.update(_thread_context(request, assignment, form))
    return render(request, "classroom/work_detail.html", context, status=400)


def _posted(request: AuthedHttpRequest) -> tuple[dict[int, str], int]:
    """The answers (by question id) and the draft version the page was based on."""
    texts = {}
    for name in request.POST:
        prefix, _, question_id = name.partition("-")
        if prefix == "answer" and question_id.isascii() and question_id.isdigit():
            # Browsers send CRLF; store what the text box shows, so copies compare equal.
            texts[int(question_id)] = request.POST.get(name, "").replace("\r\n", "\n")
    try:
        version = int(request.POST.get("version", "0"))
    except ValueError:
        version = -1  # unreadable: treated as stale, so nothing is overwritten blindly
    return texts, version


def _saved(attempt: Attempt) -> dict[str, object]:
    """What the autosave script learns of a saved draft: its version and when."""
    saved_at = timezone.localtime(attempt.saved_at) if attempt.saved_at else None
    return {
        "version": attempt.version,
        "saved_at": saved_at.isoformat() if saved_at else None,
        "saved_at_display": saved_at.strftime("%H:%M") if saved_at else "",
    }


def _conflict_response(
    request: AuthedHttpRequest,
    assignment: Assignment,
    conflict: services.DraftConflict,
    texts: dict[int, str],
) -> HttpResponse:
    if wants_json(request):
        return JsonResponse(
            {
                "conflict": True,
                "error": str(conflict),
                "server_texts": {str(k): v for k, v in conflict.server_texts.items()},
                "version": conflict.version,
            },
            status=409,
        )
    questions = Question.objects.active().filter(lesson_id=assignment.lesson_id)
    rows = [
        (question, texts.get(question.pk, ""), conflict.server_texts.get(question.pk, ""))
        for question in questions
    ]
    context = {
        "assignment": assignment,
        "rows": rows,
        "version": conflict.version,
        "message": str(conflict),
    }
    return render(request, "classroom/work_conflict.html", context, status=409)


# What a refused answer keeps in the student's own session until the work page shows it again
# (their session: a shared computer's next user never sees it; logging out deletes it).
REFUSED_KEY = "classroom:refused:{}"
REFUSED_KEEP = 20 * Answer.MAX_LENGTH  # far more than anyone types; a paste of a book is cut


def _too_long_response(
    request: AuthedHttpRequest,
    assignment: Assignment,
    error: services.AnswersTooLong,
    texts: dict[int, str],
) -> HttpResponse:
    """Only the answers that can't be stored are refused (the service saved the others): the
    script gets their messages and the new version; the form goes back to the work page (never
    a page at the POST's address), with the refused text in its box and the message under it."""
    if wants_json(request):
        data: dict[str, object] = {
            "errors": {str(k): v for k, v in error.errors.items()},
            "error": str(error),
        }
        if error.attempt is not None:
            data.update(_saved(error.attempt))
        return JsonResponse(data, status=400)
    request.session[REFUSED_KEY.format(assignment.pk)] = {
        "texts": {str(qid): texts.get(qid, "")[:REFUSED_KEEP] for qid in error.errors},
        "errors": {str(qid): message for qid, message in error.errors.items()},
    }
    messages.error(request, str(error))
    return redirect("classroom:work-detail", pk=assignment.pk)


def _refused_answers(request: AuthedHttpRequest, assignment: Assignment) -> tuple[dict, dict]:
    """The refused answers' texts and messages kept for this page (once), by question id."""
    kept = request.session.pop(REFUSED_KEY.format(assignment.pk), None) or {}
    texts = {int(qid): text for qid, text in kept.get("texts", {}).items()}
    errors = {int(qid): message for qid, message in kept.get("errors", {}).items()}
    return texts, errors


def _refused_response(
    request: AuthedHttpRequest, assignment: Assignment, error: services.ServiceError
) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"errors": {"__all__": str(error)}, "error": str(error)}, status=400)
    messages.error(request, str(error))
    return redirect("classroom:work-detail", pk=assignment.pk)


def _not_saved_response(
    request: AuthedHttpRequest,
    assignment: Assignment,
    error: services.ServiceError,
    texts: dict[int, str],
) -> HttpResponse:
    """The answer to a save or turn-in the service refused; what was typed is shown again."""
    if isinstance(error, services.DraftConflict):
        return _conflict_response(request, assignment, error, texts)
    if isinstance(error, services.AnswersTooLong):
        return _too_long_response(request, assignment, error, texts)
    return _refused_response(request, assignment, error)


@require_POST
@student_required
def work_save(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Save the answers as a draft: JSON for the autosave script, a redirect for the form."""
    assignment = _assignment_for(request, pk)
    texts, version = _posted(request)
    try:
        attempt = services.save_draft(
            student=request.user, assignment=assignment, texts=texts, base_version=version
        )
    except services.ServiceError as error:
        return _not_saved_response(request, assignment, error, texts)
    if wants_json(request):
        return JsonResponse(_saved(attempt))
    saved_at = timezone.localtime(attempt.saved_at).strftime("%H:%M")
    messages.success(request, f"Saved at {saved_at}.")
    return redirect("classroom:work-detail", pk=assignment.pk)


@require_POST
@student_required
def work_turn_in(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment_for(request, pk, lesson=True)
    texts, version = _posted(request)
    try:
        attempt = services.turn_in_or_keep_draft(
            student=request.user, assignment=assignment, texts=texts, base_version=version
        )
    except services.ServiceError as error:  # what could be kept is saved as a draft
        return _not_saved_response(request, assignment, error, texts)
    message = "Turned in." if not attempt.is_late else "Turned in (late)."
    if assignment.show_instant_feedback:
        message += " Your instant feedback is below."
    messages.success(request, message)
    return redirect("classroom:work-detail", pk=assignment.pk)


@require_POST
@student_required
def work_unsubmit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment_for(request, pk)
    try:
        services.unsubmit(student=request.user, assignment=assignment)
    except services.ServiceError as error:
        return _refused_response(request, assignment, error)
    messages.success(request, "Unsubmitted: your work is a draft again. Turn it in when ready.")
    return redirect("classroom:work-detail", pk=assignment.pk)


@require_POST
@student_required
def work_resubmit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment_for(request, pk)
    try:
        attempt = services.resubmit(student=request.user, assignment=assignment)
    except services.ServiceError as error:
        return _refused_response(request, assignment, error)
    messages.success(
        request,
        f"Attempt {attempt.number} started from your returned answers. Improve them, then "
        "turn in again.",
    )
    return redirect("classroom:work-detail", pk=assignment.pk)
