"""import_lessons / export_lessons: keyed, idempotent, atomic, and a lossless round trip."""

import io
import re
import textwrap
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from lessons.content import DEFAULT_CONTENT_DIR, ContentError, import_lessons, read_lessons
from lessons.models import KeyPoint, KeyTerm, Lesson, Misconception, Question, SampleAnswer, Section

LESSON = {
    "slug": "test-lesson",
    "title": "A test lesson",
    "order": 9,
    "period": 1917,
    "summary": "Short.\n",
    "sections": [
        {"heading": "First", "body": "One.\n"},
        {"heading": "Second", "body": "Two.\n"},
    ],
    "key_terms": [{"term": "Soviet", "definition": "A council."}],
    "why_it_mattered": "Because.\n",
    "word_groups": [["troops", "soldiers"], ["pg", "government"]],
    "questions": [
        {
            "key": "q-one",
            "prompt": "Why?",
            "marks": 2,
            "after_section": 1,
            "model_answer": "Because of this.\n",
            "key_points": [
                {"key": "kp-a", "text": "A", "hint": "Think A", "phrases": ["alpha beta"]},
                {"key": "kp-b", "text": "B", "marks": 1, "phrases": ["gamma", "delta"]},
            ],
            "misconceptions": [
                {"key": "mis", "phrases": ["wrong idea"], "feedback": "Not so."},
            ],
            "samples": [
                {"answer": "alpha beta", "expect": ["kp-a"]},
                {"answer": "a wrong idea", "expect": [], "misconceptions": ["mis"]},
            ],
        },
        {
            "key": "q-two",
            "prompt": "What?",
            "marks": 1,
            "model_answer": "That.",
            "key_points": [{"key": "kp-c", "text": "C", "phrases": ["epsilon"]}],
        },
    ],
}


