"""Re-run the marking engine over a lesson's turned-in work after its mark scheme changed."""

from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from classroom.models import Answer, Attempt
from lessons.models import Lesson, Question


@dataclass(frozen=True)
class RemarkReport:
    answers: int  # turned-in or returned answers looked at
    changed: int  # whose stored result is now different
    restamped: int  # whose result is the same but was stamped with an older version


@transaction.atomic
def remark_lesson(*, lesson: Lesson) -> RemarkReport:
    """Store the engine's current result on every turned-in or returned answer of the lesson.

    Only `result` and `markscheme_version` are written: the teacher's mark and comment stay.
    Answers to retired questions keep the result they were given.
    """
    questions = {q.pk: q for q in Question.objects.active().filter(lesson=lesson).with_markscheme()}
    answers = (
        Answer.objects.filter(
            question__in=list(questions),
            attempt__state__in=[Attempt.State.TURNED_IN, Attempt.State.RETURNED],
        )
        .only("pk", "question_id", "text", "result", "markscheme_version")
        .order_by("pk")
    )
    to_save = []
    changed = restamped = total = 0
    for answer in answers.iterator(chunk_size=500):
        total += 1
        question = questions[answer.question_id]
        result = question.mark_scheme.mark(answer.text).to_dict()
        version = question.markscheme_version
        if answer.result != result:
            changed += 1
        elif answer.markscheme_version != version:
            restamped += 1
        else:
            continue
        answer.result, answer.markscheme_version = result, version
        to_save.append(answer)
    Answer.objects.bulk_update(to_save, ["result", "markscheme_version"], batch_size=500)
    return RemarkReport(answers=total, changed=changed, restamped=restamped)


class Command(BaseCommand):
    help = (
        "Re-mark a lesson's turned-in and returned answers with its current mark scheme;"
        " teachers' marks and comments are not touched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lesson", metavar="SLUG", required=True, help="The lesson's slug.")

    def handle(self, *args: object, lesson: str, **options: object) -> None:
        found = Lesson.objects.filter(slug=lesson).first()
        if found is None:
            known = ", ".join(Lesson.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No lesson with the slug {lesson!r}. Known lessons: {known}.")
        report = remark_lesson(lesson=found)
        self.stdout.write(
            f"{report.changed} of {report.answers} results changed for {found.slug}"
            f" ({report.restamped} more stamped with the current mark scheme version)."
        )
