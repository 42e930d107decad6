"""The marking engine against the rules of "How a phrase matches an answer" (CONTENT-FORMAT.md).

Plain functions: no database, no Django.
"""

import json

import pytest

from lessons.marking import Criterion, Hit, MarkingResult, MarkScheme, highlight_spans, mark_answer

GROUPS = (("troops", "soldiers"), ("pg", "government"))


def found(phrase: str, answer: str, groups: tuple[tuple[str, ...], ...] = ()) -> bool:
    scheme = MarkScheme([Criterion(key="point", phrases=(phrase,))], word_groups=groups)
    return bool(mark_answer(scheme, answer).points_made)


def case(phrase: str, answer: str, expected: bool, name: str):
    return pytest.param(phrase, answer, expected, id=name)


MATCH, MISS = True, False

RULES = [
    # Words: case, punctuation, accents, possessive "'s", "n't".
    case("bolsheviks saved petrograd", "BOLSHEVIKS SAVED PETROGRAD", MATCH, "words-case"),
    case(
        "bolsheviks saved petrograd",
        'The "Bolsheviks" (!) -- saved, Petrograd',
        MISS,
        "words-exclamation-ends-sentence",
    ),
    case(
        "bolsheviks saved petrograd",
        'The "Bolsheviks" -- (saved), Petrograd...',
        MATCH,
        "words-punctuation",
    ),
    case("anti-war feeling", "there was anti war feeling", MATCH, "words-hyphen-in-phrase"),
    case("anti war feeling", "there was anti-war feeling", MATCH, "words-hyphen-in-answer"),
    case("coup d'etat", "it was a coup d’état", MATCH, "words-accents-and-curly-apostrophe"),
    case("petrograd soviet", "the Pétrograd Sovièt", MATCH, "words-accents-in-answer"),
    case("pétrograd soviet", "the petrograd soviet", MATCH, "words-accents-in-phrase"),
    case("petrograd soviet", "the Pe\u0301trograd Sovie\u0300t", MATCH, "words-decomposed-accents"),
    case("kornilov troops", "Kornilov's troops", MATCH, "words-possessive"),
    case("kornilov troops", "Kornilov’s troops", MATCH, "words-possessive-curly"),
    case("bolsheviks slogan", "the Bolsheviks' slogan", MATCH, "words-plural-possessive"),
    case("kornilov's troops", "Kornilov troops", MATCH, "words-possessive-in-phrase"),
    case("did not support", "they didn't support", MATCH, "words-nt-is-not"),
    case("did not support", "they didn’t support", MATCH, "words-nt-curly"),
    case("did not support", "they didnt support", MATCH, "words-nt-without-apostrophe"),
    case("can not win", "they can't win", MATCH, "words-cant-is-can-not"),
    case("can not win", "they cannot win", MATCH, "words-cannot-is-can-not"),
    case("will not fight", "the soldiers won't fight", MATCH, "words-wont-is-will-not"),
    case("did support", "they didn't support", MISS, "words-nt-is-a-negation"),
    # Sentences end at . ! ? ; and line breaks.
    case("germans helped lenin", "The Germans helped Lenin", MATCH, "sentence-same"),
    case("germans helped lenin", "The Germans helped. Lenin returned.", MISS, "sentence-full-stop"),
    case("germans helped lenin", "The Germans helped! Lenin returned", MISS, "sentence-exclaim"),
    case("germans helped lenin", "Who helped? Lenin and the Germans", MISS, "sentence-question"),
    case("germans helped lenin", "The Germans helped; Lenin returned", MISS, "sentence-semicolon"),
    case("germans helped lenin", "The Germans helped\nLenin return", MISS, "sentence-newline"),
    case("germans helped lenin", "The Germans helped\r\nLenin return", MISS, "sentence-crlf"),
    case(
        "germans helped lenin",
        "The Germans, who helped, sent Lenin",
        MATCH,
        "sentence-comma-does-not-split",
    ),
    case(
        "1.5 million soldiers",
        "About 1.5 million soldiers deserted",
        MATCH,
        "sentence-decimal-point-is-not-an-end",
    ),
    # Filler words are never needed and do not count as distance.
    case("the defence of the city", "defence city", MATCH, "filler-not-needed-from-phrase"),
    case("defence of the city", "the city's defence", MATCH, "filler-phrase-any-order"),
    case(
        "kerensky armed workers",
        "Kerensky, in the panic of that week, armed the workers",
        MATCH,
        "filler-not-counted-as-distance",
    ),
    case("the", "the", MISS, "filler-only-phrase-never-matches"),
    case("not helped", "it was not helped", MATCH, "filler-negation-is-not-filler"),
    case("not helped", "it was helped", MISS, "filler-negation-needed-when-in-phrase"),
    # Word forms: Snowball stems.
    case("soldiers deserted", "the soldiers deserted", MATCH, "stem-same-form"),
    case("soldiers deserted", "the desertion of soldiers", MATCH, "stem-desertion"),
    case("soldiers deserted", "deserting soldiers", MATCH, "stem-deserting"),
    case("soldiers deserted", "soldiers desert", MATCH, "stem-desert"),
    case("soldier deserts", "soldiers were deserting", MATCH, "stem-plural"),
    case("army deserted", "arms deserted", MISS, "stem-army-is-not-arms"),
    # Spelling slips: 1 edit on 6+ letters, 2 when both have 9+; shorter words exact or stem.
    case("kornilov marched", "Kornilof marched", MATCH, "slip-kornilof"),
    case(
        "bolsheviks saved petrograd", "the Bolshevicks saved Petrograd", MATCH, "slip-bolshevicks"
    ),
    case("provisional government", "the provisional goverment", MATCH, "slip-goverment"),
    case("workers organized", "the workers organised", MATCH, "slip-organised"),
    case("workers organised", "the workers organized", MATCH, "slip-organized"),
    case("trotsky spoke", "Trotzky spoke", MATCH, "slip-one-edit-7-letters"),
    case("soviet", "the sovjet", MATCH, "slip-one-edit-6-letters"),
    case("bolshevik", "Bolshevicks", MATCH, "slip-two-edits-both-9-plus"),
    case("governments", "the goverment", MATCH, "slip-two-edits-9-and-11"),
    case("kornilov", "Kornylof", MISS, "slip-two-edits-8-letters"),
    case("bolshevik", "Bolshaviks", MATCH, "slip-two-edits-9-and-10"),
    case("government", "guvermant", MISS, "slip-three-edits-9-plus"),
    case("soldiers", "soljers", MISS, "slip-two-edits-7-and-8"),
    case("soviet", "sovet", MATCH, "slip-phrase-word-6-letters-answer-5"),
    case("army", "armey", MISS, "slip-phrase-word-under-6-letters"),
    case("tsar", "the tzar", MISS, "slip-short-word-tsar-tzar"),
    case("lenin", "Lenim", MISS, "slip-short-word-lenin-lenim"),
    case("army", "the arms", MISS, "slip-short-word-army-arms"),
    case("duma", "the dumb", MISS, "slip-short-word-duma-dumb"),
    # Order and distance: any order, within (phrase words + 4) non-filler words.
    case(
        "bolsheviks defended petrograd",
        "Petrograd was defended by the Bolsheviks",
        MATCH,
        "order-spec-example",
    ),
    case("germans helped lenin", "Lenin, helped by the Germans, returned", MATCH, "order-any"),
    case(
        "kerensky armed workers",
        "Kerensky then quickly and nervously armed the Petrograd workers",
        MATCH,
        "distance-exactly-at-limit-7",
    ),
    case(
        "kerensky armed workers",
        "Kerensky then very quickly and nervously armed the Petrograd workers",
        MISS,
        "distance-one-over-limit-8",
    ),
    case(
        "soldiers deserted",
        "soldiers at the front eventually simply quietly deserted",
        MATCH,
        "distance-two-word-phrase-at-limit-6",
    ),
    case(
        "soldiers deserted",
        "soldiers at the front eventually very simply quietly deserted",
        MISS,
        "distance-two-word-phrase-over-limit-7",
    ),
    case(
        "germans helped lenin",
        "The Germans wanted peace. They helped the war effort. Lenin arrived.",
        MISS,
        "scattered-across-the-answer",
    ),
    case(
        "guards guarded petrograd",
        "the Red Guards protected Petrograd",
        MISS,
        "distinct-answer-word-per-phrase-word",
    ),
    case(
        "guards guarded petrograd",
        "the guards guarded Petrograd",
        MATCH,
        "distinct-answer-words-found",
    ),
    # Negation: before (3 non-filler words) or between cancels that occurrence.
    case("offensive failed", "the offensive did not fail", MISS, "negation-spec-offensive"),
    case(
        "germans helped lenin", "Lenin was not helped by the Germans", MISS, "negation-spec-lenin"
    ),
    case("germans helped lenin", "The Germans didn't help Lenin", MISS, "negation-nt-between"),
    case(
        "bolsheviks saved petrograd",
        "It was never the Bolsheviks who saved Petrograd",
        MISS,
        "negation-never-before",
    ),
    case(
        "bolsheviks saved petrograd",
        "No Bolsheviks saved Petrograd",
        MISS,
        "negation-no-right-before",
    ),
    case(
        "bolsheviks saved petrograd",
        "Neither the army nor the Bolsheviks saved Petrograd",
        MISS,
        "negation-nor-right-before",
    ),
    case(
        "bolsheviks saved petrograd",
        "Never in the end did the Bolsheviks save Petrograd",
        MISS,
        "negation-third-non-filler-word-before",
    ),
    case("soldiers obeyed", "the soldiers hardly obeyed", MISS, "negation-hardly-between"),
    case("workers armed", "workers were left without arms", MISS, "negation-without-between"),
    case(
        "germans helped lenin",
        "It is not true that the Germans helped Lenin",
        MISS,
        "negation-before-counts-non-filler-words",
    ),
    case(
        "germans helped lenin",
        "Not one historian doubts that the Germans helped Lenin",
        MATCH,
        "negation-four-words-before-does-not-cancel",
    ),
    case(
        "bolsheviks saved petrograd",
        "Not everyone agrees, but in August the Bolsheviks saved Petrograd",
        MATCH,
        "negation-far-before-does-not-cancel",
    ),
    case(
        "bolsheviks saved petrograd",
        "It was not so. The Bolsheviks saved Petrograd",
        MATCH,
        "negation-in-previous-sentence-does-not-cancel",
    ),
    case(
        "germans helped lenin",
        "The Germans did not help Lenin at first. Later the Germans helped Lenin",
        MATCH,
        "negation-second-clean-occurrence",
    ),
    case(
        "germans helped lenin",
        "Lenin was not helped at first but later the Germans helped Lenin",
        MATCH,
        "negation-second-occurrence-same-sentence",
    ),
    case(
        "kornilov captured petrograd",
        "Kornilov failed to capture Petrograd",
        MISS,
        "negation-failed-to-between",
    ),
    case(
        "captured petrograd",
        "Kornilov failed to capture Petrograd",
        MISS,
        "negation-failed-to-right-before",
    ),
    case(
        "defended petrograd",
        "by failing to defend Petrograd",
        MISS,
        "negation-failing-to-right-before",
    ),
    case(
        "offensive failed",
        "The offensive failed to break through",
        MATCH,
        "negation-failed-to-inside-phrase",
    ),
    case(
        "lenin returned",
        "The Germans failed to stop Lenin returning",
        MATCH,
        "negation-failed-to-not-right-before",
    ),
    case("offensive failed", "The failed offensive", MATCH, "negation-failed-alone-is-not"),
    case(
        "did not support",
        "they didn't support the war",
        MATCH,
        "negation-in-phrase-is-matched-not-cancelling",
    ),
    # Version 2. Clauses: a negation reaches only within its clause; a phrase may cross clauses.
    case("misjudged", "Lenin gave no clear lead, he misjudged it", MATCH, "clause-comma-spec"),
    case("misjudged", "Lenin did not misjudge it", MISS, "clause-negation-same-clause"),
    case(
        "bolsheviks took power july",
        "It didn't fail, the Bolsheviks took power in July",
        MATCH,
        "clause-comma-misconception-spec",
    ),
    case(
        "soldiers deserted",
        "the soldiers were not paid, so they deserted",
        MATCH,
        "clause-phrase-runs-across-clauses-spec",
    ),
    case("land peasants", "no war, land for the peasants", MATCH, "clause-comma-land"),
    case("peasants got land", "the peasants did not get land", MISS, "clause-not-in-clause"),
    case("soldiers deserted", "no peace: soldiers deserted", MATCH, "clause-colon"),
    case("workers armed", "nobody helped - workers armed themselves", MATCH, "clause-dash"),
    case("workers armed", "nobody helped \u2013 workers armed", MATCH, "clause-en-dash"),
    case("soldiers deserted", "There was no pay (soldiers deserted)", MATCH, "clause-bracket"),
    case("soldiers deserted", "there was no bread so soldiers deserted", MATCH, "clause-so"),
    case(
        "soldiers deserted", "he was not happy because soldiers deserted", MATCH, "clause-because"
    ),
    case("soldiers deserted", "no food but soldiers deserted", MATCH, "clause-but"),
    case("soldiers deserted", "nothing happened while soldiers deserted", MATCH, "clause-while"),
    case("soldiers deserted", "none of it which soldiers deserted", MATCH, "clause-which"),
    case("government popular", "the government was not so popular", MISS, "clause-not-so"),
    case("soldiers deserted", "the soldiers had not yet deserted", MISS, "clause-not-yet"),
    case("soldiers deserted", "the soldiers, tired and hungry, deserted", MATCH, "clause-crossed"),
    case("anti war feeling", "no anti-war feeling", MISS, "clause-hyphen-is-not-a-dash"),
    # Version 2. The wider list of negation words.
    case("defended government", "nobody defended the government", MISS, "negation-nobody"),
    case("helped kerensky", "nothing helped Kerensky", MISS, "negation-nothing"),
    case("soldiers deserted", "none of the soldiers deserted", MISS, "negation-none"),
    case("soldiers deserted", "neither soldiers deserted nor sailors", MISS, "negation-neither"),
    case("soldiers deserted", "nowhere did soldiers desert", MISS, "negation-nowhere"),
    # Version 2. Phrases that carry a negation.
    case(
        "not defend government",
        "the garrison wouldn't defend the government",
        MATCH,
        "carried-negation-wouldnt-spec",
    ),
    case(
        "not defend government",
        "they never defended the government",
        MATCH,
        "carried-negation-never-spec",
    ),
    case(
        "not defend government",
        "nobody would defend the government",
        MATCH,
        "carried-negation-nobody-spec",
    ),
    case(
        "not defend government",
        "the soldiers defended the government",
        MISS,
        "carried-negation-missing-spec",
    ),
    case(
        "not defend government",
        "they did not want to, but they defended the government",
        MISS,
        "carried-negation-other-clause",
    ),
    case(
        "not defend government",
        "nobody would not defend the government",
        MISS,
        "carried-negation-double-negation",
    ),
    case(
        "no support provisional government",
        "Lenin said no support for the Provisional Government",
        MATCH,
        "carried-negation-key-point-words",
    ),
    case(
        "not fight kerensky",
        "the soldiers failed to fight for Kerensky",
        MATCH,
        "carried-negation-failed-to",
    ),
    # Version 2. Irregular verbs become their base form before stemming.
    case("win", "if they won", MATCH, "irregular-won"),
    case("lose hope", "the soldiers lost all hope", MATCH, "irregular-lost"),
    case("take power", "the Bolsheviks had taken power", MATCH, "irregular-taken"),
    case("take power", "the Bolsheviks took power", MATCH, "irregular-took"),
    case("lenin fled finland", "Lenin flees to Finland", MATCH, "irregular-in-phrase"),
    case("give guns workers", "guns were given to the workers", MATCH, "irregular-given"),
    case("overthrow government", "they overthrew the government", MATCH, "irregular-overthrew"),
    case("lead bolsheviks", "Lenin led the Bolsheviks", MATCH, "irregular-led"),
    case("win", "they went home", MISS, "irregular-went-is-go"),
    # Version 2. Spelling slips: a swap is one edit; the phrase word's length decides.
    case("soldiers deserted", "the soliders deserted", MATCH, "slip-swap-soliders-spec"),
    case("received", "he recieved it", MATCH, "slip-swap-recieved"),
    case("bolshevik", "the bolshvk party", MATCH, "slip-two-edits-phrase-word-9"),
    case("petrograd", "petrogard", MATCH, "slip-swap-9-letters"),
]

