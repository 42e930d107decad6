"""Writes that span models. Plain functions with keyword-only arguments, each one atomic.

Views call these; tests call them directly. Validation happens before anything is saved.
"""

import secrets

from classroom.models import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, Classroom


class ServiceError(Exception):
    """A request that cannot be carried out; the message says what to do instead."""


def new_join_code() -> str:
    """A join code not used by any active class."""
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if not Classroom.objects.active().filter(join_code=code).exists():
            return code
