"""Run the engine over a question's stored sample answers and compare with their expectations.

Shared by `check_markscheme` and the admin's "Try an answer" page, so both agree on what
"a sample agrees" means.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch

from lessons.marking import MarkingResult, MarkScheme
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
    expected_mark: int  # the marks of the expected points, capped at the question's marks

    @property
    def agrees(self) -> bool:
        return set(self.expected) == set(self.matched) and set(self.expected_misconceptions) == set(
            self.misconceptions
        )


def _f1(true_pos: int, false_pos: int, false_neg: int) -> float:
    """F1 of a set of findings; 1 when there was nothing to find and nothing was found."""
    if not true_pos + false_pos + false_neg:
        return 1.0
    return 2 * true_pos / (2 * true_pos + false_pos + false_neg)


@dataclass(frozen=True)
class Figures:
    """How far the engine agrees with the labels of a set of samples, as a teacher reads it."""

    samples: int
    point_precision: float
    point_recall: float
    point_f1: float
    misconception_f1: float
    misconception_recall: float
    same_mark: int  # samples whose suggested mark is the mark their labels give
    credited: int  # samples the labels give at least one mark
    credited_given_zero: int  # of those, the ones the engine gives 0
    false_warnings: int  # misconceptions found in samples that expect none of them

    @classmethod
    def of(cls, checks: Iterable[SampleCheck]) -> "Figures":
        checks = list(checks)
        counts = {"tp": 0, "fp": 0, "fn": 0, "mtp": 0, "mfp": 0, "mfn": 0}
        same = credited = zero = false_warnings = 0
        for check in checks:
            expected, matched = set(check.expected), set(check.matched)
            counts["tp"] += len(expected & matched)
            counts["fp"] += len(matched - expected)
            counts["fn"] += len(expected - matched)
            wanted, found = set(check.expected_misconceptions), set(check.misconceptions)
            counts["mtp"] += len(wanted & found)
            counts["mfp"] += len(found - wanted)
            counts["mfn"] += len(wanted - found)
            if not wanted:
                false_warnings += len(found)
            same += check.result.suggested_mark == check.expected_mark
            if check.expected_mark > 0:
                credited += 1
                zero += check.result.suggested_mark == 0
        tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
        return cls(
            samples=len(checks),
            point_precision=tp / (tp + fp) if tp + fp else 1.0,
            point_recall=tp / (tp + fn) if tp + fn else 1.0,
            point_f1=_f1(tp, fp, fn),
            misconception_f1=_f1(counts["mtp"], counts["mfp"], counts["mfn"]),
            misconception_recall=(
                counts["mtp"] / (counts["mtp"] + counts["mfn"])
                if counts["mtp"] + counts["mfn"]
                else 1.0
            ),
            same_mark=same,
            credited=credited,
            credited_given_zero=zero,
            false_warnings=false_warnings,
        )

    @property
    def same_mark_share(self) -> float:
        return self.same_mark / self.samples if self.samples else 1.0

    def summary(self) -> str:
        """The four figures of CONTENT-FORMAT.md on one line."""
        return (
            f"key points F1 {self.point_f1:.2f} (precision {self.point_precision:.2f},"
            f" recall {self.point_recall:.2f}); misconceptions F1 {self.misconception_f1:.2f};"
            f" same mark {self.same_mark_share:.0%} ({self.same_mark} of {self.samples});"
            f" credited answers given 0: {self.credited_given_zero} of {self.credited}"
        )


@dataclass(frozen=True)
class QuestionCheck:
    question: Question
    samples: list[SampleCheck]
    # Key points whose own text does not make them, and what the model answer earns.
    texts_not_matching: list[str] = field(default_factory=list)
    model_answer_mark: int | None = None

    @property
    def agreeing(self) -> int:
        return sum(1 for check in self.samples if check.agrees)

    @property
    def model_answer_full(self) -> bool:
        return self.model_answer_mark is None or self.model_answer_mark >= self.question.marks

    @property
    def agrees(self) -> bool:
        return (
            self.agreeing == len(self.samples)
            and not self.texts_not_matching
            and self.model_answer_full
        )

    @property
    def figures(self) -> Figures:
        return Figures.of(self.samples)

    @property
    def precision(self) -> float:
        """Of the key points the engine found, the share the samples expect (1 when none found)."""
        return self.figures.point_precision

    @property
    def recall(self) -> float:
        """Of the key points the samples expect, the share the engine found (1 when none)."""
        return self.figures.point_recall


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


def check_answer(
    scheme: MarkScheme,
    sample: SampleAnswer,
    expected: list[str],
    expected_misconceptions: list[str],
) -> SampleCheck:
    """Mark one labelled answer; the mark its labels give is the marks of the expected points,
    capped at the question's (the scheme's maximum)."""
    result = scheme.mark(sample.answer)
    marks = {point.key: point.marks for point in scheme.points}
    return SampleCheck(
        sample=sample,
        result=result,
        expected=expected,
        matched=[hit.key for hit in result.points_made],
        expected_misconceptions=expected_misconceptions,
        misconceptions=[hit.key for hit in result.misconceptions],
        expected_mark=min(sum(marks.get(key, 0) for key in set(expected)), scheme.max_marks),
    )


def texts_not_matching(scheme: MarkScheme) -> list[str]:
    """Key points whose own text does not make them."""
    return [
        point.key
        for point in scheme.points
        if point.key not in {hit.key for hit in scheme.mark(point.text).points_made}
    ]


def check_question(question: Question) -> QuestionCheck:
    """Mark every stored sample of a question (prefetched by `questions_to_check`), each key
    point's own text and the model answer."""
    scheme = question.mark_scheme
    retired_points = {p.key for p in getattr(question, "retired_points", ())}
    retired_misconceptions = {m.key for m in getattr(question, "retired_misconceptions", ())}
    checks = [
        check_answer(
            scheme,
            sample,
            _keys(sample.expect, retired_points),
            _keys(sample.expected_misconceptions, retired_misconceptions),
        )
        for sample in question.samples.all()
    ]
    model = scheme.mark(question.model_answer).suggested_mark if question.model_answer else None
    return QuestionCheck(
        question=question,
        samples=checks,
        texts_not_matching=texts_not_matching(scheme),
        model_answer_mark=model,
    )


def check_questions(questions: Iterable[Question]) -> list[QuestionCheck]:
    return [check_question(question) for question in questions]
