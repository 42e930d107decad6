"""Re-run the marking engine over turned-in work after a mark scheme or the rules changed."""

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
def remark_lesson(*, lesson: Lesson | None = None) -> RemarkReport:
    """Store the engine's current result on every turned-in or returned answer of the lesson
    (of every lesson when `lesson` is None), made by the current mark scheme and rules.

    Only the result and its two versions are written: the teacher's mark and comment stay.
    Answers to retired questions keep the result they were given.
    """
    questions = Question.objects.active().with_markscheme()
    if lesson is not None:
        questions = questions.filter(lesson=lesson)
    by_id = {q.pk: q for q in questions}
    answers = (
        Answer.objects.filter(
            question__in=list(by_id),
            attempt__state__in=[Attempt.State.TURNED_IN, Attempt.State.RETURNED],
        )
        .only("pk", "question_id", "text", "result", "markscheme_version", "rules_version")
        .order_by("pk")
    )
    to_save = []
    changed = restamped = total = 0
    for answer in answers.iterator(chunk_size=500):
        total += 1
        question = by_id[answer.question_id]
        if answer.result_is_current(question):
            continue
        before = answer.result
        answer.mark_with(question)
        if answer.result != before:
            changed += 1
        else:
            restamped += 1
        to_save.append(answer)
    Answer.objects.bulk_update(
        to_save, ["result", "markscheme_version", "rules_version"], batch_size=500
    )
    return RemarkReport(answers=total, changed=changed, restamped=restamped)


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
        report = remark_lesson(lesson=found)
        where = f"for {found.slug}" if found else "across all lessons"
        self.stdout.write(
            f"{report.changed} of {report.answers} results changed {where}"
            f" ({report.restamped} more stamped with the current mark scheme and rules versions)."
        )
