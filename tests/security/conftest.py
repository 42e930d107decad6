"""Two teachers, a class each, students in each, and turned-in work in teacher A's class."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from classroom import services
from classroom.models import (
    Assignment,
    Attempt,
    Classroom,
    CommentBankEntry,
    Notification,
    User,
)
from lessons.models import Lesson, Question
from tests.factories import (
    AssignmentFactory,
    ClassroomFactory,
    EnrolmentFactory,
    KeyPointFactory,
    LessonFactory,
    QuestionFactory,
    SectionFactory,
    StudentFactory,
    TeacherFactory,
)


@dataclass
class World:
    teacher_a: User
    teacher_b: User
    class_a: Classroom
    class_b: Classroom
    student_a: User  # in class A, owns the turned-in work
    student_b: User  # in class B only
    lesson: Lesson
    question: Question
    assignment: Assignment  # in class A
    attempt: Attempt  # student A's turned-in attempt
    entry: CommentBankEntry  # in teacher A's comment bank
    notice: Notification  # student A's, about the assignment


@pytest.fixture
def world(db) -> World:
    lesson = LessonFactory(slug="kornilov-revolt", title="The Kornilov revolt")
    SectionFactory(lesson=lesson, position=1, heading="The march on Petrograd")
    question = QuestionFactory(lesson=lesson, key="why-support", position=1)
    KeyPointFactory(question=question)
    teacher_a = TeacherFactory(username="teacher-a")
    teacher_b = TeacherFactory(username="teacher-b")
    class_a = ClassroomFactory(teacher=teacher_a, name="Class A")
    class_b = ClassroomFactory(teacher=teacher_b, name="Class B")
    student_a = StudentFactory(username="student-a")
    student_b = StudentFactory(username="student-b")
    EnrolmentFactory(classroom=class_a, student=student_a)
    EnrolmentFactory(classroom=class_b, student=student_b)
    assignment = AssignmentFactory(classroom=class_a, lesson=lesson)
    attempt = services.turn_in(
        student=student_a,
        assignment=assignment,
        texts={question.pk: "The Bolsheviks saved Petrograd."},
        base_version=0,
    )
    entry = services.save_to_comment_bank(
        teacher=teacher_a, question=question, text="Say who armed the Red Guards."
    )
    [notice] = services.notify(
        recipients=[student_a],
        kind=Notification.Kind.ASSIGNED,
        message="New assignment in Class A: The Kornilov revolt",
        url=reverse("classroom:work-detail", kwargs={"pk": assignment.pk}),
    )
    return World(
        teacher_a=teacher_a,
        teacher_b=teacher_b,
        class_a=class_a,
        class_b=class_b,
        student_a=student_a,
        student_b=student_b,
        lesson=lesson,
        question=question,
        assignment=assignment,
        attempt=attempt,
        entry=entry,
        notice=notice,
    )
