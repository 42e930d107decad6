"""Talk: a teacher's announcements to a class, and private comments on a piece of work.

A private comment thread belongs to one (assignment, student): only that student and the
class's teacher see it or write in it. Either may write at any status of the work. A comment
is unread until the other party opens the page that shows the thread.

The same text sent twice by the same person within `REPEAT_SECONDS` (a double click, a form
sent again) is stored once: the second send returns the first.
"""

from datetime import timedelta
from operator import attrgetter

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from classroom.models import (
    Announcement,
    Assignment,
    Attempt,
    Classroom,
    Enrolment,
    Notification,
    StudentWork,
    User,
    WorkComment,
)
from classroom.services.errors import ServiceError
from classroom.services.notifications import mark_read_about, notify

REPEAT_SECONDS = 10
NOTICE_PREVIEW = 80  # characters of the text quoted in a notification


def _clean_body(body: str, *, limit: int, what: str) -> str:
    """The text as stored (line ends as typed, outer space trimmed), or why it is refused."""
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ServiceError(f"Write the {what} first: it is empty.")
    if len(body) > limit:
        raise ServiceError(
            f"The {what} is {len(body)} characters long: shorten it to {limit} characters or fewer."
        )
    return body


def _preview(body: str) -> str:
    text = " ".join(body.split())
    return text if len(text) <= NOTICE_PREVIEW else text[: NOTICE_PREVIEW - 1] + "…"


def _recent_same(queryset, *, author: User, body: str):
    """The same text by the same author sent a moment ago (a double click), if any."""
    since = timezone.now() - timedelta(seconds=REPEAT_SECONDS)
    return queryset.filter(author=author, body=body, created_at__gte=since).first()


# --- Announcements ------------------------------------------------------------------------------


def _check_teacher(classroom: Classroom, author: User) -> None:
    if classroom.teacher_id != author.pk:
        raise ServiceError("Only the class's teacher can post announcements to it.")
    if classroom.is_archived:
        raise ServiceError(
            f"“{classroom.name}” is archived, so its students would not see an announcement: "
            "restore the class first."
        )


@transaction.atomic
def post_announcement(*, classroom: Classroom, author: User, body: str) -> Announcement:
    """Post an announcement to the class and tell its current students."""
    classroom = Classroom.objects.select_for_update().get(pk=classroom.pk)  # one post at a time
    _check_teacher(classroom, author)
    body = _clean_body(body, limit=Announcement.MAX_LENGTH, what="announcement")
    repeat = _recent_same(classroom.announcements.all(), author=author, body=body)
    if repeat is not None:
        return repeat
    announcement = Announcement.objects.create(classroom=classroom, author=author, body=body)
    notify(
        recipients=User.objects.filter(
            enrolments__classroom=classroom, enrolments__removed_at__isnull=True
        ),
        kind=Notification.Kind.ANNOUNCEMENT,
        message=f"Announcement in {classroom.name}: {_preview(body)}",
        url=reverse("classroom:work-list") + f"#{announcement.anchor}",
    )
    return announcement


@transaction.atomic
def edit_announcement(*, announcement: Announcement, author: User, body: str) -> Announcement:
    """Change an announcement's text (students are not told again)."""
    _check_teacher(announcement.classroom, author)
    announcement.body = _clean_body(body, limit=Announcement.MAX_LENGTH, what="announcement")
    announcement.save(update_fields=["body", "updated_at"])
    return announcement


@transaction.atomic
def delete_announcement(*, announcement: Announcement, author: User) -> None:
    """Delete an announcement (also in an archived class: tidying up is allowed)."""
    if announcement.classroom.teacher_id != author.pk:
        raise ServiceError("Only the class's teacher can delete its announcements.")
    announcement.delete()


# --- Private comments on a piece of work --------------------------------------------------------


