"""Writes that span models. Plain functions with keyword-only arguments, each one atomic.

Views call these; tests call them directly. Validation happens before anything is saved.
"""

import logging
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify

from classroom.models import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    Answer,
    Assignment,
    Attempt,
    Classroom,
    CommentBankEntry,
    Enrolment,
    FeedbackChange,
    StudentWork,
    User,
)
from lessons.marking import RULES_VERSION
from lessons.models import KeyPoint, Lesson, Question, marking_questions


class ServiceError(Exception):
    """A request that cannot be carried out; the message says what to do instead."""


def new_join_code() -> str:
    """A join code not used by any active class."""
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if not Classroom.objects.active().filter(join_code=code).exists():
            return code


# --- Teachers ---------------------------------------------------------------------------------

# How many fresh join codes to try when another request takes the same one at the same moment.
_JOIN_CODE_TRIES = 10

# Short, common, easy-to-type words for first-time passwords read off a printed card.
_PASSWORD_WORDS = (
    "amber anchor apple arrow autumn badger banjo basket beacon berry biscuit blossom bramble"
    " breeze bridge bucket butter button cabin camel candle canyon carrot castle cedar cherry"
    " cloud clover cobalt comet copper coral cotton crayon cricket daisy desert dolphin dragon"
    " eagle ember falcon fern fiddle forest fossil garden ginger glacier gravel harbour hazel"
    " hedge honey island jacket jasmine jelly kettle kitten ladder lantern lemon lilac lizard"
    " maple marble meadow melon mitten monkey nectar nutmeg ocean olive orbit otter paddle"
    " panda parrot pebble pepper pickle pillow planet pocket puffin quartz rabbit raisin"
    " ribbon river rocket saddle salmon sandal shadow silver spider spring squash summit"
    " sunset swallow teapot thistle ticket timber tomato tulip turnip velvet violet walnut"
    " willow window winter yellow zebra"
).split()


def first_time_password() -> str:
    """Three words and two digits, hyphenated: readable off a card, and 16+ characters."""
    words = [secrets.choice(_PASSWORD_WORDS) for _ in range(3)]
    return "-".join([*words, f"{secrets.randbelow(90) + 10}"])


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


def _username_base(name: str) -> str:
    """ "Anna Karenina" -> "anna.k"; one name -> that name; nothing usable -> "student"."""
    parts = [slugify(part).replace("-", "") for part in name.split()]
    parts = [part for part in parts if part]
    if not parts:
        return "student"
    if len(parts) == 1:
        return parts[0][:30]
    return f"{parts[0][:30]}.{parts[-1][0]}"


def _free_username(base: str, taken: set[str]) -> str:
    candidate = base
    while candidate.lower() in taken or User.objects.filter(username__iexact=candidate).exists():
        candidate = f"{base}{secrets.randbelow(900) + 100}"
    taken.add(candidate.lower())
    return candidate


def _set_first_time_password(user: User) -> str:
    while True:
        password = first_time_password()
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        user.set_password(password)
        user.must_change_password = True
        return password


@dataclass(frozen=True)
class LoginCard:
    """What a printed login card shows. The password exists only here, never stored in clear."""

    name: str
    username: str
    password: str


@transaction.atomic
def add_students(*, classroom: Classroom, names: list[str]) -> list[LoginCard]:
    """Create a student account per name, enrol them, and return their login cards."""
    names = [" ".join(name.split()) for name in names]
    names = [name for name in names if name]
    if not names:
        raise ServiceError("Type at least one name, one per line.")
    limit = User._meta.get_field("display_name").max_length
    too_long = [name for name in names if len(name) > limit]
    if too_long:
        raise ServiceError(f"Shorten this name to {limit} characters or fewer: {too_long[0][:40]}…")
    taken: set[str] = set()
    cards = []
    for name in names:
        user = User(
            username=_free_username(_username_base(name), taken),
            display_name=name,
            role=User.Role.STUDENT,
        )
        password = _set_first_time_password(user)
        user.save()
        enrol_student(classroom=classroom, student=user)
        cards.append(LoginCard(name=name, username=user.username, password=password))
    return cards


