"""Playwright with the system Chromium against pytest-django's live server.

Without a browser these tests skip with a message saying how to get one, except in CI
(`CI=true`), where a missing browser is a failure.
"""

import os
import shutil
from dataclasses import dataclass
from datetime import timedelta
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
    """The shipped lessons, by slug. live_server tests are transactional, so load them here."""
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


@dataclass
class World:
    teacher: object
    student: object
    classroom: object
    work: dict  # status name -> assignment
    turned_in: object  # Attempt
    returned: object  # Attempt
    admin: object  # a content editor (superuser)


def _answers(lesson, text: str) -> dict[int, str]:
    return {q.pk: text for q in lesson.questions.active()}


@pytest.fixture
def world(lessons) -> World:
    """A class with one student whose work is in every status, and another student."""
    from django.utils import timezone

    from classroom import services
    from tests.factories import (
        ClassroomFactory,
        EnrolmentFactory,
        StudentFactory,
        TeacherFactory,
        UserFactory,
    )

    now = timezone.now()
    teacher = TeacherFactory(username="ms-ivanova", display_name="Ms Ivanova")
    student = StudentFactory(username="anna", display_name="Anna K.")
    other = StudentFactory(username="boris", display_name="Boris P.")
    classroom = ClassroomFactory(teacher=teacher, name="10H History", join_code="KQ7M3P")
    EnrolmentFactory(classroom=classroom, student=student)
    EnrolmentFactory(classroom=classroom, student=other)

    def assign(slug, due_at):
        (assignment,) = services.assign_lessons(
            classroom=classroom, lessons=[lessons[slug]], teacher=teacher, due_at=due_at
        )
        return assignment

    text = "The Red Guards defended Petrograd and the Bolsheviks were seen as its saviours."
    work = {
        "Assigned": assign("kornilov-revolt", now + timedelta(days=7)),
        "Draft": assign("lenins-return", now + timedelta(days=7)),
        "Turned in": assign("june-offensive", now + timedelta(days=7)),
        "Returned": assign("july-days", now + timedelta(days=7)),
        "Late": assign("bolshevik-support", now - timedelta(days=2)),
        "Missing": assign("kornilov-revolt", now - timedelta(days=1)),
    }
    services.save_draft(
        student=student,
        assignment=work["Draft"],
        texts=_answers(work["Draft"].lesson, text),
        base_version=0,
    )
    turned_in = services.turn_in(
        student=student,
        assignment=work["Turned in"],
        # The first answer makes the key points, the others only some: feedback of both kinds.
        texts={
            q.pk: q.model_answer if i == 0 else q.model_answer.split(".")[0] + "."
            for i, q in enumerate(work["Turned in"].lesson.questions.active())
        },
        base_version=0,
    )
    services.turn_in(
        student=other,
        assignment=work["Turned in"],
        texts=_answers(work["Turned in"].lesson, "Kornilov was a Bolshevik."),
        base_version=0,
    )
    returned = services.turn_in(
        student=student,
        assignment=work["Returned"],
        texts=_answers(work["Returned"].lesson, text),
        base_version=0,
    )
    questions = list(work["Returned"].lesson.questions.active())
    services.mark_attempt(
        attempt=returned,
        teacher=teacher,
        marks={q.pk: 1 for q in questions},
        comments={q.pk: "Good start: add a date." for q in questions},
        overall_comment="Clear and careful work.",
        # The teacher credits the first question's first point, which the check did not find:
        # the Checker review has an answer to show.
        points={questions[0].pk: [questions[0].key_points.active().first().key]},
        return_work=True,
        allow_resubmission=True,
    )
    services.save_to_comment_bank(
        teacher=teacher, question=questions[0], text="Good start: add a date."
    )
    services.turn_in(
        student=student,
        assignment=work["Late"],
        texts=_answers(work["Late"].lesson, text),
        base_version=0,
    )
    admin = UserFactory(username="editor", is_staff=True, is_superuser=True)
    return World(teacher, student, classroom, work, turned_in, returned, admin)


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
