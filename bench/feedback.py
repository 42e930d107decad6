"""How far the instant check agrees with a teacher: `python bench/feedback.py [options]`.

Marks labelled answers with the mark schemes of the lesson files (no database) and prints the
four figures of CONTENT-FORMAT.md per lesson and over all: key-point F1 (precision / recall),
misconception F1, the share of answers given the teacher's mark, and the credited answers
given 0; then every answer where the engine and the labels differ.

    python bench/feedback.py                          # the samples inside lessons/content/*.yaml
    python bench/feedback.py --answers bench/heldout  # a batch of answers kept apart (below)
    python bench/feedback.py --lesson july-days --quiet

A batch of answers is a folder of `<lesson slug>.yaml` files, each a list of
`{question: <key>, answer: "...", expect: [<point keys>], misconceptions: [<keys>]}` (other
keys, such as `kind`, are ignored). `bench/heldout/` holds the answers written blind and kept
apart: the phrases were never tuned on them (docs/content.md gives their figures).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402

import django  # noqa: E402
import yaml  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classroom.settings")
django.setup()

from lessons.checking import (  # noqa: E402
    Figures,
    SampleCheck,
    check_answer,
    texts_not_matching,
)
from lessons.content import read_lessons  # noqa: E402
from lessons.marking import Criterion, MarkScheme  # noqa: E402
from lessons.models import Lesson, SampleAnswer  # noqa: E402


def scheme_of(lesson: dict, question: dict) -> MarkScheme:
    """The mark scheme of a question as read from its lesson file (as `Question.mark_scheme`)."""
    points = [
        Criterion(p["key"], tuple(p["phrases"]), p["marks"], p["text"], p["hint"])
        for p in question["key_points"]
    ]
    misconceptions = [
        Criterion(m["key"], tuple(m["phrases"]), feedback=m["feedback"])
        for m in question["misconceptions"]
    ]
    groups = Lesson(word_groups=lesson["word_groups"]).word_group_list
    return MarkScheme(points, misconceptions, max_marks=question["marks"], word_groups=groups)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, default=ROOT / "lessons" / "content")
    parser.add_argument("--answers", type=Path, help="a folder of labelled answers per lesson")
    parser.add_argument("--lesson", help="only this lesson's slug")
    parser.add_argument("--quiet", action="store_true", help="figures only, no disagreements")
    args = parser.parse_args()

    lessons = [
        lesson
        for lesson in read_lessons([args.content])
        if args.lesson is None or lesson["slug"] == args.lesson
    ]
    every: list[SampleCheck] = []
    problems: list[str] = []
    for lesson in lessons:
        questions = {q["key"]: q for q in lesson["questions"]}
        schemes = {key: scheme_of(lesson, q) for key, q in questions.items()}
        if args.answers:
            path = args.answers / f"{lesson['slug']}.yaml"
            rows = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []
        else:
            rows = [
                {"question": key, **sample}
                for key, q in questions.items()
                for sample in q["samples"]
            ]
        checks = []
        for row in rows:
            key = row["question"]
            found = check_answer(
                schemes[key],
                SampleAnswer(answer=row["answer"]),
                list(row.get("expect") or []),
                list(row.get("misconceptions") or []),
            )
            checks.append(found)
            if not found.agrees:
                problems.append(
                    f"{lesson['slug']}/{key}: {' '.join(row['answer'].split())}\n"
                    f"    points: expected {sorted(found.expected)}, found {sorted(found.matched)}"
                    f"; misconceptions: expected {sorted(found.expected_misconceptions)},"
                    f" found {sorted(found.misconceptions)}"
                )
        if not args.answers:
            for key, q in questions.items():
                scheme = schemes[key]
                for point_key in texts_not_matching(scheme):
                    problems.append(f"{lesson['slug']}/{key}: key point {point_key}'s text")
                earned = scheme.mark(q["model_answer"]).suggested_mark
                if earned < q["marks"]:
                    problems.append(
                        f"{lesson['slug']}/{key}: model answer earns {earned} of {q['marks']}"
                    )
        if checks:
            print(f"{lesson['slug']:<20} {Figures.of(checks).summary()}")
        every.extend(checks)
    figures = Figures.of(every)
    print(f"{'all lessons':<20} {figures.summary()}")
    print(
        f"{'':<20} misconception recall {figures.misconception_recall:.2f};"
        f" misconception warnings on answers that show none: {figures.false_warnings}"
    )
    if problems and not args.quiet:
        print(f"\n{len(problems)} disagreements:")
        print("\n".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