# Version 2. Word groups: single words of a lesson that count as the same word.
GROUP_RULES = [
    case("troops deserted", "the soldiers deserted", MATCH, "group-member"),
    case("soldiers deserted", "the troops deserted", MATCH, "group-member-other-way"),
    case("troops deserted", "the soldier deserted", MATCH, "group-member-stem"),
    case("troops deserted", "the soliders deserted", MATCH, "group-member-slip"),
    case("government weak", "the PG was weak", MATCH, "group-abbreviation"),
    case("government weak", "the governments were weak", MATCH, "group-own-stem"),
    case("troops deserted", "the sailors deserted", MISS, "group-non-member"),
]


@pytest.mark.parametrize(("phrase", "answer", "expected"), GROUP_RULES)
def test_word_group_rules(phrase: str, answer: str, expected: bool) -> None:
    assert found(phrase, answer, GROUPS) is expected


def test_word_groups_only_apply_where_given() -> None:
    assert not found("troops deserted", "the soldiers deserted")
    assert not found("government weak", "the PG was weak")


def test_a_misconception_overrides_the_point_made_of_the_same_words() -> None:
    scheme = MarkScheme(
        [Criterion("arrested", ("kornilov arrested",)), Criterion("other", ("railway",))],
        [Criterion("wrong-arrest", ("bolsheviks arrested kornilov",))],
    )
    result = scheme.mark("Kornilov was arrested by the Bolsheviks.")
    assert [hit.key for hit in result.misconceptions] == ["wrong-arrest"]
    assert result.points_made == ()
    # The point's own clean occurrence elsewhere still counts.
    result = scheme.mark("Kornilov was arrested by the Bolsheviks. Later Kornilov was arrested.")
    assert [hit.key for hit in result.points_made] == ["arrested"]
    assert [hit.key for hit in result.misconceptions] == ["wrong-arrest"]
    # Words the misconception does not use are untouched.
    result = scheme.mark("The Bolsheviks arrested Kornilov and the railway men helped")
    assert [hit.key for hit in result.points_made] == ["other"]


