"""Feedback and marking: a teacher's marks, ticks and comments, returning work, the comment
bank, and bringing stored instant feedback up to the current mark schemes (re-marking)."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from classroom.models import (
    Answer,
    Assignment,
    Attempt,
    CommentBankEntry,
    FeedbackChange,
    StudentWork,
    User,
)
from classroom.services.errors import STALE, ServiceError
from classroom.services.notifications import notify_returned
from lessons.models import KeyPoint, Lesson, Question


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


@dataclass
class _Feedback:
    """What the teacher posted for the attempt's answers, keyed by question id; `points` and
    `dismissed` only for the questions that have them."""

    marks: Mapping[int, int | None]
    comments: Mapping[int, str]
    points: dict[int, list[str]]
    dismissed: dict[int, list[str]]

    def question_ids(self) -> set[int]:
        return set(self.marks) | set(self.comments) | set(self.points) | set(self.dismissed)


def _locked_for_marking(attempt: Attempt, teacher: User) -> Attempt:
    """The attempt afresh, with the work's lock held; refused while it is a draft."""
    mine = Attempt.objects.filter(pk=attempt.pk, assignment__classroom__teacher=teacher)
    StudentWork.lock(**mine.values("assignment_id", "student_id").get())
    attempt = mine.select_related("assignment__lesson").get()
    if attempt.state == Attempt.State.DRAFT:
        raise ServiceError("This work has not been turned in yet, so it cannot be marked.")
    return attempt


def _checked_feedback(
    questions: dict[int, Question],
    marks: Mapping[int, int | None],
    comments: Mapping[int, str],
    points: Mapping[int, Sequence[str]] | None,
    dismissed: Mapping[int, Sequence[str]] | None,
) -> _Feedback:
    """Refuse a mark out of range or for a question gone; keep only ticks that can be made (the
    question's active key points)."""
    for question_id, mark in marks.items():
        question = questions.get(question_id)
        if question is None:
            raise ServiceError("Reload the page: a question on it is no longer in this lesson.")
        if mark is not None and not 0 <= mark <= question.marks:
            raise ServiceError(
                f"Give a mark from 0 to {question.marks} for question {question.position}."
            )
    tickable = {qid: {p.key for p in q.key_points.all()} for qid, q in questions.items()}
    return _Feedback(
        marks=marks,
        comments=comments,
        points={
            qid: sorted(set(keys) & tickable[qid])
            for qid, keys in (points or {}).items()
            if qid in questions
        },
        dismissed={qid: sorted(set(keys)) for qid, keys in (dismissed or {}).items()},
    )


def _judge_answer(
    answer: Answer,
    question: Question,
    feedback: _Feedback,
    *,
    by: User,
    now: datetime,
    record: bool,
) -> list[FeedbackChange]:
    """Save the posted feedback on one answer (a blank mark with ticks is the ticks' marks);
    with `record`, the changes made, to be kept as FeedbackChanges."""
    qid = question.pk
    mark = feedback.marks.get(qid, answer.mark)
    ticked = feedback.points.get(qid, answer.points_judged)
    if mark is None and ticked is not None:
        mark = _mark_from_ticks(question, ticked)
    Field = FeedbackChange.Field
    new = {
        Field.MARK: (answer.mark, mark),
        Field.COMMENT: (answer.comment, feedback.comments.get(qid, answer.comment)),
        Field.POINTS: (answer.points_judged, ticked),
        Field.DISMISSED: (
            answer.misconceptions_dismissed,
            feedback.dismissed.get(qid, answer.misconceptions_dismissed),
        ),
    }
    if all(old == value for old, value in new.values()):
        return []
    changes: list[FeedbackChange] = []
    if record:
        for field, (old, value) in new.items():
            if isinstance(value, list):
                old, value = ", ".join(old or []), ", ".join(value)
            _record_change(changes, answer.attempt, answer, field, old, value, by)
    answer.mark, answer.comment = mark, new[Field.COMMENT][1]
    answer.points_judged, answer.misconceptions_dismissed = ticked, new[Field.DISMISSED][1]
    answer.marked_by, answer.marked_at = by, now
    answer.save(update_fields=[*_JUDGEMENT_FIELDS, "marked_by", "marked_at"])
    return changes


_JUDGEMENT_FIELDS = ["mark", "comment", "points_judged", "misconceptions_dismissed"]


