from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from classroom.models import (
    Answer,
    Assignment,
    Attempt,
    Classroom,
    CommentBankEntry,
    Enrolment,
    FeedbackChange,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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
        *BaseUserAdmin.fieldsets,
        ("Classroom", {"fields": ["role", "display_name", "must_change_password"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        ("Classroom", {"fields": ["role", "display_name"]}),
    ]


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    fields = ["student", "joined_at", "removed_at"]
    readonly_fields = ["joined_at"]
    autocomplete_fields = ["student"]


@admin.register(Classroom)
class ClassroomAdmin(admin.ModelAdmin):
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
        return obj._students


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["student", "classroom", "joined_at", "removed_at"]
    list_filter = ["classroom", ("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["student__username", "student__display_name", "classroom__name"]
    ordering = ["classroom__name", "student__username"]
    list_select_related = ["student", "classroom"]
    autocomplete_fields = ["student", "classroom"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["lesson", "classroom", "due_at", "start_at", "show_instant_feedback"]
    list_filter = ["lesson", "show_instant_feedback", "accept_late", "classroom__is_archived"]
    search_fields = ["lesson__title", "classroom__name", "instructions"]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"
    list_select_related = ["lesson", "classroom"]
    autocomplete_fields = ["classroom", "created_by"]


class AnswerInline(admin.StackedInline):
    model = Answer
    extra = 0
    fields = ["question", "text", "mark", "comment", "marked_by", "marked_at", "result"]
    readonly_fields = ["question", "result", "marked_by", "marked_at"]


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["student", "assignment", "number", "state", "is_late", "turned_in_at"]
    list_filter = ["state", "is_late", "assignment__lesson"]
    search_fields = ["student__username", "student__display_name", "assignment__classroom__name"]
    ordering = ["-created_at"]
    list_select_related = ["student", "assignment__lesson", "assignment__classroom"]
    autocomplete_fields = ["student", "assignment", "returned_by"]
    readonly_fields = ["version", "created_at", "saved_at"]
    inlines = [AnswerInline]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["attempt", "question", "mark", "marked_by"]
    list_filter = ["question__lesson"]
    search_fields = ["text", "comment", "attempt__student__username"]
    ordering = ["-attempt__created_at"]
    list_select_related = ["attempt__student", "attempt__assignment__lesson", "question__lesson"]
    raw_id_fields = ["attempt"]
    autocomplete_fields = ["question", "marked_by"]


@admin.register(CommentBankEntry)
class CommentBankEntryAdmin(admin.ModelAdmin):
    list_display = ["text", "teacher", "question"]
    list_filter = ["question__lesson"]
    search_fields = ["text", "teacher__username"]
    ordering = ["teacher__username", "question"]
    list_select_related = ["teacher", "question__lesson"]
    autocomplete_fields = ["teacher", "question"]


@admin.register(FeedbackChange)
class FeedbackChangeAdmin(admin.ModelAdmin):
    list_display = ["attempt", "field", "changed_by", "changed_at"]
    list_filter = ["field"]
    search_fields = ["attempt__student__username", "old_value", "new_value"]
    ordering = ["-changed_at"]
    list_select_related = ["attempt__student", "changed_by"]
    readonly_fields = ["attempt", "answer", "field", "old_value", "new_value", "changed_by"]
