"""Send people with a first-time password to the password change page first; keep signed-in
pages out of the browser's cache; forget login cards once the teacher leaves them; show the
project's own page for a missing page."""

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, reverse
from django.utils.cache import add_never_cache_headers
from django.views.defaults import page_not_found

from classroom import logincards

# Pages a person with a first-time password may still reach.
_ALLOWED_NAMES = ("password_change", "password_change_done", "logout")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse(name) for name in _ALLOWED_NAMES}
            if request.path not in allowed and not request.path.startswith(
                ("/static/", "/healthz")
            ):
                return redirect("password_change")
        return self.get_response(request)


class NoStoreWhenSignedInMiddleware:
    """Pages seen signed in (a child's work, marks, a class list) are never stored by the
    browser, so Back after logging out on a shared computer shows nothing of them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


class LoginCardsMiddleware:
    """The teacher left the cards page: forget the cards (after any GET of another page).

    Costs nothing on other requests: it acts only when the browser sends the key cookie.
    Static files never reach it (WhiteNoise answers first), nor do unknown addresses such as
    a browser's /favicon.ico (no view: nobody left anything).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            logincards.COOKIE in request.COOKIES
            and request.method == "GET"
            and match is not None
            and match.view_name != logincards.CARDS_VIEW
        ):
            logincards.forget(request, response)
        return response


class NotFoundPageMiddleware:
    """A missing page shows the project's own 404 page even with DEBUG on (`make run`).

    Django's debug 404 page lists every URL pattern of the site: no help to a teacher who
    mistyped an address, and not for a class on the school network to read. Server errors
    keep Django's debug details while DEBUG is on; the 404 is logged as usual ("Not Found").
    In production (DEBUG off) Django renders the same 404.html itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            return page_not_found(request, Resolver404())  # no address matched
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):  # a view found nothing
            return page_not_found(request, exception)
        return None
