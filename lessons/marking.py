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
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import combinations, product
from typing import Any

import snowballstemmer
from rapidfuzz.distance import OSA

__all__ = [
    "CLAUSE_WORDS",
    "FILLER_WORDS",
    "IRREGULAR_VERBS",
    "NEGATION_WORDS",
    "RULES_VERSION",
    "Criterion",
    "Hit",
    "candidate_phrases",
    "MarkScheme",
    "MarkingResult",
    "has_substance",
    "highlight_spans",
    "mark_answer",
    "phrase_words",
]

# The version of the matching rules this engine follows; stored with every result it gives, so
# `remark` can find results an older engine gave.
RULES_VERSION = 2

# Rule "Filler words": never needed, never counted as distance. Negation words are not here.
FILLER_WORDS = frozenset(
    "the a an of to in on at by for from and with that this it its his her their they he she"
    " be been as was were is are".split()
)
# Rule "Negation words" ("n't" is turned into "not" while tokenising).
NEGATION_WORDS = frozenset(
    "not no never nor without hardly nothing nobody none neither nowhere".split()
)
# Rule "Clauses": a clause starts before these words, unless a negation word comes right before.
CLAUSE_WORDS = frozenset(
    "but so because although though however whereas while yet which who unless except".split()
)
# How many words after a negation word it reaches (rule "Negation cancels").
NEGATION_REACH = 3
# Rule "Order and distance": the run may be this many words longer than the phrase.
WINDOW_SLACK = 4

# Rule "Word forms": past forms of irregular verbs become their base form before stemming.
IRREGULAR_VERBS = {
    past: base
    for base, pasts in {
        "arise": "arose arisen", "bear": "bore borne", "beat": "beaten", "become": "became",
        "begin": "began begun", "bend": "bent", "bite": "bit bitten", "bleed": "bled",
        "blow": "blew blown", "break": "broke broken", "bring": "brought", "build": "built",
        "buy": "bought", "catch": "caught", "choose": "chose chosen", "come": "came",
        "deal": "dealt", "dig": "dug", "do": "did done", "draw": "drew drawn",
        "drink": "drank drunk", "drive": "drove driven", "eat": "ate eaten",
        "fall": "fell fallen", "feed": "fed", "feel": "felt", "fight": "fought",
        "find": "found", "flee": "fled", "fly": "flew flown", "forbid": "forbade forbidden",
        "foresee": "foresaw foreseen", "forget": "forgot forgotten", "forgive": "forgave forgiven",
        "freeze": "froze frozen", "get": "got gotten", "give": "gave given", "go": "went gone",
        "grow": "grew grown", "hang": "hung", "have": "had", "hear": "heard",
        "hide": "hid hidden", "hold": "held", "keep": "kept", "know": "knew known",
        "lead": "led", "leave": "left", "lend": "lent", "lose": "lost", "make": "made",
        "mean": "meant", "meet": "met", "mislead": "misled", "mistake": "mistook mistaken",
        "misunderstand": "misunderstood", "overcome": "overcame", "overrun": "overran",
        "overtake": "overtook overtaken", "overthrow": "overthrew overthrown", "pay": "paid",
        "ride": "rode ridden", "ring": "rang rung", "rise": "rose risen", "run": "ran",
        "say": "said", "see": "saw seen", "seek": "sought", "sell": "sold", "send": "sent",
        "shake": "shook shaken", "shoot": "shot", "sing": "sang sung", "sink": "sank sunk",
        "sit": "sat", "sleep": "slept", "speak": "spoke spoken", "spend": "spent",
        "stand": "stood", "steal": "stole stolen", "stick": "stuck", "strike": "struck",
        "sweep": "swept", "swear": "swore sworn", "swim": "swam swum", "take": "took taken",
        "teach": "taught", "tear": "tore torn", "tell": "told", "think": "thought",
        "throw": "threw thrown", "understand": "understood", "undertake": "undertook undertaken",
        "uphold": "upheld", "wake": "woke woken", "wear": "wore worn", "weep": "wept",
        "win": "won", "withdraw": "withdrew withdrawn", "withhold": "withheld",
        "withstand": "withstood", "write": "wrote written",
    }.items()
    for past in pasts.split()
}  # fmt: skip

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
# otherwise a word is letters and digits, with apostrophes inside. Rule "Sentences" gives the
# characters that end a sentence ("line breaks" includes the Unicode ones); rule "Clauses" the
# ones that end a clause: a dash is a hyphen with a space on one side, two hyphens, or an en or
# em dash ("anti-war" stays one clause).
_TOKEN_RE = re.compile(
    rf"\d+(?:[.,]\d+)+"
    rf"|{_CHAR}+(?:[{_APOSTROPHES}]{_CHAR}+)*"
    r"|(?P<end>[.!?;\n\r\v\f\x85\u2026\u2028\u2029])"
    r"|(?P<clause>[,:()\[\]{}\u2012\u2013\u2014\u2015]|--+|(?<!\w)-|-(?!\w))"
)
_TO_QUOTE = str.maketrans(dict.fromkeys(_APOSTROPHES, "'"))

