"""Teachers' pages for assignments: setting lessons, editing, deleting, archiving.

Every assignment is fetched through `Assignment.objects.for_teacher(user)` (another
teacher's ids give 404).
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from classroom import services
from classroom.forms import (
    AssignmentCreateForm,
    AssignmentUpdateForm,
)
from classroom.http import posted
from classroom.models import (
    Assignment,
    Classroom,
)
from classroom.permissions import AuthedHttpRequest, teacher_required


@teacher_required
def assignment_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user).active(), pk=pk)
    form = AssignmentCreateForm(posted(request), classroom=classroom)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignments = services.assign_lessons(
                classroom=classroom,
                lessons=data["lessons"],
                teacher=request.user,
                instructions=data["instructions"],
                start_at=data["start_at"],
                due_at=data["due_at"],
                show_instant_feedback=data["show_instant_feedback"],
                accept_late=data["accept_late"],
            )
        except services.ServiceError as error:
            form.add_error(None, str(error))
        else:
            count = len(assignments)
            messages.success(
                request, f"{count} lesson{'s' if count != 1 else ''} assigned to {classroom.name}."
            )
            return redirect(classroom)
    return render(request, "classroom/assignment_form.html", {"form": form, "classroom": classroom})


@teacher_required
def assignment_update(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.for_teacher(request.user).select_related("classroom", "lesson"), pk=pk
    )
    has_work = assignment.attempts.exists()
    form = AssignmentUpdateForm(
        posted(request),
        initial=AssignmentUpdateForm.initial_from(assignment),
        has_work=has_work,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assignment.lesson = data["lesson"]
        assignment.instructions = data["instructions"]
        assignment.start_at = data["start_at"]
        assignment.due_at = data["due_at"]
        assignment.show_instant_feedback = data["show_instant_feedback"]
        assignment.accept_late = data["accept_late"]
        assignment.save()
        messages.success(request, "Assignment saved.")
        return redirect(assignment)
    return render(
        request,
        "classroom/assignment_form.html",
        {"form": form, "classroom": assignment.classroom, "assignment": assignment},
    )


def _own_assignment(request: AuthedHttpRequest, pk: int) -> Assignment:
    return get_object_or_404(
        Assignment.objects.for_teacher(request.user).select_related("classroom", "lesson"), pk=pk
    )


@teacher_required
def assignment_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Ask, then delete an assignment without student work; one with work is archived instead."""
    assignment = _own_assignment(request, pk)
    classroom = assignment.classroom
    if request.method == "POST":
        try:
            services.delete_assignment(assignment=assignment)
        except services.ServiceError as error:
            messages.error(request, str(error))
            return redirect("classroom:assignment-delete", pk=pk)
        messages.success(request, f"“{assignment.lesson.title}” is deleted from {classroom.name}.")
        return redirect(classroom)
    return render(
        request,
        "classroom/assignment_delete.html",
        {"assignment": assignment, "classroom": classroom, "has_work": assignment.has_work},
    )


@teacher_required
@require_POST
def assignment_archive(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assignment = _own_assignment(request, pk)
    services.archive_assignment(assignment=assignment)
    messages.success(
        request,
        f"“{assignment.lesson.title}” is archived: students no longer see it. Its work stays in"
        " the gradebook and below.",
    )
    return redirect(assignment)


@teacher_required
@require_POST
def assignment_restore(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assignment = _own_assignment(request, pk)
    services.restore_assignment(assignment=assignment)
    messages.success(request, f"“{assignment.lesson.title}” is back: students see it again.")
    return redirect(assignment)
