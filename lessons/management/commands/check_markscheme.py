"""Check the mark schemes in the database against their sample answers (CONTENT-FORMAT.md)."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lessons.checking import (
    Figures,
    QuestionCheck,
    SampleCheck,
    check_questions,
    questions_to_check,
)
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
        " per question, how many agree with their expectations, and the figures over them all;"
        " exits non-zero on a disagreement, a key point whose own text does not make it, or a"
        " model answer that does not earn full marks."
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
        problems = []
        samples = sum(len(check.samples) for check in checks)
        disagreeing = samples - sum(check.agreeing for check in checks)
        if disagreeing:
            problems.append(f"{disagreeing} of {samples} sample answers disagree")
        texts = sum(len(check.texts_not_matching) for check in checks)
        if texts:
            problems.append(f"{texts} key point texts do not make their own point")
        models = sum(1 for check in checks if not check.model_answer_full)
        if models:
            problems.append(f"{models} model answers do not earn full marks")
        if problems:
            raise CommandError("; ".join(problems) + " (see the report above).")

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
            for key in check.texts_not_matching:
                self.stdout.write(f"  key point {key}: its own text does not make the point")
            if not check.model_answer_full:
                self.stdout.write(
                    f"  the model answer earns {check.model_answer_mark} of"
                    f" {check.question.marks} marks, not full marks"
                )
            for sample_check in check.samples:
                if not sample_check.agrees:
                    self.stdout.write(_disagreement(sample_check))
        samples = sum(len(check.samples) for check in checks)
        agreeing = sum(check.agreeing for check in checks)
        summary = f"{agreeing}/{samples} samples agree across {len(checks)} questions."
        if all(check.agrees for check in checks):
            self.stdout.write(self.style.SUCCESS(summary))
        else:
            self.stdout.write(summary)
        figures = Figures.of(sample for check in checks for sample in check.samples)
        self.stdout.write(f"Over {figures.samples} samples: {figures.summary()}.")


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
