"""Guessing join codes: few wrong codes per window per browser, many per address (a school
shares one), counted in the session and the shared cache."""

import pytest
from django.test import Client

from classroom import ratelimit
from classroom.models import User

JOIN = "/join/"
SCHOOL = "203.0.113.7"
GOOD_PASSWORD = "winter-palace-1917"


@pytest.fixture(autouse=True)
def ten_per_window(settings):
    """10 per browser, 30 per address, whatever the site's settings are."""
    settings.JOIN_CODE_LIMIT = 10
    settings.JOIN_CODE_ADDRESS_LIMIT = 30
    settings.JOIN_CODE_WINDOW_SECONDS = 600


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    """Keep every request in one window, so a test never straddles a window's end."""
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_800_000_000.0)


def join(client, code, username="guesser", address=SCHOOL):
    return client.post(
        JOIN,
        {"join_code": code, "username": username, "password": GOOD_PASSWORD},
        REMOTE_ADDR=address,
    )


def test_ten_wrong_codes_then_even_the_right_one_waits(client, world):
    for n in range(10):
        response = join(client, f"ZZZZ{n:02d}")
        assert response.status_code == 200
        assert "No class has the join code" in response.content.decode()
    response = join(client, world.class_a.join_code)
    assert response.status_code == 429
    assert ratelimit.JOIN_LIMIT_MESSAGE in response.content.decode()
    assert not User.objects.filter(username="guesser").exists()


def test_a_neighbouring_class_at_the_same_school_is_not_limited(client, world):
    for n in range(10):
        join(client, f"ZZZZ{n:02d}")
    assert join(client, world.class_a.join_code).status_code == 429
    neighbour = Client()  # another browser, same school address
    response = join(neighbour, world.class_a.join_code, username="neighbour")
    assert response.status_code == 302
    assert User.objects.filter(username="neighbour").exists()


def test_an_address_is_limited_generously(client, world):
    """Cookies cleared after every guess: the address counts them all, up to 30."""
    for n in range(30):
        join(Client(), f"ZZZZ{n:02d}")
    response = join(Client(), world.class_a.join_code)
    assert response.status_code == 429


def test_a_forged_forwarded_for_header_changes_nothing(client, world):
    """No proxy is trusted by default, so rotating X-Forwarded-For is no new address."""
    for n in range(30):
        Client().post(
            JOIN,
            {"join_code": f"ZZZZ{n:02d}", "username": "guesser", "password": GOOD_PASSWORD},
            REMOTE_ADDR=SCHOOL,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    assert join(Client(), world.class_a.join_code).status_code == 429


def test_only_wrong_or_empty_codes_count(client, world):
    for _ in range(12):  # a right code with a taken username or a weak password is no guess
        response = client.post(
            JOIN,
            {
                "join_code": world.class_a.join_code,
                "username": world.student_b.username,
                "password": "short",
            },
            REMOTE_ADDR=SCHOOL,
        )
        assert response.status_code == 200
    assert join(client, world.class_a.join_code).status_code == 302
    other = Client()
    for _ in range(10):  # empty codes are guesses too
        join(other, "")
    assert join(other, world.class_a.join_code, username="other").status_code == 429


def test_a_taken_username_is_not_confirmed_without_the_right_code(client, world):
    taken = world.student_b.username
    page = join(client, "ZZZZ99", username=taken).content.decode()
    assert "No class has the join code" in page
    assert "That username is taken" not in page
    page = join(client, world.class_a.join_code, username=taken.title()).content.decode()
    assert "That username is taken" in page


def test_the_limit_ends_with_its_window(client, world, monkeypatch):
    for n in range(10):
        join(client, f"ZZZZ{n:02d}")
    assert join(client, world.class_a.join_code).status_code == 429
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_800_000_000.0 + 600)
    assert join(client, world.class_a.join_code).status_code == 302


def test_logged_in_students_joining_another_class_are_limited_too(client, world):
    client.force_login(world.student_b)
    for n in range(10):
        client.post(JOIN, {"join_code": f"ZZZZ{n:02d}"}, REMOTE_ADDR=SCHOOL)
    response = client.post(JOIN, {"join_code": world.class_a.join_code}, REMOTE_ADDR=SCHOOL)
    assert response.status_code == 429
    assert not world.class_a.enrolments.filter(student=world.student_b).exists()


def test_hit_counts_within_a_fixed_window(db):
    assert [ratelimit.hit("k", limit=2, window=60) for _ in range(3)] == [True, True, False]
    assert ratelimit.count("k", window=60) == 3
    assert ratelimit.count("other", window=60) == 0


def test_teacher_sign_up_codes_are_limited_too(client, settings, db):
    settings.TEACHER_SIGNUP_CODE = "right-code-for-staff"
    data = {"username": "new-teacher", "email": "t@school.example"}
    data["password1"] = data["password2"] = GOOD_PASSWORD
    for n in range(10):
        response = client.post("/accounts/signup/", {**data, "teacher_code": f"wrong-{n}"})
        assert response.status_code == 200
    response = client.post("/accounts/signup/", {**data, "teacher_code": "right-code-for-staff"})
    assert response.status_code == 429
    assert ratelimit.SIGNUP_LIMIT_MESSAGE in response.content.decode()
    assert not User.objects.filter(username="new-teacher").exists()
