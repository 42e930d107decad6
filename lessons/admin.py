from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html

from lessons.admin_html import ModelAdmin, StackedInline, TabularInline
from lessons.checking import check_question, questions_to_check
from lessons.marking import highlight_spans
from lessons.models import KeyPoint, KeyTerm, Lesson, Misconception, Question, SampleAnswer, Section


class SectionInline(StackedInline):
    model = Section
    extra = 0
    fields = ["position", "heading", "body"]


class KeyTermInline(TabularInline):
    model = KeyTerm
    extra = 0
    fields = ["position", "term", "definition"]


class QuestionInline(TabularInline):
    model = Question
    extra = 0
    fields = ["position", "key", "prompt", "marks", "after_section", "is_retired"]
    show_change_link = True


@admin.register(Lesson)
class LessonAdmin(ModelAdmin):
    list_display = ["title", "order", "period", "slug", "question_count", "updated_at", "view_link"]
    list_display_links = ["title"]
    search_fields = ["title", "slug", "summary", "sections__heading", "sections__body"]
    list_filter = ["period"]
    ordering = ["order"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["updated_at"]
    inlines = [SectionInline, KeyTermInline, QuestionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Lesson]:
        active = Q(questions__is_retired=False)
        return super().get_queryset(request).annotate(_questions=Count("questions", filter=active))

    @admin.display(description="Questions", ordering="_questions")
    def question_count(self, obj: Lesson) -> int:
        return obj._questions  # type: ignore[attr-defined]  # annotated in get_queryset

    @admin.display(description="On the site")
    def view_link(self, obj: Lesson) -> str:
        return format_html('<a href="{}">View lesson</a>', obj.get_absolute_url())


@admin.register(Section)
class SectionAdmin(ModelAdmin):
    list_display = ["heading", "lesson", "position", "updated_at"]
    list_filter = ["lesson"]
    search_fields = ["heading", "body"]
    ordering = ["lesson__order", "position"]
    list_select_related = ["lesson"]


@admin.register(KeyTerm)
class KeyTermAdmin(ModelAdmin):
    list_display = ["term", "lesson", "position"]
    list_filter = ["lesson"]
    search_fields = ["term", "definition"]
    ordering = ["lesson__order", "position"]
    list_select_related = ["lesson"]


class KeyPointInline(StackedInline):
    model = KeyPoint
    extra = 0
    fields = ["position", "key", "text", "marks", "hint", "phrases", "is_retired"]


class MisconceptionInline(StackedInline):
    model = Misconception
    extra = 0
    fields = ["position", "key", "phrases", "feedback", "is_retired"]


class SampleAnswerInline(StackedInline):
    model = SampleAnswer
    extra = 0
    fields = ["position", "answer", "expect", "expected_misconceptions"]


class TryAnswerForm(forms.Form):
    answer = forms.CharField(
        label="Answer",
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        max_length=5000,
        strip=False,
        help_text="Type an answer as a student might; the engine marks it. Nothing is saved.",
    )


@admin.register(Question)
class QuestionAdmin(ModelAdmin):
    list_display = ["prompt", "lesson", "key", "position", "marks", "is_retired"]
    list_filter = ["lesson", "is_retired", "marks"]
    search_fields = ["prompt", "key", "model_answer", "lesson__title"]
    ordering = ["lesson__order", "position"]
    list_select_related = ["lesson"]
    inlines = [KeyPointInline, MisconceptionInline, SampleAnswerInline]

    def get_urls(self) -> list[URLPattern]:
        opts = self.opts
        return [
            path(
                "<path:object_id>/try/",
                self.admin_site.admin_view(self.try_answer_view),
                name=f"{opts.app_label}_{opts.model_name}_try",
            ),
            *super().get_urls(),
        ]

    def try_answer_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Mark a typed answer with the question's current scheme; nothing is saved."""
        base = questions_to_check(Question.objects.select_related("lesson"))
        question = base.filter(pk=object_id).first() if object_id.isdigit() else None
        if question is None:
            raise Http404("No such question.")
        if not self.has_view_or_change_permission(request, question):
            raise PermissionDenied
        form = TryAnswerForm(request.POST or None)
        scheme = question.mark_scheme
        result = pieces = None
        made: list[tuple[Any, Any]] = []
        found: list[tuple[Any, Any]] = []
        if request.method == "POST" and form.is_valid():
            answer = form.cleaned_data["answer"]
            result = scheme.mark(answer)
            pieces = highlight_spans(answer, result)
            # A key point and a misconception may share a key, so look each up on its own.
            points = {c.key: c for c in scheme.points}
            errors = {c.key: c for c in scheme.misconceptions}
            made = [(hit, points[hit.key]) for hit in result.points_made]
            found = [(hit, errors[hit.key]) for hit in result.misconceptions]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": question,
            "title": f"Try an answer: {question}",
            "subtitle": None,
            "question": question,
            "form": form,
            "result": result,
            "pieces": pieces,
            "made": made,
            "found": found,
            "check": check_question(question),
            "points": scheme.points,
            "misconceptions": scheme.misconceptions,
        }
        return TemplateResponse(request, "admin/lessons/question/try_answer.html", context)


@admin.register(KeyPoint)
class KeyPointAdmin(ModelAdmin):
    list_display = ["key", "text", "question", "marks", "is_retired"]
    list_filter = ["is_retired", "question__lesson"]
    search_fields = ["key", "text", "phrases", "hint"]
    ordering = ["question__lesson__order", "question__position", "position"]
    list_select_related = ["question__lesson"]
    autocomplete_fields = ["question"]


@admin.register(Misconception)
class MisconceptionAdmin(ModelAdmin):
    list_display = ["key", "question", "is_retired"]
    list_filter = ["is_retired", "question__lesson"]
    search_fields = ["key", "phrases", "feedback"]
    ordering = ["question__lesson__order", "question__position", "position"]
    list_select_related = ["question__lesson"]
    autocomplete_fields = ["question"]


@admin.register(SampleAnswer)
class SampleAnswerAdmin(ModelAdmin):
    list_display = ["__str__", "answer", "expect"]
    list_filter = ["question__lesson"]
    search_fields = ["answer"]
    ordering = ["question__lesson__order", "question__position", "position"]
    list_select_related = ["question__lesson"]
    autocomplete_fields = ["question"]
