"""Run the engine over a question's stored sample answers and compare with their expectations.

Shared by `check_markscheme` and the admin's "Try an answer" page, so both agree on what
"a sample agrees" means.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch

from lessons.marking import MarkingResult
from lessons.models import KeyPoint, Misconception, Question, QuestionQuerySet, SampleAnswer


@dataclass(frozen=True)
class SampleCheck:
    """One sample answer, what it should show and what the engine found."""

    sample: SampleAnswer
    result: MarkingResult
    expected: list[str]
    matched: list[str]
    expected_misconceptions: list[str]
    misconceptions: list[str]

    @property
    def agrees(self) -> bool:
        return set(self.expected) == set(self.matched) and set(self.expected_misconceptions) == set(
            self.misconceptions
        )


@dataclass(frozen=True)
class QuestionCheck:
    question: Question
    samples: list[SampleCheck]

    @property
    def agreeing(self) -> int:
        return sum(1 for check in self.samples if check.agrees)

    @property
    def agrees(self) -> bool:
        return self.agreeing == len(self.samples)

    def _counts(self) -> tuple[int, int, int]:
        true_pos = false_pos = false_neg = 0
        for check in self.samples:
            expected, matched = set(check.expected), set(check.matched)
            true_pos += len(expected & matched)
            false_pos += len(matched - expected)
            false_neg += len(expected - matched)
        return true_pos, false_pos, false_neg

    @property
    def precision(self) -> float:
        """Of the key points the engine found, the share the samples expect (1 when none found)."""
        true_pos, false_pos, _ = self._counts()
        return true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0

    @property
    def recall(self) -> float:
        """Of the key points the samples expect, the share the engine found (1 when none)."""
        true_pos, _, false_neg = self._counts()
        return true_pos / (true_pos + false_neg) if true_pos + false_neg else 1.0


def questions_to_check(queryset: QuestionQuerySet | None = None) -> QuestionQuerySet:
    """Questions with everything checking needs prefetched: a fixed number of queries."""
    queryset = Question.objects.all() if queryset is None else queryset
    return (
        queryset.with_markscheme()
        .select_related("lesson")
        .prefetch_related(
            Prefetch("samples", queryset=SampleAnswer.objects.order_by("position")),
            # Keys of retired criteria: a sample may still name them; they are not expected.
            Prefetch(
                "key_points",
                queryset=KeyPoint.objects.filter(is_retired=True).only("pk", "key", "question"),
                to_attr="retired_points",
            ),
            Prefetch(
                "misconceptions",
                queryset=Misconception.objects.filter(is_retired=True).only(
                    "pk", "key", "question"
                ),
                to_attr="retired_misconceptions",
            ),
        )
        .order_by("lesson__order", "lesson__slug", "position")
    )


def _keys(values: object, retired: set[str]) -> list[str]:
    """A stored list of keys, without those of retired criteria (an unknown key is kept)."""
    if not isinstance(values, list):
        return []
    return [str(key) for key in values if str(key) not in retired]


def check_question(question: Question) -> QuestionCheck:
    """Mark every stored sample of a question (prefetched by `questions_to_check`)."""
    scheme = question.mark_scheme
    retired_points = {p.key for p in getattr(question, "retired_points", ())}
    retired_misconceptions = {m.key for m in getattr(question, "retired_misconceptions", ())}
    checks = []
    for sample in question.samples.all():
        result = scheme.mark(sample.answer)
        checks.append(
            SampleCheck(
                sample=sample,
                result=result,
                expected=_keys(sample.expect, retired_points),
                matched=[hit.key for hit in result.points_made],
                expected_misconceptions=_keys(
                    sample.expected_misconceptions, retired_misconceptions
                ),
                misconceptions=[hit.key for hit in result.misconceptions],
            )
        )
    return QuestionCheck(question=question, samples=checks)


def check_questions(questions: Iterable[Question]) -> list[QuestionCheck]:
    return [check_question(question) for question in questions]
