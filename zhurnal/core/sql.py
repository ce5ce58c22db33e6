"""Plain SQL for the hottest reads (the diary's week, the journal's grid) and writes (a journal cell), where
building the statement through the ORM and converting every row costs more than running it; and for PostgreSQL,
statements sent together (``pipeline``, ``fetch_together``). Table names come from the models, every value is a
parameter; the same SQL runs on SQLite and PostgreSQL (both are tested)."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from django.db import connection
from django.db.models import Field, Model
from django.db.models.signals import post_save, pre_save
from django.utils import timezone


def table(model) -> str:
    """The model's table name, quoted for the database in use."""
    return connection.ops.quote_name(model._meta.db_table)


def field_column(model: type[Model], name: str) -> str:
    """The column (unquoted) of the model's concrete field ``name`` (``school`` for a foreign key: ``school_id``)."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise ValueError(f"{model._meta.label}.{name} has no column")
    return field.column


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


@overload
def as_date(value: None) -> None: ...
@overload
def as_date(value: dt.date | str) -> dt.date: ...
def as_date(value: dt.date | str | None) -> dt.date | None:
    """A date column's value: SQLite returns text, PostgreSQL a date."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def date_param(day: dt.date):
    return connection.ops.adapt_datefield_value(day)


def set_random_page_cost(connection, cost: float) -> None:
    """PostgreSQL's planner setting for this connection (``core.apps.plan_for_memory``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('random_page_cost', %s, false)", [str(cost)])


def fetch(sql: str, params: Sequence) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetch_together(*queries: tuple[str, Sequence]) -> list[list[tuple]]:
    """The rows of independent queries, each ``(sql, params)``: on PostgreSQL sent together in one ``pipeline``
    (one round trip for them all, the server running them in order), on SQLite one after another."""
    if connection.vendor != "postgresql":
        return [fetch(sql, params) for sql, params in queries]
    cursors = []
    try:
        with pipeline():
            for sql, params in queries:
                cursor = connection.cursor()
                cursors.append(cursor)
                cursor.execute(sql, params)
        return [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


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


# --- writes ------------------------------------------------------------------------------------------------------
# The hottest writes (a journal cell: its mark, absence, idempotency key and audit entry) as plain statements: the
# ORM's ``save``/``bulk_create`` cost 0.3 ms of Python each around a statement that takes as long. Values are
# prepared by each field as the ORM's writes prepare them (``get_db_prep_save``: JSON, UUIDs, aware datetimes on
# SQLite); ``auto_now`` fields (and ``auto_now_add`` ones on insert) are set to now unless given. No signals are
# sent, so models whose saves something listens for (``stamps.watch``, …) are refused. Inside ``pipeline()`` they
# go to PostgreSQL together.


@contextlib.contextmanager
def pipeline() -> Iterator[None]:
    """Statements sent to PostgreSQL without waiting for each one's answer (psycopg's pipeline mode), the answers
    read once at the end — or sooner, when a result is fetched: a few writes in one round trip instead of one
    each. The server runs them in order, each seeing the ones before. An error of any of them is raised (as
    Django's database errors) at the latest when the block ends, and aborts the rest of the pipeline: no
    savepoint (an inner ``atomic`` catching an error) can recover inside one. On SQLite, statements run as
    usual."""
    if connection.vendor != "postgresql":
        yield
        return
    # As ``connection.cursor()`` does before a request's first statement: inside the pipeline the health check's
    # own query would only be queued, and a connection the server dropped would fail instead of reconnecting.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def insert_rows(model, rows: Sequence[dict]) -> None:
    """Insert ``rows`` (dicts of attribute names → values, all with the same names) in as few statements as the
    database takes parameters for."""
    if not rows:
        return
    names = tuple(rows[0])
    fields = _write_fields(model, names, inserting=True)
    now = _now(fields, names)
    per_statement = max(1, 900 // len(fields))  # SQLite's default limit of parameters per statement is 999
    for start in range(0, len(rows), per_statement):
        batch = rows[start:start + per_statement]
        params = []
        for row in batch:
            params.extend(_prepared(fields, [row[name] for name in names] + now))
        values = ", ".join([f"({', '.join(['%s'] * len(fields))})"] * len(batch))
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table(model)} ({_column_list(fields)}) VALUES {values}", params)  # noqa: S608


def update_row(model, pk: int, values: dict) -> int:
    """Set ``values`` on the row ``pk``; the number of rows changed (0 when there is no such row) — unknown (-1)
    inside a ``pipeline``, where the answer has not come yet."""
    names = tuple(values)
    fields = _write_fields(model, names, inserting=False)
    params = _prepared(fields, [values[name] for name in names] + _now(fields, names))
    assignments = ", ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table(model)} SET {assignments} "  # noqa: S608
                       f"WHERE {connection.ops.quote_name(model._meta.pk.column)} = %s", [*params, pk])
        return cursor.rowcount


@functools.cache
def _write_fields(model, names: tuple[str, ...], *, inserting: bool) -> tuple:
    """The fields written for these attribute names, followed by the ``auto_now`` fields (and ``auto_now_add`` ones
    when inserting) not among them; unknown names and models whose saves something listens for are refused."""
    if pre_save.has_listeners(model) or post_save.has_listeners(model):
        raise ValueError(f"{model._meta.label}: its saves are listened for; write it through the ORM, which signals")
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    unknown = [name for name in names if name not in by_attname]
    if unknown:
        raise ValueError(f"{model._meta.label}: no concrete fields {unknown}")
    automatic = tuple(f for f in model._meta.concrete_fields if f.attname not in names
                      and (getattr(f, "auto_now", False) or (inserting and getattr(f, "auto_now_add", False))))
    return tuple(by_attname[name] for name in names) + automatic


def _now(fields: tuple, names: tuple) -> list:
    """The current time for each automatic timestamp that follows the named fields."""
    if len(fields) == len(names):
        return []
    return [timezone.now()] * (len(fields) - len(names))


def _prepared(fields: tuple, values: list) -> list:
    return [field.get_db_prep_save(value, connection) for field, value in zip(fields, values, strict=True)]


def _column_list(fields: tuple) -> str:
    return ", ".join(connection.ops.quote_name(field.column) for field in fields)
