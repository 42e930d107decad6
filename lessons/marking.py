"""The instant-feedback engine. Rules: CONTENT-FORMAT.md, "How a phrase matches an answer".

scheme = MarkScheme(points, misconceptions, max_marks=4)  # once per question: phrases prepared
result = scheme.mark(answer)  # or mark_answer(scheme, answer): pure, deterministic, no I/O
result.points_made, result.points_missed, result.misconceptions, result.suggested_mark
data = result.to_dict()  # JSON to store; MarkingResult.from_dict(data, scheme) reads it back
highlight_spans(answer, result)  # [(text, key or None), ...] for a template to highlight
"""

import re
import threading
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations, product
from typing import Any

import snowballstemmer
from rapidfuzz.distance import Levenshtein

__all__ = [
    "FILLER_WORDS",
    "NEGATION_WORDS",
    "Criterion",
    "Hit",
    "MarkScheme",
    "MarkingResult",
    "highlight_spans",
    "mark_answer",
]

# Rule "Filler words": never needed, never counted as distance. Negation words are not here.
FILLER_WORDS = frozenset(
    "the a an of to in on at by for from and with that this it its his her their they he she"
    " be been as was were is are".split()
)
# Rule "Negation" ("n't" is turned into "not" while tokenising).
NEGATION_WORDS = frozenset({"not", "no", "never", "nor", "without", "hardly"})
# How many words before an occurrence's first word a negation word cancels it (rule "Negation").
NEGATION_REACH = 3
# Rule "Order and distance": the run may be this many words longer than the phrase.
WINDOW_SLACK = 4

# Rule "Words": the stem left in front of "n't" when it is not a word on its own.
_NT_STEMS = {"ca": "can", "wo": "will", "sha": "shall", "ai": "is"}
# "n't" written without its apostrophe, as students often do; "cannot" too.
_JOINED_NOT = {
    word + "nt": _NT_STEMS.get(word, word)
    for word in (
        "do", "did", "does", "is", "was", "were", "are", "has", "have", "had", "could",
        "would", "should", "must", "need", "ca", "wo",
    )
}  # fmt: skip
_JOINED_NOT["cannot"] = "can"

_APOSTROPHES = "'\u2019\u2018\u02bc"
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_CHAR = rf"(?:[^\W_]|[{_MARKS}])"
# A number with a decimal point or thousands separator is one word (its "." ends no sentence);
# otherwise a word is letters and digits, with apostrophes inside; rule "Sentences" gives the
# characters that end a sentence ("line breaks" includes the Unicode ones).
_TOKEN_RE = re.compile(
    rf"\d+(?:[.,]\d+)+"
    rf"|{_CHAR}+(?:[{_APOSTROPHES}]{_CHAR}+)*"
    r"|(?P<end>[.!?;\n\r\v\f\x85\u2026\u2028\u2029])"
)
_TO_QUOTE = str.maketrans(dict.fromkeys(_APOSTROPHES, "'"))

# Snowball stemmer objects keep state while they work, so share one behind a lock.
_STEMMER = snowballstemmer.stemmer("english")
_STEMMER_LOCK = threading.Lock()


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """Rule "Word forms": the Snowball English stem of a normalised word."""
    with _STEMMER_LOCK:
        return _STEMMER.stemWord(word)


def _fold(text: str) -> str:
    """Rule "Words": no case, no accents (NFKD, combining marks dropped), no apostrophes."""
    text = text.casefold()
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return text.translate(_TO_QUOTE).replace("'", "").replace(",", "")


@lru_cache(maxsize=65536)
def _split_token(raw: str) -> tuple[tuple[str, int, int], ...]:
    """The normalised words in one token, each with its offsets inside the token."""
    quoted = raw.translate(_TO_QUOTE)  # same length as raw, so offsets carry over
    n = len(raw)
    if quoted[-3:].lower() == "n't":
        base = _fold(quoted[:-3])
        words = [(_NT_STEMS.get(base, base), 0, n - 3), ("not", n - 3, n)]
    elif quoted[-2:].lower() == "'s":  # a possessive "'s" is dropped
        words = [(_fold(quoted[:-2]), 0, n - 2)]
    else:
        word = _fold(quoted)
        base = _JOINED_NOT.get(word)
        if base is not None and raw.isascii() and "'" not in quoted:
            cut = n - 3 if word == "cannot" else n - 2
            words = [(base, 0, cut), ("not", cut, n)]
        else:
            words = [(word, 0, n)]
    return tuple(w for w in words if w[0])


def _words(text: str) -> Iterable[tuple[str, int, int] | None]:
    """Normalised words of a text with their offsets in it; None where a sentence ends."""
    for match in _TOKEN_RE.finditer(text):
        if match.lastgroup == "end":
            yield None
            continue
        start = match.start()
        for word, a, b in _split_token(match.group()):
            yield word, start + a, start + b


