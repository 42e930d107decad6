"""Who may open which page: the access decorators every view module uses.

Teachers' pages are for teachers (students get 403, visitors the login page); students' pages
for students (teachers get 403; a visitor logs in, or a script gets a JSON 403 saying so).
"""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse

from classroom.models import User

P = ParamSpec("P")


class AuthedHttpRequest(HttpRequest):
    """The request a view behind `student_required` or `teacher_required` receives: its user is
    logged in, so `request.user` is a `User`, never `AnonymousUser`.

    For the type checker only (as django-stubs documents): at run time the view gets the same
    request object; the decorators make the claim true before they call the view.
    """

    user: User


AuthedView = Callable[Concatenate[AuthedHttpRequest, P], HttpResponse]
View = Callable[Concatenate[HttpRequest, P], HttpResponse]

LOGGED_OUT = (
    "You are logged out. Your text is kept on this computer: log in again and it will be here."
)


def wants_json(request: HttpRequest) -> bool:
    """A script (fetch) asking for JSON, not a page."""
    return "application/json" in request.headers.get("Accept", "")


def student_required(view: AuthedView[P]) -> View[P]:
    """Logged-in students only: others log in (or get JSON 403 from a script); teachers 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            if wants_json(request):
                return JsonResponse({"logged_out": True, "error": LOGGED_OUT}, status=403)
            # After logging in, come back to the page, never to a POST-only address; a
            # Turn in that was not done says so there.
            if request.method != "GET" and "pk" in kwargs:
                page = reverse("classroom:work-detail", args=[kwargs["pk"]])
                match = request.resolver_match
                if match is not None and match.url_name == "work-turn-in":
                    page += "?turn-in=again"
                return redirect_to_login(page)
            return redirect_to_login(request.get_full_path())
        if not request.user.is_student:
            raise PermissionDenied("This page is for students.")
        return view(cast(AuthedHttpRequest, request), *args, **kwargs)

    return wrapper


def teacher_required(view: AuthedView[P]) -> View[P]:
    """Log in first; then only teachers may pass (others get 403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not (isinstance(request.user, User) and request.user.is_teacher):
            raise PermissionDenied("This page is for teachers.")
        return view(cast(AuthedHttpRequest, request), *args, **kwargs)

    return wrapper


def user_required(view: AuthedView[P]) -> View[P]:
    """Anyone logged in, teacher or student (their own notifications, their account)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        return view(cast(AuthedHttpRequest, request), *args, **kwargs)

    return wrapper
