import re

from django import template
from django.template import Context, Template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from lessons.rendering import LessonFrame

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


@register.simple_tag(takes_context=True)
def fill_frame(context: Context, frame: LessonFrame) -> SafeString:
    """A lesson frame (`lessons.views.lesson_frame`) with its slots filled: each slot by the
    template its context variable names, rendered here as `{% include %}` would render it
    (inside the questions, with `question` set), so the page is the same as one rendered whole.
    """
    assert context.template is not None  # set while a template renders this tag
    engine = context.template.engine
    questions = {question.pk: question for question in frame.questions}
    templates: dict[str, Template] = {}
    html = [frame.parts[0]]
    for (name, pk), after in zip(frame.slots, frame.parts[1:], strict=True):
        if name not in templates:
            templates[name] = engine.get_template(context[name])
        if pk is None:
            html.append(templates[name].render(context))
        else:
            with context.push(question=questions[pk]):
                html.append(templates[name].render(context))
        html.append(after)
    # Safe: the frame and each slot's part come from our templates, autoescaped.
    return mark_safe("".join(html))
