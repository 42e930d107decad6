"""Privacy for talk: a student's private comments are in their export, counted as their work,
and go with an erasure (the teacher's replies in their conversations too); announcements are
a teacher's work."""

import pytest

from classroom import services
from classroom.models import User, WorkComment
from tests.factories import AssignmentFactory, StudentFactory, UserFactory


@pytest.fixture
def talked(world):
    """Student A asks on the turned-in work and on work not started; the teacher answers."""
    not_started = AssignmentFactory(classroom=world.class_a, lesson=world.lesson)
    services.post_comment(
        assignment=world.assignment,
        student=world.student_a,
        author=world.student_a,
        body="Why Petrograd?",
    )
    services.post_comment(
        assignment=world.assignment,
        student=world.student_a,
        author=world.teacher_a,
        body="Look at the map.",
    )
    services.post_comment(
        assignment=not_started,
        student=world.student_a,
        author=world.student_a,
        body="Is this for Monday?",
    )
    world.not_started = not_started
    return world


def test_the_export_holds_the_conversations(talked):
    data = services.export_student_work(student=talked.student_a)
    by_id = {a["lesson"] + str(len(a["attempts"])): a for a in data["assignments"]}
    assert len(data["assignments"]) == 2  # with an attempt, and with comments only
    with_work = by_id[talked.lesson.title + "1"]
    assert [(c["written_by"], c["text"]) for c in with_work["private_comments"]] == [
        ("the student", "Why Petrograd?"),
        (talked.teacher_a.name, "Look at the map."),
    ]
    comments_only = by_id[talked.lesson.title + "0"]
    assert [c["text"] for c in comments_only["private_comments"]] == ["Is this for Monday?"]
    assert comments_only["private_comments"][0]["written_at"]


def test_work_counts_count_the_comments(talked):
    assert services.work_counts(talked.student_a)["comments"] == 3
    assert services.work_counts(talked.teacher_a)["comments"] == 1
    assert "3 private comments" in services.describe_work(services.work_counts(talked.student_a))
    # A student with a conversation is still erasable: comments are a student's work too.
    assert services.erase_refusal(talked.student_a) is None


def test_an_announcement_is_a_teachers_work(world):
    before = services.work_counts(world.teacher_a)["announcements"]
    services.post_announcement(classroom=world.class_a, author=world.teacher_a, body="Hi")
    assert services.work_counts(world.teacher_a)["announcements"] == before + 1


def test_erasure_removes_the_conversations_and_nothing_else(talked):
    other = StudentFactory()
    services.enrol_student(classroom=talked.class_a, student=other)
    services.post_comment(
        assignment=talked.assignment, student=other, author=other, body="Mine stays."
    )
    staff = UserFactory(username="staff-only", is_staff=True)
    counts = services.erase_student(student=talked.student_a, erased_by=staff)
    assert counts["comments"] == 3
    assert not User.objects.filter(pk=talked.student_a.pk).exists()
    assert list(WorkComment.objects.values_list("body", flat=True)) == ["Mine stays."]


def test_a_student_with_only_the_teachers_words_is_not_deleted_by_the_admin(world):
    """The teacher's reply is in the student's conversation: the admin counts it as the
    student's work (no delete, only erasure), so a delete never fails on it."""
    services.post_comment(
        assignment=world.assignment, student=world.student_a, author=world.teacher_a, body="Hi"
    )
    assert services.work_counts(world.student_a)["comments"] == 1
