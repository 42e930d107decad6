"""Requests found to give a server error now give a clear 4xx or form error, and store
nothing half-way."""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse

from classroom.models import Answer, Assignment, CommentBankEntry
from tests.worlds import BORIS_TEXT

pytestmark = pytest.mark.django_db


def test_a_nul_character_in_an_answer_is_refused_with_a_message(client, world):
    world.attempt.unsubmit()
    client.force_login(world.student_a)
    url = reverse("classroom:work-save", args=[world.assignment.pk])
    data = {
        f"answer-{world.question.pk}": "Petrograd\x00 was saved",
        "version": world.attempt.version,
    }
    response = client.post(url, data, HTTP_ACCEPT="application/json")
    assert response.status_code < 500
    assert "invisible character" in response.content.decode()
    assert Answer.objects.get(attempt=world.attempt).text == BORIS_TEXT


def test_an_odd_field_name_is_ignored(client, world):
    world.attempt.unsubmit()
    client.force_login(world.student_a)
    url = reverse("classroom:work-save", args=[world.assignment.pk])
    response = client.post(url, {"answer-²": "x", "version": world.attempt.version})
    assert response.status_code < 500
    assert Answer.objects.get(attempt=world.attempt).text == BORIS_TEXT


def test_a_non_number_attempt_on_the_comment_bank_is_404(client, world):
    client.force_login(world.teacher_a)
    url = reverse("classroom:commentbank-create")
    response = client.post(url, {"question": world.question.pk, "text": "Hi", "attempt": "abc"})
    assert response.status_code == 404
    assert not CommentBankEntry.objects.filter(text="Hi").exists()


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
@pytest.mark.parametrize(
    ("field", "value"), [("start_date", "0001-01-01"), ("due_date", "9999-12-31")]
)
def test_dates_at_the_ends_of_the_calendar_are_a_form_error(
    client, world, settings, zone, field, value
):
    settings.TIME_ZONE = zone  # far east and far west of UTC
    before = (world.assignment.start_at, world.assignment.due_at)
    client.force_login(world.teacher_a)
    url = reverse("classroom:assignment-update", args=[world.assignment.pk])
    response = client.post(url, {field: value, "show_instant_feedback": "on"})
    assert response.status_code == 200
    assert "Choose a date between 1 January 2000 and 31 December 2099." in response.content.decode()
    world.assignment.refresh_from_db()
    assert (world.assignment.start_at, world.assignment.due_at) == before


def test_a_garbled_forwarded_for_on_a_failed_login_is_no_error(client, world, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # behind a proxy, which sent nonsense
    response = client.post(
        reverse("login"),
        {"username": world.student_a.username, "password": "wrong"},
        HTTP_X_FORWARDED_FOR="not-an-ip",
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_usernames_differing_only_in_capitals_are_one_username(client, world):
    response = client.post(
        "/join/",
        {
            "join_code": world.class_a.join_code,
            "username": world.student_a.username.upper(),
            "password": "winter-palace-1917",
        },
    )
    assert response.status_code == 200
    assert "That username is taken" in response.content.decode()
    User = get_user_model()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(
            username=world.student_a.username.title()
        )  # and the database refuses it too


def test_an_assignment_update_keeps_its_dates_when_refused(client, world):
    assignment = Assignment.objects.get(pk=world.assignment.pk)
    due_at = assignment.due_at
    client.force_login(world.teacher_a)
    url = reverse("classroom:assignment-update", args=[world.assignment.pk])
    client.post(url, {"due_date": "2030-01-10", "start_date": "2030-01-20"})
    assignment.refresh_from_db()
    assert assignment.due_at == due_at  # due before start: refused, nothing stored
