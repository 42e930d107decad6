"""The sign-in backend: Django's ModelBackend, reading the signed-in user with SQL compiled once."""

from django.contrib.auth import backends

from classroom.compiled import CompiledQuery
from classroom.models import User

# Every request of a signed-in user reads them (AuthenticationMiddleware): compiled once
# (classroom.compiled), not on each request.
_USER_BY_ID = CompiledQuery(lambda pk: User.objects.filter(pk=pk), params=1)


class ModelBackend(backends.ModelBackend):
    """Django's own, but for `get_user`, which gives the same user or None as Django's."""

    def get_user(self, user_id: object) -> User | None:
        try:
            user = _USER_BY_ID.get(int(user_id))  # type: ignore[call-overload]
        except (TypeError, ValueError, User.DoesNotExist):
            return None
        return user if self.user_can_authenticate(user) else None
