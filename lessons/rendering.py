"""Lesson Markdown to safe HTML, cached by the lesson's content version."""

from dataclasses import dataclass

import markdown
import nh3
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from lessons.models import Lesson

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
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


@dataclass(frozen=True)
class RenderedLesson:
    sections: dict[int, SafeString]
    why_it_mattered: SafeString


def rendered_lesson(lesson: Lesson) -> RenderedLesson:
    """The lesson's Markdown as HTML, from the shared cache when this version was seen."""
    key = f"lesson-html:{lesson.pk}:{lesson.content_version}"
    cached = cache.get(key)
    if cached is not None:
        sections, why = cached
        return RenderedLesson(
            sections={pos: mark_safe(html) for pos, html in sections.items()},  # noqa: S308
            why_it_mattered=mark_safe(why),  # noqa: S308
        )
    sections = {s.position: render_markdown(s.body) for s in lesson.sections.all()}
    why = render_markdown(lesson.why_it_mattered)
    cache.set(key, ({p: str(h) for p, h in sections.items()}, str(why)), CACHE_SECONDS)
    return RenderedLesson(sections=sections, why_it_mattered=why)
