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


def in_list(column: str, values: Iterable[int]) -> tuple[str, list]:
    """``column IN (…)`` with one placeholder per value (an empty list matches nothing): for short lists that
    shape a query's plan (PostgreSQL plans each list length anew, with the values at hand)."""
    values = list(values)
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def any_of(column: str, values: Iterable[int]) -> tuple[str, list]:
    """``column`` is one of ``values`` (an empty list matches nothing). PostgreSQL gets ``= ANY(%s)`` with one
    array parameter, so the statement's text is the same whatever the number of values: it is prepared once per
    connection and its plan reused (planning a new ``IN (…)`` list each time cost more than running it). SQLite
    gets ``IN (…)`` with one placeholder per value."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return in_list(column, values)


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
