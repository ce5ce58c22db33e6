"""Taking copies, restoring them, rehearsing the restore, and the scheduled run.

``run_scheduled()`` is what runs unattended: ``zhurnal backup --scheduled`` from cron or the Windows task scheduler
(every hour; it does only what is due), and the task queue's periodic task once the queue exists.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.metadata
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.utils import timezone
from pyrage import x25519

from . import engines, schedule, selectors, services
from .archive import (
    CopyRefused,
    OpenedCopy,
    default_identity,
    encrypt,
    load_identities,
    open_copy,
    place_media,
    recipients,
    sha256_file,
    sidecar,
    write_archive,
    write_to,
)
from .destinations import CopyFile, Destination, configured, copy_name
from .engines import BackupFailed, Target
from .manifest import Figures, Manifest, differences, measure, pending_migrations, unknown_migrations
from .models import BackupPolicy, BackupRun, RestoreDrill, Trigger

# What a failed copy or drill may raise, recorded rather than crashing the scheduler.
FAILURES: tuple[type[BaseException], ...] = (BackupFailed, CopyRefused, OSError, sqlite3.Error, psycopg.Error,
                                             subprocess.SubprocessError)


def staging_root() -> Path:
    root = Path(settings.ZHURNAL_BACKUP_STAGING)
    root.mkdir(parents=True, exist_ok=True)
    return root


@contextlib.contextmanager
def workdir(prefix: str) -> Iterator[Path]:
    """A private folder on the computer's own disk for one copy or restore, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=staging_root()))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def app_version() -> str:
    try:
        return importlib.metadata.version("zhurnal")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _figures_summary(figures: Figures) -> dict[str, Any]:
    return {"tables": len(figures.row_counts), "rows": figures.total_rows,
            "hashes": {label: {"rows": h.rows, "sha256": h.sha256} for label, h in figures.hashes.items()}}


# --- taking a copy --------------------------------------------------------------------------------------------


def take_backup(*, trigger: str = Trigger.CONSOLE, kind: str | None = None,
                destinations: list[Destination] | None = None, media_root: Path | None = None,
                now: dt.datetime | None = None) -> BackupRun:
    """Copy the database and the uploaded files while the school works, write the copy to every destination that
    is ready (read back and checked there), prune old copies by the ladder, record the outcome. Never raises for
    a failed copy: the failure is recorded (the page warns)."""
    started = now or timezone.now()
    policy = selectors.backup_policy()
    destinations = configured() if destinations is None else destinations
    kind = kind or selectors.kind_for_new_copy(started, policy)
    source = Target.default()
    clock = time.monotonic()
    timings: dict[str, float] = {}
    copies: list[services.CopyOutcome] = []
    file_name, size, digest, encrypted, error = "", 0, "", False, ""
    figures: dict[str, Any] = {}
    try:
        states = {d.key: d.state() for d in destinations}
        if not any(s.ready for s in states.values()):
            problems = "; ".join(f"{d.path}: {states[d.key].problem}" for d in destinations) or "не указаны"
            raise BackupFailed(f"Ни один носитель для копий не доступен ({problems}).")
        to = recipients()
        with workdir("backup-") as work:
            snapshot = engines.take_snapshot(source, work)
            timings["snapshot"] = time.monotonic() - clock
            manifest = Manifest(
                created_at=started.astimezone(dt.UTC).isoformat(), engine=snapshot.engine,
                server_version=snapshot.server_version, app_version=app_version(), kind=kind,
                migrations=snapshot.migrations, row_counts=snapshot.figures.row_counts,
                hashes=snapshot.figures.hashes, database=snapshot.database_member,
                database_size=snapshot.database_file.stat().st_size,
                database_sha256=sha256_file(snapshot.database_file), tool=snapshot.tool)
            encrypted = bool(to)
            file_name = copy_name(started, kind, encrypted=encrypted)
            plain = work / file_name.removesuffix(".age")
            media = write_archive(plain, manifest, snapshot.database_file,
                                  media_root if media_root is not None else Path(settings.MEDIA_ROOT))
            staged = plain
            if encrypted:
                staged = work / file_name
                encrypt(plain, staged, to)
                plain.unlink()
            snapshot.database_file.unlink()
            timings["archive"] = time.monotonic() - clock - timings["snapshot"]
            size, digest = staged.stat().st_size, sha256_file(staged)
            figures = {**_figures_summary(snapshot.figures), "media_files": media.files, "media_bytes": media.bytes,
                       "database_bytes": manifest.database_size, "engine_version": snapshot.server_version}
            for destination in destinations:
                copies.append(_write_copy(destination, states[destination.key], staged, policy, started))
            timings["write"] = time.monotonic() - clock - timings["snapshot"] - timings["archive"]
    except FAILURES as failure:
        error = str(failure) or failure.__class__.__name__
    figures["seconds"] = {k: round(v, 3) for k, v in {**timings, "total": time.monotonic() - clock}.items()}
    return services.record_backup(
        started_at=started, finished_at=timezone.now(), kind=kind, trigger=trigger, engine=source.engine,
        file_name=file_name, size=size, sha256=digest, encrypted=encrypted, error=error, figures=figures,
        copies=copies)


