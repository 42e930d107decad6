"""Teachers' pages for assignments: setting lessons, editing, deleting, archiving.

Every assignment is fetched through `Assignment.objects.for_teacher(user)` (another
teacher's ids give 404).
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from classroom import services
from classroom.forms import (
    AssignmentCreateForm,
    AssignmentUpdateForm,
    ExtensionForm,
)
from classroom.http import posted
from classroom.models import (
    Assignment,
    Classroom,
    User,
)
from classroom.permissions import AuthedHttpRequest, teacher_required


@teacher_required
def assignment_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Assign lessons to this class (ticked), more of the teacher's classes, or chosen students
    of this class."""
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user).active(), pk=pk)
    form = AssignmentCreateForm(posted(request), classroom=classroom)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignments = services.assign_lessons(
                classrooms=data["classrooms"],
                students=form.chosen(),
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
            messages.success(request, _assigned_message(assignments, form.chosen()))
            several = len(data["classrooms"]) > 1
            return redirect("classroom:classroom-list" if several else classroom)
    return render(request, "classroom/assignment_form.html", {"form": form, "classroom": classroom})


def _assigned_message(assignments: list[Assignment], chosen: list | None) -> str:
    """ "2 lessons assigned to 9A and 9B." (or to N chosen students of a class)."""
    lessons = len({a.lesson_id for a in assignments})
    names = list(dict.fromkeys(a.classroom.name for a in assignments))
    to = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    if chosen is not None:
        to = f"{len(chosen)} chosen student{'s' if len(chosen) != 1 else ''} of {to}"
    return f"{lessons} lesson{'s' if lessons != 1 else ''} assigned to {to}."


@teacher_required
def assignment_update(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.for_teacher(request.user).select_related("classroom", "lesson"), pk=pk
    )
    form = AssignmentUpdateForm(
        posted(request),
        initial=AssignmentUpdateForm.initial_from(assignment),
        classroom=assignment.classroom,
        has_work=assignment.attempts.exists(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_assignment(
                assignment=assignment,
                students=form.chosen(),
                **{name: data[name] for name in services.ASSIGNMENT_FIELDS},
            )
        except services.ServiceError as error:
            form.add_error(None, str(error))
        else:
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


def _student_of(assignment: Assignment, student_pk: int) -> User:
    """A student the assignment is set for (404 otherwise)."""
    return get_object_or_404(assignment.students(), pk=student_pk)


@teacher_required
def extension_update(request: AuthedHttpRequest, pk: int, student_pk: int) -> HttpResponse:
    """Give one student their own due time, or change it."""
    assignment = _own_assignment(request, pk)
    student = _student_of(assignment, student_pk)
    own = assignment.due_at_for(student)
    extended = own != assignment.due_at
    form = ExtensionForm(posted(request), initial=ExtensionForm.initial_for(own))
    if request.method == "POST" and form.is_valid():
        try:
            extension = services.grant_extension(
                assignment=assignment,
                student=student,
                due_at=form.cleaned_data["due_at"],
                teacher=request.user,
            )
        except services.ServiceError as error:
            form.add_error(None, str(error))
        else:
            due = timezone.localtime(extension.due_at)
            messages.success(request, f"{student.name}'s work is now due {due:%-d %B %Y, %H:%M}.")
            return redirect(assignment)
    context = {
        "form": form,
        "assignment": assignment,
        "classroom": assignment.classroom,
        "student": student,
        "extended": extended,
    }
    return render(request, "classroom/extension_form.html", context)


@teacher_required
@require_POST
def extension_delete(request: AuthedHttpRequest, pk: int, student_pk: int) -> HttpResponse:
    """Take a student's extension away: the assignment's due time is theirs again."""
    assignment = _own_assignment(request, pk)
    student = _student_of(assignment, student_pk)
    if services.remove_extension(assignment=assignment, student=student, teacher=request.user):
        messages.success(
            request, f"{student.name}'s extension is removed: the class due time is theirs again."
        )
    else:
        messages.info(request, f"{student.name} had no extension, so nothing changed.")
    return redirect(assignment)
