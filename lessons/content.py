"""Lesson files: read and check YAML, upsert it into the database, write it back out.

The format is described in docs/content.md. Import is keyed and idempotent: a
second run with the same files changes nothing, not even a timestamp.
Questions, key points and misconceptions missing from a file are retired,
never deleted, because student work may refer to them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import models, transaction

from lessons.models import (
    KeyPoint,
    KeyTerm,
    Lesson,
    Misconception,
    Question,
    SampleAnswer,
    Section,
    check_word_group,
)

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent / "content"

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

Path_ = tuple[str | int, ...]


class ContentError(Exception):
    """A lesson file that cannot be imported: which file, where in it, and what is wrong."""

    def __init__(self, file: str, place: str, reason: str, line: int | None = None) -> None:
        self.file, self.place, self.reason, self.line = file, place, reason, line
        where = f"{file}, line {line}" if line else file
        super().__init__(f"{where}: {place}: {reason}" if place else f"{where}: {reason}")


# --- Reading and checking -------------------------------------------------------------------

# field name -> (required, accepted types, default; a callable default makes a fresh value)
_Spec = dict[str, tuple[bool, tuple[type, ...], Any]]

_LESSON: _Spec = {
    "slug": (True, (str,), None),
    "title": (True, (str,), None),
    "order": (True, (int,), None),
    "period": (False, (str, int), ""),
    "summary": (True, (str,), None),
    "sections": (True, (list,), None),
    "key_terms": (False, (list,), list),
    "why_it_mattered": (False, (str,), ""),
    "word_groups": (False, (list,), list),
    "questions": (True, (list,), None),
}
_SECTION: _Spec = {"heading": (True, (str,), None), "body": (True, (str,), None)}
_TERM: _Spec = {"term": (True, (str,), None), "definition": (True, (str,), None)}
_QUESTION: _Spec = {
    "key": (True, (str,), None),
    "prompt": (True, (str,), None),
    "marks": (True, (int,), None),
    "after_section": (False, (int, type(None)), None),
    "model_answer": (True, (str,), None),
    "key_points": (True, (list,), None),
    "misconceptions": (False, (list,), list),
    "samples": (False, (list,), list),
}
_KEY_POINT: _Spec = {
    "key": (True, (str,), None),
    "text": (True, (str,), None),
    "marks": (False, (int,), 1),
    "hint": (False, (str,), ""),
    "phrases": (True, (list,), None),
}
_MISCONCEPTION: _Spec = {
    "key": (True, (str,), None),
    "phrases": (True, (list,), None),
    "feedback": (True, (str,), None),
}
_SAMPLE: _Spec = {
    "answer": (True, (str,), None),
    "expect": (True, (list,), None),
    "misconceptions": (False, (list,), list),
}


def _place(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "top level"


def _type_names(types: tuple[type, ...]) -> str:
    names = {str: "text", int: "a whole number", list: "a list", type(None): "empty"}
    return " or ".join(names.get(t, t.__name__) for t in types)


# libyaml's safe loader where PyYAML was built with it (the wheels are): the same documents,
# read about ten times faster than by the pure-Python one (tests import the lessons often).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Reader:
    """Checks one file's structure, keeping YAML line numbers for messages."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.text: str | None = None
        self.root_node: yaml.Node | None = None

    def error(self, path: Path_, reason: str) -> ContentError:
        return ContentError(str(self.file), _place(path), reason, self._line(path))

    def _line(self, path: Path_) -> int | None:
        if self.root_node is None and self.text is not None:
            # Only a message needs the line numbers: the file is read again as YAML nodes then.
            self.root_node = yaml.compose(self.text, Loader=_LOADER)
        node = self.root_node
        if node is None:
            return None
        for part in path:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                node = next((v for k, v in node.value if k.value == part), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                node = node.value[part] if part < len(node.value) else None
            else:
                node = None
            if node is None:
                return None
        return node.start_mark.line + 1

    def load(self) -> dict[str, Any]:
        try:
            text = self.file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ContentError(str(self.file), "", f"cannot be read ({exc})") from exc
        try:
            data = yaml.load(text, Loader=_LOADER)  # a safe loader: plain data only
            self.text = text
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else None
            problem = getattr(exc, "problem", None) or str(exc)
            raise ContentError(str(self.file), "", f"is not valid YAML: {problem}", line) from exc
        return self.lesson(data)

    def mapping(self, value: Any, path: Path_, spec: _Spec) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(path, "must be a mapping of fields (name: value)")
        unknown = sorted(set(value) - set(spec), key=str)
        if unknown:
            raise self.error(
                path + (str(unknown[0]),),
                f"unknown field {unknown[0]!r}; expected one of: {', '.join(spec)}",
            )
        out: dict[str, Any] = {}
        for name, (required, types, default) in spec.items():
            if name not in value:
                if required:
                    raise self.error(path, f"the field {name!r} is missing")
                out[name] = default() if callable(default) else default
                continue
            item = value[name]
            # YAML reads `true` as a bool, which is an int to Python: refuse it.
            if not isinstance(item, types) or (isinstance(item, bool) and bool not in types):
                raise self.error(path + (name,), f"must be {_type_names(types)}")
            if isinstance(item, str) and not item.strip() and required:
                raise self.error(path + (name,), "must not be empty")
            out[name] = item
        return out

    def items(self, values: list[Any], path: Path_, spec: _Spec) -> list[dict[str, Any]]:
        return [self.mapping(v, path + (i,), spec) for i, v in enumerate(values)]

    def key(self, value: str, path: Path_) -> str:
        if not _SLUG.match(value):
            raise self.error(path, f"{value!r} must be lower-case letters, digits and hyphens")
        return value

    def unique(self, entries: list[dict[str, Any]], path: Path_, what: str) -> None:
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            self.key(entry["key"], path + (i, "key"))
            if entry["key"] in seen:
                raise self.error(path + (i, "key"), f"{what} key {entry['key']!r} is used twice")
            seen.add(entry["key"])

    def strings(self, values: list[Any], path: Path_, *, non_empty: bool) -> list[str]:
        if non_empty and not values:
            raise self.error(path, "needs at least one entry")
        for i, value in enumerate(values):
            if not isinstance(value, str) or not value.strip():
                raise self.error(path + (i,), "must be non-empty text")
        return values

    def lesson(self, data: Any) -> dict[str, Any]:
        lesson = self.mapping(data, (), _LESSON)
        self.key(lesson["slug"], ("slug",))
        lesson["period"] = str(lesson["period"])
        if lesson["order"] < 0:
            raise self.error(("order",), "must be 0 or more")
        if not lesson["sections"]:
            raise self.error(("sections",), "needs at least one section")
        lesson["sections"] = self.items(lesson["sections"], ("sections",), _SECTION)
        lesson["key_terms"] = self.items(lesson["key_terms"], ("key_terms",), _TERM)
        lesson["word_groups"] = self.word_groups(lesson["word_groups"], ("word_groups",))
        questions = self.items(lesson["questions"], ("questions",), _QUESTION)
        self.unique(questions, ("questions",), "question")
        for q_index, question in enumerate(questions):
            self.question(question, ("questions", q_index), len(lesson["sections"]))
        lesson["questions"] = questions
        return lesson

    def word_groups(self, groups: list[Any], path: Path_) -> str:
        """The groups checked (rule "Word groups"), as the model keeps them: a line each."""
        lines = []
        for i, group in enumerate(groups):
            if not isinstance(group, list):
                raise self.error(path + (i,), "must be a list of words, such as [troops, soldiers]")
            words = [w.strip() for w in self.strings(group, path + (i,), non_empty=True)]
            problem = check_word_group(words)
            if problem:
                raise self.error(path + (i,), problem)
            lines.append(", ".join(words))
        return "\n".join(lines)

    def question(self, question: dict[str, Any], path: Path_, section_count: int) -> None:
        if question["marks"] < 1:
            raise self.error(path + ("marks",), "must be 1 or more")
        after = question["after_section"]
        if after is not None and not 1 <= after <= section_count:
            raise self.error(
                path + ("after_section",),
                f"must be a section number from 1 to {section_count}, or left out",
            )
        points = self.key_points(question["key_points"], path + ("key_points",))
        misconceptions = self.items(
            question["misconceptions"], path + ("misconceptions",), _MISCONCEPTION
        )
        self.unique(misconceptions, path + ("misconceptions",), "misconception")
        for i, item in enumerate(misconceptions):
            self.strings(item["phrases"], path + ("misconceptions", i, "phrases"), non_empty=True)
        samples = self.samples(question["samples"], path + ("samples",), points, misconceptions)
        question.update(key_points=points, misconceptions=misconceptions, samples=samples)

    def key_points(self, items: list[Any], path: Path_) -> list[dict[str, Any]]:
        if not items:
            raise self.error(path, "needs at least one key point")
        points = self.items(items, path, _KEY_POINT)
        self.unique(points, path, "key point")
        for i, point in enumerate(points):
            self.strings(point["phrases"], path + (i, "phrases"), non_empty=True)
            if point["marks"] < 1:
                raise self.error(path + (i, "marks"), "must be 1 or more")
        return points

    def samples(
        self,
        items: list[Any],
        path: Path_,
        points: list[dict[str, Any]],
        misconceptions: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """The samples, each naming only key points and misconceptions of its question."""
        samples = self.items(items, path, _SAMPLE)
        known = {
            "expect": ({p["key"] for p in points}, "key point"),
            "misconceptions": ({m["key"] for m in misconceptions}, "misconception"),
        }
        for i, sample in enumerate(samples):
            for name, (keys_known, what) in known.items():
                keys = self.strings(sample[name], path + (i, name), non_empty=False)
                for j, key in enumerate(keys):
                    if key not in keys_known:
                        raise self.error(
                            path + (i, name, j), f"{key!r} is not a {what} of this question"
                        )
        return samples


def content_files(paths: list[Path]) -> list[Path]:
    """The YAML files named, folders expanded to their *.yaml files, in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.yaml")))
        elif path.is_file():
            files.append(path)
        else:
            raise ContentError(str(path), "", "no such file or folder")
    return files


def read_lessons(paths: list[Path]) -> list[dict[str, Any]]:
    """Read and check every file; raise ContentError at the first problem."""
    lessons = []
    slugs: dict[str, Path] = {}
    for file in content_files(paths):
        lesson = _Reader(file).load()
        if lesson["slug"] in slugs:
            raise ContentError(
                str(file), "slug", f"{lesson['slug']!r} is also the slug of {slugs[lesson['slug']]}"
            )
        slugs[lesson["slug"]] = file
        lessons.append(lesson)
    return lessons


# --- Writing to the database ----------------------------------------------------------------


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired or self.removed)

    def lines(self) -> list[str]:
        out: list[str] = []
        for verb, names in (
            ("Created", self.created),
            ("Updated", self.updated),
            ("Retired", self.retired),
            ("Removed", self.removed),
        ):
            out.extend(f"{verb} {name}" for name in names)
        return out


def _upsert(
    model: type[models.Model],
    existing: dict[Any, Any],
    lookup: Any,
    values: dict[str, Any],
    label: str,
    report: ImportReport,
    /,
    **identity: Any,
) -> Any:
    """Create the row, or save only the fields that differ (so nothing else is touched).

    `existing` maps `lookup` values to rows already stored; `identity` holds the fields that
    a new row gets besides `values` (its parent and key).
    """
    obj = existing.get(lookup)
    if obj is None:
        obj = model._default_manager.create(**identity, **values)
        report.created.append(label)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=[*changed, "updated_at"])
        report.updated.append(label)
    return obj


def _retire(objects: list[Any], keep: set[str], label: str, report: ImportReport) -> None:
    for obj in objects:
        if obj.key not in keep and not obj.is_retired:
            obj.is_retired = True
            obj.save(update_fields=["is_retired", "updated_at"])
            report.retired.append(f"{label}/{obj.key}")


def _remove_extra(objects: list[Any], count: int, label: str, report: ImportReport) -> None:
    for obj in objects:
        if obj.position >= count:
            obj.delete()
            report.removed.append(f"{label} {obj.position}")


@transaction.atomic
def import_lessons(paths: list[Path]) -> ImportReport:
    """Check every file, then write them all in one transaction."""
    lessons = read_lessons(paths)
    report = ImportReport()
    for data in lessons:
        _import_lesson(data, report)
    return report


def _import_lesson(data: dict[str, Any], report: ImportReport) -> None:
    slug = data["slug"]
    lesson = _upsert(
        Lesson,
        {existing.slug: existing for existing in Lesson.objects.filter(slug=slug)},
        slug,
        {
            k: data[k]
            for k in ("title", "order", "period", "summary", "why_it_mattered", "word_groups")
        },
        f"lesson {slug}",
        report,
        slug=slug,
    )
    sections = {s.position: s for s in lesson.sections.all()}
    for i, item in enumerate(data["sections"], start=1):
        _upsert(
            Section, sections, i, item, f"section {slug}#{i}", report, lesson=lesson, position=i
        )
    # Positions are 1-based here, so "position >= count + 1" is what lies beyond the file.
    _remove_extra(list(sections.values()), len(data["sections"]) + 1, f"section {slug}#", report)

    terms = {t.position: t for t in lesson.key_terms.all()}
    for i, item in enumerate(data["key_terms"], start=1):
        _upsert(KeyTerm, terms, i, item, f"key term {slug}#{i}", report, lesson=lesson, position=i)
    _remove_extra(list(terms.values()), len(data["key_terms"]) + 1, f"key term {slug}#", report)

    questions = {q.key: q for q in lesson.questions.all()}
    for i, item in enumerate(data["questions"], start=1):
        values = {
            "position": i,
            "prompt": item["prompt"],
            "marks": item["marks"],
            "after_section": item["after_section"],
            "model_answer": item["model_answer"],
            "is_retired": False,
        }
        label = f"question {slug}/{item['key']}"
        question = _upsert(
            Question, questions, item["key"], values, label, report, lesson=lesson, key=item["key"]
        )
        _import_criteria(question, item, label, report)
    _retire(
        list(questions.values()), {q["key"] for q in data["questions"]}, f"question {slug}", report
    )


def _import_criteria(
    question: Question, item: dict[str, Any], label: str, report: ImportReport
) -> None:
    where = label.removeprefix("question ")
    _import_key_points(question, item["key_points"], where, report)
    _import_misconceptions(question, item["misconceptions"], where, report)
    _import_samples(question, item["samples"], where, report)


def _import_key_points(
    question: Question, items: list[dict[str, Any]], where: str, report: ImportReport
) -> None:
    points = {p.key: p for p in question.key_points.all()}
    for i, point in enumerate(items, start=1):
        values = {
            "position": i,
            "text": point["text"],
            "marks": point["marks"],
            "hint": point["hint"],
            "phrases": "\n".join(point["phrases"]),
            "is_retired": False,
        }
        _upsert(
            KeyPoint,
            points,
            point["key"],
            values,
            f"key point {where}/{point['key']}",
            report,
            question=question,
            key=point["key"],
        )
    _retire(list(points.values()), {p["key"] for p in items}, f"key point {where}", report)


def _import_misconceptions(
    question: Question, items: list[dict[str, Any]], where: str, report: ImportReport
) -> None:
    misconceptions = {m.key: m for m in question.misconceptions.all()}
    for i, mis in enumerate(items, start=1):
        values = {
            "position": i,
            "phrases": "\n".join(mis["phrases"]),
            "feedback": mis["feedback"],
            "is_retired": False,
        }
        _upsert(
            Misconception,
            misconceptions,
            mis["key"],
            values,
            f"misconception {where}/{mis['key']}",
            report,
            question=question,
            key=mis["key"],
        )
    _retire(
        list(misconceptions.values()),
        {m["key"] for m in items},
        f"misconception {where}",
        report,
    )


def _import_samples(
    question: Question, items: list[dict[str, Any]], where: str, report: ImportReport
) -> None:
    samples = {s.position: s for s in question.samples.all()}
    for i, sample in enumerate(items):
        values = {
            "answer": sample["answer"],
            "expect": list(sample["expect"]),
            "expected_misconceptions": list(sample["misconceptions"]),
        }
        _upsert(
            SampleAnswer,
            samples,
            i,
            values,
            f"sample {where}#{i}",
            report,
            question=question,
            position=i,
        )
    _remove_extra(list(samples.values()), len(items), f"sample {where}#", report)


# --- Writing files --------------------------------------------------------------------------


def lesson_to_dict(lesson: Lesson) -> dict[str, Any]:
    """The lesson in the file format; retired questions and criteria are left out."""
    questions = []
    for q in lesson.questions.active().prefetch_related("key_points", "misconceptions", "samples"):
        entry: dict[str, Any] = {"key": q.key, "prompt": q.prompt, "marks": q.marks}
        if q.after_section is not None:
            entry["after_section"] = q.after_section
        entry["model_answer"] = q.model_answer
        entry["key_points"] = [
            {
                "key": p.key,
                "text": p.text,
                "marks": p.marks,
                "hint": p.hint,
                "phrases": p.phrase_list,
            }
            for p in q.key_points.all()
            if not p.is_retired
        ]
        misconceptions = [
            {"key": m.key, "phrases": m.phrase_list, "feedback": m.feedback}
            for m in q.misconceptions.all()
            if not m.is_retired
        ]
        if misconceptions:
            entry["misconceptions"] = misconceptions
        # A sample may still name a criterion retired since: the file names only live ones.
        point_keys = {p["key"] for p in entry["key_points"]}
        misconception_keys = {m["key"] for m in misconceptions}
        entry["samples"] = [
            {
                "answer": s.answer,
                "expect": [key for key in s.expect if key in point_keys],
                "misconceptions": [
                    key for key in s.expected_misconceptions if key in misconception_keys
                ],
            }
            for s in q.samples.all()
        ]
        questions.append(entry)
    data = {
        "slug": lesson.slug,
        "title": lesson.title,
        "order": lesson.order,
        "period": lesson.period,
        "summary": lesson.summary,
        "sections": [{"heading": s.heading, "body": s.body} for s in lesson.sections.all()],
        "key_terms": [{"term": t.term, "definition": t.definition} for t in lesson.key_terms.all()],
        "why_it_mattered": lesson.why_it_mattered,
    }
    if lesson.word_groups.strip():
        data["word_groups"] = lesson.word_group_list
    data["questions"] = questions
    return data


class _Dumper(yaml.SafeDumper):
    """Multi-line text as `|` blocks, so exported files stay readable and diffable."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_lesson(lesson: Lesson) -> str:
    return yaml.dump(
        lesson_to_dict(lesson), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    )


def export_lessons(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for lesson in Lesson.objects.all():
        path = out_dir / f"{lesson.slug}.yaml"
        path.write_text(dump_lesson(lesson), encoding="utf-8")
        written.append(path)
    return written