def _judge_answers(
    attempt: Attempt,
    questions: dict[int, Question],
    feedback: _Feedback,
    *,
    by: User,
    now: datetime,
    record: bool,
) -> list[FeedbackChange]:
    """Save the feedback on every answer it is for; an unanswered question gets an answer only
    when it is given a mark or a comment."""
    answers = {a.question_id: a for a in attempt.answers.all()}
    changes: list[FeedbackChange] = []
    for question_id in feedback.question_ids():
        answer = answers.get(question_id)
        if answer is None:
            if feedback.marks.get(question_id) is None and not feedback.comments.get(question_id):
                continue  # an unanswered question with nothing to record on it
            answer = Answer.objects.create(attempt=attempt, question=questions[question_id])
        answer.attempt = attempt
        changes += _judge_answer(
            answer, questions[question_id], feedback, by=by, now=now, record=record
        )
    return changes


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
    attempt = _locked_for_marking(attempt, teacher)
    questions = {
        q.pk: q
        for q in Question.objects.filter(lesson=attempt.assignment.lesson_id).prefetch_related(
            Prefetch("key_points", queryset=KeyPoint.objects.active())
        )
    }
    feedback = _checked_feedback(questions, marks, comments, points, dismissed)
    was_returned = attempt.state == Attempt.State.RETURNED
    now, by = timezone.now(), changed_by or teacher
    changes = _judge_answers(attempt, questions, feedback, by=by, now=now, record=was_returned)
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
    if return_work and not was_returned:
        if not attempt.return_to_student(teacher=teacher, now=now):
            raise ServiceError(STALE)
        notify_returned(attempt=attempt)
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


@dataclass(frozen=True)
class ReturnedAll:
    returned: int  # turned-in work returned now
    not_marked: int  # turned-in work left, an answer without a mark


@transaction.atomic
def return_all_marked(*, assignment: Assignment, teacher: User) -> ReturnedAll:
    """Return every turned-in piece of work of the assignment whose answers to the lesson's
    questions all have a mark: each under its work's lock, as returning it alone (the student
    is told). Work turned in but not fully marked stays turned in, and is counted."""
    if assignment.classroom.teacher_id != teacher.pk:
        raise ServiceError("You can only return work in your own classes.")
    asked = set(
        Question.objects.active().filter(lesson=assignment.lesson_id).values_list("pk", flat=True)
    )
    turned_in = Attempt.objects.filter(assignment=assignment, state=Attempt.State.TURNED_IN)
    returned = not_marked = 0
    now = timezone.now()
    for pk, student_id in turned_in.order_by("turned_in_at", "pk").values_list("pk", "student"):
        StudentWork.lock(assignment_id=assignment.pk, student_id=student_id)
        attempt = (
            Attempt.objects.select_related("student", "assignment__lesson")
            .prefetch_related("answers")
            .get(pk=pk)
        )
        if attempt.state != Attempt.State.TURNED_IN:
            continue  # returned or unsubmitted since the list was read
        marked = {a.question_id for a in attempt.answers.all() if a.mark is not None}
        if not asked <= marked:
            not_marked += 1
        elif attempt.return_to_student(teacher=teacher, now=now):
            notify_returned(attempt=attempt)
            returned += 1
    return ReturnedAll(returned=returned, not_marked=not_marked)


@dataclass(frozen=True)
class MarkingSaved:
    attempt: Attempt
    not_banked: list[str]  # why each comment to keep could not go in the bank, if any


def save_marking(
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
    to_bank: Iterable[tuple[Question, str]] = (),
) -> MarkingSaved:
    """mark_attempt, then keep each (question, comment) of `to_bank` in the teacher's comment
    bank. A comment the bank refuses does not undo the marking: its message comes back."""
    attempt = mark_attempt(
        attempt=attempt,
        teacher=teacher,
        marks=marks,
        comments=comments,
        overall_comment=overall_comment,
        points=points,
        dismissed=dismissed,
        return_work=return_work,
        allow_resubmission=allow_resubmission,
    )
    not_banked = []
    for question, text in to_bank:
        try:
            save_to_comment_bank(teacher=teacher, question=question, text=text)
        except ServiceError as error:
            not_banked.append(f"Question {question.position}: {error}")
    return MarkingSaved(attempt=attempt, not_banked=not_banked)


def save_to_comment_bank(*, teacher: User, question: Question, text: str) -> CommentBankEntry:
    """Keep a comment for reuse on this question (the same text is kept once)."""
    text = text.strip()
    if not text:
        raise ServiceError("Type a comment before saving it to your comment bank.")
    limit = CommentBankEntry._meta.get_field("text").max_length
    if limit is not None and len(text) > limit:
        raise ServiceError(
            f"A comment in the comment bank can be {limit} characters at most (this one has "
            f"{len(text)}): shorten it to save it there."
        )
    entry, _ = CommentBankEntry.objects.get_or_create(teacher=teacher, question=question, text=text)
    return entry
