"""Request helpers shared by views and django-axes."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


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