# Snowball stemmer objects keep state while they work, so share one behind a lock.
_STEMMER = snowballstemmer.stemmer("english")
_STEMMER_LOCK = threading.Lock()


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """Rule "Word forms": the Snowball English stem of a normalised word, irregular past forms
    first turned into their base form ("won" is "win")."""
    with _STEMMER_LOCK:
        return _STEMMER.stemWord(IRREGULAR_VERBS.get(word, word))


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
        joined = _JOINED_NOT.get(word)
        if joined is not None and raw.isascii() and "'" not in quoted:
            cut = n - 3 if word == "cannot" else n - 2
            words = [(joined, 0, cut), ("not", cut, n)]
        else:
            words = [(word, 0, n)]
    return tuple(w for w in words if w[0])


def phrase_words(text: str) -> Iterable[str]:
    """The normalised words of a text (a phrase, or a word group's member)."""
    for match in _TOKEN_RE.finditer(text):
        if match.lastgroup is None:
            for word, _, _ in _split_token(match.group()):
                yield word


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
    words: tuple[tuple[int, int], ...]  # (vocabulary id, how many times) of its content words
    size: int  # how many content words it has
    negations: int  # how many negation words it carries (rule "Phrases that carry a negation")
    window: int  # the longest run of non-filler answer words it may spread over


