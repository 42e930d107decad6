"""Lesson Markdown to safe HTML, and lesson bodies with slots, cached by content version."""

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import markdown
import nh3
from django.core.cache import cache
from django.template import Context
from django.utils.safestring import SafeString, mark_safe

from lessons.models import Lesson, Question

_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h3",
    "h4",
    "a",
    "code",
    "abbr",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
}
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
CACHE_SECONDS = 60 * 60 * 24
T = TypeVar("T")


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML with only a small set of tags kept: content never injects markup."""
    html = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)  # safe: sanitised by nh3 just above


# Rendered HTML by content-addressed key (the key holds the content version), kept in this
# process in front of the shared cache: a key's value never changes, so it can never be stale.
_LOCAL: OrderedDict[str, object] = OrderedDict()
_LOCAL_SIZE = 256
_LOCAL_LOCK = threading.Lock()


def versioned(key: str, build: Callable[[], T]) -> T:
    """The value for a versioned key: from this process, the shared cache, or `build()`.

    Only for keys that include the version of everything the value depends on.
    """
    with _LOCAL_LOCK:
        if key in _LOCAL:
            _LOCAL.move_to_end(key)
            return _LOCAL[key]  # type: ignore[return-value]
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, CACHE_SECONDS)
    with _LOCAL_LOCK:
        _LOCAL[key] = value
        while len(_LOCAL) > _LOCAL_SIZE:
            _LOCAL.popitem(last=False)
    return value


@dataclass(frozen=True)
class RenderedLesson:
    sections: dict[int, SafeString]
    why_it_mattered: SafeString


def rendered_lesson(lesson: Lesson) -> RenderedLesson:
    """The lesson's Markdown as HTML, rendered once per content version."""

    def build() -> tuple[dict[int, str], str]:
        sections = {s.position: str(render_markdown(s.body)) for s in lesson.sections.all()}
        return sections, str(render_markdown(lesson.why_it_mattered))

    sections, why = versioned(f"lesson-html:{lesson.pk}:{lesson.content_version}", build)
    # Safe: both were sanitised by render_markdown when built.
    return RenderedLesson(
        sections={pos: mark_safe(html) for pos, html in sections.items()},
        why_it_mattered=mark_safe(why),
    )


# --- A lesson body with slots: rendered once, the per-reader parts filled in per request -------


class Slot:
    """Stands in for an included template while a frame is rendered: it prints a marker (its
    name, and inside a question's loop the question's id) that the frame is cut at."""

    def __init__(self, marker: str, name: str) -> None:
        self.marker = marker
        self.name = name

    def render(self, context: Context) -> str:
        question = context.get("question")
        pk = question.pk if isinstance(question, Question) else ""
        return f"{self.marker}{self.name}:{pk}{self.marker}"


@dataclass(frozen=True)
class LessonFrame:
    """A lesson body rendered with slots where each reader's own parts go.

    `parts` is the HTML between the slots (one more than `slots`); a slot is the name of the
    context variable holding the template that fills it, and the id of the question it is for
    (None outside the questions). `questions` are the lesson's active questions as the body
    showed them; the requests of a process share them: read them, never change them.
    """

    parts: tuple[str, ...]
    slots: tuple[tuple[str, int | None], ...]
    questions: tuple[Question, ...]


def slots(names: tuple[str, ...]) -> dict[str, Slot]:
    """A slot for each name, all with one marker no lesson contains (fresh and random)."""
    marker = f"\x00{secrets.token_hex(16)}\x00"
    return {name: Slot(marker, name) for name in names}


def cut_frame(html: str, slots: dict[str, Slot], questions: list[Question]) -> LessonFrame:
    """The frame of `html`, rendered with `slots` in its context."""
    marker = next(iter(slots.values())).marker
    pieces = html.split(marker)
    filled = [piece.partition(":") for piece in pieces[1::2]]
    for question in questions:  # kept without their lesson (and all it holds) beside them
        question._state.fields_cache.pop("lesson", None)
    return LessonFrame(
        parts=tuple(pieces[::2]),
        slots=tuple((name, int(pk) if pk else None) for name, _, pk in filled),
        questions=tuple(questions),
    )
