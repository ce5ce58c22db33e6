"""The two databases' ways of copying and restoring.

SQLite: the online backup API copies the live file in one read transaction (WAL lets teachers keep writing); the
manifest's figures are then read from the copy itself. PostgreSQL: a read-only repeatable-read transaction exports
its snapshot, ``pg_dump --format=custom --snapshot`` dumps exactly that state, and the figures are read in the
same transaction while the dump runs — so the manifest describes the dump, not a moment before or after it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections

from . import queries
from .archive import DATABASE_MEMBERS, CopyRefused, OpenedCopy
from .manifest import Figures, measure, migration_state


class BackupFailed(Exception):
    """A copy could not be made; the message says why, in Russian."""


def engine_of(settings_dict: dict[str, Any]) -> str:
    engine = str(settings_dict.get("ENGINE", ""))
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupFailed(f"Резервное копирование не умеет работать с {engine}.")


ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass
class Target:
    """A database: what is copied, or what a copy is restored into (Django's settings form)."""

    engine: str
    settings: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def default(cls) -> Target:
        """The application's own database (its live settings: a test database too)."""
        settings_dict = connections["default"].settings_dict
        return cls(engine=engine_of(settings_dict), settings=dict(settings_dict))

    @property
    def name(self) -> str:
        return str(self.settings.get("NAME", ""))

    @property
    def label(self) -> str:
        if self.engine == "sqlite":
            return f"SQLite {self.name}"
        host = self.settings.get("HOST") or "localhost"
        return f"PostgreSQL {self.name} на {host}"


# --- PostgreSQL connections and tools ------------------------------------------------------------------------


def _pg_params(settings_dict: dict[str, Any], dbname: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"dbname": dbname or settings_dict.get("NAME") or "postgres"}
    for key, name in (("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password")):
        if settings_dict.get(key):
            params[name] = str(settings_dict[key])
    return params


def _pg_env(settings_dict: dict[str, Any], dbname: str | None = None) -> dict[str, str]:
    """The client tools' connection by environment: the password never shows in the process list."""
    env = dict(os.environ)
    names = {"dbname": "PGDATABASE", "host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD"}
    for key, value in _pg_params(settings_dict, dbname).items():
        env[names[key]] = str(value)
    return env


def pg_connect(settings_dict: dict[str, Any], dbname: str | None = None, *, autocommit: bool = False
               ) -> psycopg.Connection:
    return psycopg.connect(**_pg_params(settings_dict, dbname), autocommit=autocommit)


def _tool_major(path: str) -> int | None:
    try:
        output = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30,  # noqa: S603
                                check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\)\s+(\d+)", output)
    return int(match.group(1)) if match else None


def find_tool(name: str, major: int) -> tuple[str, int]:
    """``pg_dump``/``pg_restore`` of the server's major version (or else the nearest newer one): an older client
    refuses a newer server, and a newer dump is unreadable to an older ``pg_restore``. ``ZHURNAL_PG_BIN_DIR``
    names the folder when it is not a usual one."""
    exe = name + (".exe" if os.name == "nt" else "")
    folders = [settings.ZHURNAL_PG_BIN_DIR] if settings.ZHURNAL_PG_BIN_DIR else []
    folders += sorted(glob.glob("/usr/lib/postgresql/*/bin")) + sorted(glob.glob("/usr/pgsql-*/bin"))
    folders += sorted(glob.glob(r"C:\Program Files\PostgreSQL\*\bin"))
    candidates = [str(Path(folder) / exe) for folder in folders if (Path(folder) / exe).is_file()]
    if which := shutil.which(exe):
        candidates.append(which)
    found = sorted({(v, path) for path in candidates if (v := _tool_major(path)) is not None and v >= major})
    exact = [item for item in found if item[0] == major]
    if exact or found:
        version, path = (exact or found)[0]
        return path, version
    raise BackupFailed(f"Не найден {name} версии {major} или новее. Установите клиент PostgreSQL {major} "
                       f"(Debian: postgresql-client-{major}) или укажите папку в ZHURNAL_PG_BIN_DIR.")


# --- taking a copy --------------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    engine: str
    database_file: Path
    database_member: str
    server_version: str
    tool: str
    migrations: dict[str, list[str]]
    figures: Figures


def take_snapshot(source: Target, staging: Path) -> Snapshot:
    if source.engine == "sqlite":
        return _sqlite_snapshot(source, staging)
    return _postgres_snapshot(source, staging)


def _sqlite_snapshot(source: Target, staging: Path) -> Snapshot:
    copy = staging / "zhurnal.sqlite3"
    name = source.name
    live = sqlite3.connect(name, uri=name.startswith("file:"), timeout=60)
    try:
        queries.sqlite_copy(live, str(copy))
    finally:
        live.close()
    reader = queries.SqliteReader.open(str(copy))
    try:
        check = reader.quick_check()
        if check != "ok":
            raise BackupFailed(f"SQLite нашёл ошибки в базе: {check}. Копия не сделана; обратитесь в поддержку.")
        return Snapshot(engine="sqlite", database_file=copy, database_member=DATABASE_MEMBERS["sqlite"],
                        server_version=reader.server_version(), tool=f"sqlite {sqlite3.sqlite_version}",
                        migrations=migration_state(reader), figures=measure(reader))
    finally:
        reader.close()


