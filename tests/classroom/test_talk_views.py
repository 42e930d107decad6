"""Talk on the pages: announcements on the class page and My work, the private thread on the
work page, the marking page and the teacher's thread page; unread badges; query counts."""

import re

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
    QuestionFactory,
    StudentFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def classroom(teacher, student):
    classroom = ClassroomFactory(teacher=teacher, name="10H History")
    EnrolmentFactory(classroom=classroom, student=student)
    return classroom


@pytest.fixture
def assignment(classroom):
    assignment = AssignmentFactory(classroom=classroom)
    QuestionFactory(lesson=assignment.lesson)
    return assignment


def thread_url(assignment, student) -> str:
    return reverse("classroom:assignment-comments", args=[assignment.pk, student.pk])


# --- Announcements ------------------------------------------------------------------------------


def test_the_teacher_posts_an_announcement_from_the_class_page(client, teacher, classroom):
    client.force_login(teacher)
    page = client.get(classroom.get_absolute_url())
    create = reverse("classroom:announcement-create", args=[classroom.pk])
    assert f'action="{create}"' in page.content.decode()
    response = client.post(create, {"body": "Test on *Friday*."})
    announcement = Announcement.objects.get()
    assert response["Location"] == f"{classroom.get_absolute_url()}#announcement-{announcement.pk}"
    html = client.get(classroom.get_absolute_url()).content.decode()
    assert "<em>Friday</em>" in html
    assert announcement.created_at.strftime("%-d %b %Y") in html


def test_the_class_page_shows_the_newest_announcement_first(client, teacher, classroom):
    for body in ("First news", "Second news"):
        services.post_announcement(classroom=classroom, author=teacher, body=body)
        Announcement.objects.update(created_at=timezone.now() - timezone.timedelta(minutes=5))
    client.force_login(teacher)
    text = text_of(client.get(classroom.get_absolute_url()))
    assert text.index("Second news") < text.index("First news")


@pytest.mark.parametrize(
    "body, message",
    [
        ("   ", "Write something first: the box is empty."),
        ("y" * 5001, "This is 5001 characters long: shorten it to 5000 characters or fewer."),
    ],
)
def test_a_refused_announcement_says_why_and_keeps_the_text(
    client, teacher, classroom, body, message
):
    client.force_login(teacher)
    response = client.post(
        reverse("classroom:announcement-create", args=[classroom.pk]), {"body": body}
    )
    assert response.status_code == 400
    assert message in text_of(response)
    assert body.strip() in response.content.decode()
    assert not Announcement.objects.exists()


def test_posting_to_an_archived_class_is_refused_with_the_reason(client, teacher, classroom):
    services.archive_classroom(classroom=classroom)
    client.force_login(teacher)
    response = client.post(
        reverse("classroom:announcement-create", args=[classroom.pk]), {"body": "Hello"}
    )
    assert response.status_code == 400
    assert "restore the class first" in text_of(response)


def test_edit_and_delete_an_announcement(client, teacher, classroom):
    announcement = services.post_announcement(classroom=classroom, author=teacher, body="Old")
    client.force_login(teacher)
    edit = reverse("classroom:announcement-update", args=[announcement.pk])
    assert "Old" in client.get(edit).content.decode()
    assert client.post(edit, {"body": "New words"}).status_code == 302
    announcement.refresh_from_db()
    assert announcement.body == "New words"
    delete = reverse("classroom:announcement-delete", args=[announcement.pk])
    asked = client.get(delete)
    assert "Delete this announcement?" in text_of(asked) and "New words" in text_of(asked)
    assert Announcement.objects.exists()  # asking deletes nothing
    assert client.post(delete).status_code == 302
    assert not Announcement.objects.exists()


def test_another_teacher_cannot_touch_an_announcement(client, teacher, classroom):
    announcement = services.post_announcement(classroom=classroom, author=teacher, body="Mine")
    client.force_login(TeacherFactory())
    for name in ("announcement-update", "announcement-delete"):
        url = reverse(f"classroom:{name}", args=[announcement.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"body": "Taken"}).status_code == 404
    announcement.refresh_from_db()
    assert announcement.body == "Mine"


