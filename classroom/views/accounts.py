"""Signing in, teachers signing up, landing pages by role, and the health check."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from classroom import ratelimit, services
from classroom.forms import AccountForm, NewPasswordForm, TeacherSignupForm
from classroom.http import posted
from classroom.permissions import AuthedHttpRequest, user_required


def home(request: HttpRequest) -> HttpResponse:
    """Where "Log in" lands: the admin for staff, My classes for teachers, My work for students."""
    user = request.user
    if not user.is_authenticated:
        return redirect("lessons:lesson-list")
    if user.is_staff and not user.is_teacher:
        return redirect("admin:index")
    if user.is_teacher:
        return redirect("classroom:classroom-list")
    return redirect("classroom:work-list")


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the app and its database answer; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, which also ends a first-time password's restriction."""

    form_class = NewPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.user.must_change_password:
            form.user.must_change_password = False
            form.user.save(update_fields=["must_change_password"])
        return response


class LogoutView(auth_views.LogoutView):
    """Django's logout, which says so on the page the user lands on."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        # Added after the session is flushed, so the message survives into the next page.
        messages.success(request, "You have logged out.")
        return response


@never_cache
def teacher_signup(request: HttpRequest) -> HttpResponse:
    if not settings.TEACHER_SIGNUP_CODE:
        return render(request, "classroom/teacher_signup_closed.html")
    if request.user.is_authenticated:
        return redirect("home")
    form = TeacherSignupForm(posted(request))
    # Security: guessing the teacher code is limited as join codes are (classroom/ratelimit.py).
    if request.method == "POST" and ratelimit.guesses_exceeded(request, "signup"):
        form.add_error(None, ratelimit.SIGNUP_LIMIT_MESSAGE)
        return render(request, "classroom/teacher_signup.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="classroom.backends.ModelBackend")
        messages.success(request, "Welcome! Your teacher account is ready.")
        return redirect("classroom:classroom-list")
    if request.method == "POST" and "teacher_code" in form.errors:
        ratelimit.record_guess(request, "signup")
    return render(request, "classroom/teacher_signup.html", {"form": form})


@user_required
def account_update(request: AuthedHttpRequest) -> HttpResponse:
    """A person's own email address and email preference; a link to change the password."""
    form = AccountForm(posted(request), instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_account(
            user=request.user,
            email=form.cleaned_data["email"],
            email_notifications=form.cleaned_data["email_notifications"],
        )
        if form.cleaned_data["email_notifications"] and not form.cleaned_data["email"]:
            messages.success(
                request,
                "Saved. Notifications are shown on this site only: add an email address to"
                " have them emailed too.",
            )
        else:
            messages.success(request, "Your account settings are saved.")
        return redirect("classroom:account-update")
    return render(request, "classroom/account_form.html", {"form": form})
