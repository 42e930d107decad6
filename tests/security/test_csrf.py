"""CSRF on every POST, logout by POST only, and no off-site redirect after login."""

import pytest
from django.test import Client
from django.urls import reverse

from classroom.models import Classroom, User
from tests.factories import PASSWORD
from tests.worlds import BORIS_TEXT


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_login_without_token_is_refused(csrf_client, world):
    response = csrf_client.post(
        reverse("login"), {"username": world.teacher_a.username, "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in csrf_client.session


def test_join_without_token_is_refused(csrf_client, world):
    response = csrf_client.post(
        reverse("classroom:join"),
        {"join_code": world.class_a.join_code, "username": "new-one", "password": "x" * 20},
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="new-one").exists()


def test_logout_without_token_is_refused(csrf_client, world):
    csrf_client.force_login(world.student_a)
    assert csrf_client.post(reverse("logout")).status_code == 403
    assert "_auth_user_id" in csrf_client.session


def test_teacher_post_without_token_is_refused(csrf_client, world):
    csrf_client.force_login(world.teacher_a)
    response = csrf_client.post(reverse("classroom:classroom-create"), {"name": "Sneaky"})
    assert response.status_code == 403
    assert not Classroom.objects.filter(name="Sneaky").exists()


def test_student_save_without_token_is_refused(csrf_client, world):
    world.attempt.unsubmit()
    csrf_client.force_login(world.student_a)
    url = reverse("classroom:work-save", args=[world.assignment.pk])
    response = csrf_client.post(url, {f"answer-{world.question.pk}": "overwritten", "version": 99})
    assert response.status_code == 403
    assert world.attempt.answers.get().text == BORIS_TEXT


def test_post_with_the_token_works(csrf_client, world):
    """The refusals above are CSRF's doing: the same login with the token succeeds."""
    csrf_client.get(reverse("login"))
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(
        reverse("login"),
        {"username": world.teacher_a.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert csrf_client.session["_auth_user_id"] == str(world.teacher_a.pk)


def test_logout_by_get_does_not_log_out(client, world):
    client.force_login(world.student_a)
    assert client.get(reverse("logout")).status_code == 405
    assert client.session["_auth_user_id"] == str(world.student_a.pk)


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "http://evil.example/home/", "/\\evil.example"],
)
def test_login_next_cannot_leave_the_site(client, world, next_url):
    response = client.post(
        reverse("login") + "?next=" + next_url,
        {"username": world.teacher_a.username, "password": PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
