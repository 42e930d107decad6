"""Talk (classroom/services/talk.py): announcements to a class and private comments on a
piece of work: who may write, what is refused and why, who is told, and what counts as read."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from classroom import services
from classroom.models import Announcement, Notification, WorkComment
from tests.factories import (
    AssignmentFactory,
    AttemptFactory,
    ClassroomFactory,
    EnrolmentFactory,
    StudentFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def classroom(teacher, student):
    classroom = ClassroomFactory(teacher=teacher, name="10H History")
    EnrolmentFactory(classroom=classroom, student=student)
    return classroom


@pytest.fixture
def assignment(classroom):
    return AssignmentFactory(classroom=classroom)


# --- Announcements ------------------------------------------------------------------------------


def test_an_announcement_tells_each_current_student(teacher, student, classroom):
    left = StudentFactory()
    EnrolmentFactory(classroom=classroom, student=left, removed_at=timezone.now())
    announcement = services.post_announcement(
        classroom=classroom, author=teacher, body="  Test on **Friday**.\r\nRevise.  "
    )
    assert announcement.body == "Test on **Friday**.\nRevise."
    assert "<strong>Friday</strong>" in announcement.html
    notice = Notification.objects.get()
    assert notice.recipient == student and notice.kind == Notification.Kind.ANNOUNCEMENT
    assert notice.url == reverse("classroom:work-list") + f"#announcement-{announcement.pk}"
    assert "10H History" in notice.message and "Test on **Friday**." in notice.message
    student.refresh_from_db()
    assert student.unread_notifications == 1


def test_announcement_markdown_is_sanitised(teacher, classroom):
    announcement = services.post_announcement(
        classroom=classroom,
        author=teacher,
        body='<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="a()">',
    )
    html = str(announcement.html)
    assert "<script" not in html and "javascript:" not in html and "<img" not in html


@pytest.mark.parametrize(
    "body, message",
    [
        ("   ", "Write the announcement first: it is empty."),
        ("x" * (Announcement.MAX_LENGTH + 1), "shorten it to 5000 characters or fewer"),
    ],
)
def test_empty_or_too_long_announcements_are_refused(teacher, classroom, body, message):
    with pytest.raises(services.ServiceError, match=message):
        services.post_announcement(classroom=classroom, author=teacher, body=body)
    assert not Announcement.objects.exists() and not Notification.objects.exists()


def test_only_the_class_teacher_posts_and_not_to_an_archived_class(teacher, classroom):
    with pytest.raises(services.ServiceError, match="Only the class's teacher"):
        services.post_announcement(classroom=classroom, author=TeacherFactory(), body="Hi")
    services.archive_classroom(classroom=classroom)
    with pytest.raises(services.ServiceError, match="archived.*restore the class first"):
        services.post_announcement(classroom=classroom, author=teacher, body="Hi")
    assert not Announcement.objects.exists()


def test_the_same_announcement_sent_twice_at_once_is_posted_once(teacher, classroom):
    first = services.post_announcement(classroom=classroom, author=teacher, body="Bring pens.")
    again = services.post_announcement(classroom=classroom, author=teacher, body="Bring pens.")
    assert again == first and Announcement.objects.count() == 1
    assert Notification.objects.count() == 1
    # Later, the same words are a new announcement.
    Announcement.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    services.post_announcement(classroom=classroom, author=teacher, body="Bring pens.")
    assert Announcement.objects.count() == 2


def test_editing_and_deleting_an_announcement(teacher, classroom):
    announcement = services.post_announcement(classroom=classroom, author=teacher, body="Old")
    services.edit_announcement(announcement=announcement, author=teacher, body="New")
    announcement.refresh_from_db()
    assert announcement.body == "New"
    assert Notification.objects.count() == 1  # an edit tells no one again
    with pytest.raises(services.ServiceError):
        services.edit_announcement(announcement=announcement, author=teacher, body=" ")
    with pytest.raises(services.ServiceError):
        services.delete_announcement(announcement=announcement, author=TeacherFactory())
    services.delete_announcement(announcement=announcement, author=teacher)
    assert not Announcement.objects.exists()


# --- Private comments ---------------------------------------------------------------------------


def test_a_student_asks_before_saving_anything_and_the_teacher_is_told(
    teacher, student, assignment
):
    comment = services.post_comment(
        assignment=assignment, student=student, author=student, body="I don't understand Q2."
    )
    assert comment.by_student and comment.read_at is None
    notice = Notification.objects.get()
    assert notice.recipient == teacher and notice.kind == Notification.Kind.COMMENT
    assert notice.url == reverse(
        "classroom:assignment-comments", kwargs={"pk": assignment.pk, "student_pk": student.pk}
    )
    assert student.name in notice.message and assignment.lesson.title in notice.message


def test_the_teacher_answers_and_the_student_is_told(teacher, student, assignment):
    AttemptFactory(assignment=assignment, student=student, returned=True)  # after return too
    services.post_comment(
        assignment=assignment, student=student, author=teacher, body="See my comment on Q2."
    )
    notice = Notification.objects.get()
    assert notice.recipient == student
    assert notice.url == reverse("classroom:work-detail", args=[assignment.pk]) + "#comments"
    assert teacher.name in notice.message


def test_nobody_else_writes_in_the_thread(teacher, student, assignment, classroom):
    other_student = StudentFactory()
    EnrolmentFactory(classroom=classroom, student=other_student)
    for outsider in (other_student, TeacherFactory()):
        with pytest.raises(services.ServiceError, match="Only the student and their teacher"):
            services.post_comment(
                assignment=assignment, student=student, author=outsider, body="Hello"
            )
    assert not WorkComment.objects.exists()


def test_a_removed_student_can_no_longer_write(teacher, student, assignment, classroom):
    services.remove_student(classroom=classroom, student=student)
    with pytest.raises(services.ServiceError, match="You are no longer in “10H History”"):
        services.post_comment(assignment=assignment, student=student, author=student, body="Hi")
    with pytest.raises(services.ServiceError, match="is no longer in this class"):
        services.post_comment(assignment=assignment, student=student, author=teacher, body="Hi")
    assert not WorkComment.objects.exists()


def test_an_archived_class_or_assignment_closes_the_thread(teacher, student, assignment):
    services.archive_assignment(assignment=assignment)
    with pytest.raises(services.ServiceError, match="assignment is archived.*Un-archive"):
        services.post_comment(assignment=assignment, student=student, author=teacher, body="Hi")
    services.restore_assignment(assignment=assignment)
    services.archive_classroom(classroom=assignment.classroom)
    with pytest.raises(services.ServiceError, match="is archived, so its conversations"):
        services.post_comment(assignment=assignment, student=student, author=student, body="Hi")
    assert not WorkComment.objects.exists()


def test_a_student_cannot_write_before_the_assignment_starts(student, classroom):
    later = AssignmentFactory(classroom=classroom, start_at=timezone.now() + timedelta(days=1))
    with pytest.raises(services.ServiceError, match="not started yet"):
        services.post_comment(assignment=later, student=student, author=student, body="Hi")


@pytest.mark.parametrize(
    "body, message",
    [("\n  ", "it is empty"), ("x" * (WorkComment.MAX_LENGTH + 1), "2000 characters or fewer")],
)
def test_empty_or_too_long_comments_are_refused(student, assignment, body, message):
    with pytest.raises(services.ServiceError, match=message):
        services.post_comment(assignment=assignment, student=student, author=student, body=body)
    assert not WorkComment.objects.exists() and not Notification.objects.exists()


def test_a_double_click_stores_one_comment(student, assignment):
    first = services.post_comment(
        assignment=assignment, student=student, author=student, body="Why?"
    )
    again = services.post_comment(
        assignment=assignment, student=student, author=student, body="Why?\r\n"
    )
    assert again == first and WorkComment.objects.count() == 1
    assert Notification.objects.count() == 1
    # A different text, or the same one a while later, is a new comment.
    services.post_comment(assignment=assignment, student=student, author=student, body="And?")
    WorkComment.objects.update(created_at=timezone.now() - timedelta(seconds=30))
    services.post_comment(assignment=assignment, student=student, author=student, body="Why?")
    assert WorkComment.objects.count() == 3


def test_reading_the_thread_marks_only_the_other_partys_comments_read(teacher, student, assignment):
    asked = services.post_comment(
        assignment=assignment, student=student, author=student, body="Q2?"
    )
    answered = services.post_comment(
        assignment=assignment, student=student, author=teacher, body="Look at the dates."
    )
    # The student opens their page: the teacher's answer is read, their own question is not.
    shown = services.read_thread(assignment=assignment, student=student, reader=student)
    assert [c.pk for c in shown] == [asked.pk, answered.pk]
    assert [c.is_new for c in shown] == [False, True]
    asked.refresh_from_db()
    answered.refresh_from_db()
    assert asked.read_at is None and answered.read_at is not None
    # Opened again: nothing is new.
    again = services.read_thread(assignment=assignment, student=student, reader=student)
    assert not any(c.is_new for c in again)
    services.read_thread(assignment=assignment, student=student, reader=teacher)
    asked.refresh_from_db()
    assert asked.read_at is not None


def test_reading_the_thread_marks_the_readers_notices_about_it_read(
    teacher, student, assignment, classroom
):
    """A reply read on the work page is not left as an unread notice in Notifications; the
    reader's other notices, and the other party's, stay unread."""
    other_work = AssignmentFactory(classroom=classroom)
    services.post_comment(assignment=other_work, student=student, author=teacher, body="Other")
    services.post_comment(assignment=assignment, student=student, author=student, body="Q2?")
    services.post_comment(assignment=assignment, student=student, author=teacher, body="Dates.")
    student.refresh_from_db()
    assert student.unread_notifications == 2

    services.read_thread(assignment=assignment, student=student, reader=student)
    assert student.unread_notifications == 1  # the reader's count, as the page shows it
    unread = Notification.objects.get(recipient=student, read_at__isnull=True)
    assert unread.url == services.thread_url_for_student(assignment=other_work)
    teacher.refresh_from_db()
    assert teacher.unread_notifications == 1

    services.read_thread(assignment=assignment, student=student, reader=teacher)
    teacher.refresh_from_db()
    assert teacher.unread_notifications == 0


def test_threads_are_per_student_and_assignment(teacher, student, assignment, classroom):
    other = StudentFactory()
    EnrolmentFactory(classroom=classroom, student=other)
    services.post_comment(assignment=assignment, student=student, author=student, body="Mine")
    services.post_comment(assignment=assignment, student=other, author=other, body="Theirs")
    mine = services.read_thread(assignment=assignment, student=student, reader=student)
    assert [c.body for c in mine] == ["Mine"]


def test_an_assignment_with_a_comment_is_not_deleted(student, assignment):
    services.post_comment(assignment=assignment, student=student, author=student, body="Hi")
    assert assignment.has_work
    with pytest.raises(services.ServiceError, match="archive it instead"):
        services.delete_assignment(assignment=assignment)


# --- The admin ----------------------------------------------------------------------------------


def test_the_admin_edits_announcements_and_only_reads_or_removes_private_comments(
    client, teacher, student, classroom, assignment
):
    from tests.factories import UserFactory

    announcement = services.post_announcement(classroom=classroom, author=teacher, body="Quiz.")
    comment = services.post_comment(
        assignment=assignment, student=student, author=student, body="Is question 2 on 1917?"
    )
    client.force_login(UserFactory(username="support", is_staff=True, is_superuser=True))
    listing = client.get(reverse("admin:classroom_announcement_changelist"))
    assert listing.status_code == 200 and classroom.name in listing.content.decode()
    change = reverse("admin:classroom_announcement_change", args=[announcement.pk])
    assert 'name="_save"' in client.get(change).content.decode()

    listing = client.get(reverse("admin:classroom_workcomment_changelist"))
    assert listing.status_code == 200 and "Select private comment" in listing.content.decode()
    assert student.name in listing.content.decode()
    assert client.get(reverse("admin:classroom_workcomment_add")).status_code == 403
    detail = client.get(reverse("admin:classroom_workcomment_change", args=[comment.pk]))
    assert detail.status_code == 200
    assert "Is question 2 on 1917?" in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()
    delete = reverse("admin:classroom_workcomment_delete", args=[comment.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not WorkComment.objects.filter(pk=comment.pk).exists()
