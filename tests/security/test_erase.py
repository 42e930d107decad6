"""Nothing lost: the admin refuses to delete a user with work, explains why, and offers the one
deliberate exception: erasing a student at their request, after an export of their work."""

import json
import logging

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils.html import strip_tags

from classroom import services
from classroom.models import (
    Answer,
    Attempt,
    Classroom,
    Enrolment,
    FeedbackChange,
    Notification,
    User,
)
from tests.factories import AssignmentFactory, StudentFactory, UserFactory
from tests.worlds import BORIS_TEXT

CHANGELIST = reverse("admin:classroom_user_changelist")
CHECKBOX_LABEL = "I have exported the work and the student asked for erasure"


def words(response) -> str:
    """The page's text, tags stripped and whitespace collapsed."""
    return " ".join(strip_tags(response.content.decode()).split())


def export_url(user: User) -> str:
    return reverse("admin:classroom_user_export_work", args=[user.pk])


@pytest.fixture
def admin_client(client, db):
    staff = UserFactory(username="the-admin", is_staff=True, is_superuser=True)
    client.force_login(staff)
    client.staff = staff
    return client


@pytest.fixture
def marked(world):
    """Student A's work returned with a mark and comments, then a mark changed afterwards."""
    question = world.question
    services.return_attempt(
        attempt=world.attempt,
        teacher=world.teacher_a,
        marks={question.pk: 1},
        comments={question.pk: "Say who organised the defence."},
        overall_comment="A good start.",
    )
    services.mark_attempt(
        attempt=world.attempt,
        teacher=world.teacher_a,
        marks={question.pk: 2},
        comments={question.pk: "Better on a second look."},
        overall_comment="A good start.",
    )
    assert FeedbackChange.objects.filter(attempt=world.attempt).exists()
    return world


def _other_student_work(world) -> dict:
    """Student B's work in class B, to prove erasing A leaves it alone."""
    assignment = AssignmentFactory(classroom=world.class_b, lesson=world.lesson)
    attempt = services.turn_in(
        student=world.student_b,
        assignment=assignment,
        texts={world.question.pk: "Kornilov's troops deserted."},
        base_version=0,
    )
    return {"attempt": attempt.pk, "answers": list(attempt.answers.values_list("pk", "text"))}


def _erase_post(users, **extra) -> dict:
    return {
        "action": "erase_students",
        ACTION_CHECKBOX_NAME: [u.pk for u in users],
        "index": 0,
        **extra,
    }


# --- Deleting is refused for a user with work ----------------------------------------------


