"""Request helpers shared by views and django-axes."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.csrf import csrf_failure as default_csrf_failure


def client_ip(request: HttpRequest) -> str:
    """The client's address: from X-Forwarded-For when behind trusted proxies, else REMOTE_ADDR.

    Only the entries our own proxies appended are trusted (counted from the right), so a
    client cannot choose its address by sending the header itself.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) >= count and _is_ip(forwarded[-count]):
        return forwarded[-count]
    return remote


def _is_ip(value: str) -> bool:
    """A proxy's entry that is not an address (a garbled header) is not trusted."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def site_url(request: HttpRequest) -> str:
    """The address students type to reach the site, without a trailing slash: SITE_URL when
    set (the name on the school network, or the public address behind a proxy), otherwise the
    address this request came to."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"


def site(request: HttpRequest) -> dict[str, str]:
    """Context processor: `site_url` for the login cards and the join panel."""
    return {"site_url": site_url(request)}


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the autosave script gets JSON saying whether the student is logged
    out (then logging in again mends it) or only holds an old token (it retries with the
    cookie's); pages get Django's own 403 page."""
    if "application/json" not in request.headers.get("Accept", ""):
        return default_csrf_failure(request, reason)
    logged_out = not request.user.is_authenticated
    return JsonResponse(
        {
            "csrf_failed": True,
            "logged_out": logged_out,
            "error": "You are logged out: log in again."
            if logged_out
            else "This page is out of date: reload it.",
        },
        status=403,
    )


def posted(request: HttpRequest):
    """The POST data to bind a form to (even when empty), or None on GET."""
    return request.POST if request.method == "POST" else None


def local_path(url: str) -> str | None:
    """`url` when it is a path on this site ("/my-work/3/"), else None: a stored link never
    sends anyone to another site ("//evil.example", "https://...", "/\\evil.example")."""
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return None
    if any(not char.isprintable() or char.isspace() for char in url):
        return None
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=None) else None
