"""The accounts' hand-written SQL: the reads every request makes (the session, its user), in plain statements
(``core.sql``) — through the ORM they cost about three times the query itself."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from django.db import connection

from zhurnal.core.sql import columns, fetch, table

from .models import User


class SessionRow(NamedTuple):
    session_data: str
    expire_date: Any  # as the database driver returns it (the session model converts it)


def live_session(model: type, session_key: str | None, now: dt.datetime) -> SessionRow | None:
    """The session's data and expiry if it has not expired."""
    rows = fetch(f"SELECT session_data, expire_date FROM {table(model)} "  # noqa: S608 - table from the model
                 "WHERE session_key = %s AND expire_date > %s",
                 [session_key, connection.ops.adapt_datetimefield_value(now)])
    return SessionRow(*rows[0]) if rows else None


def user_query(user_id: int) -> tuple[str, list]:
    """The signed-in user's row: (SQL, parameters) for ``core.sql.fetch_together``; ``model_rows(User, rows)``."""
    return f"SELECT {columns(User)} FROM {table(User)} WHERE id = %s", [user_id]  # noqa: S608
