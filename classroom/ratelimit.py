"""Limits against guessing: join codes per address, and who is locked out by failed logins.

Counts live in the shared cache (the database cache by default, Redis from CACHE_URL), so
every app server sees the same numbers.
"""

import time
from collections.abc import Iterable

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from classroom.http import client_ip

JOIN_LIMIT_MESSAGE = (
    "Too many wrong join codes. Wait 10 minutes and try again, or ask your teacher to check "
    "the code."
)
SIGNUP_LIMIT_MESSAGE = (
    "Too many wrong teacher codes. Wait 10 minutes and try again, or ask your school for the code."
)


def _limits() -> tuple[int, int, int]:
    """(wrong codes allowed per browser, per address, window in seconds); from settings.

    A browser is held strictly; an address gets many more, because a whole school shares
    one: a class typing codes must never lock out the class next door.
    """
    return (
        getattr(settings, "JOIN_CODE_LIMIT", 10),
        getattr(settings, "JOIN_CODE_ADDRESS_LIMIT", 200),
        getattr(settings, "JOIN_CODE_WINDOW_SECONDS", 600),
    )


def _window_key(key: str, window: int) -> str:
    # A fixed window: the key names the window it counts, so it expires on its own.
    return f"ratelimit:{key}:{int(time.time() // window)}"


def count(key: str, *, window: int) -> int:
    """How many hits `key` has in the current window."""
    return cache.get(_window_key(key, window), 0)


def hit(key: str, *, limit: int, window: int) -> bool:
    """Count one hit for `key`; True while the window's count is still within `limit`.

    `add` creates the counter only if it is missing and `incr` adds one, both in the cache, so
    workers never overwrite each other's counts (on Redis both are atomic; on the database
    cache a rare race can lose a count, never invent one).
    """
    cache_key = _window_key(key, window)
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        value = cache.incr(cache_key)
    except ValueError:  # expired between add and incr: this is the window's first hit
        cache.add(cache_key, 1, timeout=window + 1)
        value = 1
    return value <= limit


def _browser_count(request: HttpRequest, kind: str, window: int) -> tuple[str, int]:
    """The session key and this browser's count of wrong codes in the current window."""
    key = f"ratelimit-{kind}-{int(time.time() // window)}"
    return key, request.session.get(key, 0)


def guesses_exceeded(request: HttpRequest, kind: str = "join") -> bool:
    """True when this browser, or this address, has typed too many wrong codes recently."""
    per_browser, per_address, window = _limits()
    _, in_browser = _browser_count(request, kind, window)
    in_address = count(f"{kind}-wrong-code:{client_ip(request)}", window=window)
    return in_browser >= per_browser or in_address >= per_address


def record_guess(request: HttpRequest, kind: str = "join") -> None:
    """Count one wrong (or empty) code for this browser (in its session) and its address."""
    per_browser, per_address, window = _limits()
    key, in_browser = _browser_count(request, kind, window)
    request.session[key] = in_browser + 1
    hit(f"{kind}-wrong-code:{client_ip(request)}", limit=per_address, window=window)


def join_attempts_exceeded(request: HttpRequest) -> bool:
    return guesses_exceeded(request, "join")


def record_join_attempt(request: HttpRequest, form) -> None:
    """Count a posted join form whose join code was wrong or empty (other mistakes are not
    guesses: the code was right)."""
    if form.is_bound and "join_code" in form.errors:
        record_guess(request, "join")


def locked_out_usernames(usernames: Iterable[str]) -> set[str]:
    """Those of `usernames` locked out now by failed logins (from any one address): one query.

    As django-axes decides: a record for the username with at least AXES_FAILURE_LIMIT
    failures, its last one within the cool-off time (after that the lockout ends by itself).
    """
    usernames = list(usernames)
    if not usernames:
        return set()
    records = AccessAttempt.objects.filter(
        username__in=usernames, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    cool_off = get_cool_off()
    if cool_off is not None:
        records = records.filter(attempt_time__gte=timezone.now() - cool_off)
    return set(records.values_list("username", flat=True))
