"""Re-run the marking engine over turned-in work after a mark scheme or the rules changed."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classroom.services import remark_answers
from lessons.models import Lesson


class Command(BaseCommand):
    help = (
        "Re-mark turned-in and returned answers whose result was made by an older mark scheme"
        " or older matching rules; teachers' marks and comments are not touched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--lesson", metavar="SLUG", help="Only this lesson's answers (default: every lesson)."
        )

    def handle(self, *args: object, lesson: str | None, **options: object) -> None:
        found = None
        if lesson is not None:
            found = Lesson.objects.filter(slug=lesson).first()
            if found is None:
                known = ", ".join(Lesson.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(f"No lesson with the slug {lesson!r}. Known lessons: {known}.")
        report = remark_answers(lesson=found)
        where = f"for {found.slug}" if found else "across all lessons"
        self.stdout.write(
            f"{report.changed} of {report.answers} results changed {where}"
            f" ({report.restamped} more stamped with the current mark scheme and rules versions)."
        )