def write(folder: Path, data: dict, name: str = "test-lesson.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def run_import(*paths: Path) -> str:
    out = io.StringIO()
    call_command("import_lessons", *[str(p) for p in paths], stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Every content row with its timestamp, to prove a re-import touches nothing."""
    return {
        model.__name__: sorted(model.objects.values_list("pk", "updated_at"))
        for model in (Lesson, Section, KeyTerm, Question, KeyPoint, Misconception, SampleAnswer)
    }


@pytest.mark.django_db
def test_import_creates_everything(tmp_path):
    output = run_import(write(tmp_path, LESSON))
    lesson = Lesson.objects.get(slug="test-lesson")
    assert lesson.period == "1917"  # YAML may give the period as a number
    assert [s.heading for s in lesson.sections.all()] == ["First", "Second"]
    assert lesson.key_terms.get().term == "Soviet"
    q_one = lesson.questions.get(key="q-one")
    assert q_one.after_section == 1
    assert [p.key for p in q_one.key_points.all()] == ["kp-a", "kp-b"]
    assert q_one.key_points.get(key="kp-a").marks == 1  # default
    assert q_one.key_points.get(key="kp-b").phrase_list == ["gamma", "delta"]
    assert q_one.samples.get(position=1).expected_misconceptions == ["mis"]
    assert q_one.samples.get(position=0).expected_misconceptions == []
    assert lesson.questions.get(key="q-two").after_section is None
    assert "Created lesson test-lesson" in output
    assert "Created question test-lesson/q-one" in output


@pytest.mark.django_db
def test_second_import_changes_nothing_not_even_a_timestamp(tmp_path):
    path = write(tmp_path, LESSON)
    run_import(path)
    before = snapshot()
    output = run_import(path)
    assert "No changes" in output
    assert snapshot() == before


@pytest.mark.django_db
def test_update_changes_only_what_differs(tmp_path):
    path = write(tmp_path, LESSON)
    run_import(path)
    before = snapshot()
    changed = yaml.safe_load(path.read_text())
    changed["questions"][0]["key_points"][0]["hint"] = "A better hint"
    write(tmp_path, changed)
    output = run_import(path)
    assert output.splitlines()[0] == "Updated key point test-lesson/q-one/kp-a"
    after = snapshot()
    assert after["Question"] == before["Question"]
    assert after["KeyPoint"] != before["KeyPoint"]
    assert KeyPoint.objects.get(key="kp-a").hint == "A better hint"


@pytest.mark.django_db
def test_removed_question_and_key_point_are_retired_not_deleted(tmp_path):
    path = write(tmp_path, LESSON)
    run_import(path)
    smaller = yaml.safe_load(path.read_text())
    del smaller["questions"][1]
    smaller["questions"][0]["key_points"].pop()
    smaller["questions"][0]["misconceptions"] = []
    smaller["questions"][0]["samples"] = [smaller["questions"][0]["samples"][0]]
    write(tmp_path, smaller)
    output = run_import(path)
    assert "Retired question test-lesson/q-two" in output
    assert "Retired key point test-lesson/q-one/kp-b" in output
    assert "Retired misconception test-lesson/q-one/mis" in output
    assert Question.objects.get(key="q-two").is_retired
    assert KeyPoint.objects.get(key="kp-b").is_retired
    assert Misconception.objects.get(key="mis").is_retired
    assert SampleAnswer.objects.count() == 1  # samples are not student work: removed
    # Putting them back brings the same rows back to life.
    write(tmp_path, LESSON)
    run_import(path)
    assert not Question.objects.get(key="q-two").is_retired
    assert Question.objects.count() == 2


@pytest.mark.django_db
def test_lesson_page_hides_retired_questions(tmp_path, client):
    path = write(tmp_path, LESSON)
    run_import(path)
    Question.objects.filter(key="q-two").update(is_retired=True)
    response = client.get("/lessons/test-lesson/")
    assert "Why?" in response.content.decode()
    assert "What?" not in response.content.decode()


def broken(**changes) -> dict:
    data = yaml.safe_load(yaml.safe_dump(LESSON))
    for dotted, value in changes.items():
        target = data
        parts = dotted.split("__")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        if value is KeyError:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return data


@pytest.mark.parametrize(
    ("changes", "place", "reason"),
    [
        ({"title": KeyError}, "top level", "the field 'title' is missing"),
        ({"order": "first"}, "order", "must be a whole number"),
        ({"slug": "Not A Slug"}, "slug", "lower-case letters"),
        ({"sections": []}, "sections", "at least one section"),
        ({"questions__0__marks": "two"}, "questions[0].marks", "must be a whole number"),
        ({"questions__0__after_section": 7}, "questions[0].after_section", "from 1 to 2"),
        ({"questions__1__key": "q-one"}, "questions[1].key", "used twice"),
        (
            {"questions__0__key_points__1__key": "kp-a"},
            "questions[0].key_points[1].key",
            "used twice",
        ),
        (
            {"questions__0__key_points__0__phrases": []},
            "questions[0].key_points[0].phrases",
            "at least one",
        ),
        (
            {"questions__0__samples__0__expect": ["kp-z"]},
            "questions[0].samples[0].expect[0]",
            "'kp-z' is not a key point",
        ),
        (
            {"questions__0__samples__1__misconceptions": ["nope"]},
            "questions[0].samples[1].misconceptions[0]",
            "'nope' is not a misconception",
        ),
        ({"questions__0__colour": "red"}, "questions[0].colour", "unknown field 'colour'"),
        ({"questions__0__marks": True}, "questions[0].marks", "must be a whole number"),
        ({"word_groups": "troops"}, "word_groups", "must be a list"),
        ({"word_groups__0": "troops, soldiers"}, "word_groups[0]", "must be a list of words"),
        ({"word_groups__0": ["troops"]}, "word_groups[0]", "at least two words"),
        ({"word_groups__1": ["red guards", "pg"]}, "word_groups[1]", "is not a single word"),
        ({"word_groups__0__1": ""}, "word_groups[0][1]", "must be non-empty text"),
    ],
)
@pytest.mark.django_db
def test_malformed_file_is_refused_with_file_place_and_reason(tmp_path, changes, place, reason):
    good = write(tmp_path, {**LESSON, "slug": "good-lesson"}, "a-good.yaml")
    bad = write(tmp_path, broken(**changes), "b-bad.yaml")
    with pytest.raises(CommandError) as excinfo:
        run_import(tmp_path)
    message = str(excinfo.value)
    assert str(bad) in message
    assert place in message
    assert reason in message
    assert "Nothing was imported" in message
    assert good.exists()
    assert not Lesson.objects.exists()  # the good file was not written either


@pytest.mark.django_db
def test_error_names_the_line(tmp_path):
    data = broken(questions__1__key="q-one")
    path = write(tmp_path, data)
    expected_line = next(
        number
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if line.strip() == "- key: q-one" and number > 20
    )
    with pytest.raises(ContentError) as excinfo:
        read_lessons([path])
    assert excinfo.value.line == expected_line


@pytest.mark.django_db
def test_invalid_yaml_and_missing_path_are_refused(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("slug: [unclosed\n")
    with pytest.raises(ContentError, match="is not valid YAML"):
        import_lessons([bad])
    with pytest.raises(ContentError, match="no such file or folder"):
        import_lessons([tmp_path / "missing.yaml"])
    not_mapping = tmp_path / "list.yaml"
    not_mapping.write_text("- a\n- b\n")
    with pytest.raises(ContentError, match="must be a mapping"):
        import_lessons([not_mapping])


@pytest.mark.django_db
def test_duplicate_slug_across_files_is_refused(tmp_path):
    write(tmp_path, LESSON, "one.yaml")
    write(tmp_path, LESSON, "two.yaml")
    with pytest.raises(ContentError, match="also the slug of"):
        import_lessons([tmp_path])
    assert not Lesson.objects.exists()


@pytest.mark.django_db
def test_export_then_import_changes_nothing(tmp_path):
    run_import(DEFAULT_CONTENT_DIR)
    before = snapshot()
    out = tmp_path / "exported"
    call_command("export_lessons", "--out", str(out), stdout=io.StringIO())
    assert sorted(p.name for p in out.glob("*.yaml")) == sorted(
        p.name for p in DEFAULT_CONTENT_DIR.glob("*.yaml")
    )
    assert "No changes" in run_import(out)
    assert snapshot() == before
    # And a second export is byte-for-byte the first.
    again = tmp_path / "again"
    call_command("export_lessons", "--out", str(again), stdout=io.StringIO())
    for path in out.glob("*.yaml"):
        assert (again / path.name).read_text() == path.read_text()


@pytest.mark.django_db
def test_export_round_trips_a_lesson_with_every_field(tmp_path):
    run_import(write(tmp_path, LESSON))
    before = snapshot()
    out = tmp_path / "out"
    call_command("export_lessons", "--out", str(out), stdout=io.StringIO())
    exported = yaml.safe_load((out / "test-lesson.yaml").read_text())
    assert exported["questions"][0]["key_points"][0]["phrases"] == ["alpha beta"]
    assert exported["word_groups"] == [["troops", "soldiers"], ["pg", "government"]]
    assert "after_section" not in exported["questions"][1]
    assert "No changes" in run_import(out)
    assert snapshot() == before


def test_shipped_lessons_meet_the_content_minimums():
    lessons = read_lessons([DEFAULT_CONTENT_DIR])
    assert [lesson["slug"] for lesson in sorted(lessons, key=lambda x: x["order"])] == [
        "lenins-return",
        "june-offensive",
        "july-days",
        "kornilov-revolt",
        "bolshevik-support",
    ]
    for lesson in lessons:
        assert lesson["summary"].strip()
        assert len(lesson["sections"]) >= 2, lesson["slug"]
        assert lesson["key_terms"], lesson["slug"]
        assert lesson["why_it_mattered"].strip(), lesson["slug"]
        assert len(lesson["questions"]) >= 3, lesson["slug"]
        for question in lesson["questions"]:
            where = f"{lesson['slug']}/{question['key']}"
            assert question["model_answer"].strip(), where
            assert len(question["samples"]) >= 12, where
            assert sum(p["marks"] for p in question["key_points"]) >= question["marks"], where
            for point in question["key_points"]:
                assert point["hint"].strip(), f"{where}/{point['key']}"


def test_shipped_lessons_do_not_copy_the_seed_page():
    """Lessons are written in our own words: no run of 7 words from the seed page appears
    anywhere in a lesson file (samples and mark schemes included)."""
    seed = Path(__file__).resolve().parents[3] / "shared/seed/causes-of-the-october-revolution.txt"
    if not seed.exists():
        pytest.skip("the seed page is kept beside the repository, not in it")
    words = lambda text: re.findall(r"[a-z0-9']+", text.lower())  # noqa: E731
    seed_words = words(seed.read_text())
    runs = {" ".join(seed_words[i : i + 7]) for i in range(len(seed_words) - 6)}
    for path in DEFAULT_CONTENT_DIR.glob("*.yaml"):
        text = " ".join(words(path.read_text()))
        copied = [run for run in runs if run in text]
        assert not copied, f"{path.name} copies the seed: {copied[:3]}"


def _sentences(markdown: str) -> list[list[str]]:
    """The sentences of a lesson body, as lists of words: a sentence ends at . ! ? ; and each
    list item or paragraph ends one too."""
    sentences = []
    for block in re.split(r"\n\s*\n|\n\s*[-*] ", markdown):
        for part in re.split(r"(?<=[.!?;])\s+", block):
            found = re.findall(r"[A-Za-z0-9'’]+", part)
            if found:
                sentences.append(found)
    return sentences


def test_shipped_lesson_bodies_are_readable_for_13_year_olds():
    """Section bodies: sentences average under 18 words, and none is over 30."""
    for lesson in read_lessons([DEFAULT_CONTENT_DIR]):
        sentences = [s for section in lesson["sections"] for s in _sentences(section["body"])]
        longest = max(sentences, key=len)
        average = sum(map(len, sentences)) / len(sentences)
        assert average < 18, f"{lesson['slug']}: sentences average {average:.1f} words"
        assert len(longest) <= 30, f"{lesson['slug']}: a sentence of {len(longest)} words: " + (
            " ".join(longest)
        )


def test_content_format_doc_example_parses(tmp_path):
    example = textwrap.dedent(
        """
        slug: example
        title: Example
        order: 1
        period: August 1917
        summary: One sentence.
        sections:
          - heading: A heading
            body: Text.
        questions:
          - key: q
            prompt: Why?
            marks: 1
            model_answer: Because.
            key_points:
              - key: p
                text: P
                phrases: [a phrase]
            samples:
              - answer: a phrase
                expect: [p]
        """
    )
    path = tmp_path / "example.yaml"
    path.write_text(example)
    (lesson,) = read_lessons([path])
    assert lesson["key_terms"] == []
    assert lesson["questions"][0]["samples"][0]["misconceptions"] == []


@pytest.mark.django_db
def test_a_lesson_exported_after_a_key_point_is_retired_imports_again(tmp_path):
    """Samples may still name the retired point; the file names only the points it holds."""
    run_import(DEFAULT_CONTENT_DIR)
    sample = SampleAnswer.objects.exclude(expect=[]).select_related("question").first()
    retired = sample.expect[0]
    KeyPoint.objects.filter(question=sample.question, key=retired).update(is_retired=True)
    out = tmp_path / "exported"
    call_command("export_lessons", "--out", str(out), stdout=io.StringIO())
    run_import(out)  # raised ContentError: "... is not a key point of this question"
    exported = yaml.safe_load((out / f"{sample.question.lesson.slug}.yaml").read_text())
    for question in exported["questions"]:
        for entry in question["samples"]:
            assert retired not in entry["expect"] or question["key"] != sample.question.key


@pytest.mark.django_db
def test_word_groups_are_imported_and_used_by_the_mark_scheme(tmp_path):
    data = broken(questions__1__key_points__0__phrases=["troops deserted"])
    run_import(write(tmp_path, data))
    lesson = Lesson.objects.get(slug="test-lesson")
    assert lesson.word_groups == "troops, soldiers\npg, government"
    assert lesson.word_group_list == [["troops", "soldiers"], ["pg", "government"]]
    question = Question.objects.with_markscheme().get(key="q-two")
    assert question.mark_scheme.mark("The soldiers deserted.").suggested_mark == 1


@pytest.mark.django_db
def test_word_groups_count_in_the_mark_scheme_version(tmp_path):
    run_import(write(tmp_path, LESSON))
    before = Question.objects.with_markscheme().get(key="q-one").markscheme_version
    run_import(write(tmp_path, {**LESSON, "word_groups": [["troops", "soldiers", "men"]]}))
    after = Question.objects.with_markscheme().get(key="q-one").markscheme_version
    assert after != before
    # Without groups the file still imports, and the lesson keeps none.
    run_import(write(tmp_path, {k: v for k, v in LESSON.items() if k != "word_groups"}))
    assert Lesson.objects.get(slug="test-lesson").word_groups == ""
