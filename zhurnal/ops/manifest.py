"""What a copy says about itself, and the figures that prove a restore: per-table row counts, the migration state,
and SHA-256 hashes of the tables that make the journal a legal document (marks, attendance, final marks, the
audit log).

A hash is computed over the rows in primary-key order, each value written in one canonical form whatever the engine
returned (SQLite keeps dates as text and booleans as 0/1, PostgreSQL returns dates, ``Decimal`` and ``bool``), so
the same data hashes the same on SQLite and PostgreSQL. The manifest records each hashed table's columns with their
kinds, so a later version of the program checks an older copy by the copy's own columns.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.migrations.loader import MigrationLoader

from .queries import Reader

FORMAT = 1
# The tables whose content is hashed: what a teacher entered and the trace of every change.
HASHED_MODELS = ("journal.Mark", "journal.Attendance", "journal.FinalMark", "audit.AuditEntry")

_INT = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
        "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField"}
_TEXT = {"CharField", "TextField", "SlugField", "EmailField", "URLField", "FileField", "ImageField",
         "FilePathField", "GenericIPAddressField", "IPAddressField"}
_SIMPLE = {"BooleanField": "bool", "DateField": "date", "DateTimeField": "datetime", "TimeField": "time",
           "DurationField": "duration", "FloatField": "float", "JSONField": "json", "UUIDField": "uuid",
           "BinaryField": "binary"}


def column_kind(field_: models.Field) -> str:
    """How a column's values are written into the hash."""
    target: Any = field_.target_field if isinstance(field_, models.ForeignKey) else field_
    internal = target.get_internal_type()
    if internal in _INT:
        return "int"
    if internal in _TEXT:
        return "text"
    if internal == "DecimalField":
        return f"decimal:{target.decimal_places}"
    if internal in _SIMPLE:
        return _SIMPLE[internal]
    raise ValueError(f"{field_}: no canonical form for {internal}")


def _utc_text(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


def canonical(kind: str, value: Any) -> Any:
    """One value in the form both engines' values take: JSON-ready, the same for the same data."""
    if value is None:
        return None
    if kind == "int":
        return int(value)
    if kind == "text":
        return str(value)
    if kind == "bool":
        return bool(value)
    if kind == "date":
        return (value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])).isoformat()
    if kind == "datetime":
        # SQLite: naive UTC text (Django's storage with USE_TZ); PostgreSQL: an aware datetime.
        return _utc_text(value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value)))
    if kind.startswith("decimal:"):
        places = int(kind.split(":", 1)[1])
        # SQLite's numeric affinity may hand back a float (4.5) for Decimal("4.50"): str() gives its shortest form.
        return format(decimal.Decimal(str(value)).quantize(decimal.Decimal(1).scaleb(-places)), "f")
    if kind == "json":
        loaded = json.loads(value) if isinstance(value, str | bytes) else value
        return json.dumps(loaded, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if kind == "uuid":
        return (value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))).hex
    if kind == "time":
        moment = value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))
        return moment.isoformat(timespec="microseconds")
    if kind == "duration":
        if isinstance(value, dt.timedelta):
            return value // dt.timedelta(microseconds=1)
        return int(value)
    if kind == "float":
        return repr(float(value))
    if kind == "binary":
        return bytes(value).hex()
    raise ValueError(f"unknown column kind {kind!r}")


@dataclass
class TableHash:
    model: str
    table: str
    order_by: str
    columns: list[tuple[str, str]]  # (column, kind)
    rows: int = 0
    sha256: str = ""


def hash_spec(label: str) -> TableHash:
    model = apps.get_model(label)
    opts = model._meta
    columns = [(f.column, column_kind(f)) for f in opts.concrete_fields]
    assert opts.pk is not None
    return TableHash(model=label, table=opts.db_table, order_by=opts.pk.column, columns=columns)


