"""Guessing join codes: a few wrong codes per window per address, in the shared cache."""

import pytest

from classroom import ratelimit
from classroom.models import User

JOIN = "/join/"
SCHOOL = "203.0.113.7"
GOOD_PASSWORD = "winter-palace-1917"


@pytest.fixture(autouse=True)
def ten_per_window(settings):
    """The tests count to 10; the site's default is more generous (see settings)."""
    settings.JOIN_CODE_LIMIT = 10
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


def test_another_address_is_not_limited(client, world):
    for n in range(10):
        join(client, f"ZZZZ{n:02d}")
    response = join(client, world.class_a.join_code, address="198.51.100.9")
    assert response.status_code == 302
    assert User.objects.filter(username="guesser").exists()


def test_only_wrong_codes_count(client, world):
    for _ in range(12):  # a right code with a taken username or a weak password is no guess
        response = client.post(
            JOIN,
            {"join_code": world.class_a.join_code, "username": "student-b", "password": "short"},
            REMOTE_ADDR=SCHOOL,
        )
        assert response.status_code == 200
    for _ in range(12):  # an empty code is not a guess either
        join(client, "")
    assert join(client, world.class_a.join_code).status_code == 302


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
