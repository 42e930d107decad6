import re

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key)


@register.filter
def paragraphs(text: str) -> SafeString:
    """Text from a content file as paragraphs: a blank line starts a new one; the line breaks
    inside a paragraph (where the file was wrapped) are spaces."""
    parts = [" ".join(part.split()) for part in re.split(r"\n\s*\n", str(text or ""))]
    return format_html_join("\n", "<p>{}</p>", ((part,) for part in parts if part))
