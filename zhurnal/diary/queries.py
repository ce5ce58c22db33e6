"""The diary's hand-written SQL beyond ``rows.py``: counting a family's views of the diary."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from zhurnal.core.sql import date_param, table

from .models import DiaryView


def count_view(*, column: str, person: int, on: dt.date) -> bool:
    """One more view on ``on`` by the person (``column``: guardian_id or student_id) if he has a row for the day —
    plain SQL: on every page a family opens, the ORM's UPDATE cost double. False when there is none yet."""
    if column not in ("guardian_id", "student_id"):
        raise ValueError(f"not a viewer column: {column!r}")
    count = connection.ops.quote_name("count")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table(DiaryView)} SET {count} = {count} + 1 WHERE date = %s AND {column} = %s",  # noqa: S608
                       [date_param(on), person])
        return bool(cursor.rowcount)
