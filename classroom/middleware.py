"""Send people with a first-time password to the password change page first; keep signed-in
pages out of the browser's cache."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

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
