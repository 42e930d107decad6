"""The one world the security tests and the browser tests run against.

Ms Ivanova's class "10H History" has Anna K., whose work is in every status, and Boris P., who
has turned in "The June offensive"; her comment bank has one comment. Another teacher has a
class of their own with one student. The lessons are the shipped ones.

The security tests name the people by their role in an attack (`teacher_a` owns the class,
`student_a` owns the turned-in work, `teacher_b` and `student_b` are the outsiders); the
browser tests by who they are. Both names are the same people.
"""

from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from django.utils import timezone

from classroom import services
from classroom.models import (
    Announcement,
    Assignment,
    Attempt,
    Classroom,
    CommentBankEntry,
    Notification,
    User,
)
from lessons.models import Lesson, Question
from tests.factories import (
    ClassroomFactory,
    EnrolmentFactory,
    KeyPointFactory,
    LessonFactory,
    QuestionFactory,
    SectionFactory,
    StudentFactory,
    TeacherFactory,
    UserFactory,
)

# The shipped lessons' addresses and titles (lessons/content/*.yaml).
LESSON_TITLES = {
    "lenins-return": "Lenin's return",
    "june-offensive": "The June offensive",
    "july-days": "The July days",
    "kornilov-revolt": "The Kornilov revolt",
    "bolshevik-support": "Increased support for the Bolsheviks",
}

# What Anna writes in her draft, late and returned work.
ANNA_TEXT = "The Red Guards defended Petrograd and the Bolsheviks were seen as its saviours."
# What Boris turned in, for every question of "The June offensive".
BORIS_TEXT = "Kornilov was a Bolshevik."
# The comment in Ms Ivanova's comment bank.
BANKED_COMMENT = "Good start: add a date."
# Ms Ivanova's announcement to her class.
ANNOUNCEMENT = "Test on Friday."


@dataclass
class World:
    teacher: User  # Ms Ivanova
    student: User  # Anna K.: work in every status
    other: User  # Boris P.: in the same class, one turned-in attempt
    classroom: Classroom  # Ms Ivanova's "10H History"
    work: dict[str, Assignment]  # status name -> Anna's assignment in that status
    turned_in: Attempt  # Anna's turned-in attempt
    returned: Attempt  # Anna's returned attempt
    admin: User  # a content editor (superuser)
    entry: CommentBankEntry  # in Ms Ivanova's comment bank
    boris_attempt: Attempt  # Boris's turned-in attempt ("The June offensive")
    outsider_teacher: User  # another teacher, with a class of their own
    outsider_class: Classroom
    outsider: User  # a student in the outsider teacher's class only
    announcement: Announcement  # Ms Ivanova's, to her class
    notice: Notification  # Boris's, about the assignment he turned in

    # --- The security tests' names ------------------------------------------------------------

    @property
    def teacher_a(self) -> User:
        return self.teacher

    @property
    def teacher_b(self) -> User:
        return self.outsider_teacher

    @property
    def class_a(self) -> Classroom:
        return self.classroom

    @property
    def class_b(self) -> Classroom:
        return self.outsider_class

    @property
    def student_a(self) -> User:
        """Owns the turned-in work `attempt`."""
        return self.other

    @property
    def student_b(self) -> User:
        return self.outsider

    @property
    def assignment(self) -> Assignment:
        return self.work["Turned in"]

    @property
    def attempt(self) -> Attempt:
        return self.boris_attempt

    @cached_property
    def lesson(self) -> Lesson:
        return self.assignment.lesson

    @cached_property
    def question(self) -> Question:
        """The first question of the turned-in work."""
        return self.lesson.questions.active().order_by("position").first()


def _answers(lesson: Lesson, text: str) -> dict[int, str]:
    return {q.pk: text for q in lesson.questions.active()}


def _assign(classroom: Classroom, lesson: Lesson, due_in: timedelta) -> Assignment:
    (assignment,) = services.assign_lessons(
        classroom=classroom,
        lessons=[lesson],
        teacher=classroom.teacher,
        due_at=timezone.now() + due_in,
    )
    return assignment