def test_a_carried_negation_is_part_of_the_hit() -> None:
    answer = "The garrison wouldn't defend the government."
    (hit,) = MarkScheme([Criterion("p", ("not defend government",))]).mark(answer).points_made
    assert hit.words == ("n't", "defend", "government")


@pytest.mark.parametrize(("phrase", "answer", "expected"), RULES)
def test_phrase_rules(phrase: str, answer: str, expected: bool) -> None:
    assert found(phrase, answer) is expected


KORNILOV = MarkScheme(
    points=[
        Criterion(
            key="saved",
            phrases=("bolsheviks saved petrograd", "defended the city"),
            marks=2,
            hint="Who stopped Kornilov?",
        ),
        Criterion(key="armed", phrases=("kerensky armed the red guards",), hint="Weapons?"),
        Criterion(key="kerensky", phrases=("kerensky lost support",), marks=1),
    ],
    misconceptions=[
        Criterion(
            key="kornilov-bolshevik",
            phrases=("kornilov was a bolshevik",),
            feedback="Kornilov was a general who moved against the government.",
        ),
    ],
    max_marks=3,
)


@pytest.mark.parametrize(
    ("answer", "made", "misconceptions", "mark"),
    [
        pytest.param("", [], [], 0, id="empty"),
        pytest.param("The Bolsheviks saved Petrograd.", ["saved"], [], 2, id="one-point-2-marks"),
        pytest.param(
            "The Bolsheviks defended the city; Kerensky armed the Red Guards.",
            ["saved", "armed"],
            [],
            3,
            id="two-points-sum",
        ),
        pytest.param(
            "Kerensky lost support. Kerensky armed the Red Guards. The Bolsheviks saved Petrograd.",
            ["saved", "armed", "kerensky"],
            [],
            3,
            id="capped-at-max",
        ),
        pytest.param(
            "Kornilov was a Bolshevick.", [], ["kornilov-bolshevik"], 0, id="misconception-slip"
        ),
        pytest.param("Kornilov was not a Bolshevik.", [], [], 0, id="misconception-negated"),
        pytest.param(
            "Kornilov was a general. The Bolsheviks stopped him.",
            [],
            [],
            0,
            id="misconception-words-in-two-sentences",
        ),
        pytest.param(
            "The Bolsheviks, like Kornilov, were blamed.",
            [],
            ["kornilov-bolshevik"],
            0,
            id="misconception-any-order",
        ),
    ],
)
def test_scheme(answer: str, made: list[str], misconceptions: list[str], mark: int) -> None:
    result = KORNILOV.mark(answer)
    assert [hit.key for hit in result.points_made] == made
    assert [point.key for point in result.points_missed] == [
        p.key for p in KORNILOV.points if p.key not in made
    ]
    assert [hit.key for hit in result.misconceptions] == misconceptions
    assert result.suggested_mark == mark
    assert result.max_marks == 3


