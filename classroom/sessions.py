"""The session engine: Django's database sessions, the read of a session compiled once."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from classroom.compiled import CompiledQuery

# Every request with a session cookie reads it (SessionMiddleware): compiled once
# (classroom.compiled), not on each request.
_SESSION_BY_KEY = CompiledQuery(lambda key: Session.objects.filter(session_key=key), params=(str,))


class SessionStore(db.SessionStore):
    """Django's, but for the read of a session, which gives what Django's gives: the session
    when its key is known and it has not expired (checked here, as Django's checks in SQL)."""

    def _get_session_from_db(self) -> Session | None:
        key = self.session_key
        found = _SESSION_BY_KEY.all(key) if key else []
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None
