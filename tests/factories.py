"""factory_boy factories for the project's models."""

import factory
from django.utils import timezone

from classroom.models import User
from lessons.models import KeyPoint, KeyTerm, Lesson, Misconception, Question, SampleAnswer, Section

PASSWORD = "petrograd-1917"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = User.Role.STUDENT
    password = factory.django.Password(PASSWORD)


class TeacherFactory(UserFactory):
    username = factory.Sequence(lambda n: f"teacher{n}")
    role = User.Role.TEACHER
    email = factory.LazyAttribute(lambda u: f"{u.username}@school.example")


class StudentFactory(UserFactory):
    username = factory.Sequence(lambda n: f"student{n}")
    role = User.Role.STUDENT


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    slug = factory.Sequence(lambda n: f"lesson-{n}")
    title = factory.Sequence(lambda n: f"Lesson {n}")
    order = factory.Sequence(lambda n: n + 100)
    period = "1917"
    summary = "A short summary."
    why_it_mattered = "It mattered **a lot**."


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    lesson = factory.SubFactory(LessonFactory)
    position = factory.Sequence(lambda n: n + 1)
    heading = factory.Sequence(lambda n: f"Section {n}")
    body = "Some *text*."


class KeyTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyTerm

    lesson = factory.SubFactory(LessonFactory)
    position = factory.Sequence(lambda n: n + 1)
    term = factory.Sequence(lambda n: f"Term {n}")
    definition = "A definition."


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    lesson = factory.SubFactory(LessonFactory)
    key = factory.Sequence(lambda n: f"question-{n}")
    position = factory.Sequence(lambda n: n + 1)
    prompt = "Explain why the Kornilov revolt helped the Bolsheviks."
    marks = 2
    model_answer = "The Bolsheviks were seen to save Petrograd and their support grew."


class KeyPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyPoint

    question = factory.SubFactory(QuestionFactory)
    key = factory.Sequence(lambda n: f"point-{n}")
    position = factory.Sequence(lambda n: n + 1)
    text = "The Bolsheviks were seen as the saviours of Petrograd."
    marks = 1
    hint = "Who did people credit with stopping Kornilov?"
    phrases = "bolsheviks saved petrograd\ndefended the city"


class MisconceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Misconception

    question = factory.SubFactory(QuestionFactory)
    key = factory.Sequence(lambda n: f"misconception-{n}")
    position = factory.Sequence(lambda n: n + 1)
    phrases = "kornilov was a bolshevik"
    feedback = "Kornilov was a general who moved against the government."


class SampleAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SampleAnswer

    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(lambda n: n)
    answer = "The Bolsheviks defended Petrograd."
    expect = factory.LazyFunction(list)


# Classroom factories (models named as strings so this block needs no new imports).


class ClassroomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "classroom.Classroom"

    teacher = factory.SubFactory(TeacherFactory)
    name = factory.Sequence(lambda n: f"Class {n}")
    year_group = "Year 10"
    join_code = factory.Sequence(lambda n: f"{n:06d}".translate(str.maketrans("01", "AB")))


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "classroom.Enrolment"

    classroom = factory.SubFactory(ClassroomFactory)
    student = factory.SubFactory(StudentFactory)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "classroom.Assignment"

    classroom = factory.SubFactory(ClassroomFactory)
    lesson = factory.SubFactory(LessonFactory)
    created_by = factory.SelfAttribute("classroom.teacher")


class AttemptFactory(factory.django.DjangoModelFactory):
    """An attempt as the services leave it: a saved draft by default, and with a trait the
    states they move it to. `AttemptFactory(turned_in=True)` is turned in now (late if the
    assignment is overdue); `AttemptFactory(returned=True)` is turned in, then returned by the
    class's teacher. Pass the traits, not `state`: the database refuses a state without the
    times that go with it."""

    class Meta:
        model = "classroom.Attempt"

    class Params:
        turned_in = factory.Trait(
            state="turned_in",
            turned_in_at=factory.LazyFunction(timezone.now),
            is_late=factory.LazyAttribute(
                lambda a: a.assignment.is_overdue_for(a.student, a.turned_in_at)
            ),
        )
        returned = factory.Trait(
            turned_in=True,
            state="returned",
            returned_at=factory.LazyAttribute(lambda a: a.turned_in_at),
            returned_by=factory.SelfAttribute("assignment.classroom.teacher"),
        )

    assignment = factory.SubFactory(AssignmentFactory)
    student = factory.SubFactory(StudentFactory)
    number = 1
    state = "draft"
    saved_at = factory.LazyFunction(timezone.now)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "classroom.Answer"

    attempt = factory.SubFactory(AttemptFactory)
    question = factory.SubFactory(
        QuestionFactory, lesson=factory.SelfAttribute("..attempt.assignment.lesson")
    )
    text = "The Bolsheviks saved Petrograd from Kornilov."