def test_missed_points_carry_their_hints_in_scheme_order() -> None:
    result = KORNILOV.mark("Kerensky lost support.")
    assert [(p.key, p.hint) for p in result.points_missed] == [
        ("saved", "Who stopped Kornilov?"),
        ("armed", "Weapons?"),
    ]


def test_max_marks_defaults_to_the_points_marks() -> None:
    scheme = MarkScheme([Criterion("a", ("peace",), marks=2), Criterion("b", ("bread",))])
    assert scheme.max_marks == 3
    assert scheme.mark("peace and bread").suggested_mark == 3


@pytest.mark.parametrize(
    ("phrases", "answer", "phrase", "words"),
    [
        pytest.param(
            ("bolsheviks defended petrograd",),
            "Petrograd was defended by the Bolsheviks.",
            "bolsheviks defended petrograd",
            ("Petrograd", "defended", "Bolsheviks"),
            id="answer-order",
        ),
        pytest.param(
            ("did not support",),
            "They didn't support it.",
            "did not support",
            ("did", "n't", "support"),
            id="nt-split",
        ),
        pytest.param(
            ("kornilov troops",),
            "Kornilov's troops",
            "kornilov troops",
            ("Kornilov", "troops"),
            id="possessive-left-out",
        ),
        pytest.param(
            ("kornilov troops",),
            "The Kornílov troops",
            "kornilov troops",
            ("Kornílov", "troops"),
            id="as-written-with-accent",
        ),
        pytest.param(
            ("germans helped lenin",),
            "The Germans did not help Lenin. Later the Germans helped Lenin!",
            "germans helped lenin",
            ("Germans", "helped", "Lenin"),
            id="second-occurrence",
        ),
        pytest.param(
            ("peace", "land to the peasants"),
            "Land went to the peasants, then peace.",
            "land to the peasants",
            ("Land", "peasants"),
            id="earliest-of-phrases",
        ),
    ],
)
def test_spans_point_at_the_words(
    phrases: tuple[str, ...], answer: str, phrase: str, words: tuple[str, ...]
) -> None:
    scheme = MarkScheme([Criterion("point", phrases)])
    (hit,) = scheme.mark(answer).points_made
    assert hit.phrase == phrase
    assert hit.words == words
    assert tuple(answer[start:end] for start, end in hit.spans) == words
    assert list(hit.spans) == sorted(hit.spans)