def test_my_work_shows_the_announcements_of_current_classes(client, teacher, student, classroom):
    services.post_announcement(classroom=classroom, author=teacher, body="Bring **pens**.")
    left = ClassroomFactory(name="Left class")
    EnrolmentFactory(classroom=left, student=student, removed_at=timezone.now())
    services.post_announcement(classroom=left, author=left.teacher, body="Not for you")
    archived = ClassroomFactory(name="Old class")
    EnrolmentFactory(classroom=archived, student=student)
    services.post_announcement(classroom=archived, author=archived.teacher, body="Old news")
    services.archive_classroom(classroom=archived)
    client.force_login(student)
    response = client.get(reverse("classroom:work-list"))
    html, text = response.content.decode(), text_of(response)
    announcement = Announcement.objects.get(classroom=classroom)
    assert f'id="announcement-{announcement.pk}"' in html
    assert "<strong>pens</strong>" in html and "10H History" in text
    assert "Not for you" not in text and "Old news" not in text


# --- Private comments: the student's side ------------------------------------------------------


def test_the_thread_is_below_the_answers_with_a_form(client, student, assignment):
    client.force_login(student)
    html = client.get(reverse("classroom:work-detail", args=[assignment.pk])).content.decode()
    assert html.index('id="work-form"') < html.index('id="comments"')
    assert f'action="{reverse("classroom:work-comment", args=[assignment.pk])}"' in html
    assert "No comments yet." in html


def test_a_student_asks_before_saving_and_the_teacher_is_notified(
    client, teacher, student, assignment
):
    client.force_login(student)
    url = reverse("classroom:work-comment", args=[assignment.pk])
    response = client.post(url, {"body": "I don't understand question 2."})
    assert response["Location"] == reverse("classroom:work-detail", args=[assignment.pk]) + (
        "#comments"
    )
    # A double click: the same form sent again stores nothing more.
    client.post(url, {"body": "I don't understand question 2."})
    comment = WorkComment.objects.get()
    assert comment.author == student and not assignment.attempts.exists()
    notice = Notification.objects.get()
    assert notice.recipient == teacher and notice.kind == Notification.Kind.COMMENT
    page = client.get(reverse("classroom:work-detail", args=[assignment.pk]))
    assert "I don’t understand question 2." in text_of(page) or "I don&#x27;t" in (
        page.content.decode()
    )
    assert "You" in text_of(page)


def test_an_empty_or_long_comment_is_refused_with_the_text_kept(client, student, assignment):
    client.force_login(student)
    url = reverse("classroom:work-comment", args=[assignment.pk])
    response = client.post(url, {"body": ""})
    assert response.status_code == 400
    assert "Write something first: the box is empty." in text_of(response)
    response = client.post(url, {"body": "z" * 2001})
    assert response.status_code == 400
    assert "shorten it to 2000 characters or fewer" in text_of(response)
    assert "z" * 2001 in response.content.decode()
    assert not WorkComment.objects.exists()


def test_a_removed_student_is_told_they_can_no_longer_write(client, student, assignment):
    services.remove_student(classroom=assignment.classroom, student=student)
    client.force_login(student)
    url = reverse("classroom:work-comment", args=[assignment.pk])
    response = client.post(url, {"body": "Hello?"}, follow=True)
    assert "You are no longer in “10H History”" in text_of(response)
    assert not WorkComment.objects.exists()


def test_a_comment_on_an_archived_class_is_refused_with_the_reason(client, student, assignment):
    services.archive_classroom(classroom=assignment.classroom)
    client.force_login(student)
    url = reverse("classroom:work-comment", args=[assignment.pk])
    response = client.post(url, {"body": "Hello?"}, follow=True)
    assert "is archived, so its conversations are closed" in text_of(response)
    assert not WorkComment.objects.exists()


