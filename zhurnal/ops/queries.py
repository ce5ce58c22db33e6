"""The operations' SQL: the backups' — reading a database snapshot (a copied SQLite file, or a PostgreSQL
transaction that shares ``pg_dump``'s snapshot) and a restored database, outside Django's connections — and the
bulk writes of ``generate`` (a benchmark region), through Django's connection.

Both readers hand out plain values as the driver returns them; ``manifest.canonical`` makes them alike on both
engines. Table and column names come from the models (quoted here); no value is ever spliced into the text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple, Protocol

import psycopg
from django.core.management.color import no_style
from django.db import connection as django_connection
from django.db import models
from psycopg import sql as pgsql

from zhurnal.core.sql import field_column


class AppliedMigration(NamedTuple):
    app: str
    name: str


class Reader(Protocol):
    """A database as the manifest sees it."""

    engine: str

    def tables(self) -> set[str]: ...

    def count(self, table: str) -> int: ...

    def rows(self, table: str, columns: Sequence[str], order_by: str) -> Iterator[tuple[Any, ...]]: ...

    def migrations(self) -> list[AppliedMigration]: ...

    def server_version(self) -> str: ...


def quote(name: str) -> str:
    """An identifier quoted alike for SQLite and PostgreSQL."""
    return '"' + name.replace('"', '""') + '"'


def _select(table: str, columns: Sequence[str], order_by: str) -> str:
    return (f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)} "  # noqa: S608 - names from models
            f"ORDER BY {quote(order_by)}")


MIGRATIONS_SQL = "SELECT app, name FROM django_migrations ORDER BY id"


class SqliteReader:
    """A SQLite file opened read-only, values as SQLite stores them (no converters)."""

    engine = "sqlite"

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    @classmethod
    def open(cls, path: str) -> SqliteReader:
        return cls(sqlite3.connect(f"file:{path}?mode=ro", uri=True))

    def close(self) -> None:
        self.connection.close()

    def tables(self) -> set[str]:
        rows = self.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%'").fetchall()
        return {row[0] for row in rows}

    def count(self, table: str) -> int:
        return int(self.connection.execute(f"SELECT COUNT(*) FROM {quote(table)}").fetchone()[0])  # noqa: S608

    def rows(self, table: str, columns: Sequence[str], order_by: str) -> Iterator[tuple[Any, ...]]:
        cursor = self.connection.execute(_select(table, columns, order_by))
        while batch := cursor.fetchmany(2000):
            yield from batch

    def migrations(self) -> list[AppliedMigration]:
        return [AppliedMigration(*row) for row in self.connection.execute(MIGRATIONS_SQL).fetchall()]

    def server_version(self) -> str:
        return str(self.connection.execute("SELECT sqlite_version()").fetchone()[0])

    def quick_check(self) -> str:
        """``ok``, or what SQLite found wrong with the file's structure."""
        rows = self.connection.execute("PRAGMA quick_check").fetchall()
        return "; ".join(str(row[0]) for row in rows[:5])


class PostgresReader:
    """A psycopg connection (its transaction may share ``pg_dump``'s snapshot); timestamps read in UTC."""

    engine = "postgresql"

    def __init__(self, connection: psycopg.Connection) -> None:
        self.connection = connection

    def tables(self) -> set[str]:
        rows = self.connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        return {row[0] for row in rows.fetchall()}

    def count(self, table: str) -> int:
        row = self.connection.execute(f"SELECT COUNT(*) FROM {quote(table)}").fetchone()  # noqa: S608
        return int(row[0]) if row else 0

    def rows(self, table: str, columns: Sequence[str], order_by: str) -> Iterator[tuple[Any, ...]]:
        # A server-side cursor: the audit log of a region does not fit in memory.
        with self.connection.cursor(name="zhurnal_manifest_rows") as cursor:
            cursor.itersize = 5000
            cursor.execute(_select(table, columns, order_by).encode())
            yield from cursor

    def migrations(self) -> list[AppliedMigration]:
        return [AppliedMigration(*row) for row in self.connection.execute(MIGRATIONS_SQL).fetchall()]

    def server_version(self) -> str:
        row = self.connection.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else ""


# --- PostgreSQL: snapshots, scratch databases, emptiness -----------------------------------------------------


def open_snapshot(connection: psycopg.Connection) -> str:
    """Start a read-only repeatable-read transaction and export its snapshot for ``pg_dump --snapshot``."""
    connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    connection.read_only = True
    utc_session(connection)
    row = connection.execute("SELECT pg_export_snapshot()").fetchone()
    assert row is not None
    return str(row[0])


def utc_session(connection: psycopg.Connection) -> None:
    """Timestamps read in UTC (``manifest.canonical`` writes them so)."""
    connection.execute("SET TIME ZONE 'UTC'")


def server_major(connection: psycopg.Connection) -> int:
    row = connection.execute("SHOW server_version_num").fetchone()
    return int(row[0]) // 10000 if row else 0