def _write_copy(destination: Destination, state: Any, staged: Path, policy: BackupPolicy,
                now: dt.datetime) -> services.CopyOutcome:
    outcome = services.CopyOutcome(destination=destination.key, label=state.label, ok=False)
    if not state.ready:
        outcome.error = state.problem
        return outcome
    try:
        outcome.path = str(write_to(destination.path, staged))
        outcome.ok = True
        outcome.finished_at = timezone.now()
        outcome.pruned = prune(destination, policy, now)
    except OSError as error:
        outcome.error = outcome.error or f"{error.strerror or error}"
    return outcome


def prune(destination: Destination, policy: BackupPolicy, now: dt.datetime) -> int:
    """Remove the copies the retention ladder no longer keeps on this destination (with their ``.sha256``)."""
    removed = 0
    for copy in schedule.to_prune(destination.copies(), now, policy):
        copy.path.unlink(missing_ok=True)
        sidecar(copy.path).unlink(missing_ok=True)
        removed += 1
    return removed


# --- restoring ------------------------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    copy: Path
    manifest: Manifest
    target: str
    size: int
    sidecar_checked: bool
    media_files: int
    pending_migrations: list[str]
    figures: Figures
    seconds: dict[str, float] = field(default_factory=dict)


def refusal_by_manifest(manifest: Manifest, target: Target) -> None:
    """What the manifest alone says against restoring into ``target``."""
    if manifest.engine != target.engine:
        raise CopyRefused(f"Копия сделана с {engines.ENGINE_LABELS.get(manifest.engine, manifest.engine)}, а база "
                          f"назначения — {engines.ENGINE_LABELS[target.engine]}: такую копию сюда не восстановить.")
    newer = unknown_migrations(manifest.migrations)
    if newer:
        raise CopyRefused(f"Копия сделана более новой версией программы ({manifest.app_version}): этой версии "
                          f"неизвестны изменения базы {', '.join(newer[:5])}. Установите версию не старше "
                          f"{manifest.app_version} и повторите.")


def restore_copy(path: Path, *, target: Target, identities: list[x25519.Identity] | None = None,
                 media_root: Path | None = None) -> RestoreReport:
    """Check the copy, restore it into the empty ``target``, compare its counts and hashes with the manifest (a
    difference takes the restore back out), then place the uploaded files into ``media_root``. Raises
    ``CopyRefused`` with the reason."""
    clock = time.monotonic()
    seconds: dict[str, float] = {}

    def check(manifest: Manifest) -> None:
        refusal_by_manifest(manifest, target)
        engines.ensure_empty(target)
        if media_root is not None and media_root.exists() and any(media_root.iterdir()):
            raise CopyRefused(f"Папка загруженных файлов {media_root} не пуста: восстановление только в пустую.")

    with workdir("restore-") as work:
        opened = open_copy(path, work, identities=identities, check=check)
        seconds["check"] = time.monotonic() - clock
        engines.restore_database(opened, target)
        seconds["restore"] = time.monotonic() - clock - seconds["check"]
        try:
            figures = verify(opened, target)
        except BaseException:
            engines.clear(target)
            raise
        seconds["verify"] = time.monotonic() - clock - seconds["check"] - seconds["restore"]
        media_files = place_media(opened, media_root) if media_root is not None else 0
    seconds["total"] = time.monotonic() - clock
    return RestoreReport(copy=path, manifest=opened.manifest, target=target.label, size=opened.size,
                         sidecar_checked=opened.sidecar_checked, media_files=media_files,
                         pending_migrations=pending_migrations(opened.manifest.migrations), figures=figures,
                         seconds={k: round(v, 3) for k, v in seconds.items()})


def verify(opened: OpenedCopy, target: Target) -> Figures:
    """The restored database's counts and hashes, by the copy's own tables and columns, against the manifest."""
    check = engines.quick_check(target)
    if check != "ok":
        raise CopyRefused(f"Восстановленная база повреждена: {check}.")
    manifest = opened.manifest
    with engines.reader_for(target) as reader:
        figures = measure(reader, tables=manifest.row_counts, specs=manifest.hashes.values())
    problems = differences(manifest.figures, figures)
    if problems:
        raise CopyRefused("После восстановления данные не совпадают с копией: " + "; ".join(problems[:5]) + ".")
    return figures


# --- the drill ------------------------------------------------------------------------------------------------