def test_another_student_cannot_post_in_a_thread(client, assignment):
    outsider = StudentFactory()
    client.force_login(outsider)
    url = reverse("classroom:work-comment", args=[assignment.pk])
    assert client.post(url, {"body": "Hi"}).status_code == 404
    assert not WorkComment.objects.exists()


def test_opening_the_page_reads_the_teachers_reply(client, teacher, student, assignment):
    services.post_comment(assignment=assignment, student=student, author=teacher, body="Yes.")
    client.force_login(student)
    listed = text_of(client.get(reverse("classroom:work-list")))
    assert "1 unread reply" in listed
    page = text_of(client.get(reverse("classroom:work-detail", args=[assignment.pk])))
    assert "Ms Teacher" in page and "New" in page
    assert WorkComment.objects.get().read_at is not None
    assert "unread repl" not in text_of(client.get(reverse("classroom:work-list")))


# --- Private comments: the teacher's side ------------------------------------------------------


def test_the_marking_list_shows_unread_comments_in_words(client, teacher, student, assignment):
    services.post_comment(assignment=assignment, student=student, author=student, body="Q2?")
    client.force_login(teacher)
    listed = text_of(client.get(assignment.get_absolute_url()))
    assert "1 unread comment" in listed
    html = client.get(assignment.get_absolute_url()).content.decode()
    assert thread_url(assignment, student) in html
    # The teacher opens the thread (no work yet: the thread page) and the badge goes.
    page = client.get(thread_url(assignment, student))
    assert page.status_code == 200 and "Q2?" in text_of(page)
    assert "unread comment" not in text_of(client.get(assignment.get_absolute_url()))


def test_with_work_to_mark_the_thread_is_on_the_marking_page(client, teacher, student, assignment):
    attempt = AttemptFactory(assignment=assignment, student=student, turned_in=True)
    services.post_comment(assignment=assignment, student=student, author=student, body="Q2?")
    client.force_login(teacher)
    response = client.get(thread_url(assignment, student))
    mark = reverse("classroom:attempt-mark", args=[attempt.pk])
    assert response["Location"] == mark + "#comments"
    page = client.get(mark)
    assert "Q2?" in text_of(page)
    assert f'action="{thread_url(assignment, student)}"' in page.content.decode()
    assert WorkComment.objects.get().read_at is not None
    # The teacher answers from the marking page; the student is told, with a link to read it.
    response = client.post(thread_url(assignment, student), {"body": "Read the sources."})
    assert response.status_code == 302
    notice = Notification.objects.get(recipient=student)
    assert notice.url == reverse("classroom:work-detail", args=[assignment.pk]) + "#comments"


def test_the_teacher_writes_first_to_a_student_without_work(client, teacher, student, assignment):
    client.force_login(teacher)
    page = client.get(thread_url(assignment, student))
    assert "has not turned in work" in text_of(page)
    response = client.post(thread_url(assignment, student), {"body": "Start soon, please."})
    assert response.status_code == 302
    assert WorkComment.objects.get().author == teacher
    refused = client.post(thread_url(assignment, student), {"body": " "})
    assert refused.status_code == 400
    assert "Write something first" in text_of(refused)


def test_the_thread_page_of_a_removed_student_says_why_there_is_no_form(
    client, teacher, student, assignment
):
    services.post_comment(assignment=assignment, student=student, author=student, body="Q?")
    services.remove_student(classroom=assignment.classroom, student=student)
    client.force_login(teacher)
    page = client.get(thread_url(assignment, student))
    assert page.status_code == 200
    assert "is no longer in this class" in text_of(page)
    assert 'name="body"' not in page.content.decode()


def test_the_thread_page_is_only_for_the_class_teacher_and_its_students(
    client, teacher, student, assignment
):
    client.force_login(TeacherFactory())
    assert client.get(thread_url(assignment, student)).status_code == 404
    client.force_login(teacher)
    assert client.get(thread_url(assignment, StudentFactory())).status_code == 404
    client.force_login(student)
    assert client.get(thread_url(assignment, student)).status_code == 403


# --- Query counts -------------------------------------------------------------------------------


