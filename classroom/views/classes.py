"""Teachers' pages for their classes and rosters: the class list and page, join codes,
adding students (login cards), removing them, new passwords, unlocking.

Every class is fetched through `Classroom.objects.for_teacher(user)`, so another teacher's
ids give 404; students get 403 and visitors the login page.
"""

from django.contrib import messages
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from classroom import logincards, ratelimit, services
from classroom.forms import (
    AnnouncementForm,
    ClassroomForm,
    StudentsAddForm,
)
from classroom.http import posted, site_url
from classroom.models import (
    AssignedStudent,
    Attempt,
    Classroom,
    Enrolment,
    User,
)
from classroom.permissions import AuthedHttpRequest, teacher_required


@teacher_required
def classroom_list(request: AuthedHttpRequest) -> HttpResponse:
    classrooms = Classroom.objects.for_teacher(request.user).annotate(
        student_count=Count("enrolments", filter=Q(enrolments__removed_at__isnull=True))
    )
    active = [c for c in classrooms if not c.is_archived]
    archived = [c for c in classrooms if c.is_archived]
    return render(
        request, "classroom/classroom_list.html", {"active": active, "archived": archived}
    )


@teacher_required
def classroom_create(request: AuthedHttpRequest) -> HttpResponse:
    form = ClassroomForm(posted(request))
    if request.method == "POST" and form.is_valid():
        classroom = services.create_classroom(teacher=request.user, **form.cleaned_data)
        messages.success(request, f"Class “{classroom.name}” created.")
        return redirect(classroom)
    return render(request, "classroom/classroom_form.html", {"form": form})


@teacher_required
def classroom_update(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    form = ClassroomForm(posted(request), instance=classroom)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Class saved.")
        return redirect(classroom)
    return render(request, "classroom/classroom_form.html", {"form": form, "classroom": classroom})


def _chosen_now(classroom: Classroom) -> QuerySet:
    """How many of an assignment's chosen students are in the class now (a subquery)."""
    return (
        AssignedStudent.objects.filter(
            assignment=OuterRef("pk"),
            student__enrolments__classroom=classroom,
            student__enrolments__removed_at__isnull=True,
        )
        .values("assignment")
        .annotate(n=Count("pk"))
        .values("n")
    )


@teacher_required
def classroom_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    enrolments = list(
        Enrolment.objects.current().filter(classroom=classroom).select_related("student")
    )
    current = Q(
        attempts__student__enrolments__classroom=classroom,
        attempts__student__enrolments__removed_at__isnull=True,
    )
    assignments = (
        classroom.assignments.select_related("lesson")
        .annotate(
            turned_in_count=Count(
                "attempts__student",
                filter=current & ~Q(attempts__state=Attempt.State.DRAFT),
                distinct=True,
            ),
            chosen_count=Subquery(_chosen_now(classroom)),
        )
        .order_by("-created_at", "-pk")
    )
    locked = ratelimit.locked_out_usernames(e.student.username for e in enrolments)
    return render(
        request,
        "classroom/classroom_detail.html",
        {
            "classroom": classroom,
            "enrolments": enrolments,
            "assignments": [a for a in assignments if not a.is_archived],
            "archived_assignments": [a for a in assignments if a.is_archived],
            "locked_out": locked,
            "announcements": classroom.announcements.all(),
            "announcement_form": AnnouncementForm(),
        },
    )


@teacher_required
@require_POST
def classroom_archive(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    services.archive_classroom(classroom=classroom)
    messages.success(request, f"“{classroom.name}” is archived. Students no longer see it.")
    return redirect("classroom:classroom-list")


@teacher_required
@require_POST
def classroom_restore(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    services.restore_classroom(classroom=classroom)
    messages.success(request, f"“{classroom.name}” is restored.")
    return redirect(classroom)


@teacher_required
@require_POST
def classroom_regenerate_code(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    try:
        services.regenerate_join_code(classroom=classroom)
    except services.ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"The new join code is {classroom.join_code}. The old one no longer works."
        )
    return redirect(classroom)


def _cards_kept(
    request: AuthedHttpRequest, classroom: Classroom, cards: list, heading: str
) -> HttpResponse:
    """Redirect to the cards page, the cards kept for it (a reload of it makes nothing)."""
    response = redirect("classroom:students-cards", pk=classroom.pk)
    logincards.keep(request, response, classroom=classroom, heading=heading, cards=cards)
    return response


@teacher_required
def students_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user).active(), pk=pk)
    form = StudentsAddForm(posted(request), classroom=classroom)
    if request.method == "POST" and form.is_valid():
        try:
            cards = services.add_students(classroom=classroom, names=form.cleaned_data["names"])
        except services.ServiceError as error:
            form.add_error("names", str(error))
        else:
            return _cards_kept(request, classroom, cards, f"Login cards for {classroom.name}")
    return render(request, "classroom/students_add.html", {"classroom": classroom, "form": form})


@teacher_required
def students_cards(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The login cards just made, until the teacher leaves this page or presses "Done".

    GET shows them (as often as the teacher reloads or prints); POST is "Done": they go.
    First-time passwords are never cached by the browser and never stored in clear.
    """
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    if request.method == "POST":
        done = redirect(classroom)
        logincards.forget(request, done)
        messages.info(request, "The login cards are put away. Their passwords are not shown again.")
        return done
    kept = logincards.shown(request, classroom)
    heading, cards = kept if kept else ("Login cards", [])
    response = render(
        request,
        "classroom/login_cards.html",
        {
            "classroom": classroom,
            "cards": cards,
            "heading": heading,
            "login_url": site_url(request) + reverse("login"),
        },
    )
    logincards.forget(request, response, keep_class=classroom.pk)  # another class's: gone
    response["Cache-Control"] = "no-store"
    return response


def _roster_student(request: AuthedHttpRequest, pk: int, student_pk: int) -> tuple[Classroom, User]:
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    student = get_object_or_404(
        User.objects.filter(enrolments__classroom=classroom, enrolments__removed_at__isnull=True),
        pk=student_pk,
    )
    return classroom, student


@teacher_required
@require_POST
def enrolment_remove(request: AuthedHttpRequest, pk: int, student_pk: int) -> HttpResponse:
    classroom, student = _roster_student(request, pk, student_pk)
    services.remove_student(classroom=classroom, student=student)
    messages.success(request, f"{student.name} was removed from the class. Their work is kept.")
    return redirect(classroom)


@teacher_required
@require_POST
def student_reset_password(request: AuthedHttpRequest, pk: int, student_pk: int) -> HttpResponse:
    classroom, student = _roster_student(request, pk, student_pk)
    try:
        card = services.reset_student_password(classroom=classroom, student=student)
    except services.ServiceError as error:
        messages.error(request, str(error))
        return redirect(classroom)
    return _cards_kept(request, classroom, [card], f"New first-time password for {student.name}")


@teacher_required
@require_POST
def student_unlock(request: AuthedHttpRequest, pk: int, student_pk: int) -> HttpResponse:
    """Lift a lockout after too many failed logins, so the student can try again at once."""
    classroom, student = _roster_student(request, pk, student_pk)
    try:
        cleared = services.unlock_student(teacher=request.user, student=student)
    except services.UnlockRefused as refused:  # e.g. a teacher's account enrolled through the admin
        messages.error(request, str(refused))
        return redirect(classroom)
    if cleared:
        messages.success(request, f"{student.name} is unlocked and can log in again.")
    else:
        messages.info(request, f"{student.name} was not locked out: nothing to unlock.")
    return redirect(classroom)
