"""Plain SQL for the hottest reads (the diary's week, the journal's grid), where building the query through the
ORM and converting every row costs more than running it. Table names come from the models, every value is a
parameter; the same SQL runs on SQLite and PostgreSQL (both are tested)."""

from __future__ import annotations

import datetime as dt
import functools
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


def model_rows(model, rows: Iterable[Sequence], fields: Sequence[str] | None = None) -> list:
    """Instances of ``model`` from plain rows of ``fields`` (attribute names, every concrete field by default, in
    the model's order), each value converted as the ORM would: SQLite returns datetimes as text and booleans as
    integers; PostgreSQL needs no conversion. ``columns(model, fields)`` gives the matching select list."""
    names, converters = _converters(model, tuple(fields) if fields is not None else None, connection.vendor)
    alias = connection.alias
    out = []
    for row in rows:
        if converters:
            row = list(row)
            for index, convert in converters:
                row[index] = convert(row[index])
        out.append(model.from_db(alias, names, row))
    return out


def columns(model, fields: Sequence[str] | None = None, prefix: str = "") -> str:
    """The select list of ``fields`` (all concrete fields by default) for ``model_rows``."""
    return _columns(model, tuple(fields) if fields is not None else None, prefix, connection.vendor)


@functools.cache
def _columns(model, fields: tuple[str, ...] | None, prefix: str, vendor: str) -> str:
    names, _ = _converters(model, fields, vendor)
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    return ", ".join(f"{prefix}{connection.ops.quote_name(by_name[name].column)}" for name in names)


@functools.cache
def _converters(model, fields: tuple[str, ...] | None, vendor: str):
    """The fields in the model's order and the converters of their values on this database (cached per model;
    the database's own converters are kept unbound and bound at each use to the connection of the thread)."""
    chosen = [f for f in model._meta.concrete_fields if fields is None or f.attname in fields]
    if fields is not None and len(chosen) != len(set(fields)):
        unknown = set(fields) - {f.attname for f in chosen}
        raise ValueError(f"{model._meta.label}: no concrete fields {sorted(unknown)}")
    converters = []
    for index, field in enumerate(chosen):
        column = field.get_col(model._meta.db_table)
        # (function, whether it is a method of the database's operations, unbound here and bound at each use)
        steps = [(step.__func__, True) if getattr(step, "__self__", None) is connection.ops else (step, False)
                 for step in connection.ops.get_db_converters(column)]
        steps += [(step, False) for step in field.get_db_converters(connection)]
        if steps:
            converters.append((index, _chain(tuple(steps), column)))
    return tuple(f.attname for f in chosen), tuple(converters)


def _chain(steps, expression):
    def convert(value):
        ops = connection.ops
        for step, of_ops in steps:
            value = step(ops, value, expression, connection) if of_ops else step(value, expression, connection)
        return value
    return convert