def _talkative_class(teacher, n):
    """n students with a thread each on one assignment (unread both ways), n announcements."""
    classroom = ClassroomFactory(teacher=teacher)
    assignment = AssignmentFactory(classroom=classroom)
    QuestionFactory(lesson=assignment.lesson)
    students = []
    for i in range(n):
        student = StudentFactory()
        EnrolmentFactory(classroom=classroom, student=student)
        if i % 2:
            AttemptFactory(assignment=assignment, student=student, turned_in=True)
        for author in (student, teacher):
            WorkComment.objects.create(
                assignment=assignment, student=student, author=author, body=f"Words {i}"
            )
        Announcement.objects.create(classroom=classroom, author=teacher, body=f"News *{i}*")
        students.append(student)
    return classroom, assignment, students


@pytest.mark.parametrize("n", [3, 30])
def test_class_page_with_announcements_query_count(client, teacher, django_assert_num_queries, n):
    classroom, _, _ = _talkative_class(teacher, n)
    client.force_login(teacher)
    # session, user, classroom, enrolments, assignments, lockouts, announcements
    with django_assert_num_queries(7):
        response = client.get(classroom.get_absolute_url())
    assert response.content.decode().count('class="announcement-body"') == n


@pytest.mark.parametrize("n", [3, 30])
def test_my_work_with_announcements_and_threads_query_count(
    client, teacher, django_assert_num_queries, n
):
    classroom, _, students = _talkative_class(teacher, 3)
    student = students[0]
    for _ in range(n):
        assignment = AssignmentFactory(classroom=classroom)
        WorkComment.objects.create(
            assignment=assignment, student=student, author=teacher, body="A reply"
        )
        Announcement.objects.create(classroom=classroom, author=teacher, body="More news")
    client.force_login(student)
    # session, user, assignments, attempts, unread replies, announcements
    with django_assert_num_queries(6):
        response = client.get(reverse("classroom:work-list"))
    assert text_of(response).count("1 unread reply") == n + 1


@pytest.mark.parametrize("n", [3, 30])
def test_marking_list_with_threads_query_count(client, teacher, django_assert_num_queries, n):
    _, assignment, _ = _talkative_class(teacher, n)
    client.force_login(teacher)
    # session, user, assignment, attempts, their answers, enrolments, unread comments
    with django_assert_num_queries(7):
        response = client.get(assignment.get_absolute_url())
    assert text_of(response).count("1 unread comment") == n


@pytest.mark.parametrize("n", [3, 30])
def test_work_page_with_a_thread_query_count(client, teacher, django_assert_num_queries, n):
    _, assignment, students = _talkative_class(teacher, 3)
    student = students[0]
    for i in range(n):
        WorkComment.objects.create(
            assignment=assignment, student=student, author=teacher, body=f"More {i}"
        )
    client.force_login(student)
    url = reverse("classroom:work-detail", args=[assignment.pk])
    client.get(url)  # warm the rendered lesson; reads the thread
    WorkComment.objects.update(read_at=None)
    # session, user; assignment with class, teacher and lesson, with the lesson's content
    # version (the lesson around the answer boxes is kept per version); attempts; the thread;
    # marking the teacher's comments read, and the student's notices about them (none here)
    with django_assert_num_queries(7):
        response = client.get(url)
    assert text_of(response).count("Ms Teacher") >= n


@pytest.mark.parametrize("n", [3, 30])
def test_teacher_thread_page_query_count(client, teacher, django_assert_num_queries, n):
    _, assignment, students = _talkative_class(teacher, 3)
    student = students[0]  # no attempt: the thread page itself
    for i in range(n):
        WorkComment.objects.create(
            assignment=assignment, student=student, author=student, body=f"Again {i}"
        )
    client.force_login(teacher)
    url = thread_url(assignment, student)
    # session, user, assignment, student, markable attempt, latest attempt, the thread,
    # marking the student's comments read and the teacher's notices about them (none here),
    # the student still in the class
    with django_assert_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    assert text_of(response).count("Again") == n