class MarkScheme:
    """Phrases tokenised and stemmed once; reuse for many answers.

    `word_groups` are the lesson's groups of single words that count as the same word (rule
    "Word groups"), e.g. `[("troops", "soldiers"), ("pg", "government")]`.
    """

    # The answer-word cache is cleared when it grows past this (a scheme lives in a long process).
    _CACHE_LIMIT = 50_000

    def __init__(
        self,
        points: Sequence[Criterion],
        misconceptions: Sequence[Criterion] = (),
        max_marks: int | None = None,
        word_groups: Sequence[Sequence[str]] = (),
    ) -> None:
        self.points: tuple[Criterion, ...] = tuple(points)
        self.misconceptions: tuple[Criterion, ...] = tuple(misconceptions)
        self.max_marks: int = (
            sum(point.marks for point in self.points) if max_marks is None else max_marks
        )
        self.word_groups: tuple[tuple[str, ...], ...] = tuple(tuple(group) for group in word_groups)
        # A word group's members, by stem: a phrase word of that stem stands for the group.
        self._groups: list[tuple[str, ...]] = []
        self._group_of_stem: dict[str, int] = {}
        for group in self.word_groups:
            members = tuple(dict.fromkeys(w for member in group for w in phrase_words(member)))
            for member in members:
                self._group_of_stem.setdefault(_stem(member), len(self._groups))
            self._groups.append(members)
        self._vocab: dict[str, int] = {}  # normalised phrase word, or "group:N" -> id
        self._by_stem: dict[str, list[int]] = {}
        self._by_length: dict[int, list[tuple[str, int]]] = {}  # words that may match fuzzily
        point_phrases = [self._prepare(c) for c in self.points]
        misconception_phrases = [self._prepare(c) for c in self.misconceptions]
        # Each phrase's rarest word first (the fewest phrases use it): an answer lacks it more
        # often than any other, and `_find_criterion` passes over a phrase whose first word
        # the answer lacks without looking further. The order of the words changes nothing else.
        uses = Counter(
            word_id
            for criterion in (*point_phrases, *misconception_phrases)
            for phrase in criterion
            for word_id, _ in phrase.words
        )

        def rarest_first(phrases: tuple[_Phrase, ...]) -> tuple[_Phrase, ...]:
            return tuple(
                replace(phrase, words=tuple(sorted(phrase.words, key=lambda w: uses[w[0]])))
                for phrase in phrases
            )

        self._point_phrases = [rarest_first(c) for c in point_phrases]
        self._misconception_phrases = [rarest_first(c) for c in misconception_phrases]
        self._info_cache: dict[str, tuple[int, ...]] = {}

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
            words = [w for w in phrase_words(text) if w not in FILLER_WORDS]
            ids = [self._word_id(w) for w in words if w not in NEGATION_WORDS]
            negations = len(words) - len(ids)
            # A phrase of filler (or negation) words only has nothing to find: it never matches.
            if ids:
                counts = Counter(ids)  # a word the phrase repeats needs as many answer words
                unique = tuple((word_id, counts[word_id]) for word_id in dict.fromkeys(ids))
                size = len(words)
                prepared.append(_Phrase(text, unique, len(ids), negations, size + WINDOW_SLACK))
        return tuple(prepared)

    def _word_id(self, word: str) -> int:
        group = self._group_of_stem.get(_stem(word))
        key = word if group is None else f"group:{group}"
        found = self._vocab.get(key)
        if found is not None:
            return found
        new = self._vocab[key] = len(self._vocab)
        for member in (word,) if group is None else self._groups[group]:
            self._by_stem.setdefault(_stem(member), []).append(new)
            if len(member) >= 6 and member.isalpha():
                self._by_length.setdefault(len(member), []).append((member, new))
        return new

    def _word_info(self, word: str) -> tuple[int, ...]:
        """The phrase words an answer word matches (rules "Word forms", "Word groups" and
        "Spelling slips")."""
        info = self._info_cache.get(word)
        if info is not None:
            return info
        matched = set(self._by_stem.get(_stem(word), ()))
        size = len(word)
        if size >= 4 and word.isalpha():
            # Phrase words of 6 or more letters: one edit, or two from 9 letters.
            for other_size in range(max(6, size - 2), size + 3):
                edits = 2 if other_size >= 9 else 1
                if abs(size - other_size) > edits:
                    continue
                for other, other_id in self._by_length.get(other_size, ()):
                    if (
                        other_id not in matched
                        and OSA.distance(word, other, score_cutoff=edits) <= edits
                    ):
                        matched.add(other_id)
        info = tuple(sorted(matched))
        if len(self._info_cache) >= self._CACHE_LIMIT:
            self._info_cache.clear()
        self._info_cache[word] = info
        return info


