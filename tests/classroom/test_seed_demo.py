"""seed_demo: the demo accounts and a class with work in every status, idempotently."""

import io

import pytest
from django.core.management import CommandError, call_command

from classroom.models import (
    Answer,
    Assignment,
    Attempt,
    Classroom,
    Status,
    User,
    work_status,
)


@pytest.fixture(autouse=True)
def _development(settings):
    """seed_demo is for development sites (the test runner turns DEBUG off)."""
    settings.DEBUG = True


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_creates_accounts_classes_and_every_status(shipped_lessons):
    seed()
    seed()  # idempotent: nothing is duplicated
    for username in ["demo-teacher", "demo-teacher-2", "demo-admin"] + [
        f"demo-student-{n}" for n in range(1, 6)
    ]:
        user = User.objects.get(username=username)
        assert user.check_password("petrograd-1917")
        assert not user.must_change_password
    assert User.objects.get(username="demo-admin").is_staff
    assert User.objects.filter(role=User.Role.STUDENT).count() == 5
    # Teachers have addresses (their notification emails show in make run's console).
    assert User.objects.get(username="demo-teacher").email == "demo-teacher@school.example"
    assert not User.objects.filter(role=User.Role.STUDENT).exclude(email="").exists()
    demo = Classroom.objects.get(name="Demo class", teacher__username="demo-teacher")
    assert Classroom.objects.filter(
        name="Demo class 2", teacher__username="demo-teacher-2"
    ).exists()
    assert demo.enrolments.count() == 5
    assert demo.assignments.count() == 5
    statuses = set()
    for assignment in Assignment.objects.all():
        for student in User.objects.filter(role=User.Role.STUDENT):
            latest = (
                Attempt.objects.filter(assignment=assignment, student=student)
                .order_by("-number")
                .first()
            )
            statuses.add(work_status(assignment, student, latest))
    assert statuses == set(Status)
    kornilov_questions = Assignment.objects.get(lesson__slug="kornilov-revolt").lesson.questions
    bank = User.objects.get(username="demo-teacher").comment_bank
    assert bank.count() == 2 * kornilov_questions.active().count() > 0
    # Returned work carries the teacher's ticks, some differing from the check: the agreement
    # figures and the Checker review have something to show.
    judged = Answer.objects.filter(points_judged__isnull=False).select_related("question")
    assert judged.exists()
    assert any(
        answer.disagrees_with(answer.current_result(answer.question, returned=True))
        for answer in judged
    )


@pytest.mark.django_db
def test_seed_demo_students_option(shipped_lessons):
    seed("--students", "8")
    assert User.objects.filter(username="demo-student-8", role=User.Role.STUDENT).exists()


@pytest.mark.django_db
def test_seed_demo_refuses_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="does not run with DJANGO_DEBUG=false"):
        seed()
    assert not User.objects.exists()
    seed("--force")
    assert User.objects.filter(username="demo-teacher").exists()