@transaction.atomic
def reset_student_password(*, classroom: Classroom, student: User) -> LoginCard:
    """A new first-time password for a student of the class (asked to change it at login)."""
    if not Enrolment.objects.filter(classroom=classroom, student=student).exists():
        raise ServiceError("That student is not in this class.")
    if student.is_staff or student.is_superuser or not student.is_student:
        raise ServiceError(
            "This account is not only a student's, so its password can't be reset here. Ask an"
            " admin to reset it."
        )
    elsewhere = (
        Enrolment.objects.current()
        .filter(student=student)
        .exclude(classroom__teacher=classroom.teacher)
    )
    if elsewhere.exists():
        raise ServiceError(
            f"{student.name} is also in another teacher's class, so their password can't be"
            " reset here. Ask an admin to reset it."
        )
    password = _set_first_time_password(student)
    student.save(update_fields=["password", "must_change_password"])
    return LoginCard(name=student.name, username=student.username, password=password)


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
    return [
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


def _record_change(
    changes: list[FeedbackChange],
    attempt: Attempt,
    answer: Answer | None,
    field: str,
    old: object,
    new: object,
    teacher: User,
) -> None:
    old_text = "" if old is None else str(old)
    new_text = "" if new is None else str(new)
    if old_text != new_text:
        changes.append(
            FeedbackChange(
                attempt=attempt,
                answer=answer,
                field=field,
                old_value=old_text,
                new_value=new_text,
                changed_by=teacher,
            )
        )


def _mark_from_ticks(question: Question, ticked: Sequence[str]) -> int:
    """The marks of the ticked key points (prefetched, active), capped at the question's."""
    marks = {point.key: point.marks for point in question.key_points.all()}
    return min(sum(marks.get(key, 0) for key in ticked), question.marks)


@transaction.atomic
def mark_attempt(
    *,
    attempt: Attempt,
    teacher: User,
    marks: Mapping[int, int | None],
    comments: Mapping[int, str],
    overall_comment: str,
    points: Mapping[int, Sequence[str]] | None = None,
    dismissed: Mapping[int, Sequence[str]] | None = None,
    return_work: bool = False,
    allow_resubmission: bool | None = None,
    changed_by: User | None = None,
) -> Attempt:
    """Save marks, comments and the teacher's judgement (all keyed by question id); with
    `return_work`, send them back. `teacher` is the class's teacher; `changed_by` who made the
    change when it is not them (an admin). `allow_resubmission` None keeps what it was.

    `points` are the key points the teacher ticked as made in each answer, `dismissed` the
    flagged misconceptions they judged not in it. A mark left blank on an answer with ticks is
    the marks of the ticked points, capped at the question's marks. Once work is returned,
    every change of a mark, comment, tick or dismissal is recorded as a FeedbackChange.
    """
    mine = Attempt.objects.filter(pk=attempt.pk, assignment__classroom__teacher=teacher)
    ids = mine.values("assignment_id", "student_id").get()
    StudentWork.lock(**ids)
    attempt = mine.select_related("assignment__lesson").get()
    if attempt.state == Attempt.State.DRAFT:
        raise ServiceError("This work has not been turned in yet, so it cannot be marked.")
    questions = {
        q.pk: q
        for q in Question.objects.filter(lesson=attempt.assignment.lesson_id).prefetch_related(
            Prefetch("key_points", queryset=KeyPoint.objects.active())
        )
    }
    # Only the question's active key points can be ticked.
    tickable = {qid: {p.key for p in q.key_points.all()} for qid, q in questions.items()}
    points = {
        qid: sorted(set(keys) & tickable[qid])
        for qid, keys in (points or {}).items()
        if qid in questions
    }
    dismissed = {qid: sorted(set(keys)) for qid, keys in (dismissed or {}).items()}
    for question_id, mark in marks.items():
        question = questions.get(question_id)
        if question is None:
            raise ServiceError("Reload the page: a question on it is no longer in this lesson.")
        if mark is not None and not 0 <= mark <= question.marks:
            raise ServiceError(
                f"Give a mark from 0 to {question.marks} for question {question.position}."
            )
    was_returned = attempt.state == Attempt.State.RETURNED
    now = timezone.now()
    by = changed_by or teacher
    answers = {a.question_id: a for a in attempt.answers.all()}
    changes: list[FeedbackChange] = []
    for question_id in set(marks) | set(comments) | set(points) | set(dismissed):
        answer = answers.get(question_id)
        mark = marks.get(question_id, answer.mark if answer else None)
        comment = comments.get(question_id, answer.comment if answer else "")
        if answer is None:
            if mark is None and not comment:
                continue  # an unanswered question with nothing to record on it
            answer = Answer.objects.create(attempt=attempt, question=questions[question_id])
        ticked = points.get(question_id, answer.points_judged)
        not_in = dismissed.get(question_id, answer.misconceptions_dismissed)
        if mark is None and ticked is not None:
            mark = _mark_from_ticks(questions[question_id], ticked)
        Field = FeedbackChange.Field
        new = {
            Field.MARK: (answer.mark, mark),
            Field.COMMENT: (answer.comment, comment),
            Field.POINTS: (answer.points_judged, ticked),
            Field.DISMISSED: (answer.misconceptions_dismissed, not_in),
        }
        if all(old == value for old, value in new.values()):
            continue
        if was_returned:
            for field, (old, value) in new.items():
                if isinstance(value, list):
                    old, value = ", ".join(old or []), ", ".join(value)
                _record_change(changes, attempt, answer, field, old, value, by)
        answer.mark, answer.comment = mark, comment
        answer.points_judged, answer.misconceptions_dismissed = ticked, not_in
        answer.marked_by, answer.marked_at = by, now
        answer.save(
            update_fields=[
                "mark",
                "comment",
                "points_judged",
                "misconceptions_dismissed",
                "marked_by",
                "marked_at",
            ]
        )
    if was_returned:
        old = attempt.overall_comment
        field = FeedbackChange.Field.OVERALL_COMMENT
        _record_change(changes, attempt, None, field, old, overall_comment, by)
    FeedbackChange.objects.bulk_create(changes)
    attempt.overall_comment = overall_comment
    fields = ["overall_comment"]
    if allow_resubmission is not None and (return_work or was_returned):
        # Returned work: "Save" changes what the student sees.
        attempt.resubmission_allowed = allow_resubmission
        fields.append("resubmission_allowed")
    attempt.save(update_fields=fields)
    if return_work and not was_returned and not attempt.return_to_student(teacher=teacher, now=now):
        raise ServiceError(STALE)
    return attempt


@dataclass(frozen=True)
class RemarkReport:
    answers: int  # turned-in or returned answers looked at
    changed: int  # whose stored result is now different
    restamped: int  # whose result is the same but was stamped with an older version


@transaction.atomic
def remark_answers(
    *, lesson: Lesson | None = None, question: Question | None = None
) -> RemarkReport:
    """Store the engine's current result on every turned-in or returned answer of the lesson
    or question (of every lesson when neither is given) whose result was made by an older
    mark scheme or older matching rules.

    Only the result and its two versions are written: the teacher's mark and comment stay.
    Answers to retired questions keep the result they were given.
    """
    questions = Question.objects.active().with_markscheme()
    if lesson is not None:
        questions = questions.filter(lesson=lesson)
    if question is not None:
        questions = questions.filter(pk=question.pk)
    by_id = {q.pk: q for q in questions}
    answers = (
        Answer.objects.filter(
            question__in=list(by_id),
            attempt__state__in=[Attempt.State.TURNED_IN, Attempt.State.RETURNED],
        )
        .only("pk", "question_id", "text", "result", "markscheme_version", "rules_version")
        .order_by("pk")
    )
    to_save = []
    changed = restamped = total = 0
    for answer in answers.iterator(chunk_size=500):
        total += 1
        question = by_id[answer.question_id]
        if answer.result_is_current(question):
            continue
        before = answer.result
        answer.mark_with(question)
        if answer.result != before:
            changed += 1
        else:
            restamped += 1
        to_save.append(answer)
    Answer.objects.bulk_update(
        to_save, ["result", "markscheme_version", "rules_version"], batch_size=500
    )
    return RemarkReport(answers=total, changed=changed, restamped=restamped)


def return_attempt(
    *,
    attempt: Attempt,
    teacher: User,
    marks: Mapping[int, int | None],
    comments: Mapping[int, str],
    overall_comment: str,
    points: Mapping[int, Sequence[str]] | None = None,
    dismissed: Mapping[int, Sequence[str]] | None = None,
    allow_resubmission: bool = False,
) -> Attempt:
    """Save the feedback and send the work back to the student."""
    return mark_attempt(
        attempt=attempt,
        teacher=teacher,
        marks=marks,
        comments=comments,
        overall_comment=overall_comment,
        points=points,
        dismissed=dismissed,
        return_work=True,
        allow_resubmission=allow_resubmission,
    )


def save_to_comment_bank(*, teacher: User, question: Question, text: str) -> CommentBankEntry:
    """Keep a comment for reuse on this question (the same text is kept once)."""
    text = text.strip()
    if not text:
        raise ServiceError("Type a comment before saving it to your comment bank.")
    limit = CommentBankEntry._meta.get_field("text").max_length
    if len(text) > limit:
        raise ServiceError(
            f"A comment in the comment bank can be {limit} characters at most (this one has "
            f"{len(text)}): shorten it to save it there."
        )
    entry, _ = CommentBankEntry.objects.get_or_create(teacher=teacher, question=question, text=text)
    return entry


# --- Students ---------------------------------------------------------------------------------


class DraftConflict(ServiceError):
    """A save based on an older version of the draft: the newer saved texts come with it."""

    def __init__(self, *, server_texts: dict[int, str], version: int) -> None:
        super().__init__(
            "These answers were changed somewhere else (another tab or computer) after you"
            " opened them. Both versions are shown: keep what you want, then save again."
        )
        self.server_texts = server_texts
        self.version = version


class AnswersTooLong(ServiceError):
    """One or more answers can't be stored (too long, or a NUL character); keyed by question
    id, each with what to do. `attempt` is the draft as saved with the other answers (None
    when nothing else was saved)."""

    def __init__(self, errors: dict[int, str], attempt: "Attempt | None" = None) -> None:
        super().__init__(
            "An answer can't be saved as it is: see the message under it. Your other answers"
            " are saved."
            if attempt is not None
            else "An answer can't be saved as it is: see the message under it."
        )
        self.errors = errors
        self.attempt = attempt


@transaction.atomic
def join_class(*, student: User, classroom: Classroom) -> tuple[Enrolment, bool]:
    """Enrol a student by join code: the enrolment, and False when they were already in the
    class (joining twice changes nothing); a removed student is taken back in."""
    if not student.is_student:
        raise ServiceError("Joining a class is for students. Teachers create classes instead.")
    already_in = Enrolment.objects.current().filter(classroom=classroom, student=student).exists()
    return enrol_student(classroom=classroom, student=student), not already_in


class UsernameTaken(ServiceError):
    """Someone has this username (in any mix of capitals)."""

    def __init__(self) -> None:
        super().__init__(User.USERNAME_TAKEN)


@transaction.atomic
def register_student(
    *, classroom: Classroom, username: str, password: str, display_name: str = ""
) -> User:
    """Create a student account (from /join/) and enrol it in the class.

    Usernames are unique whatever their capitals, in the database too: two joins choosing the
    same name at the same moment give one account and, for the other, UsernameTaken.
    """
    student = User(username=username, display_name=display_name, role=User.Role.STUDENT)
    student.set_password(password)
    try:
        with transaction.atomic():
            student.save()
    except IntegrityError as error:
        raise UsernameTaken() from error
    join_class(student=student, classroom=classroom)
    return student


def _lock_work(student: User, assignment: Assignment) -> None:
    """Serialise every write to one student's work on one assignment (two tabs, a double
    click, a teacher returning while the student unsubmits): see StudentWork.lock."""
    StudentWork.lock(assignment_id=assignment.pk, student_id=student.pk)


STALE = (
    "This work changed a moment ago (in another tab, or by your teacher). Reload the page to"
    " see where it stands."
)


def _latest_attempt(
    student: User, assignment: Assignment, *, with_answers: bool = True
) -> Attempt | None:
    attempts = Attempt.objects.for_student(student).filter(assignment=assignment)
    if with_answers:  # in no order: the callers look answers up by question
        attempts = attempts.prefetch_related(Prefetch("answers", Answer.objects.order_by()))
    return attempts.order_by("-number").first()


def _questions(assignment: Assignment) -> list[Question]:
    return list(Question.objects.active().filter(lesson_id=assignment.lesson_id))


def _check_lengths(texts: dict[int, str]) -> None:
    """Refuse answers that cannot be stored: too long, or holding a NUL character (which no
    keyboard types, and PostgreSQL cannot store in text)."""
    errors = _length_errors(texts)
    if errors:
        raise AnswersTooLong(errors)


def _length_errors(texts: dict[int, str]) -> dict[int, str]:
    """What is wrong with each answer that cannot be stored, by question id."""
    errors = {}
    for question_id, text in texts.items():
        if len(text) > Answer.MAX_LENGTH:
            errors[question_id] = (
                f"This answer is {len(text)} characters long; the most is {Answer.MAX_LENGTH}."
                " Shorten it, then save again."
            )
        elif "\x00" in text:
            errors[question_id] = (
                "This answer holds an invisible character that can't be saved (it may have come"
                " with pasted text). Retype the pasted part, then save again."
            )
    return errors


def _write_draft(
    *,
    student: User,
    assignment: Assignment,
    texts: dict[int, str],
    base_version: int,
    now: datetime,
    questions: dict[int, Question] | None = None,
    latest: Attempt | None = None,
    write: bool = True,
) -> tuple[Attempt, dict[int, Answer], set[int]]:
    """The shared part of save_draft and turn_in; the caller holds the work's lock.

    `questions` (the assignment's active ones) and `latest` (the latest attempt, its answers
    prefetched) when the caller has them already. Returns the attempt, its answers by
    question id (the new texts in them) and the ids whose text changed; with `write` False
    the caller saves them (turn_in saves texts and results in one go).
    """
    _check_lengths(texts)
    if questions is None:
        questions = {q.pk: q for q in _questions(assignment)}
    texts = {qid: text for qid, text in texts.items() if qid in questions}
    attempt = latest if latest is not None else _latest_attempt(student, assignment)
    if attempt is not None and attempt.state == Attempt.State.TURNED_IN:
        raise ServiceError("This work is turned in, so it can't be changed. Unsubmit it first.")
    if attempt is not None and attempt.state == Attempt.State.RETURNED:
        raise ServiceError(
            "Your teacher has returned this work, so it can't be changed."
            + (" Press Resubmit to start a new attempt." if attempt.resubmission_allowed else "")
        )
    if attempt is None:
        attempt = Attempt.objects.create(student=student, assignment=assignment, number=1)
        existing: dict[int, Answer] = {}
    else:
        existing = {answer.question_id: answer for answer in attempt.answers.all()}
    server_texts = {qid: answer.text for qid, answer in existing.items()}
    changed = {qid: text for qid, text in texts.items() if server_texts.get(qid, "") != text}
    if base_version != attempt.version and changed:
        raise DraftConflict(server_texts=server_texts, version=attempt.version)
    for qid, text in changed.items():
        if qid in existing:
            existing[qid].text = text
        else:
            existing[qid] = Answer(attempt=attempt, question_id=qid, text=text)
    attempt._prefetched_objects_cache = {}
    if write:
        Answer.objects.update_each(
            [a for a in existing.values() if a.pk and a.question_id in changed], ["text"]
        )
        Answer.objects.bulk_create([a for a in existing.values() if not a.pk])
        if changed or attempt.saved_at is None:
            attempt.version += 1
            attempt.saved_at = now
            attempt.save(update_fields=["version", "saved_at"])
    return attempt, existing, set(changed)


def save_draft(
    *, student: User, assignment: Assignment, texts: dict[int, str], base_version: int
) -> Attempt:
    """Save answers as a draft, creating attempt 1 on the first save.

    An answer that can't be stored (too long) is refused alone: the others are saved, then
    AnswersTooLong says which was refused and carries the saved draft. Raises DraftConflict
    when the draft changed since `base_version` (and the texts differ), or ServiceError when
    the work is turned in or returned.
    """
    errors = _length_errors(texts)
    storable = {qid: text for qid, text in texts.items() if qid not in errors}
    attempt = None
    if storable or not errors:
        attempt = _save_draft(
            student=student, assignment=assignment, texts=storable, base_version=base_version
        )
    if errors:
        raise AnswersTooLong(errors, attempt=attempt)
    return attempt


@transaction.atomic
def _save_draft(
    *, student: User, assignment: Assignment, texts: dict[int, str], base_version: int
) -> Attempt:
    _lock_work(student, assignment)
    attempt, _, _ = _write_draft(
        student=student,
        assignment=assignment,
        texts=texts,
        base_version=base_version,
        now=timezone.now(),
    )
    return attempt


def turn_in(
    *,
    student: User,
    assignment: Assignment,
    texts: dict[int, str],
    base_version: int,
    now: datetime | None = None,
) -> Attempt:
    """Save, mark every answer with the instant-feedback engine, and turn the attempt in.

    Idempotent: when the open attempt is already turned in (a double click) it is returned as is.
    The marking (pure, the most of a turn-in's time) is done before the transaction, so the
    work's lock, and on SQLite the one writer, is held only for the writes.
    """
    now = now or timezone.now()
    _check_lengths(texts)
    questions = marking_questions(assignment.lesson_id)
    marked = {
        qid: (text, questions[qid].mark_scheme.mark(text).to_dict())
        for qid, text in texts.items()
        if qid in questions
    }
    return _turn_in(
        student=student,
        assignment=assignment,
        texts=texts,
        base_version=base_version,
        now=now,
        questions=questions,
        marked=marked,
    )


@transaction.atomic
def _turn_in(
    *,
    student: User,
    assignment: Assignment,
    texts: dict[int, str],
    base_version: int,
    now: datetime,
    questions: dict[int, Question],
    marked: dict[int, tuple[str, dict]],
) -> Attempt:
    _lock_work(student, assignment)
    latest = _latest_attempt(student, assignment)
    if latest is not None and latest.state == Attempt.State.TURNED_IN:
        return latest
    if not assignment.accepts_turn_in(now):
        raise ServiceError(
            "The due time has passed and your teacher is not accepting late work, so it can't"
            " be turned in. Your answers are kept as a draft: talk to your teacher."
        )
    attempt, answers, changed = _write_draft(
        student=student,
        assignment=assignment,
        texts=texts,
        base_version=base_version,
        now=now,
        questions=questions,
        latest=latest,
        write=False,
    )
    # Every question gets an answer, blank if the student left it: each has its feedback.
    for qid in questions:
        answers.setdefault(qid, Answer(attempt=attempt, question_id=qid))
    for qid, answer in answers.items():
        question = questions.get(qid)
        if question is None:
            continue  # an answer to a question retired since: it keeps what it had
        text, result = marked.get(qid, (None, None))
        if text == answer.text:  # marked before the lock, on these very words
            answer.result = result
            answer.markscheme_version = question.markscheme_version
            answer.rules_version = RULES_VERSION
        else:  # words saved earlier (another tab), or none: mark them now
            answer.mark_with(question)
    # The texts and the results in one write, the new answers in another, then the state.
    Answer.objects.update_each(
        [a for qid, a in answers.items() if a.pk and qid in questions],
        ["text", "result", "markscheme_version", "rules_version"],
    )
    Answer.objects.bulk_create([a for a in answers.values() if not a.pk])
    attempt.assignment = assignment
    saved = {"saved_at": now} if changed or attempt.saved_at is None else {}
    if not attempt.turn_in(now=now, **saved):
        raise ServiceError(STALE)
    return attempt


@transaction.atomic
def unsubmit(*, student: User, assignment: Assignment) -> Attempt:
    """Take turned-in work back to Draft; not once the teacher has returned it."""
    _lock_work(student, assignment)
    attempt = _latest_attempt(student, assignment, with_answers=False)
    if attempt is None or attempt.state == Attempt.State.DRAFT:
        raise ServiceError("This work is not turned in, so there is nothing to unsubmit.")
    if attempt.state == Attempt.State.RETURNED:
        raise ServiceError(
            "Your teacher has already returned this work, so it can't be unsubmitted."
        )
    if not assignment.accepts_turn_in():
        raise ServiceError(
            "The due time has passed and your teacher is not accepting late work, so you could"
            " not turn this in again: it stays turned in. Talk to your teacher to change it."
        )
    if not attempt.unsubmit():
        raise ServiceError(STALE)
    return attempt


@transaction.atomic
def resubmit(*, student: User, assignment: Assignment) -> Attempt:
    """Start a new draft attempt from the returned one's texts, when the teacher allows it."""
    _lock_work(student, assignment)
    latest = _latest_attempt(student, assignment)
    if latest is None or latest.state != Attempt.State.RETURNED:
        raise ServiceError("Only returned work can be resubmitted.")
    if not latest.resubmission_allowed:
        raise ServiceError("Your teacher has not asked for this work to be resubmitted.")
    attempt = Attempt.objects.create(
        student=student,
        assignment=assignment,
        number=latest.number + 1,
        version=1,
        saved_at=timezone.now(),
    )
    Answer.objects.bulk_create(
        Answer(attempt=attempt, question_id=a.question_id, text=a.text)
        for a in latest.answers.all()
    )
    return attempt


# --- Data protection ------------------------------------------------------------------------
# Work is never deleted, with one deliberate exception: an admin erasing a student who asked
# for it, after exporting their work. Everything else refuses (on_delete=PROTECT).

audit_log = logging.getLogger("classroom.audit")

# What a person has in the classroom, in the words the admin shows: (key, singular, plural).
WORK_LABELS = [
    ("attempts", "attempt", "attempts"),
    ("answers", "answer", "answers"),
    ("enrolments", "class enrolment", "class enrolments"),
    ("classes", "class taught", "classes taught"),
    ("assignments", "assignment set", "assignments set"),
    ("returned", "attempt returned", "attempts returned"),
    ("marked", "answer marked", "answers marked"),
    ("feedback_changes_made", "feedback change made", "feedback changes made"),
    ("comment_bank", "comment bank entry", "comment bank entries"),
]

# Work a person did as a teacher: a student with any of it cannot be erased.
TEACHER_WORK = ("classes", "assignments", "returned", "marked", "feedback_changes_made")


def work_counts(user: User) -> dict[str, int]:
    """How much a person has in the classroom, as a student and as a teacher."""
    return {
        "attempts": Attempt.objects.filter(student=user).count(),
        "answers": Answer.objects.filter(attempt__student=user).count(),
        "enrolments": Enrolment.objects.filter(student=user).count(),
        "classes": Classroom.objects.filter(teacher=user).count(),
        "assignments": Assignment.objects.filter(created_by=user).count(),
        "returned": Attempt.objects.filter(returned_by=user).count(),
        "marked": Answer.objects.filter(marked_by=user).count(),
        "feedback_changes_made": FeedbackChange.objects.filter(changed_by=user).count(),
        "comment_bank": CommentBankEntry.objects.filter(teacher=user).count(),
    }


def describe_work(counts: Mapping[str, int]) -> str:
    """'3 attempts, 6 answers, 1 class enrolment': the non-zero counts, in words."""
    parts = [
        f"{counts[key]} {one if counts[key] == 1 else many}"
        for key, one, many in WORK_LABELS
        if counts.get(key)
    ]
    return ", ".join(parts) or "nothing"


def erase_refusal(student: User) -> str | None:
    """Why this person cannot be erased as a student, or None when they can."""
    if not student.is_student:
        return f"{student.username} is a teacher: only students can be erased."
    if student.is_staff or student.is_superuser:
        return f"{student.username} is staff: only students can be erased."
    counts = work_counts(student)
    if any(counts[key] for key in TEACHER_WORK):
        return (
            f"{student.username} has work as a teacher "
            f"({describe_work({key: counts[key] for key in TEACHER_WORK})}): "
            "only a student's own work can be erased."
        )
    return None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _person(user: User | None) -> str | None:
    return user.name if user else None


def export_student_work(*, student: User) -> dict:
    """Everything the classroom holds about a student's work, ready to be written as JSON.

    Classes, assignments, every attempt with its answers, marks, comments, instant feedback
    and the recorded changes to feedback.
    """
    enrolments = Enrolment.objects.filter(student=student).select_related("classroom__teacher")
    attempts = (
        Attempt.objects.filter(student=student)
        .select_related("assignment__lesson", "assignment__classroom", "returned_by")
        .prefetch_related(
            models.Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question", "marked_by").order_by(
                    "question__position", "pk"
                ),
            ),
            models.Prefetch("changes", queryset=FeedbackChange.objects.select_related("answer")),
        )
        .order_by("assignment__created_at", "assignment__pk", "number")
    )
    assignments: dict[int, dict] = {}
    for attempt in attempts:
        assignment = attempt.assignment
        entry = assignments.setdefault(
            assignment.pk,
            {
                "lesson": assignment.lesson.title,
                "class": assignment.classroom.name,
                "instructions": assignment.instructions,
                "start_at": _iso(assignment.start_at),
                "due_at": _iso(assignment.due_at),
                "attempts": [],
            },
        )
        question_keys = {answer.pk: answer.question.key for answer in attempt.answers.all()}
        entry["attempts"].append(
            {
                "number": attempt.number,
                "state": attempt.get_state_display(),
                "created_at": _iso(attempt.created_at),
                "saved_at": _iso(attempt.saved_at),
                "turned_in_at": _iso(attempt.turned_in_at),
                "late": attempt.is_late,
                "returned_at": _iso(attempt.returned_at),
                "returned_by": _person(attempt.returned_by),
                "overall_comment": attempt.overall_comment,
                "total_mark": attempt.total_mark,
                "answers": [
                    {
                        "question": answer.question.key,
                        "prompt": answer.question.prompt,
                        "max_marks": answer.question.marks,
                        "text": answer.text,
                        "instant_feedback": answer.result,
                        "key_points_ticked_by_teacher": answer.points_judged,
                        "misconceptions_dismissed_by_teacher": answer.misconceptions_dismissed,
                        "mark": answer.mark,
                        "comment": answer.comment,
                        "marked_by": _person(answer.marked_by),
                        "marked_at": _iso(answer.marked_at),
                    }
                    for answer in attempt.answers.all()
                ],
                "feedback_changes": [
                    {
                        "question": question_keys.get(change.answer_id),
                        "field": change.field,
                        "old_value": change.old_value,
                        "new_value": change.new_value,
                        "changed_at": _iso(change.changed_at),
                    }
                    for change in attempt.changes.all()
                ],
            }
        )
    return {
        "exported_at": timezone.now().isoformat(),
        "student": {
            "username": student.username,
            "display_name": student.display_name,
            "first_name": student.first_name,
            "last_name": student.last_name,
            "email": student.email,
            "date_joined": _iso(student.date_joined),
            "last_login": _iso(student.last_login),
        },
        "classes": [
            {
                "name": enrolment.classroom.name,
                "year_group": enrolment.classroom.year_group,
                "teacher": enrolment.classroom.teacher.name,
                "joined_at": _iso(enrolment.joined_at),
                "removed_at": _iso(enrolment.removed_at),
            }
            for enrolment in enrolments
        ],
        "assignments": list(assignments.values()),
    }