def comment_refusal(*, assignment: Assignment, student: User, author: User) -> str | None:
    """Why `author` may not write in the thread of `student`'s work, or None."""
    classroom = assignment.classroom
    is_student = author.pk == student.pk
    if not is_student and author.pk != classroom.teacher_id:
        return "Only the student and their teacher can write in this conversation."
    if classroom.is_archived:
        return f"“{classroom.name}” is archived, so its conversations are closed." + (
            " Restore the class to write again." if not is_student else ""
        )
    if assignment.is_archived:
        return "This assignment is archived, so its conversations are closed." + (
            " Un-archive it to write again." if not is_student else ""
        )
    if not Enrolment.objects.current().filter(classroom=classroom, student=student).exists():
        if is_student:
            return (
                f"You are no longer in “{classroom.name}”, so you cannot write to its teacher "
                "here. Ask your teacher to add you again if this is a mistake."
            )
        return f"{student.name} is no longer in this class: add them again to write to them."
    if not assignment.is_set_for(student):
        return f"This assignment is not set for {student.name}: choose them for it first."
    if is_student and not assignment.is_visible_to_students():
        return "This assignment has not started yet: write when it has."
    return None


def thread_url_for_teacher(*, assignment: Assignment, student: User) -> str:
    """Where the teacher reads a student's thread (it leads to the marking page when there
    is work to mark)."""
    return reverse(
        "classroom:assignment-comments", kwargs={"pk": assignment.pk, "student_pk": student.pk}
    )


def thread_url_for_student(*, assignment: Assignment) -> str:
    """Where the student reads their thread: the work page, at the comments."""
    return reverse("classroom:work-detail", kwargs={"pk": assignment.pk}) + "#comments"


def markable_attempt(*, assignment: Assignment, student: User) -> Attempt | None:
    """The student's latest attempt a teacher can open to mark (turned in or returned)."""
    return (
        Attempt.objects.filter(assignment=assignment, student=student)
        .exclude(state=Attempt.State.DRAFT)
        .order_by("-number")
        .first()
    )


@transaction.atomic
def post_comment(*, assignment: Assignment, student: User, author: User, body: str) -> WorkComment:
    """Write in the private thread of `student`'s work on `assignment` and tell the other
    party. Refused (ServiceError) for anyone but the student and the class's teacher, in an
    archived class or assignment, and once the student has left the class."""
    refusal = comment_refusal(assignment=assignment, student=student, author=author)
    if refusal:
        raise ServiceError(refusal)
    body = _clean_body(body, limit=WorkComment.MAX_LENGTH, what="comment")
    # The work's lock: two sends of the same form run one after the other, so the second
    # finds the first.
    StudentWork.lock(assignment_id=assignment.pk, student_id=student.pk)
    thread = WorkComment.objects.thread(assignment_id=assignment.pk, student_id=student.pk)
    repeat = _recent_same(thread, author=author, body=body)
    if repeat is not None:
        return repeat
    comment = WorkComment.objects.create(
        assignment=assignment, student=student, author=author, body=body
    )
    lesson = assignment.lesson.title
    if author.pk == student.pk:
        notify(
            recipients=[assignment.classroom.teacher],
            kind=Notification.Kind.COMMENT,
            message=f"{student.name} wrote about {lesson}: {_preview(body)}",
            url=thread_url_for_teacher(assignment=assignment, student=student),
        )
    else:
        notify(
            recipients=[student],
            kind=Notification.Kind.COMMENT,
            message=f"{author.name} replied about {lesson}: {_preview(body)}",
            url=thread_url_for_student(assignment=assignment),
        )
    return comment


def read_thread(*, assignment: Assignment, student: User, reader: User) -> list[WorkComment]:
    """The thread, oldest first, each comment's author loaded; what was unread for `reader`
    is marked read now (and keeps `is_new` set for this showing), with the reader's notices
    about the thread: what was read on the page is not left unread in Notifications."""
    # Put in order here, not in SQL: a thread is a few rows, and for an ORDER BY Django hashes
    # every selected column, the author's included (4.6 against 2.8 million instructions).
    comments = sorted(
        WorkComment.objects.thread(assignment_id=assignment.pk, student_id=student.pk)
        .select_related("author")
        .order_by(),
        key=attrgetter("created_at", "pk"),
    )
    new = [c.pk for c in comments if c.read_at is None and c.author_id != reader.pk]
    for comment in comments:
        comment.is_new = comment.pk in new
    if new:
        WorkComment.objects.filter(pk__in=new, read_at__isnull=True).update(read_at=timezone.now())
        if reader.pk == student.pk:
            url = thread_url_for_student(assignment=assignment)
        else:
            url = thread_url_for_teacher(assignment=assignment, student=student)
        mark_read_about(user=reader, kind=Notification.Kind.COMMENT, url=url)
    return comments
