import io

import pytest
from django.core.management import call_command

from tests.factories import StudentFactory, TeacherFactory
from tests.worlds import World, build_world


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing passwords slowly is the point in production and a waste in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Background tasks run at once, in the test (the database worker has its own test)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fresh_local_render_cache():
    """Each test starts with an empty in-process copy of rendered lessons, as a new worker."""
    from lessons import rendering

    rendering._LOCAL.clear()


@pytest.fixture
def shipped_lessons(db):
    """The lessons of lessons/content/, imported as `make run` does."""
    from lessons.models import Lesson

    call_command("import_lessons", stdout=io.StringIO())
    return list(Lesson.objects.all())


@pytest.fixture
def world(lessons) -> World:
    """The one world of the security tests and the browser tests (tests/worlds.py). Each suite
    says which `lessons` it is built on: the browser tests the shipped ones, the security tests
    small stand-ins with the same addresses (an import per test would cost minutes)."""
    return build_world(lessons)


@pytest.fixture
def teacher(db):
    return TeacherFactory(username="ms-teacher", display_name="Ms Teacher")


@pytest.fixture
def student(db):
    return StudentFactory(username="student-one", display_name="Student One")
