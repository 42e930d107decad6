"""Login cards kept for the teacher who made them, until they leave the cards page.

Adding students (or resetting a password) redirects to the cards page, so a reload never
makes the accounts again. The cards wait in the teacher's session, keyed by class, and go
at the teacher's next page anywhere else (classroom.middleware.LoginCardsMiddleware) or when
they press "Done".

Sessions are stored in the database, and first-time passwords must never be stored there in
plain text: the passwords are sealed with a random key that only the teacher's browser holds
(an HttpOnly cookie that dies with the browser session). A database copy alone never shows
them; the key alone is worthless once the cards are gone.
"""

import base64
import json
import secrets
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from classroom.models import Classroom
from classroom.services import LoginCard

SESSION_KEY = "login_cards"
COOKIE = "login_cards_key"
CARDS_VIEW = "classroom:students-cards"


def _fernet(key: bytes) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(key))


def seal(key: bytes, data: bytes) -> str:
    """`data` encrypted and authenticated with `key` (32 random bytes), as text for the session:
    Fernet (AES-128-CBC with HMAC-SHA256) from the `cryptography` package."""
    return _fernet(key).encrypt(data).decode()


def unseal(key: bytes, sealed: str) -> bytes | None:
    """The data `seal` was given, or None when the key is not the one it was sealed with."""
    try:
        return _fernet(key).decrypt(sealed.encode())
    except (InvalidToken, ValueError):
        return None


def _key(request: HttpRequest) -> bytes | None:
    """The browser's key: 32 bytes as hex; anything else (a cookie tampered with) is none."""
    try:
        key = bytes.fromhex(request.COOKIES.get(COOKIE, ""))
    except ValueError:
        return None
    return key if len(key) == 32 else None


def keep(
    request: HttpRequest,
    response: HttpResponse,
    *,
    classroom: Classroom,
    heading: str,
    cards: Sequence[LoginCard],
) -> None:
    """Keep `cards` for the cards page of `classroom` (the response carries the key)."""
    key = _key(request) or secrets.token_bytes(32)
    passwords = json.dumps([card.password for card in cards]).encode()
    kept = request.session.get(SESSION_KEY, {})
    kept[str(classroom.pk)] = {
        "heading": heading,
        "people": [[card.name, card.username] for card in cards],
        "passwords": seal(key, passwords),
    }
    request.session[SESSION_KEY] = kept
    response.set_cookie(
        COOKIE,
        key.hex(),
        httponly=True,
        samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def shown(request: HttpRequest, classroom: Classroom) -> tuple[str, list[LoginCard]] | None:
    """The heading and cards kept for this class, or None when there are none (or no key)."""
    entry = request.session.get(SESSION_KEY, {}).get(str(classroom.pk))
    key = _key(request)
    if not entry or key is None:
        return None
    plain = unseal(key, entry["passwords"])
    if plain is None:
        return None
    passwords = json.loads(plain)
    cards = [
        LoginCard(name=name, username=username, password=password)
        for (name, username), password in zip(entry["people"], passwords, strict=True)
    ]
    return entry["heading"], cards


def forget(request: HttpRequest, response: HttpResponse, *, keep_class: int | None = None) -> None:
    """Drop the kept cards (all, or all but `keep_class`'s); the key goes with the last."""
    kept = request.session.get(SESSION_KEY)
    if kept is not None:
        kept = {pk: entry for pk, entry in kept.items() if pk == str(keep_class)}
        if kept:
            request.session[SESSION_KEY] = kept
        else:
            del request.session[SESSION_KEY]
    if not kept and COOKIE in request.COOKIES:
        response.delete_cookie(COOKIE, samesite="Strict")
