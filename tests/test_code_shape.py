"""The shape the code keeps so the next engineer can find their way: short functions, shorter
views (ruff's C90 holds the complexity; this holds the length, which ruff cannot)."""

import ast
from pathlib import Path

import pytest

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
