"""Talk: a teacher's announcements to a class, and the private comments on a student's work.

Announcements are fetched through the teacher's own classes; a thread through the teacher's
own assignments and a student of that class (another teacher's ids give 404). Students post
to their own thread only (`student.work_comment`).
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from classroom import services
from classroom.forms import AnnouncementForm, CommentForm
from classroom.http import posted
from classroom.models import Announcement, Assignment, Attempt, Classroom, User, work_status
from classroom.permissions import AuthedHttpRequest, teacher_required

# --- Announcements ------------------------------------------------------------------------------


def _own_announcement(request: AuthedHttpRequest, pk: int) -> Announcement:
    return get_object_or_404(
        Announcement.objects.filter(classroom__teacher=request.user).select_related("classroom"),
        pk=pk,
    )


def _form_page(
    request: AuthedHttpRequest, form: AnnouncementForm, classroom: Classroom, **extra: object
) -> HttpResponse:
    status = 400 if request.method == "POST" else 200  # here after a POST: it was refused
    context = {"form": form, "classroom": classroom, **extra}
    return render(request, "classroom/announcement_form.html", context, status=status)


@teacher_required
def announcement_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Post an announcement (the class page's form posts here; a refusal shows it here)."""
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    form = AnnouncementForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            announcement = services.post_announcement(
                classroom=classroom, author=request.user, body=form.cleaned_data["body"]
            )
        except services.ServiceError as error:
            form.add_error("body", str(error))
        else:
            messages.success(request, "Announcement posted. The students of the class are told.")
            return redirect(announcement)
    return _form_page(request, form, classroom)


@teacher_required
def announcement_update(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    announcement = _own_announcement(request, pk)
    form = AnnouncementForm(posted(request), initial={"body": announcement.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_announcement(
                announcement=announcement, author=request.user, body=form.cleaned_data["body"]
            )
        except services.ServiceError as error:
            form.add_error("body", str(error))
        else:
            messages.success(request, "Announcement saved.")
            return redirect(announcement)
    return _form_page(request, form, announcement.classroom, announcement=announcement)


@teacher_required
def announcement_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Ask first (GET); delete on POST."""
    announcement = _own_announcement(request, pk)
    classroom = announcement.classroom
    if request.method == "POST":
        services.delete_announcement(announcement=announcement, author=request.user)
        messages.success(request, "Announcement deleted. Students no longer see it.")
        return redirect(classroom.get_absolute_url() + "#announcements-heading")
    return render(
        request,
        "classroom/announcement_delete.html",
        {"announcement": announcement, "classroom": classroom},
    )


# --- Private comments: the teacher's side -------------------------------------------------------


def teacher_thread(
    request: AuthedHttpRequest,
    assignment: Assignment,
    student: User,
    form: CommentForm | None = None,
) -> dict[str, object]:
    """What the marking page and the thread page show of a thread (read by the teacher now)."""
    return {
        "comments": services.read_thread(
            assignment=assignment, student=student, reader=request.user
        ),
        "comment_form": form or CommentForm(other=student.name),
        "comment_refusal": services.comment_refusal(
            assignment=assignment, student=student, author=request.user
        ),
        "comment_url": services.thread_url_for_teacher(assignment=assignment, student=student),
    }


def _thread_for_teacher(
    request: AuthedHttpRequest, pk: int, student_pk: int
) -> tuple[Assignment, User]:
    assignment = get_object_or_404(
        Assignment.objects.for_teacher(request.user).select_related("classroom", "lesson"), pk=pk
    )
    # Current or former students of the class: a former one's thread can still be read.
    student = get_object_or_404(
        User.objects.filter(enrolments__classroom=assignment.classroom_id), pk=student_pk
    )
    return assignment, student


@teacher_required
def assignment_comments(request: AuthedHttpRequest, pk: int, student_pk: int) -> HttpResponse:
    """A student's private thread on an assignment. With work to mark, the thread is read on
    the marking page (GET goes there); before that, here."""
    assignment, student = _thread_for_teacher(request, pk, student_pk)
    form = CommentForm(posted(request), other=student.name)
    if request.method == "POST":
        if form.is_valid() and post_comment(request, form, assignment, student):
            return redirect(request.path + "#comments")
    else:
        attempt = services.markable_attempt(assignment=assignment, student=student)
        if attempt is not None:
            return redirect(reverse("classroom:attempt-mark", args=[attempt.pk]) + "#comments")
    latest = Attempt.objects.filter(assignment=assignment, student=student).order_by("-number")
    context = {
        "assignment": assignment,
        "classroom": assignment.classroom,
        "student": student,
        "status": work_status(assignment, student, latest.first()),
        **teacher_thread(request, assignment, student, form),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "classroom/assignment_comments.html", context, status=status)


def post_comment(
    request: AuthedHttpRequest, form: CommentForm, assignment: Assignment, student: User
) -> bool:
    """Post the form's comment in the thread; False (the form says why) when refused."""
    try:
        services.post_comment(
            assignment=assignment,
            student=student,
            author=request.user,
            body=form.cleaned_data["body"],
        )
    except services.ServiceError as error:
        form.add_error("body", str(error))
        return False
    other = "Your teacher" if request.user.pk == student.pk else student.name
    messages.success(request, f"Comment sent. {other} is told about it.")
    return True