def newest_copy(destinations: list[Destination] | None = None) -> CopyFile | None:
    found = [c for d in (configured() if destinations is None else destinations) if d.state().ready
             for c in d.copies()]
    return max(found, key=lambda c: c.taken_at) if found else None


def run_drill(*, copy: Path | None = None, identities: list[x25519.Identity] | None = None,
              trigger: str = Trigger.CONSOLE, destinations: list[Destination] | None = None) -> RestoreDrill:
    """Restore a copy (by default the newest on the destinations) into a scratch database of the same engine,
    check it as a real restore would, drop the scratch database, record the result. Never raises for a failed
    drill: the failure is recorded (the page warns)."""
    started = timezone.now()
    source = Target.default()
    figures: dict[str, Any] = {}
    error, copy_path, taken_at = "", str(copy or ""), None
    try:
        if copy is None:
            newest = newest_copy(destinations)
            if newest is None:
                raise BackupFailed("Ни на одном доступном носителе нет копий для проверки.")
            copy = newest.path
            copy_path = str(copy)
        if identities is None and copy.name.endswith(".age") and (key := default_identity()) is not None:
            identities = load_identities(key)
        with workdir("drill-") as work, engines.scratch(source, work) as scratch:
            report = restore_copy(copy, target=scratch, identities=identities, media_root=work / "media-restored")
        taken_at = report.manifest.taken_at
        figures = {"size": report.size, "rows": report.figures.total_rows, "tables": len(report.figures.row_counts),
                   "media_files": report.media_files, "seconds": report.seconds, "target": report.target,
                   "sidecar_checked": report.sidecar_checked, "pending_migrations": len(report.pending_migrations),
                   "hashes": {label: h.rows for label, h in report.figures.hashes.items()}}
    except FAILURES as failure:
        error = str(failure) or failure.__class__.__name__
    return services.record_drill(started_at=started, finished_at=timezone.now(), trigger=trigger,
                                 copy_path=copy_path, copy_taken_at=taken_at, engine=source.engine, ok=not error,
                                 error=error, figures=figures)


# --- the schedule ---------------------------------------------------------------------------------------------


@dataclass
class ScheduledOutcome:
    backup: BackupRun | None = None
    drill: RestoreDrill | None = None
    note: str = ""


@contextlib.contextmanager
def run_lock(stale_after: dt.timedelta = dt.timedelta(hours=12)) -> Iterator[bool]:
    """One scheduled run at a time (cron and the queue may both start one): yields whether this one got it."""
    path = staging_root() / "scheduled.lock"
    try:
        if path.exists() and time.time() - path.stat().st_mtime > stale_after.total_seconds():
            path.unlink(missing_ok=True)  # left by a run that died
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        yield False
        return
    try:
        os.write(descriptor, str(os.getpid()).encode())
        os.close(descriptor)
        yield True
    finally:
        path.unlink(missing_ok=True)


def run_scheduled(now: dt.datetime | None = None, *, destinations: list[Destination] | None = None
                  ) -> ScheduledOutcome:
    """Whatever the schedule says is due now: the weekly copy (as the month's or the year's archive when it is
    the first of its month or archive year) to every ready destination, then a restore drill when the last one is
    older than the policy allows. Safe to call every hour."""
    now = now or timezone.now()
    with run_lock() as got_it:
        if not got_it:
            return ScheduledOutcome(note="копирование уже выполняется")
        policy = selectors.backup_policy()
        destinations = configured() if destinations is None else destinations
        outcome = ScheduledOutcome()
        due = [d for d in destinations if schedule.copy_due(now, policy, selectors.last_copy_time(d))]
        ready = [d for d in destinations if d.state().ready]
        if any(d in ready for d in due):
            outcome.backup = take_backup(trigger=Trigger.SCHEDULE, destinations=ready, now=now)
        elif due and not BackupRun.objects.filter(ok=False, started_at__gte=schedule.last_slot(now, policy)).exists():
            # Every drive that needs the copy is unplugged: one recorded failure per scheduled moment, not hourly.
            outcome.backup = take_backup(trigger=Trigger.SCHEDULE, destinations=due, now=now)
        good = selectors.last_good_drill()
        last_try = RestoreDrill.objects.order_by("-started_at").values_list("started_at", flat=True).first()
        # A failed drill is tried again the next day, not every hour; and only when there is a copy to restore.
        retry = last_try is None or now - last_try >= dt.timedelta(days=1) or (good and good.started_at == last_try)
        if (schedule.drill_due(now, policy, good.started_at if good else None) and retry
                and (outcome.backup is None or outcome.backup.ok) and newest_copy(destinations) is not None):
            outcome.drill = run_drill(trigger=Trigger.SCHEDULE, destinations=destinations)
        if outcome.backup is None and outcome.drill is None:
            outcome.note = "ничего не требуется: копия и проверка по расписанию уже сделаны"
        return outcome