def _return_marked(attempt: Attempt, teacher: User) -> None:
    questions = list(attempt.assignment.lesson.questions.active())
    services.mark_attempt(
        attempt=attempt,
        teacher=teacher,
        marks={q.pk: 1 for q in questions},
        comments={q.pk: BANKED_COMMENT for q in questions},
        overall_comment="Clear and careful work.",
        # The teacher credits the first question's first point, which the check did not find:
        # the Checker review has an answer to show.
        points={questions[0].pk: [questions[0].key_points.active().first().key]},
        return_work=True,
        allow_resubmission=True,
    )


def small_lessons() -> dict[str, Lesson]:
    """Stand-ins for the shipped lessons, by slug: a section, one question, one key point."""
    lessons = {}
    for position, (slug, title) in enumerate(LESSON_TITLES.items(), start=1):
        lesson = LessonFactory(slug=slug, title=title, order=position)
        SectionFactory(lesson=lesson, position=1)
        KeyPointFactory(question=QuestionFactory(lesson=lesson, key=f"{slug}-why", position=1))
        lessons[slug] = lesson
    return lessons


def build_world(lessons: dict[str, Lesson]) -> World:
    """Build the world on `lessons` (by slug): the shipped ones or `small_lessons()`."""
    teacher = TeacherFactory(username="ms-ivanova", display_name="Ms Ivanova")
    student = StudentFactory(username="anna", display_name="Anna K.")
    other = StudentFactory(username="boris", display_name="Boris P.")
    classroom = ClassroomFactory(teacher=teacher, name="10H History", join_code="KQ7M3P")
    EnrolmentFactory(classroom=classroom, student=student)
    EnrolmentFactory(classroom=classroom, student=other)
    week = timedelta(days=7)
    work = {
        "Assigned": _assign(classroom, lessons["kornilov-revolt"], week),
        "Draft": _assign(classroom, lessons["lenins-return"], week),
        "Turned in": _assign(classroom, lessons["june-offensive"], week),
        "Returned": _assign(classroom, lessons["july-days"], week),
        "Late": _assign(classroom, lessons["bolshevik-support"], -timedelta(days=2)),
        "Missing": _assign(classroom, lessons["kornilov-revolt"], -timedelta(days=1)),
    }
    services.save_draft(
        student=student,
        assignment=work["Draft"],
        texts=_answers(work["Draft"].lesson, ANNA_TEXT),
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
    boris_attempt = services.turn_in(
        student=other,
        assignment=work["Turned in"],
        texts=_answers(work["Turned in"].lesson, BORIS_TEXT),
        base_version=0,
    )
    returned = services.turn_in(
        student=student,
        assignment=work["Returned"],
        texts=_answers(work["Returned"].lesson, ANNA_TEXT),
        base_version=0,
    )
    _return_marked(returned, teacher)
    entry = services.save_to_comment_bank(
        teacher=teacher,
        question=list(work["Returned"].lesson.questions.active())[0],
        text=BANKED_COMMENT,
    )
    services.turn_in(
        student=student,
        assignment=work["Late"],
        texts=_answers(work["Late"].lesson, ANNA_TEXT),
        base_version=0,
    )
    admin = UserFactory(username="editor", is_staff=True, is_superuser=True)
    outsider_teacher = TeacherFactory(username="mr-petrov", display_name="Mr Petrov")
    outsider_class = ClassroomFactory(teacher=outsider_teacher, name="11B History")
    outsider = StudentFactory(username="vera", display_name="Vera S.")
    EnrolmentFactory(classroom=outsider_class, student=outsider)
    announcement = services.post_announcement(
        classroom=classroom, author=teacher, body=ANNOUNCEMENT
    )
    return World(
        teacher=teacher,
        student=student,
        other=other,
        classroom=classroom,
        work=work,
        turned_in=turned_in,
        returned=returned,
        admin=admin,
        entry=entry,
        boris_attempt=boris_attempt,
        outsider_teacher=outsider_teacher,
        outsider_class=outsider_class,
        outsider=outsider,
        announcement=announcement,
        notice=Notification.objects.get(recipient=other, key=f"assigned:{work['Turned in'].pk}"),
    )
