"""Django's database session store, its one read per request in plain SQL (``core.sql``).

Every page reads the session first, and through the ORM that read cost more than the query itself (figures in
docs/performance.md). Writing, expiry and key cycling stay Django's own. ``SESSION_ENGINE`` names
this module.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.utils import timezone

from . import queries


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        """The session row if it has not expired, as Django's store returns it; otherwise ``None`` and the key
        forgotten (a new one is issued when the session is saved)."""
        model = self.model
        key = self.session_key
        row = queries.live_session(model, key, timezone.now()) if key is not None else None
        if key is None or row is None:
            self._session_key = None
            return None
        return model(session_key=key, session_data=row.session_data, expire_date=row.expire_date)
