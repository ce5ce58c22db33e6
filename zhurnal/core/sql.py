"""Plain SQL for the hottest reads (the diary's week, the journal's grid), where building the query through the
ORM and converting every row costs more than running it. Table names come from the models, every value is a
parameter; the same SQL runs on SQLite and PostgreSQL (both are tested)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection


def table(model) -> str:
    """The model's table name, quoted for the database in use."""
    return connection.ops.quote_name(model._meta.db_table)


def in_list(values: Iterable[int]) -> tuple[str, list]:
    """``IN (…)`` with one placeholder per value; an empty list matches nothing."""
    values = list(values)
    if not values:
        return "(NULL)", []
    return "(" + ", ".join(["%s"] * len(values)) + ")", values


def as_date(value) -> dt.date | None:
    """A date column's value: SQLite returns text, PostgreSQL a date."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def date_param(day: dt.date):
    return connection.ops.adapt_datefield_value(day)


def fetch(sql: str, params: Sequence) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
