"""Checker review: where teachers' ticks differ from the instant check, and what a new phrase
or sample would change. Used by the admin's "Checker review" page; names no student or class.
"""

from dataclasses import dataclass, field, replace

from django.db import transaction
from django.db.models import Max

from classroom.models import Answer
from lessons.checking import check_question, questions_to_check
from lessons.marking import (
    MarkingResult,
    MarkScheme,
    candidate_phrases,
    highlight_spans,
)
from lessons.models import KeyPoint, Question, SampleAnswer, split_lines

# How many answers the page lists (newest first); older ones wait for these to be dealt with.
REVIEW_LIMIT = 50


@dataclass
class ReviewedAnswer:
    """One answer a teacher judged differently from the check (marked with the current scheme)."""

    answer: Answer
    result: MarkingResult
    pieces: list[tuple[str, str | None]]
    found: list[str]  # key points the check finds
    judged: list[str]  # key points the teacher ticked
    flagged: list[str]  # misconceptions the check finds
    dismissed: list[str]  # of those, the ones the teacher said are not in the answer
    suggestions: dict[str, list[str]] = field(default_factory=dict)  # missed point -> phrases

    def point_rows(self, scheme: MarkScheme) -> list[dict]:
        """Per key point of the scheme: its text, what the check and the teacher said, and
        for a point the check missed, the phrases to suggest."""
        return [
            {
                "key": point.key,
                "text": point.text,
                "found": point.key in self.found,
                "judged": point.key in self.judged,
                "suggestions": self.suggestions.get(point.key, []),
            }
            for point in scheme.points
        ]

    def misconception_rows(self, scheme: MarkScheme) -> list[dict]:
        return [
            {"key": m.key, "feedback": m.feedback, "dismissed": m.key in self.dismissed}
            for m in scheme.misconceptions
            if m.key in self.flagged
        ]

    @property
    def missed(self) -> list[str]:
        """Points the teacher credited and the check did not find."""
        return [key for key in self.judged if key not in self.found]

    @property
    def over_credited(self) -> list[str]:
        return [key for key in self.found if key not in self.judged]

    @property
    def kept_misconceptions(self) -> list[str]:
        return [key for key in self.flagged if key not in self.dismissed]


def review_question(pk: int) -> Question | None:
    """The question with its mark scheme and samples prefetched, or None."""
    return questions_to_check(Question.objects.filter(pk=pk)).first()


def judged_answers(question: Question) -> list[Answer]:
    """Answers to the question whose key points a teacher ticked, newest marking first."""
    return list(
        Answer.objects.filter(question=question, points_judged__isnull=False)
        .only("pk", "text", "points_judged", "misconceptions_dismissed", "marked_at")
        .order_by("-marked_at", "-pk")
    )


def _review(answer: Answer, scheme: MarkScheme) -> ReviewedAnswer:
    result = scheme.mark(answer.text)
    flagged = [hit.key for hit in result.misconceptions]
    return ReviewedAnswer(
        answer=answer,
        result=result,
        pieces=highlight_spans(answer.text, result),
        found=[hit.key for hit in result.points_made],
        judged=list(answer.points_judged or []),
        flagged=flagged,
        dismissed=[key for key in answer.misconceptions_dismissed if key in flagged],
    )


def disagreements(
    question: Question, scheme: MarkScheme | None = None, answers: list[Answer] | None = None
) -> list[ReviewedAnswer]:
    """The judged answers (`answers`, or all the question's) where the teacher's ticks or
    dismissals differ from what `scheme` (the question's current one by default) finds,
    newest first, with phrase suggestions."""
    scheme = scheme or question.mark_scheme
    phrases = {point.key: point.phrases for point in scheme.points}
    found = []
    for answer in judged_answers(question) if answers is None else answers:
        reviewed = _review(answer, scheme)
        if not answer.disagrees_with(reviewed.result):
            continue
        reviewed.suggestions = {
            key: candidate_phrases(answer.text, phrases.get(key, ()))
            for key in reviewed.missed
            if key in phrases
        }
        found.append(reviewed)
        if len(found) >= REVIEW_LIMIT:
            break
    return found


@dataclass
class SampleChange:
    position: int
    answer: str
    agreed_before: bool
    agrees_after: bool


@dataclass
class Preview:
    """What adding a phrase to a key point would do, before anything is saved."""

    point: KeyPoint
    phrase: str
    samples: list[SampleChange]  # the samples whose result would change
    now_agreeing: list[ReviewedAnswer]  # reviewed answers the check would then agree with

    @property
    def breaks(self) -> list[SampleChange]:
        return [
            change for change in self.samples if change.agreed_before and not change.agrees_after
        ]


def scheme_with_phrase(scheme: MarkScheme, point_key: str, phrase: str) -> MarkScheme:
    points = [
        replace(p, phrases=(*p.phrases, phrase)) if p.key == point_key else p for p in scheme.points
    ]
    return MarkScheme(points, scheme.misconceptions, scheme.max_marks, scheme.word_groups)


def preview_phrase(question: Question, point: KeyPoint, phrase: str) -> Preview:
    before = check_question(question)
    scheme = scheme_with_phrase(question.mark_scheme, point.key, phrase)
    changes = []
    for check in before.samples:
        after = scheme.mark(check.sample.answer)
        matched = [hit.key for hit in after.points_made]
        misconceptions = [hit.key for hit in after.misconceptions]
        if matched == check.matched and misconceptions == check.misconceptions:
            continue
        agrees = set(matched) == set(check.expected) and set(misconceptions) == set(
            check.expected_misconceptions
        )
        changes.append(
            SampleChange(check.sample.position, check.sample.answer, check.agrees, agrees)
        )
    answers = judged_answers(question)
    still = {r.answer.pk for r in disagreements(question, scheme, answers)}
    now_agreeing = [r for r in disagreements(question, answers=answers) if r.answer.pk not in still]
    return Preview(point=point, phrase=phrase, samples=changes, now_agreeing=now_agreeing)


@transaction.atomic
def add_phrase(*, point: KeyPoint, phrase: str) -> KeyPoint:
    """Add the phrase to the key point (its mark scheme version changes with it)."""
    point = KeyPoint.objects.select_for_update().get(pk=point.pk)
    phrases = split_lines(point.phrases)
    if phrase not in phrases:
        point.phrases = "\n".join([*phrases, phrase])
        point.save(update_fields=["phrases", "updated_at"])
    return point


@transaction.atomic
def add_sample(*, question: Question, reviewed: ReviewedAnswer) -> SampleAnswer | None:
    """The answer as a sample expecting the teacher's ticks and the misconceptions they kept;
    None when the question already has a sample with these words."""
    Question.objects.select_for_update().filter(pk=question.pk).first()
    if SampleAnswer.objects.filter(question=question, answer=reviewed.answer.text).exists():
        return None
    last = SampleAnswer.objects.filter(question=question).aggregate(last=Max("position"))["last"]
    return SampleAnswer.objects.create(
        question=question,
        position=0 if last is None else last + 1,
        answer=reviewed.answer.text,
        expect=reviewed.judged,
        expected_misconceptions=reviewed.kept_misconceptions,
    )