class _Answer:
    """An answer's non-filler words, numbered across the whole answer."""

    __slots__ = ("text", "spans", "sentence", "clause", "negation", "fail_to", "occurrences")

    def __init__(self, text: str, scheme: MarkScheme) -> None:
        self.text = text
        spans: list[tuple[int, int]] = []
        sentence: list[int] = []
        clause: list[int] = []
        negation: list[bool] = []  # a negation word
        fail_to: list[bool] = []  # a form of "fail" followed straight away by "to"
        occurrences: dict[int, list[int]] = {}
        current = current_clause = 0
        previous = ""  # the word just read, filler included; "" after a clause's end
        fail_at = -1  # position of the "fail" word just read, while nothing has followed it
        word_info = scheme._word_info
        # The loop of `_words`, inlined: this is most of the time an answer takes.
        for match in _TOKEN_RE.finditer(text):
            kind = match.lastgroup
            if kind:  # the end of a sentence or of a clause
                if kind == "end":
                    current += 1
                current_clause += 1
                previous, fail_at = "", -1
                continue
            offset = match.start()
            for word, start, end in _split_token(match.group()):
                if word in CLAUSE_WORDS and previous not in NEGATION_WORDS:
                    current_clause += 1
                previous = word
                if word in FILLER_WORDS:
                    if fail_at >= 0 and word == "to":
                        fail_to[fail_at] = True
                    fail_at = -1
                    continue
                position = len(spans)
                spans.append((offset + start, offset + end))
                sentence.append(current)
                clause.append(current_clause)
                negation.append(word in NEGATION_WORDS)
                fail_to.append(False)
                fail_at = position if _stem(word) == "fail" else -1
                for word_id in word_info(word):
                    if word_id in occurrences:
                        occurrences[word_id].append(position)
                    else:
                        occurrences[word_id] = [position]
        self.spans = spans
        self.sentence = sentence
        self.clause = clause
        self.negation = negation
        self.fail_to = fail_to
        self.occurrences = occurrences

    def negations_reaching(self, choice: tuple[int, ...]) -> set[int]:
        """Rule "Negation cancels, within its clause": the negation words that stand at most 3
        words (filler not counted) before one of the chosen words, in its clause.

        "Failed to" straight before a chosen word counts as a negation too ("Kornilov failed to
        take the city"); further back it is about something else ("the Germans failed to stop
        Lenin returning" still says Lenin returned). A chosen word is never its own negation.
        """
        found = set()
        clause, negation = self.clause, self.negation
        for p in choice:
            here = clause[p]
            for q in range(p - 1, max(p - NEGATION_REACH, 0) - 1, -1):
                if clause[q] != here:
                    break
                if negation[q]:
                    found.add(q)
            if p > 0 and self.fail_to[p - 1] and clause[p - 1] == here and p - 1 not in choice:
                found.add(p - 1)
        return found

    def find(
        self, phrase: _Phrase, excluded: AbstractSet[int] = frozenset(), every: bool = False
    ) -> list[tuple[int, ...]]:
        """The occurrences of the phrase that count, as word positions (a carried negation's
        included), earliest first: only the first unless `every`. An occurrence with a word in
        `excluded` does not count."""
        lists = []
        for word_id, count in phrase.words:
            found = self.occurrences.get(word_id)
            if not found or len(found) < count:
                return []
            lists.append(found)
        sentence = self.sentence
        results = []
        for first in sorted(set().union(*lists)):
            if first in excluded:
                continue
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
                best = self._best(candidates, first, phrase, excluded)
                if best is not None:
                    results.append(best)
                    if not every:
                        break
        return results

    def _best(
        self,
        candidates: Sequence[Iterable[tuple[int, ...]]],
        first: int,
        phrase: _Phrase,
        excluded: AbstractSet[int],
    ) -> tuple[int, ...] | None:
        """The tightest choice of distinct words (one per phrase word) from `first` that no
        negation cancels and, for a phrase that carries a negation, that has its negation."""
        choices = []
        for picks in product(*candidates):
            chosen = {p for pick in picks for p in pick}
            if len(chosen) == phrase.size and first in chosen and not chosen & excluded:
                choices.append(tuple(sorted(chosen)))
        choices.sort(key=lambda c: (c[-1], c))
        for choice in choices:
            negations = self.negations_reaching(choice)
            if len(negations) == phrase.negations:
                return tuple(sorted((*choice, *negations))) if negations else choice
        return None


def _hit(answer: _Answer, key: str, phrase: str, positions: tuple[int, ...]) -> Hit:
    spans = tuple(answer.spans[p] for p in positions)
    return Hit(
        key=key,
        phrase=phrase,
        spans=spans,
        words=tuple(answer.text[start:end] for start, end in spans),
    )