def test_second_occurrence_spans_are_the_clean_ones() -> None:
    answer = "The Germans did not help Lenin. Later the Germans helped Lenin!"
    (hit,) = MarkScheme([Criterion("p", ("germans helped lenin",))]).mark(answer).points_made
    assert hit.spans[0][0] > answer.index(".")


def test_to_dict_is_json_and_round_trips() -> None:
    answer = "The Bolsheviks saved Petrograd. But Kornilov was a Bolshevik."
    result = KORNILOV.mark(answer)
    data = json.loads(json.dumps(result.to_dict()))
    assert data == {
        "points_made": [
            {
                "key": "saved",
                "phrase": "bolsheviks saved petrograd",
                "spans": [[4, 14], [15, 20], [21, 30]],
                "words": ["Bolsheviks", "saved", "Petrograd"],
            }
        ],
        "points_missed": ["armed", "kerensky"],
        "misconceptions": [
            {
                "key": "kornilov-bolshevik",
                "phrase": "kornilov was a bolshevik",
                "spans": [[36, 44], [51, 60]],
                "words": ["Kornilov", "Bolshevik"],
            }
        ],
        "suggested_mark": 2,
        "max_marks": 3,
    }
    assert MarkingResult.from_dict(data, KORNILOV) == result


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param("", id="empty"),
        pytest.param("Nothing relevant here.", id="no-points"),
        pytest.param("The Bolsheviks saved Petrograd.", id="point-at-start"),
        pytest.param("In the end the Bolsheviks defended the city", id="point-at-end"),
        pytest.param(
            "Kerensky armed the Red Guards; they didn't give back their rifles.\n"
            "Kerensky lost support and the Bolsheviks saved Petrograd.",
            id="several",
        ),
        pytest.param(
            "Kerensky’s Red Guards — armed by Kerensky — Kérensky lost support", id="unicode"
        ),
    ],
)
def test_highlight_spans_reassemble_the_answer(answer: str) -> None:
    result = KORNILOV.mark(answer)
    pieces = highlight_spans(answer, result)
    assert "".join(text for text, _ in pieces) == answer
    # Every word of a made point is highlighted (a word two points share carries the first key),
    # and only those words are.
    owner: dict[int, str] = {}
    for hit in result.points_made:
        for start, end in hit.spans:
            for i in range(start, end):
                owner.setdefault(i, hit.key)
    offset = 0
    for text, key in pieces:
        assert text
        assert all(owner.get(i) == key for i in range(offset, offset + len(text)))
        offset += len(text)