@dataclass(frozen=True)
class Criterion:
    """A key point or a misconception from the mark scheme."""

    key: str
    phrases: tuple[str, ...]
    marks: int = 1  # used for key points
    text: str = ""  # key point statement
    hint: str = ""  # key point hint, shown when missed
    feedback: str = ""  # misconception correction

    def __post_init__(self) -> None:
        phrases = (self.phrases,) if isinstance(self.phrases, str) else tuple(self.phrases)
        object.__setattr__(self, "phrases", phrases)


@dataclass(frozen=True)
class Hit:
    """One criterion found in the answer, with where its words are (for highlighting)."""

    key: str
    phrase: str  # the phrase that matched, as written in the mark scheme
    spans: tuple[tuple[int, int], ...]  # offsets in the original answer, in answer order
    words: tuple[str, ...]  # those words as written in the answer

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "phrase": self.phrase,
            "spans": [[start, end] for start, end in self.spans],
            "words": list(self.words),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Hit":
        return cls(
            key=data["key"],
            phrase=data["phrase"],
            spans=tuple((int(s), int(e)) for s, e in data["spans"]),
            words=tuple(data["words"]),
        )


@dataclass(frozen=True)
class MarkingResult:
    points_made: tuple[Hit, ...]  # in mark-scheme order
    points_missed: tuple[Criterion, ...]  # in mark-scheme order (they carry the hint)
    misconceptions: tuple[Hit, ...]  # in mark-scheme order
    suggested_mark: int  # marks of the points made, capped at max_marks
    max_marks: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable; keys are stable (stored with submissions)."""
        return {
            "points_made": [hit.to_dict() for hit in self.points_made],
            "points_missed": [point.key for point in self.points_missed],
            "misconceptions": [hit.to_dict() for hit in self.misconceptions],
            "suggested_mark": self.suggested_mark,
            "max_marks": self.max_marks,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], scheme: "MarkScheme") -> "MarkingResult":
        """Rebuild a stored result; missed points come from `scheme` (unknown keys dropped)."""
        by_key = {point.key: point for point in scheme.points}
        return cls(
            points_made=tuple(Hit.from_dict(d) for d in data["points_made"]),
            points_missed=tuple(by_key[k] for k in data["points_missed"] if k in by_key),
            misconceptions=tuple(Hit.from_dict(d) for d in data["misconceptions"]),
            suggested_mark=int(data["suggested_mark"]),
            max_marks=int(data["max_marks"]),
        )


@dataclass(frozen=True)
class _Phrase:
    text: str
    words: tuple[tuple[int, int], ...]  # (vocabulary id, how many times) of its non-filler words
    size: int  # how many non-filler words it has
    window: int  # the longest run of non-filler answer words it may spread over


class MarkScheme:
    """Phrases tokenised and stemmed once; reuse for many answers."""

    # The answer-word cache is cleared when it grows past this (a scheme lives in a long process).
    _CACHE_LIMIT = 50_000

    def __init__(
        self,
        points: Sequence[Criterion],
        misconceptions: Sequence[Criterion] = (),
        max_marks: int | None = None,
    ) -> None:
        self.points: tuple[Criterion, ...] = tuple(points)
        self.misconceptions: tuple[Criterion, ...] = tuple(misconceptions)
        self.max_marks: int = (
            sum(point.marks for point in self.points) if max_marks is None else max_marks
        )
        self._vocab: dict[str, int] = {}  # normalised phrase word -> id
        self._by_stem: dict[str, list[int]] = {}
        self._by_length: dict[int, list[tuple[str, int]]] = {}  # words that may match fuzzily
        self._point_phrases = [self._prepare(c) for c in self.points]
        self._misconception_phrases = [self._prepare(c) for c in self.misconceptions]
        self._info_cache: dict[str, tuple[tuple[int, ...], bool]] = {}

    def __repr__(self) -> str:
        return (
            f"<MarkScheme {len(self.points)} points, {len(self.misconceptions)} misconceptions,"
            f" max {self.max_marks}>"
        )

    def mark(self, answer: str) -> MarkingResult:
        return mark_answer(self, answer)

    def _prepare(self, criterion: Criterion) -> tuple[_Phrase, ...]:
        prepared = []
        for text in criterion.phrases:
            # A phrase is read as one sentence, whatever punctuation it has.
            ids = tuple(self._word_id(w[0]) for w in _words(text) if w and w[0] not in FILLER_WORDS)
            # A phrase of filler words only has nothing to find, so it never matches.
            if ids:
                counts = Counter(ids)  # a word the phrase repeats needs as many answer words
                words = tuple((word_id, counts[word_id]) for word_id in dict.fromkeys(ids))
                prepared.append(_Phrase(text, words, len(ids), len(ids) + WINDOW_SLACK))
        return tuple(prepared)

    def _word_id(self, word: str) -> int:
        found = self._vocab.get(word)
        if found is not None:
            return found
        new = self._vocab[word] = len(self._vocab)
        self._by_stem.setdefault(_stem(word), []).append(new)
        if len(word) >= 6 and word.isalpha():
            self._by_length.setdefault(len(word), []).append((word, new))
        return new

    def _word_info(self, word: str) -> tuple[tuple[int, ...], bool]:
        """The phrase words an answer word matches (rules "Word forms" and "Spelling slips"),
        and whether it is a form of "fail"."""
        info = self._info_cache.get(word)
        if info is not None:
            return info
        stem = _stem(word)
        matched = set(self._by_stem.get(stem, ()))
        size = len(word)
        if size >= 6 and word.isalpha():
            for other_size in range(max(6, size - 2), size + 3):
                # Two edits only when both words have 9 or more letters; otherwise one.
                edits = 2 if size >= 9 and other_size >= 9 else 1
                if abs(size - other_size) > edits:
                    continue
                for other, other_id in self._by_length.get(other_size, ()):
                    if Levenshtein.distance(word, other, score_cutoff=edits) <= edits:
                        matched.add(other_id)
        info = (tuple(sorted(matched)), stem == "fail")
        if len(self._info_cache) >= self._CACHE_LIMIT:
            self._info_cache.clear()
        self._info_cache[word] = info
        return info


class _Answer:
    """An answer's non-filler words, numbered across the whole answer."""

    __slots__ = ("text", "spans", "sentence", "negation", "fail_to", "blockers", "occurrences")

    def __init__(self, text: str, scheme: MarkScheme) -> None:
        self.text = text
        spans: list[tuple[int, int]] = []
        sentence: list[int] = []
        negation: list[bool] = []  # a negation word
        fail_to: list[bool] = []  # a form of "fail" followed straight away by "to"
        occurrences: dict[int, list[int]] = {}
        current = 0
        fail_at = -1  # position of the "fail" word just read, while nothing has followed it
        word_info = scheme._word_info
        # The loop of `_words`, inlined: this is most of the time an answer takes.
        for match in _TOKEN_RE.finditer(text):
            if match.lastgroup:  # the end of a sentence
                current += 1
                fail_at = -1
                continue
            offset = match.start()
            for word, start, end in _split_token(match.group()):
                if word in FILLER_WORDS:
                    if fail_at >= 0 and word == "to":
                        fail_to[fail_at] = True
                    fail_at = -1
                    continue
                ids, is_fail = word_info(word)
                position = len(spans)
                spans.append((offset + start, offset + end))
                sentence.append(current)
                negation.append(word in NEGATION_WORDS)
                fail_to.append(False)
                fail_at = position if is_fail else -1
                for word_id in ids:
                    if word_id in occurrences:
                        occurrences[word_id].append(position)
                    else:
                        occurrences[word_id] = [position]
        self.spans = spans
        self.sentence = sentence
        self.negation = negation
        self.fail_to = fail_to
        # Words that cancel an occurrence they sit inside (rule "Negation", "between its words").
        self.blockers = [i for i in range(len(spans)) if negation[i] or fail_to[i]]
        self.occurrences = occurrences

    def negated_before(self, first: int) -> bool:
        """Rule "Negation", the part before: is an occurrence starting at `first` cancelled?

        The phrase's words may come in any order, so "the phrase's first word" is the first of
        the matched words in the answer.
        The 3 words are counted as rule "Filler words" counts distance, filler not counted:
        "it is not true that the Germans helped Lenin" is then cancelled, while counting filler
        its "not" would be 4 words away. "The offensive did not fail" and "Lenin was not helped
        by the Germans" are cancelled on either reading, by the "not" between matched words.
        """
        here = self.sentence[first]
        # "failed to" only straight before the first word ("Kornilov failed to take the
        # city"); further back it is about something else ("the Germans failed to stop Lenin
        # returning" still says Lenin returned). A "failed" that is one of the phrase's own
        # words is a matched word, so it is never before the first word or a blocker.
        if first > 0 and self.sentence[first - 1] == here and self.fail_to[first - 1]:
            return True
        for i in range(first - 1, max(first - NEGATION_REACH, 0) - 1, -1):
            if self.sentence[i] != here:
                break
            if self.negation[i]:
                return True
        return False

    def find(self, phrase: _Phrase) -> tuple[int, ...] | None:
        """The earliest occurrence of the phrase that no negation cancels, as word positions."""
        lists = []
        for word_id, count in phrase.words:
            found = self.occurrences.get(word_id)
            if not found or len(found) < count:
                return None
            lists.append(found)
        sentence = self.sentence
        if phrase.size == 1:
            for position in lists[0]:
                if not self.negated_before(position):
                    return (position,)
            return None
        for first in sorted(set().union(*lists)):
            here = sentence[first]
            last = first + phrase.window - 1  # rule "Order and distance"
            candidates = []
            for found, (_, count) in zip(lists, phrase.words, strict=True):
                near = [
                    p
                    for p in found[bisect_left(found, first) : bisect_right(found, last)]
                    if sentence[p] == here  # rule "Sentences"
                ]
                if len(near) < count:
                    break
                candidates.append(combinations(near, count))
            else:
                if not self.negated_before(first):
                    best = self._best(candidates, first, phrase.size)
                    if best is not None:
                        return best
        return None

    def _best(
        self, candidates: list[Iterable[tuple[int, ...]]], first: int, size: int
    ) -> tuple[int, ...] | None:
        """The tightest uncancelled choice of distinct words (one per phrase word) from `first`."""
        choices = []
        for picks in product(*candidates):
            chosen = {p for pick in picks for p in pick}
            if len(chosen) == size and first in chosen:
                choices.append(tuple(sorted(chosen)))
        choices.sort(key=lambda c: (c[-1], c))
        blockers = self.blockers
        low = bisect_right(blockers, first)
        for choice in choices:
            # Rule "Negation", the part between: a negation word (or "failed to") between the
            # first and last matched words, not itself one of the matched words.
            if all(b in choice for b in blockers[low : bisect_left(blockers, choice[-1])]):
                return choice
        return None