def _find_criterion(
    answer: _Answer,
    key: str,
    phrases: tuple[_Phrase, ...],
    excluded: AbstractSet[int] = frozenset(),
    covered: set[int] | None = None,
) -> Hit | None:
    """Any one phrase makes the criterion; report the occurrence that starts earliest.

    With `covered`, every occurrence's words are added to it (for rule "A misconception
    overrides the point made of the same words").
    """
    best: tuple[tuple[int, int, int], _Phrase, tuple[int, ...]] | None = None
    occurrences = answer.occurrences
    for index, phrase in enumerate(phrases):
        if phrase.words[0][0] not in occurrences:  # its rarest word: most phrases stop here
            continue
        found = answer.find(phrase, excluded, every=covered is not None)
        if not found:
            continue
        if covered is not None:
            for positions in found:
                covered.update(positions)
        positions = found[0]
        rank = (positions[0], positions[-1], index)
        if best is None or rank < best[0]:
            best = (rank, phrase, positions)
    if best is None:
        return None
    return _hit(answer, key, best[1].text, best[2])


def mark_answer(scheme: MarkScheme, answer: str) -> MarkingResult:
    """Mark one answer against a prepared scheme. Same answer and scheme, same result."""
    prepared = _Answer(answer or "", scheme)
    errors = []
    covered: set[int] = set()  # answer words that show a misconception
    for misconception, phrases in zip(
        scheme.misconceptions, scheme._misconception_phrases, strict=True
    ):
        hit = _find_criterion(prepared, misconception.key, phrases, covered=covered)
        if hit is not None:
            errors.append(hit)
    made: list[Hit] = []
    missed: list[Criterion] = []
    mark = 0
    for point, phrases in zip(scheme.points, scheme._point_phrases, strict=True):
        hit = _find_criterion(prepared, point.key, phrases, excluded=covered)
        if hit is None:
            missed.append(point)
        else:
            made.append(hit)
            mark += point.marks
    return MarkingResult(
        points_made=tuple(made),
        points_missed=tuple(missed),
        misconceptions=tuple(errors),
        suggested_mark=max(0, min(mark, scheme.max_marks)),
        max_marks=scheme.max_marks,
    )


# An answer with at least this many non-filler words says something: when the engine finds no
# point in it, the point may be there in words the engine does not know.
SUBSTANCE_WORDS = 6


def has_substance(answer: str) -> bool:
    """Is the answer long enough that finding no point in it says more about the engine?"""
    count = 0
    for word in phrase_words(answer or ""):
        if word not in FILLER_WORDS:
            count += 1
            if count >= SUBSTANCE_WORDS:
                return True
    return False


def candidate_phrases(answer: str, known: Iterable[str] = (), limit: int = 8) -> list[str]:
    """Phrases of 2 to 4 content words taken from the answer's sentences, for an editor to
    pick from and edit: filler left out, negation kept; runs with more words the point's
    phrases already use (`known`, matched by stem) first, then shorter, then earlier ones."""
    known_stems = {_stem(w) for phrase in known for w in phrase_words(phrase)}
    sentences: list[list[str]] = [[]]
    for match in _TOKEN_RE.finditer(answer or ""):
        if match.lastgroup == "end":
            sentences.append([])
        elif match.lastgroup is None:
            for word, _, _ in _split_token(match.group()):
                if word not in FILLER_WORDS:
                    sentences[-1].append(word)
    ranked: dict[str, tuple[int, int, int]] = {}
    order = 0
    for words in sentences:
        for size in (2, 3, 4):
            for start in range(len(words) - size + 1):
                run = words[start : start + size]
                if all(w in NEGATION_WORDS for w in run):
                    continue
                text = " ".join(run)
                score = sum(_stem(w) in known_stems for w in run)
                order += 1
                ranked.setdefault(text, (-score, size, order))
    return sorted(ranked, key=ranked.__getitem__)[:limit]


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
