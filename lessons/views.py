from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from lessons.models import Lesson, Question
from lessons.rendering import rendered_lesson


def lesson_list(request: HttpRequest) -> HttpResponse:
    lessons = Lesson.objects.all()
    return render(request, "lessons/lesson_list.html", {"lessons": lessons})


def overview(request: HttpRequest) -> HttpResponse:
    lessons = Lesson.objects.all()
    return render(request, "lessons/overview.html", {"lessons": lessons})


def lesson_context(lesson: Lesson) -> dict[str, object]:
    """What the lesson body template needs; shared by the lesson and assignment pages."""
    sections, questions_at_end = lesson.outline()
    lessons = list(Lesson.objects.only("slug", "title", "order"))
    index = next(i for i, item in enumerate(lessons) if item.pk == lesson.pk)
    return {
        "lesson": lesson,
        "rendered": rendered_lesson(lesson),
        "sections": sections,
        "questions_at_end": questions_at_end,
        "previous_lesson": lessons[index - 1] if index > 0 else None,
        "next_lesson": lessons[index + 1] if index + 1 < len(lessons) else None,
    }


def lesson_queryset():
    return Lesson.objects.with_content_version().prefetch_related(
        "sections",
        "key_terms",
        Prefetch("questions", queryset=Question.objects.active()),
    )


def lesson_detail(request: HttpRequest, slug: str) -> HttpResponse:
    lesson = get_object_or_404(lesson_queryset(), slug=slug)
    context = lesson_context(lesson)
    context["question_template"] = "includes/_question_readonly.html"
    return render(request, "lessons/lesson_detail.html", context)
