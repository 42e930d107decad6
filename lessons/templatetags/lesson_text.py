from django import template
from django.utils.safestring import SafeString

from lessons.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Render lesson Markdown safely (see lessons.rendering)."""
    return render_markdown(text or "")


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key)
