"""Demo accounts, classes and work in every status, for trying the site (idempotent)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from classroom import services
from classroom.models import Assignment, Classroom, User
from lessons.models import Lesson, Question

DEMO_PASSWORD = "petrograd-1917"
# The demo teacher's comment bank, on each question of the Kornilov lesson.
BANK_COMMENTS = (
    "Good use of evidence. Add one more reason.",
    "Say why this helped the Bolsheviks in October, not only what happened.",
)


class Command(BaseCommand):
    help = (
        "Create the demo teachers, students, admin and classes with work in every status "
        "(idempotent). Refuses to run with DEBUG off unless given --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--students", type=int, default=5, help="How many demo students.")
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never on a real site)."
        )

    @transaction.atomic
    def handle(self, *args: object, students: int, force: bool, **options: object) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password, so it does not run with "
                "DJANGO_DEBUG=false. Use --force only on a site that is not used by real people."
            )
        if students < 1:
            raise CommandError("--students must be 1 or more.")
        # The teachers have email addresses (the students none, as is usual): with `make run`
        # their notification emails show in the console, sent by the tasks worker.
        teacher = self._user(
            "demo-teacher", User.Role.TEACHER, "Ms Demo", email="demo-teacher@school.example"
        )
        teacher_2 = self._user(
            "demo-teacher-2", User.Role.TEACHER, "Mr Demo", email="demo-teacher-2@school.example"
        )
        pupils = [
            self._user(f"demo-student-{n}", User.Role.STUDENT, f"Demo Student {n}")
            for n in range(1, students + 1)
        ]
        self._user("demo-admin", User.Role.TEACHER, "Demo Admin", staff=True)

        demo_class = self._classroom(teacher, "Demo class", "Year 10")
        self._classroom(teacher_2, "Demo class 2", "Year 11")
        for pupil in pupils:
            services.enrol_student(classroom=demo_class, student=pupil)
        lessons = {lesson.slug: lesson for lesson in Lesson.objects.all()}
        if len(lessons) < 5:
            self.stdout.write(
                self.style.WARNING(
                    "No lessons loaded, so no assignments were made: run "
                    "`python manage.py import_lessons` and then seed_demo again."
                )
            )
        else:
            if not demo_class.assignments.exists():
                self._assignments(demo_class, teacher, pupils, lessons)
            self._comment_bank(teacher, lessons["kornilov-revolt"])
        self.stdout.write(
            f"Demo ready: demo-teacher, demo-teacher-2, demo-student-1 to "
            f"demo-student-{len(pupils)}, demo-admin (password {DEMO_PASSWORD})."
        )

    def _user(
        self, username: str, role: str, name: str, *, staff: bool = False, email: str = ""
    ) -> User:
        user, created = User.objects.get_or_create(
            username=username, defaults={"role": role, "display_name": name, "email": email}
        )
        user.role = role
        user.is_staff = user.is_superuser = staff
        user.must_change_password = False
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.save()
        return user

    def _classroom(self, teacher: User, name: str, year_group: str) -> Classroom:
        existing = Classroom.objects.filter(teacher=teacher, name=name).first()
        return existing or services.create_classroom(
            teacher=teacher, name=name, year_group=year_group
        )

    def _assignments(
        self, classroom: Classroom, teacher: User, pupils: list[User], lessons: dict[str, Lesson]
    ) -> None:
        """Five assignments whose work covers every status, most of them for demo-student-1."""
        now = timezone.now()
        days = timedelta(days=1)

        def assign(slug: str, *, due_in: int, instructions: str) -> Assignment:
            (assignment,) = services.assign_lessons(
                classroom=classroom,
                lessons=[lessons[slug]],
                teacher=teacher,
                instructions=instructions,
                due_at=now + due_in * days,
            )
            return assignment

        returned = assign("lenins-return", due_in=-7, instructions="Read it all before you answer.")
        on_time = assign("june-offensive", due_in=5, instructions="Use the key terms.")
        late = assign("july-days", due_in=-2, instructions="Answer in full sentences.")
        draft = assign("kornilov-revolt", due_in=7, instructions="Explain, don't just describe.")
        assign("bolshevik-support", due_in=10, instructions="Link it back to Kornilov.")

        first, rest = pupils[0], pupils[1:]
        self._turn_in(first, returned, when=now - 9 * days, sample=0)
        attempt = self._turn_in(rest[0], returned, when=now - 8 * days, sample=1) if rest else None
        self._return(first, returned, teacher, allow_resubmission=True)
        if attempt:
            self._return(rest[0], returned, teacher, allow_resubmission=False)
        self._turn_in(first, on_time, when=now - days, sample=0)
        self._turn_in(first, late, when=now, sample=1)  # after the due time: Late
        self._save(first, draft, sample=1)
        # The others: some turned in, some drafts; the rest are Assigned or Missing.
        for index, pupil in enumerate(rest[1:], start=1):
            if index % 2:
                self._turn_in(pupil, on_time, when=now - days, sample=index % 4)
            else:
                self._save(pupil, draft, sample=index % 4)

    @staticmethod
    def _texts(assignment: Assignment, sample: int) -> dict[int, str]:
        questions = Question.objects.active().filter(lesson=assignment.lesson)
        texts = {}
        for question in questions.prefetch_related("samples"):
            samples = list(question.samples.all())
            if samples:
                texts[question.pk] = samples[sample % len(samples)].answer
        return texts

    def _save(self, student: User, assignment: Assignment, *, sample: int) -> None:
        texts = self._texts(assignment, sample)
        services.save_draft(student=student, assignment=assignment, texts=texts, base_version=0)

    def _turn_in(self, student: User, assignment: Assignment, *, when, sample: int):
        texts = self._texts(assignment, sample)
        return services.turn_in(
            student=student, assignment=assignment, texts=texts, base_version=0, now=when
        )

    def _comment_bank(self, teacher: User, lesson: Lesson) -> None:
        """A few reusable comments on one lesson's questions, kept once each."""
        for question in lesson.questions.active():
            for text in BANK_COMMENTS:
                services.save_to_comment_bank(teacher=teacher, question=question, text=text)

    def _return(
        self, student: User, assignment: Assignment, teacher: User, *, allow_resubmission: bool
    ) -> None:
        attempt = assignment.attempts.get(student=student)
        answers = sorted(
            attempt.answers.select_related("question"), key=lambda a: a.question.position
        )
        # The teacher ticks what the check found, but credits one more point in the first
        # answer (made in words the check does not know) and dismisses any misconception the
        # check flagged in the second: the agreement figures and the Checker review have
        # something to show. Marks are left to follow the ticks.
        points, dismissed = {}, {}
        for index, answer in enumerate(answers):
            result = answer.result or {"points_made": [], "points_missed": [], "misconceptions": []}
            ticked = [hit["key"] for hit in result["points_made"]]
            if index == 0:
                ticked += result["points_missed"][:1]
            points[answer.question_id] = ticked
            flagged = [hit["key"] for hit in result["misconceptions"]]
            dismissed[answer.question_id] = flagged if index == 1 else []
        services.return_attempt(
            attempt=attempt,
            teacher=teacher,
            marks={a.question_id: None for a in answers},
            points=points,
            dismissed=dismissed,
            comments={a.question_id: "Good use of evidence. Add one more reason." for a in answers},
            overall_comment="A solid start: read the hints and try again.",
            allow_resubmission=allow_resubmission,
        )
