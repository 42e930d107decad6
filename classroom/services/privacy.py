"""Privacy: what the classroom holds about a person, a student's work as an export, and
erasing a student at their request."""

import logging
from collections.abc import Mapping
from datetime import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import models, transaction
from django.utils import timezone

from classroom.models import (
    Announcement,
    Answer,
    AssignedStudent,
    Assignment,
    Attempt,
    Classroom,
    CommentBankEntry,
    Enrolment,
    Extension,
    FeedbackChange,
    Notification,
    StudentWork,
    User,
    WorkComment,
)
from classroom.services.errors import ServiceError

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
    ("comments", "private comment", "private comments"),
    ("announcements", "announcement posted", "announcements posted"),
]

# Work a person did as a teacher: a student with any of it cannot be erased.
TEACHER_WORK = (
    "classes",
    "assignments",
    "returned",
    "marked",
    "feedback_changes_made",
    "announcements",
)


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
        # Their own, and the teacher's replies in their conversations (which go with them).
        "comments": WorkComment.objects.filter(
            models.Q(author=user) | models.Q(student=user)
        ).count(),
        "announcements": Announcement.objects.filter(author=user).count(),
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


def _answer_export(answer: Answer) -> dict:
    return {
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


def _attempt_export(attempt: Attempt) -> dict:
    question_keys = {answer.pk: answer.question.key for answer in attempt.answers.all()}
    return {
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
        "answers": [_answer_export(answer) for answer in attempt.answers.all()],
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


def _assignment_entry(assignment: Assignment) -> dict:
    return {
        "lesson": assignment.lesson.title,
        "class": assignment.classroom.name,
        "instructions": assignment.instructions,
        "start_at": _iso(assignment.start_at),
        "due_at": _iso(assignment.due_at),
        "attempts": [],
        "private_comments": [],
    }


def _assignments_export(student: User) -> list[dict]:
    """Each assignment the student has work or private comments for, oldest first, with every
    attempt at it and the conversation with the teacher."""
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
        .order_by("number")
    )
    comments = (
        WorkComment.objects.filter(student=student)
        .select_related("assignment__lesson", "assignment__classroom", "author")
        .order_by("created_at", "pk")
    )
    found: dict[int, Assignment] = {}
    entries: dict[int, dict] = {}
    for attempt in attempts:
        found[attempt.assignment_id] = attempt.assignment
        entry = entries.setdefault(attempt.assignment_id, _assignment_entry(attempt.assignment))
        entry["attempts"].append(_attempt_export(attempt))
    for comment in comments:
        found[comment.assignment_id] = comment.assignment
        entry = entries.setdefault(comment.assignment_id, _assignment_entry(comment.assignment))
        entry["private_comments"].append(
            {
                "written_by": "the student" if comment.by_student else comment.author.name,
                "written_at": _iso(comment.created_at),
                "read_at": _iso(comment.read_at),
                "text": comment.body,
            }
        )
    order = sorted(found.values(), key=lambda a: (a.created_at, a.pk))
    return [entries[assignment.pk] for assignment in order]


def export_student_work(*, student: User) -> dict:
    """Everything the classroom holds about a student's work, ready to be written as JSON.

    Classes, assignments, every attempt with its answers, marks, comments, instant feedback,
    the recorded changes to feedback and the private comments with the teacher; the student's
    extensions (own due times) and the assignments they were chosen for.
    """
    enrolments = Enrolment.objects.filter(student=student).select_related("classroom__teacher")
    return {
        "exported_at": timezone.now().isoformat(),
        "student": {
            "username": student.username,
            "display_name": student.display_name,
            "first_name": student.first_name,
            "last_name": student.last_name,
            "email": student.email,
            "email_notifications": student.email_notifications,
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
        "assignments": _assignments_export(student),
        "extensions": [
            {
                "lesson": extension.assignment.lesson.title,
                "class": extension.assignment.classroom.name,
                "own_due_at": _iso(extension.due_at),
                "given_at": _iso(extension.granted_at),
            }
            for extension in Extension.objects.filter(student=student)
            .select_related("assignment__lesson", "assignment__classroom")
            .order_by("assignment__created_at", "assignment__pk")
        ],
        "chosen_for": [
            {"lesson": chosen.assignment.lesson.title, "class": chosen.assignment.classroom.name}
            for chosen in AssignedStudent.objects.filter(student=student)
            .select_related("assignment__lesson", "assignment__classroom")
            .order_by("assignment__created_at", "assignment__pk")
        ],
        "notifications": [
            {
                "kind": notice.get_kind_display(),
                "message": notice.message,
                "url": notice.url,
                "created_at": _iso(notice.created_at),
                "read_at": _iso(notice.read_at),
            }
            for notice in Notification.objects.filter(recipient=student)
        ],
    }


@transaction.atomic
def erase_student(*, student: User, erased_by: User) -> dict[str, int]:
    """Delete a student and all their work, at their request (data protection).

    The one place work is deleted. Only students (not teachers, not staff) can be erased, only
    by staff. Rows go in an order that gets past PROTECT: private comments, feedback changes,
    answers, attempts, enrolments, extensions, choices of them for assignments, comment bank
    entries, login records, then the account. Returns the counts.
    """
    if not erased_by.is_staff:
        raise ServiceError("Only an admin can erase a student.")
    locked = User.objects.select_for_update().filter(pk=student.pk).first()
    if locked is None:
        raise ServiceError("That student no longer exists.")
    student = locked
    # Every piece of their work, so no save or marking is half-way through as it goes.
    list(StudentWork.objects.select_for_update(of=("self",)).filter(student=student))
    refusal = erase_refusal(student)
    if refusal:
        raise ServiceError(refusal)
    user_id, username = student.pk, student.username
    counts = {
        # Their whole conversations with teachers (the teacher's replies are about their work).
        "comments": WorkComment.objects.filter(
            models.Q(student=student) | models.Q(author=student)
        ).delete()[0],
        "feedback_changes": FeedbackChange.objects.filter(attempt__student=student).delete()[0],
        "answers": Answer.objects.filter(attempt__student=student).delete()[0],
        "attempts": Attempt.objects.filter(student=student).delete()[0],
        "enrolments": Enrolment.objects.filter(student=student).delete()[0],
        "extensions": Extension.objects.filter(student=student).delete()[0],
        "chosen_for": AssignedStudent.objects.filter(student=student).delete()[0],
        "comment_bank": CommentBankEntry.objects.filter(teacher=student).delete()[0],
        "notifications": Notification.objects.filter(recipient=student).delete()[0],
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