def _postgres_snapshot(source: Target, staging: Path) -> Snapshot:
    dump = staging / "zhurnal.pgdump"
    connection = pg_connect(source.settings)
    try:
        major = queries.server_major(connection)
        pg_dump, version = find_tool("pg_dump", major)
        connection.rollback()  # the snapshot's transaction starts afresh, with its isolation level
        snapshot = queries.open_snapshot(connection)
        errors = staging / "pg_dump.log"
        with errors.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 - a found pg_dump, fixed arguments
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-password", f"--file={dump}"],
                env=_pg_env(source.settings), stdout=subprocess.DEVNULL, stderr=log)
            try:
                reader = queries.PostgresReader(connection)
                figures = measure(reader)  # while pg_dump reads the same snapshot: two cores, half the time
                migrations = migration_state(reader)
                server_version = reader.server_version()
            finally:
                code = process.wait()
        if code != 0:
            raise BackupFailed(f"pg_dump завершился с ошибкой: {errors.read_text(errors='replace').strip()[-500:]}")
        connection.rollback()
    finally:
        connection.close()
    return Snapshot(engine="postgresql", database_file=dump, database_member=DATABASE_MEMBERS["postgresql"],
                    server_version=server_version, tool=f"pg_dump {version}", migrations=migrations,
                    figures=figures)


# --- restoring ------------------------------------------------------------------------------------------------


def ensure_empty(target: Target) -> None:
    """Restore goes only into an empty database: nothing of a working journal is ever overwritten."""
    if target.engine == "sqlite":
        path = Path(target.name)
        if path.exists() and path.stat().st_size and queries.sqlite_tables(str(path)):
            raise CopyRefused(f"База {path} не пуста: восстановление только в новую, пустую базу. "
                              "Переместите старый файл в сторону и повторите.")
        return
    try:
        connection = pg_connect(target.settings)
    except psycopg.OperationalError as error:
        raise CopyRefused(f"Нет соединения с базой {target.label}: {error}") from error
    try:
        if queries.user_tables(connection):
            raise CopyRefused(f"База {target.label} не пуста: восстановление только в пустую базу "
                              "(createdb новое_имя и DATABASE_URL на неё).")
    finally:
        connection.close()


def restore_database(opened: OpenedCopy, target: Target) -> None:
    if target.engine == "sqlite":
        path = Path(target.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            leftover.unlink(missing_ok=True)  # an empty file (checked), or the traces of one
        partial = path.with_name(f".{path.name}.restoring")
        shutil.copyfile(opened.database_file, partial)
        os.replace(partial, path)
        return
    connection = pg_connect(target.settings)
    try:
        major = queries.server_major(connection)
    finally:
        connection.close()
    dumped = re.search(r"(\d+)", opened.manifest.tool)
    pg_restore, _ = find_tool("pg_restore", max(major, int(dumped.group(1)) if dumped else major))
    result = subprocess.run(  # noqa: S603 - a found pg_restore, fixed arguments
        [pg_restore, "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges", "--no-password",
         f"--dbname={target.name}", str(opened.database_file)],
        env=_pg_env(target.settings), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CopyRefused(f"pg_restore завершился с ошибкой: {result.stderr.strip()[-500:]}")


@contextlib.contextmanager
def reader_for(target: Target) -> Iterator[queries.Reader]:
    if target.engine == "sqlite":
        sqlite_reader = queries.SqliteReader.open(target.name)
        try:
            yield sqlite_reader
        finally:
            sqlite_reader.close()
        return
    connection = pg_connect(target.settings)
    try:
        queries.utc_session(connection)
        yield queries.PostgresReader(connection)
    finally:
        connection.rollback()
        connection.close()


def quick_check(target: Target) -> str:
    if target.engine != "sqlite":
        return "ok"
    reader = queries.SqliteReader.open(target.name)
    try:
        return reader.quick_check()
    finally:
        reader.close()


def clear(target: Target) -> None:
    """Take a restore that failed its check back out, leaving the database empty as it was."""
    if target.engine == "sqlite":
        Path(target.name).unlink(missing_ok=True)
        return
    connection = pg_connect(target.settings, autocommit=True)
    try:
        queries.empty_schema(connection)
    finally:
        connection.close()


@contextlib.contextmanager
def scratch(source: Target, workdir: Path) -> Iterator[Target]:
    """An empty database of the source's engine for a drill, removed afterwards: a file in ``workdir``, or a new
    PostgreSQL database on the same server (``ZHURNAL_DRILL_DATABASE_PREFIX`` + a unique tail)."""
    if source.engine == "sqlite":
        path = workdir / "drill.sqlite3"
        yield Target(engine="sqlite", settings={"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)})
        return
    prefix = settings.ZHURNAL_DRILL_DATABASE_PREFIX or f"{source.name}_drill_"
    name = f"{prefix[:40]}{uuid.uuid4().hex[:12]}"
    admin = pg_connect(source.settings, autocommit=True)
    try:
        queries.create_database(admin, name, queries.database_locale(admin, source.name))
        try:
            yield Target(engine="postgresql", settings={**source.settings, "NAME": name})
        finally:
            queries.drop_database(admin, name)
    finally:
        admin.close()
