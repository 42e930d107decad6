"""Student work: saving drafts, turning in (with instant feedback), unsubmitting, resubmitting.

Every write to one student's work on one assignment holds that work's lock (StudentWork.lock).
"""

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from classroom.compiled import CompiledQuery
from classroom.models import Answer, Assignment, Attempt, StudentWork, User
from classroom.services.errors import STALE, ServiceError
from lessons.marking import RULES_VERSION
from lessons.models import Question


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


def _lock_work(student: User, assignment: Assignment) -> None:
    """Serialise every write to one student's work on one assignment (two tabs, a double
    click, a teacher returning while the student unsubmits): see StudentWork.lock."""
    StudentWork.lock(assignment_id=assignment.pk, student_id=student.pk)


def _attempts(student: User, assignment: Assignment) -> "QuerySet[Attempt]":
    """The student's attempts at the assignment, the latest (highest number) first."""
    return Attempt.objects.for_student(student).filter(assignment=assignment).order_by("-number")


def _latest_attempt(student: User, assignment: Assignment) -> Attempt | None:
    return _attempts(student, assignment).first()


def _latest_work(student: User, assignment: Assignment) -> tuple[Attempt | None, dict[int, Answer]]:
    """The student's latest attempt at the assignment (None when there is none) and its
    answers by question id.

    One query when the attempt has answers (they are read joined to it), as it has at every
    turn-in after a saved draft; a second query only when it has none. The writes run this
    inside the work's lock, where each round trip to the database is time the lock is held.
    """
    answers = _LATEST_ANSWERS.all(student.pk, assignment.pk)
    if not answers:
        return _latest_attempt(student, assignment), {}
    attempt = answers[0].attempt
    for answer in answers:  # one attempt object for all its answers
        answer.attempt = attempt
    return attempt, {answer.question_id: answer for answer in answers}


# Compiled once (classroom.compiled): every save and turn-in reads it inside the lock.
_LATEST_ANSWERS = CompiledQuery(
    lambda student_id, assignment_id: (
        Answer.objects.of_latest_attempt(student_id=student_id, assignment_id=assignment_id)
        .select_related("attempt")
        .order_by()
    ),
    params=2,
)


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
    latest: tuple[Attempt | None, dict[int, Answer]] | None = None,
    write: bool = True,
) -> tuple[Attempt, dict[int, Answer], set[int]]:
    """The shared part of save_draft and turn_in; the caller holds the work's lock.

    `questions` (the assignment's active ones) and `latest` (`_latest_work`: the latest
    attempt and its answers) when the caller has them already. Returns the attempt, its
    answers by question id (the new texts in them) and the ids whose text changed; with
    `write` False the caller saves them (turn_in saves texts and results in one go).
    """
    _check_lengths(texts)
    if questions is None:
        questions = {q.pk: q for q in _questions(assignment)}
    texts = {qid: text for qid, text in texts.items() if qid in questions}
    attempt, existing = latest if latest is not None else _latest_work(student, assignment)
    if attempt is not None and attempt.state == Attempt.State.TURNED_IN:
        raise ServiceError("This work is turned in, so it can't be changed. Unsubmit it first.")
    if attempt is not None and attempt.state == Attempt.State.RETURNED:
        raise ServiceError(
            "Your teacher has returned this work, so it can't be changed."
            + (" Press Resubmit to start a new attempt." if attempt.resubmission_allowed else "")
        )
    if attempt is None:
        attempt = Attempt.objects.create(student=student, assignment=assignment, number=1)
    server_texts = {qid: answer.text for qid, answer in existing.items()}
    changed = {qid: text for qid, text in texts.items() if server_texts.get(qid, "") != text}
    if base_version != attempt.version and changed:
        raise DraftConflict(server_texts=server_texts, version=attempt.version)
    for qid, text in changed.items():
        if qid in existing:
            existing[qid].text = text
        else:
            existing[qid] = Answer(attempt=attempt, question_id=qid, text=text)
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
    if errors and not storable:
        raise AnswersTooLong(errors, attempt=None)
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
    questions = assignment.marking_questions()
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


def turn_in_or_keep_draft(
    *, student: User, assignment: Assignment, texts: dict[int, str], base_version: int
) -> Attempt:
    """Turn in; when the turn-in is refused, what was typed is still saved as a draft.

    A refusal (late work not accepted, an answer too long, the work already returned) saves
    what can be saved, then raises what to tell the student: a DraftConflict (nothing saved),
    AnswersTooLong (the other answers saved), or the refusal itself.
    """
    try:
        return turn_in(
            student=student, assignment=assignment, texts=texts, base_version=base_version
        )
    except DraftConflict:
        raise
    except AnswersTooLong as too_long:
        # Raises AnswersTooLong carrying the draft saved with the others, or why none was.
        save_draft(student=student, assignment=assignment, texts=texts, base_version=base_version)
        raise too_long from None
    except ServiceError as refusal:
        try:
            save_draft(
                student=student, assignment=assignment, texts=texts, base_version=base_version
            )
        except DraftConflict:
            raise
        except ServiceError:
            pass  # nothing could be kept (e.g. already returned): the refusal says why
        raise refusal from None


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
    latest, existing = _latest_work(student, assignment)
    if latest is not None and latest.state == Attempt.State.TURNED_IN:
        return latest
    if not assignment.accepts_turn_in_for(student, now):
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
        latest=(latest, existing),
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
    attempt = _latest_attempt(student, assignment)
    if attempt is None or attempt.state == Attempt.State.DRAFT:
        raise ServiceError("This work is not turned in, so there is nothing to unsubmit.")
    if attempt.state == Attempt.State.RETURNED:
        raise ServiceError(
            "Your teacher has already returned this work, so it can't be unsubmitted."
        )
    if not assignment.accepts_turn_in_for(student):
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
    latest, answers = _latest_work(student, assignment)
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
        Answer(attempt=attempt, question_id=a.question_id, text=a.text) for a in answers.values()
    )
    return attempt


# --- Data protection ------------------------------------------------------------------------
# Work is never deleted, with one deliberate exception: an admin erasing a student who asked
# for it, after exporting their work. Everything else refuses (on_delete=PROTECT).
