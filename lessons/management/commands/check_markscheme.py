"""Check the mark schemes in the database against their sample answers (CONTENT-FORMAT.md)."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lessons.checking import QuestionCheck, SampleCheck, check_questions, questions_to_check
from lessons.models import Lesson, Question

SNIPPET_LENGTH = 70


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_LENGTH else flat[: SNIPPET_LENGTH - 1] + "…"


def _list(keys: list[str]) -> str:
    return "[" + ", ".join(keys) + "]"


class Command(BaseCommand):
    help = (
        "Run the marking engine over every sample answer stored in the database and report,"
        " per question, how many agree with their expectations; exits non-zero on disagreement."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lesson", metavar="SLUG", help="Check only this lesson.")
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Print only a JSON array, one object per sample.",
        )

    def handle(self, *args: object, lesson: str | None, as_json: bool, **options: object) -> None:
        questions = Question.objects.active()
        if lesson is not None:
            if not Lesson.objects.filter(slug=lesson).exists():
                known = ", ".join(Lesson.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(
                    f"No lesson with the slug {lesson!r}. Known lessons: {known}."
                    " Import the lesson first or check the spelling."
                )
            questions = questions.filter(lesson__slug=lesson)
        checks = check_questions(questions_to_check(questions))
        if as_json:
            self.stdout.write(_json_report(checks))
        else:
            self._write_report(checks)
        samples = sum(len(check.samples) for check in checks)
        disagreeing = samples - sum(check.agreeing for check in checks)
        if disagreeing:
            raise CommandError(
                f"{disagreeing} of {samples} sample answers disagree with the mark scheme."
            )

    def _write_report(self, checks: list[QuestionCheck]) -> None:
        if not checks:
            self.stdout.write("No active questions to check.")
            return
        for check in checks:
            line = (
                f"{check.question}: {check.agreeing}/{len(check.samples)} samples agree;"
                f" precision {check.precision:.2f}, recall {check.recall:.2f}"
            )
            self.stdout.write(line if check.agrees else self.style.ERROR(line))
            for sample_check in check.samples:
                if not sample_check.agrees:
                    self.stdout.write(_disagreement(sample_check))
        samples = sum(len(check.samples) for check in checks)
        agreeing = sum(check.agreeing for check in checks)
        summary = f"{agreeing}/{samples} samples agree across {len(checks)} questions."
        if agreeing == samples:
            self.stdout.write(self.style.SUCCESS(summary))
        else:
            self.stdout.write(summary)


def _disagreement(check: SampleCheck) -> str:
    return (
        f"  sample {check.sample.position}: {_snippet(check.sample.answer)!r}\n"
        f"    key points: expected {_list(check.expected)}, found {_list(check.matched)}\n"
        f"    misconceptions: expected {_list(check.expected_misconceptions)},"
        f" found {_list(check.misconceptions)}"
    )


def _json_report(checks: list[QuestionCheck]) -> str:
    return json.dumps(
        [
            {
                "lesson": check.question.lesson.slug,
                "question": check.question.key,
                "sample": sample_check.sample.position,
                "expected": sample_check.expected,
                "matched": sample_check.matched,
                "expected_misconceptions": sample_check.expected_misconceptions,
                "misconceptions": sample_check.misconceptions,
            }
            for check in checks
            for sample_check in check.samples
        ],
        indent=2,
    )