def _hit(answer: _Answer, key: str, phrase: str, positions: tuple[int, ...]) -> Hit:
    spans = tuple(answer.spans[p] for p in positions)
    return Hit(
        key=key,
        phrase=phrase,
        spans=spans,
        words=tuple(answer.text[start:end] for start, end in spans),
    )


def _find_criterion(answer: _Answer, key: str, phrases: tuple[_Phrase, ...]) -> Hit | None:
    """Any one phrase makes the criterion; report the occurrence that starts earliest."""
    best: tuple[tuple[int, int, int], _Phrase, tuple[int, ...]] | None = None
    for index, phrase in enumerate(phrases):
        positions = answer.find(phrase)
        if positions is None:
            continue
        rank = (positions[0], positions[-1], index)
        if best is None or rank < best[0]:
            best = (rank, phrase, positions)
    if best is None:
        return None
    return _hit(answer, key, best[1].text, best[2])


def mark_answer(scheme: MarkScheme, answer: str) -> MarkingResult:
    """Mark one answer against a prepared scheme. Same answer and scheme, same result."""
    prepared = _Answer(answer or "", scheme)
    made: list[Hit] = []
    missed: list[Criterion] = []
    mark = 0
    for point, phrases in zip(scheme.points, scheme._point_phrases, strict=True):
        hit = _find_criterion(prepared, point.key, phrases)
        if hit is None:
            missed.append(point)
        else:
            made.append(hit)
            mark += point.marks
    errors = []
    for misconception, phrases in zip(
        scheme.misconceptions, scheme._misconception_phrases, strict=True
    ):
        hit = _find_criterion(prepared, misconception.key, phrases)
        if hit is not None:
            errors.append(hit)
    return MarkingResult(
        points_made=tuple(made),
        points_missed=tuple(missed),
        misconceptions=tuple(errors),
        suggested_mark=max(0, min(mark, scheme.max_marks)),
        max_marks=scheme.max_marks,
    )


def highlight_spans(answer: str, result: MarkingResult) -> list[tuple[str, str | None]]:
    """The answer cut into (text, key) pieces: a made point's words carry its key, the rest None.

    Joining the texts gives the answer back. A word that made two points carries the first.
    """
    claimed: dict[tuple[int, int], str] = {}
    for hit in result.points_made:
        for start, end in hit.spans:
            if 0 <= start < end <= len(answer):
                claimed.setdefault((start, end), hit.key)
    pieces: list[tuple[str, str | None]] = []
    cursor = 0
    for (start, end), key in sorted(claimed.items()):
        if start < cursor:  # overlaps a span already taken (only from foreign spans)
            continue
        if start > cursor:
            pieces.append((answer[cursor:start], None))
        if pieces and pieces[-1][1] == key and start == cursor:
            pieces[-1] = (pieces[-1][0] + answer[start:end], key)  # "did" + "n't"
        else:
            pieces.append((answer[start:end], key))
        cursor = end
    if cursor < len(answer):
        pieces.append((answer[cursor:], None))
    return pieces