def compute_hash(reader: Reader, spec: TableHash) -> TableHash:
    digest = hashlib.sha256()
    names = [name for name, _ in spec.columns]
    kinds = [kind for _, kind in spec.columns]
    count = 0
    for row in reader.rows(spec.table, names, spec.order_by):
        values = [canonical(kind, value) for kind, value in zip(kinds, row, strict=True)]
        digest.update(json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode())
        digest.update(b"\n")
        count += 1
    return TableHash(model=spec.model, table=spec.table, order_by=spec.order_by, columns=spec.columns, rows=count,
                     sha256=digest.hexdigest())


def model_tables() -> list[str]:
    """Every table of the installed models (many-to-many tables too) and Django's migration table."""
    tables = {"django_migrations"}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables.add(model._meta.db_table)
    return sorted(tables)


@dataclass
class Figures:
    """What proves two databases hold the same data."""

    row_counts: dict[str, int]
    hashes: dict[str, TableHash]

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())


def measure(reader: Reader, *, tables: Iterable[str] | None = None,
            specs: Iterable[TableHash] | None = None) -> Figures:
    """Row counts of ``tables`` (by default every model's table found in the database) and the hashes of
    ``specs`` (by default ``HASHED_MODELS`` as the code defines them)."""
    present = reader.tables()
    wanted = list(tables) if tables is not None else [t for t in model_tables() if t in present]
    counts = {table: reader.count(table) if table in present else -1 for table in wanted}
    specs = list(specs) if specs is not None else [hash_spec(label) for label in HASHED_MODELS]
    hashes = {spec.model: compute_hash(reader, spec) for spec in specs if spec.table in present}
    return Figures(row_counts=counts, hashes=hashes)


def migration_state(reader: Reader) -> dict[str, list[str]]:
    """Applied migrations per app, in the order they were applied (the last is the app's state)."""
    state: dict[str, list[str]] = {}
    for applied in reader.migrations():
        state.setdefault(applied.app, []).append(applied.name)
    return state


def unknown_migrations(state: dict[str, list[str]]) -> list[str]:
    """The copy's applied migrations this program does not have: the copy was made by a newer version."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, names in sorted(state.items()) for name in names if (app, name) not in known]


def pending_migrations(state: dict[str, list[str]]) -> list[str]:
    """This program's migrations the copy has not applied (applied by ``migrate`` after a restore)."""
    applied = {(app, name) for app, names in state.items() for name in names}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(f"{app}.{name}" for app, name in loader.disk_migrations if (app, name) not in applied)


@dataclass
class Manifest:
    """The first member of a copy. ``database`` names the dump's member; its size and SHA-256 are checked before
    anything is restored; the uploaded files' index is the copy's last member (``media_index``)."""

    created_at: str
    engine: str
    server_version: str
    app_version: str
    kind: str
    migrations: dict[str, list[str]]
    row_counts: dict[str, int]
    hashes: dict[str, TableHash]
    database: str
    database_size: int
    database_sha256: str
    tool: str = ""  # pg_dump's version, or SQLite's
    media_index: str = "media-index.json"
    format: int = FORMAT
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def taken_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.created_at)

    @property
    def last_migrations(self) -> dict[str, str]:
        return {app: names[-1] for app, names in self.migrations.items() if names}

    @property
    def figures(self) -> Figures:
        return Figures(row_counts=dict(self.row_counts), hashes=dict(self.hashes))

    def to_json(self) -> bytes:
        data = asdict(self)
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("неизвестный формат описания копии")
        hashes = {label: TableHash(**{**spec, "columns": [tuple(c) for c in spec["columns"]]})
                  for label, spec in data.pop("hashes").items()}
        return cls(hashes=hashes, **data)


def differences(expected: Figures, found: Figures) -> list[str]:
    """What differs between a copy's figures and a database's, in words an administrator reads."""
    problems = []
    for table, count in sorted(expected.row_counts.items()):
        got = found.row_counts.get(table)
        if got != count:
            problems.append(f"таблица {table}: в копии {count} строк, в базе {'нет' if got in (None, -1) else got}")
    for label, spec in sorted(expected.hashes.items()):
        other = found.hashes.get(label)
        if other is None:
            problems.append(f"{label}: таблицы нет в базе")
        elif other.sha256 != spec.sha256:
            problems.append(f"{label}: контрольная сумма не совпадает ({other.rows} строк против {spec.rows})")
    return problems
