"""Two people changing one student's work at the same instant: every outcome is one of the two
legal orders, never a mix (PostgreSQL, where row locks matter; SQLite runs one writer at a
time whatever the code does).

Each round starts two threads, each with its own database connection, held at a barrier and
released together.
"""

import threading

import pytest
from django.db import connection
from django.test import Client

from classroom import services
from classroom.models import Answer, Attempt, FeedbackChange, User
from tests.factories import (
    AssignmentFactory,
    ClassroomFactory,
    EnrolmentFactory,
    KeyPointFactory,
    LessonFactory,
    QuestionFactory,
    StudentFactory,
    TeacherFactory,
)

ROUNDS = 25

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"
    ),
]


@pytest.fixture
def work():
    lesson = LessonFactory()
    question = QuestionFactory(lesson=lesson, marks=2)
    KeyPointFactory(question=question, key="saved", phrases="bolsheviks saved petrograd")
    teacher = TeacherFactory()
    classroom = ClassroomFactory(teacher=teacher)
    assignment = AssignmentFactory(classroom=classroom, lesson=lesson)
    return teacher, assignment, question


def race(*actions) -> list[BaseException | None]:
    """Run the actions at the same instant, each in its own thread and connection; what each
    raised (None when it succeeded)."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[BaseException | None] = [None] * len(actions)

    def run(index: int, action) -> None:
        try:
            barrier.wait()
            action()
        except BaseException as error:  # any failure is reported to the test below
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def refused(outcome: BaseException | None) -> bool:
    """A legal refusal: the service said why (never a database error)."""
    return isinstance(outcome, services.ServiceError)


def test_return_against_unsubmit(work):
    teacher, assignment, question = work
    orders = set()
    for _ in range(ROUNDS):
        student = StudentFactory(password=None)
        EnrolmentFactory(classroom=assignment.classroom, student=student)
        attempt = services.turn_in(
            student=student,
            assignment=assignment,
            texts={question.pk: "The Bolsheviks saved Petrograd."},
            base_version=0,
        )
        returned, unsubmitted = race(
            lambda attempt=attempt: services.return_attempt(
                attempt=attempt,
                teacher=teacher,
                marks={question.pk: 2},
                comments={question.pk: "Good."},
                overall_comment="",
            ),
            lambda student=student: services.unsubmit(student=student, assignment=assignment),
        )
        attempt.refresh_from_db()
        if returned is None:
            # Return first: the unsubmit was refused, the work is returned with its marks.
            assert refused(unsubmitted), unsubmitted
            assert attempt.state == Attempt.State.RETURNED
            assert attempt.returned_at is not None and attempt.turned_in_at is not None
            assert attempt.answers.get().mark == 2
            orders.add("return first")
        else:
            # Unsubmit first: the return was refused, nothing of it is stored.
            assert refused(returned), returned
            assert unsubmitted is None, unsubmitted
            assert attempt.state == Attempt.State.DRAFT
            assert attempt.returned_at is None and attempt.turned_in_at is None
            assert attempt.answers.get().mark is None
            orders.add("unsubmit first")
    assert orders  # at least one order was seen; both usually are


def test_mark_against_resubmit(work):
    teacher, assignment, question = work
    for _ in range(ROUNDS):
        student = StudentFactory(password=None)
        EnrolmentFactory(classroom=assignment.classroom, student=student)
        attempt = services.turn_in(
            student=student,
            assignment=assignment,
            texts={question.pk: "The Bolsheviks saved Petrograd."},
            base_version=0,
        )
        services.return_attempt(
            attempt=attempt,
            teacher=teacher,
            marks={question.pk: 1},
            comments={},
            overall_comment="",
            allow_resubmission=True,
        )
        # The teacher changes the mark and withdraws the resubmission as the student starts one.
        marked, resubmitted = race(
            lambda attempt=attempt: services.mark_attempt(
                attempt=attempt,
                teacher=teacher,
                marks={question.pk: 2},
                comments={},
                overall_comment="",
                allow_resubmission=False,
            ),
            lambda student=student: services.resubmit(student=student, assignment=assignment),
        )
        assert marked is None, marked
        attempts = list(Attempt.objects.filter(student=student).order_by("number"))
        first = attempts[0]
        assert first.state == Attempt.State.RETURNED
        assert (first.resubmission_allowed, first.answers.get().mark) == (False, 2)
        assert list(FeedbackChange.objects.filter(attempt=first).values_list("field", flat=True))
        if resubmitted is None:
            # Resubmit first: a new draft from the returned text.
            (second,) = attempts[1:]
            assert second.state == Attempt.State.DRAFT and second.number == 2
            assert Answer.objects.get(attempt=second).text == "The Bolsheviks saved Petrograd."
        else:
            # Mark first: resubmitting is no longer allowed, and no attempt was made.
            assert refused(resubmitted), resubmitted
            assert len(attempts) == 1


def test_two_turn_ins_of_new_work_at_once(work):
    """A double click on Turn in (or two tabs) before anything was saved: one attempt, turned
    in once; the second press finds it turned in."""
    _, assignment, question = work
    for _ in range(ROUNDS):
        student = StudentFactory(password=None)
        EnrolmentFactory(classroom=assignment.classroom, student=student)

        def press(student=student):
            services.turn_in(
                student=student,
                assignment=assignment,
                texts={question.pk: "The Bolsheviks saved Petrograd."},
                base_version=0,
            )

        assert race(press, press) == [None, None]
        (attempt,) = Attempt.objects.filter(student=student)
        assert attempt.state == Attempt.State.TURNED_IN
        assert Answer.objects.filter(attempt=attempt).count() == 1


def test_ten_joins_at_once_with_the_same_new_username(work):
    """One account is made; the other nine are told the name is taken (a form error)."""
    _, assignment, _ = work
    code = assignment.classroom.join_code
    responses = []

    def join(n: int):
        response = Client().post(
            "/join/",
            {
                "join_code": code,
                "username": "CaseKid" if n % 2 else "casekid",
                "password": "winter-palace-1917",
            },
        )
        responses.append(response)

    assert race(*[lambda n=n: join(n) for n in range(10)]) == [None] * 10
    assert sorted(r.status_code for r in responses) == [200] * 9 + [302]
    for response in responses:
        if response.status_code == 200:
            assert "That username is taken" in response.content.decode()
    assert User.objects.filter(username__iexact="casekid").count() == 1