def test_deleting_a_student_with_work_is_refused_with_an_explanation(admin_client, world):
    url = reverse("admin:classroom_user_delete", args=[world.student_a.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    text = words(page)
    counts = "(1 attempt, 1 answer, 1 class enrolment)"
    assert f"{world.student_a.username} has work in the classroom {counts}" in text
    assert "Work is never deleted" in text
    assert "Erase student and their work" in text
    assert "untick Active" in text
    assert "protected related objects" not in text
    assert reverse("admin:classroom_user_change", args=[world.student_a.pk]) in html

    # Posting the confirmation anyway deletes nothing.
    refused = admin_client.post(url, {"post": "yes"})
    assert refused.status_code == 200
    assert "Work is never deleted" in words(refused)
    assert User.objects.filter(pk=world.student_a.pk).exists()
    assert Attempt.objects.filter(pk=world.attempt.pk).exists()
    assert Enrolment.objects.filter(student=world.student_a).exists()


def test_deleting_a_teacher_with_classes_is_refused(admin_client, world):
    url = reverse("admin:classroom_user_delete", args=[world.teacher_a.pk])
    text = words(admin_client.post(url, {"post": "yes"}))
    assert f"{world.teacher_a.username} has work in the classroom (" in text
    assert "1 class taught" in text
    assert User.objects.filter(pk=world.teacher_a.pk).exists()


def test_the_change_page_offers_no_delete_for_a_user_with_work(admin_client, world):
    page = admin_client.get(reverse("admin:classroom_user_change", args=[world.student_a.pk]))
    assert page.status_code == 200
    assert reverse("admin:classroom_user_delete", args=[world.student_a.pk]) not in (
        page.content.decode()
    )


def test_bulk_delete_with_a_user_with_work_is_refused(admin_client, world):
    idle = StudentFactory(username="never-joined")
    data = {
        "action": "delete_selected",
        ACTION_CHECKBOX_NAME: [world.student_a.pk, idle.pk],
        "index": 0,
    }
    page = admin_client.post(CHANGELIST, data)
    text = words(page)
    assert f"{world.student_a.username} has work in the classroom" in text
    assert "protected related objects" not in text
    admin_client.post(CHANGELIST, {**data, "post": "yes"})
    assert User.objects.filter(pk__in=[world.student_a.pk, idle.pk]).count() == 2
    assert Attempt.objects.filter(pk=world.attempt.pk).exists()


def test_a_user_with_no_work_can_be_deleted(admin_client, world):
    idle = StudentFactory(username="never-joined")
    url = reverse("admin:classroom_user_delete", args=[idle.pk])
    page = admin_client.get(url)
    assert "Are you sure" in words(page)
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=idle.pk).exists()


def test_users_with_no_work_can_be_deleted_in_bulk(admin_client, world):
    idle = [StudentFactory(), StudentFactory()]
    data = {
        "action": "delete_selected",
        ACTION_CHECKBOX_NAME: [u.pk for u in idle],
        "index": 0,
        "post": "yes",
    }
    assert admin_client.post(CHANGELIST, data).status_code == 302
    assert not User.objects.filter(pk__in=[u.pk for u in idle]).exists()


# --- Erasing a student at their request ------------------------------------------------------


def test_erase_action_shows_the_confirmation_with_the_export_link(admin_client, marked):
    page = admin_client.post(CHANGELIST, _erase_post([marked.student_a]))
    assert page.status_code == 200
    html = page.content.decode()
    text = words(page)
    assert marked.student_a.username in text
    assert export_url(marked.student_a) in html
    assert CHECKBOX_LABEL in text
    assert 'name="confirm_erase"' in html
    assert page.context["people"][0]["counts"]["attempts"] == 1
    assert page.context["people"][0]["counts"]["answers"] == 1
    assert page.context["people"][0]["counts"]["enrolments"] == 1
    assert User.objects.filter(pk=marked.student_a.pk).exists()


def test_the_export_holds_the_answers_marks_and_feedback(admin_client, marked):
    response = admin_client.get(export_url(marked.student_a))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["student"]["username"] == marked.student_a.username
    assert [c["name"] for c in data["classes"]] == [marked.class_a.name]
    [assignment] = data["assignments"]
    assert assignment["lesson"] == marked.lesson.title
    [attempt] = assignment["attempts"]
    assert attempt["overall_comment"] == "A good start."
    [answer] = attempt["answers"]
    assert answer["text"] == BORIS_TEXT
    assert answer["mark"] == 2
    assert answer["comment"] == "Better on a second look."
    assert answer["instant_feedback"] == Answer.objects.get(attempt=marked.attempt).result
    assert answer["instant_feedback"]  # the engine's result at turn-in
    stored = Answer.objects.get(attempt=marked.attempt)
    assert answer["key_points_ticked_by_teacher"] == stored.points_judged
    assert answer["misconceptions_dismissed_by_teacher"] == stored.misconceptions_dismissed
    fields = {change["field"] for change in attempt["feedback_changes"]}
    assert {"mark", "comment"} <= fields
    assert data["student"]["email_notifications"] is True
    notices = {(n["kind"], n["message"]) for n in data["notifications"]}
    assert ("New assignment", marked.notice.message) in notices


def test_non_staff_cannot_reach_the_export(client, world):
    url = export_url(world.student_a)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    for user in (world.teacher_a, world.student_a):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
        assert "application/json" not in response.get("Content-Type", "")


def test_confirming_without_the_checkbox_erases_nothing(admin_client, marked):
    page = admin_client.post(CHANGELIST, _erase_post([marked.student_a], post="yes"), follow=True)
    text = words(page)
    assert "Nothing was erased" in text
    assert CHECKBOX_LABEL in text
    assert User.objects.filter(pk=marked.student_a.pk).exists()
    assert Attempt.objects.filter(pk=marked.attempt.pk).exists()
    assert FeedbackChange.objects.filter(attempt=marked.attempt).exists()


def test_confirming_erases_the_student_and_their_work_only(admin_client, marked, caplog):
    other = _other_student_work(marked)
    student = marked.student_a
    attempt_pk = marked.attempt.pk
    data = _erase_post([student], post="yes", confirm_erase="yes")
    with caplog.at_level(logging.INFO, logger="classroom.audit"):
        page = admin_client.post(CHANGELIST, data, follow=True)
    text = words(page)
    erased = "Erased 1 student and their work: 1 attempt, 1 answer, 1 class enrolment, 2 feedback"
    assert erased in text

    assert not User.objects.filter(pk=student.pk).exists()
    assert not Attempt.objects.filter(pk=attempt_pk).exists()
    assert not Answer.objects.filter(attempt_id=attempt_pk).exists()
    assert not FeedbackChange.objects.filter(attempt_id=attempt_pk).exists()
    assert not Enrolment.objects.filter(student_id=student.pk).exists()

    # Everyone else's work, classes and accounts are untouched.
    kept = Attempt.objects.get(pk=other["attempt"])
    assert kept.student == marked.student_b
    assert list(kept.answers.values_list("pk", "text")) == other["answers"]
    assert Enrolment.objects.filter(student=marked.student_b).exists()
    assert User.objects.filter(pk__in=[marked.teacher_a.pk, marked.student_b.pk]).count() == 2
    assert Classroom.objects.filter(pk=marked.class_a.pk).exists()

    # The audit log says who erased whom, never the content.
    [record] = [r for r in caplog.records if r.name == "classroom.audit"]
    message = record.getMessage()
    assert "the-admin" in message and marked.student_a.username in message
    assert BORIS_TEXT not in message


@pytest.mark.parametrize("who", ["teacher", "staff"])
def test_teachers_and_staff_cannot_be_erased(admin_client, world, who):
    target = world.teacher_a if who == "teacher" else admin_client.staff
    data = _erase_post([target, world.student_a], post="yes", confirm_erase="yes")
    page = admin_client.post(CHANGELIST, data, follow=True)
    text = words(page)
    assert "Nothing was erased" in text
    assert "only students can be erased" in text
    assert User.objects.filter(pk__in=[target.pk, world.student_a.pk]).count() == 2
    assert Attempt.objects.filter(pk=world.attempt.pk).exists()


def test_the_service_refuses_non_students_and_non_staff(world):
    with pytest.raises(services.ServiceError):
        services.erase_student(student=world.teacher_a, erased_by=world.teacher_b)
    staff = UserFactory(username="staff-only", is_staff=True)
    with pytest.raises(services.ServiceError, match="only students"):
        services.erase_student(student=world.teacher_a, erased_by=staff)
    with pytest.raises(services.ServiceError, match="Only an admin"):
        services.erase_student(student=world.student_a, erased_by=world.teacher_a)
    assert User.objects.filter(pk__in=[world.teacher_a.pk, world.student_a.pk]).count() == 2


def test_the_service_returns_counts(world):
    staff = UserFactory(username="staff-only", is_staff=True)
    notices = Notification.objects.filter(recipient=world.student_a).count()
    assert notices  # told of the assignments and the announcement
    counts = services.erase_student(student=world.student_a, erased_by=staff)
    assert counts["attempts"] == 1
    assert counts["answers"] == 1
    assert counts["enrolments"] == 1
    assert counts["users"] == 1
    assert counts["notifications"] == notices
    assert not User.objects.filter(username=world.student_a.username).exists()
    assert not Notification.objects.filter(recipient_id=world.student_a.pk).exists()
