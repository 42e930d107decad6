"""The shape the code keeps so the next engineer can find their way: short functions, shorter
views (ruff's C90 holds the complexity; this holds the length, which ruff cannot)."""

import ast
import re
from pathlib import Path

import pytest

from classroom.models import Status

ROOT = Path(__file__).resolve().parent.parent
FUNCTION_LINES = 60  # any function in the apps, from its `def` to its last line
VIEW_LINES = 40  # any function in a views module


def _functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node.end_lineno - node.lineno + 1


def _modules():
    for app in ("classroom", "lessons"):
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _limit(path: Path) -> int:
    is_view = path.parent.name == "views" or path.name == "views.py"
    return VIEW_LINES if is_view else FUNCTION_LINES


@pytest.mark.parametrize("path", list(_modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_function_is_too_long(path):
    limit = _limit(path)
    too_long = [f"{name} ({lines} lines)" for name, lines in _functions(path) if lines > limit]
    assert not too_long, f"Over {limit} lines in {path.relative_to(ROOT)}: {', '.join(too_long)}"


# A state or status compared with a string in a template breaks silently when a value is
# renamed: templates ask the object (attempt.is_returned, status.badge) instead.
STATE_LITERAL = re.compile(r"""(\.state|\bstatus|\.field)\s*(==|!=)\s*["']""")


def test_templates_compare_no_state_with_a_string():
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if STATE_LITERAL.search(line)
    ]
    assert not found, f"Compare with the model's property instead: {', '.join(found)}"


def test_every_status_has_its_own_badge():
    badges = [status.badge for status in Status]
    assert all(badge.startswith("text-bg-") for badge in badges)
    assert len(set(badges)) == len(badges)