def user_tables(connection: psycopg.Connection) -> int:
    """How many tables the database holds outside PostgreSQL's own schemas (0: an empty database)."""
    row = connection.execute("SELECT COUNT(*) FROM pg_tables "
                             "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')").fetchone()
    return int(row[0]) if row else 0


class DatabaseLocale(NamedTuple):
    encoding: str
    collate: str
    ctype: str


def database_locale(connection: psycopg.Connection, name: str) -> DatabaseLocale:
    row = connection.execute("SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database "
                             "WHERE datname = %s", [name]).fetchone()
    if row is None:
        return DatabaseLocale("UTF8", "C.UTF-8", "C.UTF-8")
    return DatabaseLocale(*row)


def database_exists(connection: psycopg.Connection, name: str) -> bool:
    return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def create_database(connection: psycopg.Connection, name: str, locale: DatabaseLocale) -> None:
    """An empty database (from ``template0``) in the source's encoding and collation; ``connection`` in
    autocommit."""
    connection.execute(
        pgsql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING {} LC_COLLATE {} LC_CTYPE {}").format(
            pgsql.Identifier(name), pgsql.Literal(locale.encoding),
            pgsql.Literal(locale.collate), pgsql.Literal(locale.ctype)))


def drop_database(connection: psycopg.Connection, name: str) -> None:
    connection.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
        pgsql.Identifier(name)))


def empty_schema(connection: psycopg.Connection) -> None:
    """Take a failed restore back out of a database that was empty before it (``connection`` in autocommit)."""
    connection.execute("DROP SCHEMA public CASCADE")
    connection.execute("CREATE SCHEMA public")


# --- SQLite ---------------------------------------------------------------------------------------------------


def sqlite_tables(path: str) -> int:
    """How many tables a SQLite file holds (0 for a new, empty file)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(connection.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0])
    finally:
        connection.close()


def sqlite_copy(source: sqlite3.Connection, target_path: str) -> None:
    """SQLite's online backup of ``source`` into a new file, in one step (one read transaction: a consistent
    copy while teachers keep writing — in WAL mode they are not held up), left as one self-contained file."""
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()


# --- bulk writes of ``generate`` (Django's connection) ----------------------------------------------------------
# They bypass the services, the ORM and its signals; never run against a school's real database.


def max_id(model: type[models.Model]) -> int:
    """The highest primary key of the model's table (0 when it is empty)."""
    with django_connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quote(model._meta.db_table)}")  # noqa: S608
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def bulk_insert(model: type[models.Model], fields: list[str], rows: Iterable[tuple]) -> int:
    """Insert ``rows`` (raw column values of the model fields ``fields``: ``school`` for a foreign key) with
    ``COPY`` on PostgreSQL, ``executemany`` in batches on SQLite; the number of rows written."""
    columns = ", ".join(quote(field_column(model, name)) for name in fields)
    table = quote(model._meta.db_table)
    raw = django_connection.connection
    count = 0
    if django_connection.vendor == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(fields))})"  # noqa: S608
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= 5000:
            raw.executemany(sql, batch)
            count += len(batch)
            batch = []
    if batch:
        raw.executemany(sql, batch)
        count += len(batch)
    return count


def set_reference_checks(*, enabled: bool) -> None:
    """PostgreSQL, for a superuser: the foreign-key triggers on or off for the rest of the transaction."""
    with django_connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL session_replication_role = {'origin' if enabled else 'replica'}")


def is_superuser() -> bool:
    """Whether the PostgreSQL role in use is a superuser."""
    with django_connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def reset_sequences(written: Iterable[type[models.Model]]) -> None:
    """The primary-key sequences of these models' tables set past their highest key."""
    statements = django_connection.ops.sequence_reset_sql(no_style(), list(written))
    if statements:
        with django_connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


class IndexDefinition(NamedTuple):
    name: str
    definition: str  # the CREATE INDEX statement


def drop_plain_indexes(tables: Sequence[str]) -> list[IndexDefinition]:
    """PostgreSQL: drop the indexes of these tables that back no constraint; what they were, to build them again
    (``create_indexes``)."""
    with django_connection.cursor() as cursor:
        found: list[IndexDefinition] = []
        for table in tables:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema() AND tablename = %s"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY indexname",
                [table])
            found += [IndexDefinition(name, definition) for name, definition in cursor.fetchall()]
        for index in found:
            cursor.execute(f"DROP INDEX {quote(index.name)}")
    return found


def create_indexes(indexes: Iterable[IndexDefinition]) -> None:
    """PostgreSQL: build indexes (``drop_plain_indexes``) with memory enough to sort each table once."""
    with django_connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for index in indexes:
            cursor.execute(index.definition)


def analyze() -> None:
    """PostgreSQL: the planner's statistics of every table brought up to date."""
    with django_connection.cursor() as cursor:
        cursor.execute("ANALYZE")
