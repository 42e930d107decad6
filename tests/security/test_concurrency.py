"""50 students turning in at the same moment: every attempt stored, none twice, no error."""

import threading

import pytest
from django.db import connection

from classroom import services
from classroom.models import Answer, Attempt
from tests.factories import (
    AssignmentFactory,
    ClassroomFactory,
    EnrolmentFactory,
    KeyPointFactory,
    LessonFactory,
    QuestionFactory,
    StudentFactory,
)

STUDENTS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_students_turn_in_at_once():
    lesson = LessonFactory()
    questions = [QuestionFactory(lesson=lesson, position=n) for n in (1, 2)]
    KeyPointFactory(question=questions[0])
    classroom = ClassroomFactory()
    assignment = AssignmentFactory(classroom=classroom, lesson=lesson)
    students = [StudentFactory() for _ in range(STUDENTS)]
    for student in students:
        EnrolmentFactory(classroom=classroom, student=student)

    barrier = threading.Barrier(STUDENTS)
    errors: list[BaseException] = []

    def turn_in(student) -> None:
        try:
            texts = {q.pk: f"{student.username}: the Bolsheviks saved Petrograd" for q in questions}
            barrier.wait(timeout=30)
            services.turn_in(student=student, assignment=assignment, texts=texts, base_version=0)
        except BaseException as error:  # every failure must reach the assert below
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection; leave none open

    threads = [threading.Thread(target=turn_in, args=(s,)) for s in students]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    attempts = Attempt.objects.filter(assignment=assignment)
    assert attempts.count() == STUDENTS
    assert set(attempts.values_list("student", flat=True)) == {s.pk for s in students}
    assert set(attempts.values_list("state", flat=True)) == {Attempt.State.TURNED_IN}
    assert set(attempts.values_list("number", flat=True)) == {1}
    answers = Answer.objects.filter(attempt__assignment=assignment)
    assert answers.count() == STUDENTS * len(questions)
    for answer in answers.select_related("attempt__student"):
        assert answer.text.startswith(answer.attempt.student.username + ":")