@transaction.atomic
def erase_student(*, student: User, erased_by: User) -> dict[str, int]:
    """Delete a student and all their work, at their request (data protection).

    The one place work is deleted. Only students (not teachers, not staff) can be erased, only
    by staff. Rows go in an order that gets past PROTECT: feedback changes, answers, attempts,
    enrolments, comment bank entries, login records, then the account. Returns the counts.
    """
    if not erased_by.is_staff:
        raise ServiceError("Only an admin can erase a student.")
    student = User.objects.select_for_update().filter(pk=student.pk).first()
    if student is None:
        raise ServiceError("That student no longer exists.")
    # Every piece of their work, so no save or marking is half-way through as it goes.
    list(StudentWork.objects.select_for_update(of=("self",)).filter(student=student))
    refusal = erase_refusal(student)
    if refusal:
        raise ServiceError(refusal)
    user_id, username = student.pk, student.username
    counts = {
        "feedback_changes": FeedbackChange.objects.filter(attempt__student=student).delete()[0],
        "answers": Answer.objects.filter(attempt__student=student).delete()[0],
        "attempts": Attempt.objects.filter(student=student).delete()[0],
        "enrolments": Enrolment.objects.filter(student=student).delete()[0],
        "comment_bank": CommentBankEntry.objects.filter(teacher=student).delete()[0],
        "login_records": sum(
            model.objects.filter(username=username).delete()[0]
            for model in (AccessAttempt, AccessFailureLog, AccessLog)
        ),
    }
    student.delete()
    counts["users"] = 1
    # Who erased whom and how much; never the content.
    audit_log.info(
        "erase_student: %s (id %s) erased student %s (id %s): %s",
        erased_by.username,
        erased_by.pk,
        username,
        user_id,
        ", ".join(f"{key}={value}" for key, value in counts.items()),
    )
    return counts
