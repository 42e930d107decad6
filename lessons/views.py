from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from lessons.models import KeyTerm, Lesson, Question
from lessons.rendering import LessonFrame, cut_frame, rendered_lesson, slots, versioned


def lesson_list(request: HttpRequest) -> HttpResponse:
    lessons = Lesson.objects.all()
    return render(request, "lessons/lesson_list.html", {"lessons": lessons})


# The key of the topic's big question, asked in the last lesson and shown on the overview.
BIG_QUESTION_KEY = "big-question"


def overview(request: HttpRequest) -> HttpResponse:
    lessons = Lesson.objects.all()
    big_question = (
        Question.objects.active().filter(key=BIG_QUESTION_KEY).select_related("lesson").first()
    )
    context = {"lessons": lessons, "big_question": big_question}
    return render(request, "lessons/overview.html", context)


def glossary(request: HttpRequest) -> HttpResponse:
    """Every key term of every lesson, A to Z, each linking to the lesson that explains it."""
    terms = sorted(
        KeyTerm.objects.select_related("lesson"),
        key=lambda t: (t.term.casefold(), t.lesson.order, t.lesson.slug),
    )
    letters: dict[str, list[KeyTerm]] = {}
    for term in terms:
        initial = term.term[:1].upper()
        letters.setdefault(initial if initial.isalpha() else "#", []).append(term)
    return render(request, "lessons/glossary.html", {"letters": letters})


def lesson_context(lesson: Lesson) -> dict[str, object]:
    """What the lesson body template needs; shared by the lesson and assignment pages.

    Expects `lesson` with `LESSON_PREFETCH` prefetched.
    """
    sections, questions_at_end = lesson.outline()
    return {
        "lesson": lesson,
        "rendered": rendered_lesson(lesson),
        "sections": sections,
        "questions_at_end": questions_at_end,
    }


def lesson_pager(lessons: list[Lesson], index: int) -> dict[str, Lesson | None]:
    """The lessons before and after `lessons[index]`, for the previous/next links."""
    return {
        "previous_lesson": lessons[index - 1] if index > 0 else None,
        "next_lesson": lessons[index + 1] if index + 1 < len(lessons) else None,
    }


LESSON_PREFETCH = (
    "sections",
    "key_terms",
    Prefetch("questions", queryset=Question.objects.active()),
)


def lesson_frame(lesson: Lesson, template_name: str, slot_names: tuple[str, ...]) -> LessonFrame:
    """The lesson body of `template_name` with slots where the templates `slot_names` name go
    (each reader's own parts: the `fill_frame` tag fills them), rendered once per content
    version and kept like the lesson page's body. `lesson` is read with its content version.
    """
    names = ",".join(slot_names)
    key = f"lesson-frame:{template_name}:{names}:{lesson.pk}:{lesson.content_version}"

    def build() -> LessonFrame:
        prefetch_related_objects([lesson], *LESSON_PREFETCH)
        holes = slots(slot_names)
        html = render_to_string(template_name, {**lesson_context(lesson), **holes})
        return cut_frame(html, holes, list(lesson.questions.all()))

    return versioned(key, build)


def lesson_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The public lesson page.

    Its body (text, key terms, read-only questions) is the same for everyone but for the
    sign-in prompt, so it is rendered once per content version and sign-in state and kept in
    the shared cache; only the page around it (navigation, pager) is rendered per request.
    """
    # All the lessons in one query: the page's lesson, its version and its neighbours.
    lessons = list(Lesson.objects.with_content_version())
    index = next((i for i, item in enumerate(lessons) if item.slug == slug), None)
    if index is None:
        raise Http404("No lesson has that address.")
    lesson = lessons[index]
    signed_in = request.user.is_authenticated
    key = f"lesson-page:{lesson.pk}:{lesson.content_version}:{int(signed_in)}"

    def build() -> str:
        prefetch_related_objects([lesson], *LESSON_PREFETCH)
        context = lesson_context(lesson)
        context["question_template"] = "includes/_question_readonly.html"
        return render_to_string("includes/_lesson_body.html", context, request=request)

    body = versioned(key, build)
    # Safe: the body was rendered from our own template with sanitised markdown (see build).
    context = {"lesson": lesson, "lesson_body": mark_safe(body), **lesson_pager(lessons, index)}
    return render(request, "lessons/lesson_detail.html", context)


# The lessons and the public forms (log in, join a class) may be found; pages behind a login
# and the admin are not worth crawling (a crawler only ever gets sent to the login page).
ROBOTS_TXT = """User-agent: *
Disallow: /admin/
Disallow: /assignments/
Disallow: /classes/
Disallow: /comment-bank/
Disallow: /my-work/
"""


def robots_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")