def test_highlight_spans_marks_the_words_of_each_point() -> None:
    answer = "The Bolsheviks saved Petrograd."
    assert highlight_spans(answer, KORNILOV.mark(answer)) == [
        ("The ", None),
        ("Bolsheviks", "saved"),
        (" ", None),
        ("saved", "saved"),
        (" ", None),
        ("Petrograd", "saved"),
        (".", None),
    ]


def test_highlight_spans_joins_a_split_word() -> None:
    answer = "They didn't support it"
    result = MarkScheme([Criterion("p", ("did not support",))]).mark(answer)
    assert highlight_spans(answer, result) == [
        ("They ", None),
        ("didn't", "p"),
        (" ", None),
        ("support", "p"),
        (" it", None),
    ]


def test_marking_is_deterministic_and_the_cache_changes_nothing() -> None:
    answer = "Kerensky armed the Red Guards and the Bolshevicks saved Petrograd."
    fresh = MarkScheme(KORNILOV.points, KORNILOV.misconceptions, max_marks=3)
    first = fresh.mark(answer)
    assert fresh.mark(answer) == first
    assert mark_answer(KORNILOV, answer) == first
    assert isinstance(first.points_made[0], Hit)


def test_phrases_given_as_a_list_or_string_are_read_as_phrases() -> None:
    assert Criterion("p", ["a b", "c"]).phrases == ("a b", "c")  # type: ignore[arg-type]
    assert Criterion("p", "peace land bread").phrases == ("peace land bread",)  # type: ignore[arg-type]
