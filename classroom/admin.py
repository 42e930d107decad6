import json
from typing import cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from classroom import review, services
from classroom.models import (
    Announcement,
    Answer,
    Assignment,
    Attempt,
    CheckerReview,
    Classroom,
    CommentBankEntry,
    Enrolment,
    FeedbackChange,
    Notification,
    User,
    WorkComment,
)
from classroom.tasks import remark_question
from lessons.admin_html import ModelAdmin, StackedInline, TabularInline, ValidHTMLMixin
from lessons.checking import check_question
from lessons.marking import FILLER_WORDS, phrase_words
from lessons.models import Question


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"


@admin.register(User)
class UserAdmin(ValidHTMLMixin, BaseUserAdmin):
    list_display = [
        "username",
        "display_name",
        "role",
        "email",
        "is_staff",
        "is_active",
        "last_login",
    ]
    list_filter = ["role", "is_staff", "is_superuser", "is_active"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or ()),
        (
            "Classroom",
            {"fields": ["role", "display_name", "must_change_password", "email_notifications"]},
        ),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        ("Classroom", {"fields": ["role", "display_name"]}),
    ]
    actions = ["delete_selected", "erase_students"]

    # --- Nothing lost: a user with work is never deleted (data protection aside) ---------

    def _has_work(self, user: User) -> bool:
        return any(services.work_counts(user).values())

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        """No "Delete" for a user with work; the delete view explains why instead."""
        if obj is not None and self._has_work(obj):
            return False
        return super().has_delete_permission(request, obj)

    def _refuse_delete(self, request: HttpRequest, users: list[User]) -> TemplateResponse:
        people = [
            {"user": user, "work": services.describe_work(services.work_counts(user))}
            for user in users
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Work is never deleted",
            "subtitle": None,
            "people": people,
        }
        return TemplateResponse(request, "admin/classroom/user/delete_refused.html", context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and super().has_delete_permission(request, obj) and self._has_work(obj):
            return self._refuse_delete(request, [obj])
        return super().delete_view(request, object_id, extra_context)

    @admin.action(permissions=["delete"], description="Delete selected users")
    def delete_selected(self, request: HttpRequest, queryset: QuerySet[User]):
        """Django's bulk delete, refused with an explanation when anyone selected has work."""
        with_work = [user for user in queryset if self._has_work(user)]
        if with_work:
            return self._refuse_delete(request, with_work)
        return django_delete_selected(self, request, queryset)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        if self._has_work(obj):
            raise PermissionDenied(f"{obj.username} has work in the classroom.")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        if any(self._has_work(user) for user in queryset):
            raise PermissionDenied("A selected user has work in the classroom.")
        super().delete_queryset(request, queryset)

    # --- Data protection: erase a student at their request -------------------------------

    def has_erase_permission(self, request: HttpRequest) -> bool:
        return request.user.is_staff and super().has_delete_permission(request)

    def get_urls(self) -> list[URLPattern]:
        opts = self.opts
        return [
            path(
                "<path:object_id>/export-work/",
                self.admin_site.admin_view(self.export_work_view),
                name=f"{opts.app_label}_{opts.model_name}_export_work",
            ),
            *super().get_urls(),
        ]

    def export_work_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """A JSON file of everything the classroom holds about one student's work."""
        user = self.get_object(request, unquote(object_id))
        if user is None:
            raise Http404("No such user.")
        if not request.user.is_staff or not self.has_view_or_change_permission(request, user):
            raise PermissionDenied
        data = services.export_student_work(student=user)
        services.audit_log.info(
            "export_student_work: %s (id %s) exported the work of %s (id %s)",
            request.user.username,
            request.user.pk,
            user.username,
            user.pk,
        )
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        filename = f"work-{user.pk}-{user.username}.json".replace('"', "")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(
        permissions=["erase"], description="Erase student and their work (data protection request)"
    )
    def erase_students(self, request: HttpRequest, queryset: QuerySet[User]):
        """Confirm (with an export offered first), then erase each selected student."""
        students = list(queryset.order_by("username"))
        refusals = [r for r in (services.erase_refusal(s) for s in students) if r]
        if refusals:
            self.message_user(request, "Nothing was erased. " + " ".join(refusals), messages.ERROR)
            return None
        if request.POST.get("post") == "yes":
            if request.POST.get("confirm_erase") == "yes":
                self._erase(request, students)
                return None
            self.message_user(
                request,
                "Nothing was erased: tick “I have exported the work and the student asked "
                "for erasure” to confirm.",
                messages.ERROR,
            )
        return self._erase_confirmation(request, students)

    def _erase(self, request: HttpRequest, students: list[User]) -> None:
        """Erase each student, then say how much went in all."""
        totals: dict[str, int] = {}
        for student in students:
            try:
                counts = services.erase_student(student=student, erased_by=cast(User, request.user))
            except services.ServiceError as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
        if not totals:
            return
        self.message_user(
            request,
            f"Erased {_count(totals['users'], 'student')} and their work: "
            + ", ".join(
                _count(totals[key], label)
                for key, label in [
                    ("attempts", "attempt"),
                    ("answers", "answer"),
                    ("enrolments", "class enrolment"),
                    ("feedback_changes", "feedback change"),
                    ("comments", "private comment"),
                    ("login_records", "login record"),
                    ("notifications", "notification"),
                ]
            )
            + ".",
            messages.SUCCESS,
        )

    def _erase_confirmation(self, request: HttpRequest, students: list[User]) -> TemplateResponse:
        """The page asking to confirm, with each student's work counted and its export link."""
        people = [
            {
                "user": student,
                "counts": services.work_counts(student),
                "export_url": reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_export_work",
                    args=[student.pk],
                ),
            }
            for student in students
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Erase students and their work",
            "subtitle": None,
            "people": people,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/classroom/user/erase_confirmation.html", context)


class EnrolmentInline(TabularInline):
    model = Enrolment
    extra = 0
    fields = ["student", "joined_at", "removed_at"]
    readonly_fields = ["joined_at"]
    autocomplete_fields = ["student"]


@admin.register(Classroom)
class ClassroomAdmin(ModelAdmin):
    list_display = ["name", "year_group", "teacher", "join_code", "student_count", "is_archived"]
    list_filter = ["is_archived", "year_group"]
    search_fields = ["name", "join_code", "teacher__username", "teacher__display_name"]
    ordering = ["name"]
    list_select_related = ["teacher"]
    autocomplete_fields = ["teacher"]
    inlines = [EnrolmentInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Classroom]:
        current = Q(enrolments__removed_at__isnull=True)
        return super().get_queryset(request).annotate(_students=Count("enrolments", filter=current))

    @admin.display(description="Students", ordering="_students")
    def student_count(self, obj: Classroom) -> int:
        return obj._students  # type: ignore[attr-defined]  # annotated in get_queryset


@admin.register(Enrolment)
class EnrolmentAdmin(ModelAdmin):
    list_display = ["student", "classroom", "joined_at", "removed_at"]
    list_filter = ["classroom", ("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["student__username", "student__display_name", "classroom__name"]
    ordering = ["classroom__name", "student__username"]
    list_select_related = ["student", "classroom"]
    autocomplete_fields = ["student", "classroom"]


@admin.register(Assignment)
class AssignmentAdmin(ModelAdmin):
    list_display = [
        "lesson",
        "classroom",
        "due_at",
        "start_at",
        "show_instant_feedback",
        "is_archived",
    ]
    list_filter = [
        "lesson",
        "show_instant_feedback",
        "accept_late",
        "is_archived",
        "classroom__is_archived",
    ]
    search_fields = ["lesson__title", "classroom__name", "instructions"]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"
    list_select_related = ["lesson", "classroom"]
    autocomplete_fields = ["classroom", "created_by"]


class AnswerInline(StackedInline):
    model = Answer
    extra = 0
    ordering = ["question__position"]  # as the lesson asks them
    fields = [
        "question",
        "text",
        "mark",
        "comment",
        "points_judged",
        "misconceptions_dismissed",
        "marked_by",
        "marked_at",
        "result",
    ]
    # The ticks are the teacher's judgement, made in the marking view with its history.
    readonly_fields = [
        "question",
        "result",
        "points_judged",
        "misconceptions_dismissed",
        "marked_by",
        "marked_at",
    ]


@admin.register(Attempt)
class AttemptAdmin(ModelAdmin):
    list_display = ["student", "assignment", "number", "state", "is_late", "turned_in_at"]
    list_filter = ["state", "is_late", "assignment__lesson"]
    search_fields = ["student__username", "student__display_name", "assignment__classroom__name"]
    ordering = ["-created_at"]
    list_select_related = ["student", "assignment__lesson", "assignment__classroom"]
    autocomplete_fields = ["student", "assignment"]
    # The state and what goes with it change only through the services (turn in, unsubmit,
    # return), which keep them consistent and take the work's lock.
    readonly_fields = [
        "state",
        "turned_in_at",
        "is_late",
        "returned_at",
        "returned_by",
        "version",
        "created_at",
        "saved_at",
    ]
    inlines = [AnswerInline]

    # Marks, comments and the overall comment changed here are saved by the same service as
    # the marking view: under the work's lock, and in the change history once returned.

    def save_model(self, request: HttpRequest, obj: Attempt, form, change: bool) -> None:
        if change:
            request._feedback = {  # type: ignore[attr-defined]  # read in save_related
                "overall_comment": obj.overall_comment,
                "marks": {},
                "comments": {},
            }
            obj.overall_comment = form.initial.get("overall_comment", "")
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        feedback = getattr(request, "_feedback", None)
        if formset.model is Answer and feedback is not None:
            for answer_form in formset.forms:
                answer = answer_form.instance
                if answer.pk is None or answer_form in formset.deleted_forms:
                    continue
                for field, into in (("mark", "marks"), ("comment", "comments")):
                    if field in answer_form.changed_data:
                        feedback[into][answer.question_id] = getattr(answer, field)
                        setattr(answer, field, answer_form.initial.get(field))
        super().save_formset(request, form, formset, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        feedback = getattr(request, "_feedback", None)
        if feedback is None:
            return
        attempt = form.instance
        if attempt.state == Attempt.State.DRAFT:
            # A draft has no marks yet: only the overall comment can be kept.
            Attempt.objects.filter(pk=attempt.pk).update(
                overall_comment=feedback["overall_comment"]
            )
            return
        services.mark_attempt(
            attempt=attempt,
            teacher=attempt.assignment.classroom.teacher,
            marks=feedback["marks"],
            comments=feedback["comments"],
            overall_comment=feedback["overall_comment"],
            changed_by=cast(User, request.user),
        )


@admin.register(Answer)
class AnswerAdmin(ModelAdmin):
    list_display = ["attempt", "question", "mark", "marked_by"]
    list_filter = ["question__lesson"]
    search_fields = ["text", "comment", "attempt__student__username"]
    ordering = ["-attempt__created_at"]
    list_select_related = ["attempt__student", "attempt__assignment__lesson", "question__lesson"]
    raw_id_fields = ["attempt"]
    autocomplete_fields = ["question", "marked_by"]


@admin.register(CommentBankEntry)
class CommentBankEntryAdmin(ModelAdmin):
    list_display = ["text", "teacher", "question"]
    list_filter = ["question__lesson"]
    search_fields = ["text", "teacher__username"]
    ordering = ["teacher__username", "question"]
    list_select_related = ["teacher", "question__lesson"]
    autocomplete_fields = ["teacher", "question"]


@admin.register(FeedbackChange)
class FeedbackChangeAdmin(ModelAdmin):
    list_display = ["attempt", "field", "changed_by", "changed_at"]
    list_filter = ["field"]
    search_fields = ["attempt__student__username", "old_value", "new_value"]
    ordering = ["-changed_at"]
    list_select_related = ["attempt__student", "changed_by"]
    readonly_fields = ["attempt", "answer", "field", "old_value", "new_value", "changed_by"]


@admin.register(Announcement)
class AnnouncementAdmin(ModelAdmin):
    list_display = ["classroom", "author", "created_at", "updated_at"]
    list_filter = ["classroom"]
    search_fields = ["body", "classroom__name", "author__username"]
    ordering = ["-created_at", "-pk"]
    list_select_related = ["classroom", "author"]
    autocomplete_fields = ["classroom", "author"]


@admin.register(WorkComment)
class WorkCommentAdmin(ModelAdmin):
    """Private comments, for support and safeguarding: read or removed, never rewritten."""

    list_display = ["student", "assignment", "author", "created_at", "read_at"]
    list_filter = [("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["body", "student__username", "author__username"]
    ordering = ["-created_at", "-pk"]
    list_select_related = ["student", "author", "assignment__lesson", "assignment__classroom"]
    readonly_fields = ["assignment", "student", "author", "body", "created_at", "read_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ModelAdmin):
    """Read-only, for support: who was told what, when, and whether they have read it."""

    list_display = ["recipient", "kind", "message", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__username", "message"]
    ordering = ["-created_at", "-pk"]
    list_select_related = ["recipient"]
    readonly_fields = ["recipient", "kind", "message", "url", "key", "created_at", "read_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PhraseForm(forms.Form):
    """A phrase for a key point the check missed, as the editor edits it."""

    point = forms.CharField(widget=forms.HiddenInput)
    answer = forms.IntegerField(widget=forms.HiddenInput)
    phrase = forms.CharField(
        label="Phrase",
        max_length=200,
        help_text="2 to 4 words that say the point; filler words such as 'the' are not needed.",
    )
    # The phrase whose effect the page showed: a phrase is saved only once previewed.
    previewed = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_phrase(self) -> str:
        phrase = " ".join(self.cleaned_data["phrase"].split()).lower()
        words = [w for w in phrase_words(phrase) if w not in FILLER_WORDS]
        if not words:
            raise forms.ValidationError("Type words that say the point, not only filler words.")
        if len(words) > 6:
            raise forms.ValidationError(
                "Keep a phrase to a few words (2 to 4 is best): long phrases seldom match."
            )
        return phrase


@admin.register(CheckerReview)
class CheckerReviewAdmin(ModelAdmin):
    """Per question, the answers where teachers' ticks differ from the check: the words only,
    never the student's or class's name."""

    list_display = ["question", "lesson", "teacher_marked", "review_link"]
    list_filter = ["lesson"]
    search_fields = ["prompt", "key", "lesson__title"]
    ordering = ["lesson__order", "position"]
    list_select_related = ["lesson"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CheckerReview]:
        judged = Q(answers__points_judged__isnull=False)
        return (
            super()
            .get_queryset(request)
            .filter(is_retired=False)
            .annotate(_judged=Count("answers", filter=judged))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="Question", ordering="position")
    def question(self, obj: CheckerReview) -> str:
        return f"{obj.position}. {obj.prompt}"

    @admin.display(description="Answers teachers have ticked", ordering="_judged")
    def teacher_marked(self, obj: CheckerReview) -> int:
        return obj._judged  # type: ignore[attr-defined]  # annotated in get_queryset

    @admin.display(description="Review")
    def review_link(self, obj: CheckerReview) -> str:
        url = reverse("admin:classroom_checkerreview_review", args=[obj.pk])
        return format_html('<a href="{}">Checker review</a>', url)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(self.review_view),
                name="classroom_checkerreview_review",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request: HttpRequest, object_id: str, *args, **kwargs) -> HttpResponse:
        if not object_id.isdigit():
            raise Http404("No such question.")
        return redirect("admin:classroom_checkerreview_review", pk=int(object_id))

    def review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        question = review.review_question(pk)
        if question is None:
            raise Http404("No such question.")
        can_edit = request.user.has_perms(["lessons.change_keypoint", "lessons.add_sampleanswer"])
        preview = phrase_form = None
        if request.method == "POST":
            if not can_edit:
                raise PermissionDenied
            response, preview, phrase_form = self._act(request, question)
            if response is not None:
                return response
        scheme = question.mark_scheme
        judged = review.judged_answers(question)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Checker review: {question.lesson.title}, question {question.position}",
            "subtitle": None,
            "question": question,
            "points": {p.key: p for p in scheme.points},
            "misconceptions": {m.key: m for m in scheme.misconceptions},
            "reviewed": [
                (r, r.point_rows(scheme), r.misconception_rows(scheme))
                for r in review.disagreements(question, answers=judged)
            ],
            "judged_count": len(judged),
            "check": check_question(question),
            "preview": preview,
            "phrase_form": phrase_form,
            "can_edit": can_edit,
            "remark_offered": request.session.get(self._remark_key(question)),
        }
        return TemplateResponse(request, "admin/classroom/checkerreview/review.html", context)

    @staticmethod
    def _remark_key(question: Question) -> str:
        return f"checker-review-remark-{question.pk}"

    def _act(self, request: HttpRequest, question: Question):
        """Handle one POSTed action: (a redirect, or None with a preview and form to show)."""
        here = reverse("admin:classroom_checkerreview_review", args=[question.pk])
        action = request.POST.get("action")
        if action == "remark":
            # A task, so the page answers at once; the worker logs how many results changed.
            remark_question.enqueue(question_id=question.pk)
            request.session.pop(self._remark_key(question), None)
            messages.success(
                request,
                "Re-marking the stored answers of this question has started in the background:"
                " reload this page in a minute to see the results (teachers' marks stay).",
            )
            return redirect(here), None, None
        reviewed = {r.answer.pk: r for r in review.disagreements(question)}
        if action == "add-sample":
            answer_pk = _int(request.POST.get("answer"))
            found = reviewed.get(answer_pk) if answer_pk is not None else None
            if found is None:
                messages.error(
                    request,
                    "That answer is no longer one the check disagrees on: nothing was added.",
                )
            elif review.add_sample(question=question, reviewed=found) is None:
                messages.warning(request, "This answer is already a sample of the question.")
            else:
                messages.success(
                    request,
                    "Added as a sample expecting the teacher's ticks. Run check_markscheme, or"
                    " add a phrase, until the check agrees with it.",
                )
            return redirect(here), None, None
        if action == "phrase":
            form = PhraseForm(request.POST)
            if not form.is_valid():
                return None, None, form
            point = question.key_points.filter(key=form.cleaned_data["point"]).first()
            if point is None or point.is_retired:
                messages.error(request, "That key point is no longer in the mark scheme.")
                return redirect(here), None, None
            phrase = form.cleaned_data["phrase"]
            preview = review.preview_phrase(question, point, phrase)
            seen = form.cleaned_data["previewed"] == phrase
            if not seen or (preview.breaks and "confirm_break" not in request.POST):
                # Show what the change would do first; one that breaks a sample needs the
                # second click ("Save anyway").
                data = request.POST.copy()
                data["previewed"] = phrase
                data["phrase"] = phrase
                return None, preview, PhraseForm(data)
            review.add_phrase(point=point, phrase=phrase)
            request.session[self._remark_key(question)] = True
            messages.success(
                request,
                f"Added the phrase “{phrase}” to “{point.text}”. The mark scheme version has"
                " changed: re-mark the stored answers below when you are done.",
            )
            return redirect(here), None, None
        messages.error(request, "Choose an action on the page.")
        return redirect(here), None, None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
