"""Playwright with the system Chromium against pytest-django's live server.

Without a browser these tests skip with a message saying how to get one, except in CI
(`CI=true`), where a missing browser is a failure.
"""

import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
]


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    if Path(candidate).exists():
        return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def _allow_async_unsafe():
    """live_server runs Django beside Playwright's event loop; allowed for browser tests only."""
    old = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if old is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = old


@pytest.fixture(scope="session")
def browser(_allow_async_unsafe):
    path = chromium_path()
    if path is None:
        message = (
            "No Chromium found: install it (Debian: apt-get install -y chromium) "
            "or set CHROMIUM=/path/to/chromium."
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    # A busy CI machine can be slow: wait longer than Playwright's 5 s before failing.
    expect.set_options(timeout=15_000)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


# --- Data and helpers shared by the browser tests -----------------------------------------------


@pytest.fixture
def lessons(transactional_db):
    """The shipped lessons, by slug, for the `world` fixture (tests/worlds.py) and the journeys.
    live_server tests are transactional, so they are loaded here, for each test."""
    import io

    from django.core.cache import cache
    from django.core.management import call_command

    from lessons.models import Lesson

    call_command("createcachetable", stdout=io.StringIO())
    cache.clear()
    call_command("import_lessons", stdout=io.StringIO())
    return {lesson.slug: lesson for lesson in Lesson.objects.all()}


@pytest.fixture
def new_page(browser, live_server):
    """A factory of pages, each in its own browser context (own cookies and storage)."""
    contexts = []

    def make(width: int = 1280, height: int = 900):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield make
    for context in contexts:
        context.close()


def field(page, label: str):
    """The form field labelled `label` (crispy forms mark required fields with "*")."""
    import re

    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def give_extension(teacher, name: str, days: int) -> date:
    """On the marking list the teacher's page shows, give the student `name` their own due
    time `days` from today at 16:30, and see it confirmed. Returns the date."""
    from django.utils import timezone
    from playwright.sync_api import expect

    teacher.get_by_role("link", name=f"Give extension for {name}").click()
    own = timezone.localdate() + timedelta(days=days)
    field(teacher, "Their own due date").fill(own.isoformat())
    field(teacher, "Their own due time").fill("16:30")
    teacher.get_by_role("button", name="Save extension").click()
    expect(
        teacher.get_by_text(f"{name}'s work is now due {own.day} {own:%B %Y}, 16:30.")
    ).to_be_visible()
    return own


def log_in(page, username: str, password: str | None = None) -> None:
    """Log in through the login page, as a person would."""
    from tests.factories import PASSWORD

    page.goto("/accounts/login/")
    field(page, "Username").fill(username)
    field(page, "Password").fill(password or PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()


def force_log_in(page, user, base_url: str) -> None:
    """Give the page's context a session of `user` without typing (for tests of other things)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


# --- One student and "The Kornilov revolt", for the journeys ------------------------------------


@pytest.fixture
def kornilov(lessons):
    return lessons["kornilov-revolt"]


@pytest.fixture
def first_prompt(kornilov):
    return kornilov.questions.active().order_by("position").first().prompt


@pytest.fixture
def assigned(kornilov, teacher_user):
    """A class of the teacher with "The Kornilov revolt" assigned, due in a week."""
    from django.utils import timezone

    from classroom import services
    from tests.factories import ClassroomFactory

    classroom = ClassroomFactory(teacher=teacher_user, name="10H History", join_code="KQ7M3P")
    services.assign_lessons(
        classroom=classroom,
        lessons=[kornilov],
        teacher=teacher_user,
        due_at=timezone.now() + timedelta(days=7),
    )
    return classroom


@pytest.fixture
def teacher_user(transactional_db):
    from tests.factories import TeacherFactory

    return TeacherFactory(username="ms-ivanova", display_name="Ms Ivanova")


@pytest.fixture
def pupil(assigned):
    """A student already in the class."""
    from tests.factories import EnrolmentFactory, StudentFactory

    student = StudentFactory(username="pupil-anna", display_name="Anna K.")
    EnrolmentFactory(classroom=assigned, student=student)
    return student
