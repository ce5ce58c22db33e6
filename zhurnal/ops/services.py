"""Every write of the backups app: the schedule, the record of each copy and of each restore drill."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zhurnal.accounts.models import User
from zhurnal.audit import services as audit
from zhurnal.audit.verbs import Verb
from zhurnal.core import stamps
from zhurnal.school.models import School

from .models import BackupCopy, BackupPolicy, BackupRun, RestoreDrill

POLICY_ID = 1


def _policy_snapshot(policy: BackupPolicy) -> dict[str, Any]:
    return {"school": policy.school_id, "weekday": policy.weekday, "at": policy.at.strftime("%H:%M"),
            "yearly_month": policy.yearly_month, "keep_weekly_months": policy.keep_weekly_months,
            "keep_monthly_months": policy.keep_monthly_months, "keep_yearly_years": policy.keep_yearly_years,
            "drill_every_days": policy.drill_every_days}


def _locked_policy() -> BackupPolicy:
    BackupPolicy.objects.get_or_create(pk=POLICY_ID)
    return BackupPolicy.objects.select_for_update().get(pk=POLICY_ID)


@transaction.atomic
def save_backup_schedule(*, actor: User | None, weekday: int, at: dt.time, yearly_month: int,
                         keep_weekly_months: int, keep_monthly_months: int, keep_yearly_years: int,
                         drill_every_days: int) -> BackupPolicy:
    """The school's schedule and retention ladder (the page checks who may; the values are checked here)."""
    policy = _locked_policy()
    before = _policy_snapshot(policy)
    policy.weekday, policy.at, policy.yearly_month = weekday, at, yearly_month
    policy.keep_weekly_months, policy.keep_monthly_months = keep_weekly_months, keep_monthly_months
    policy.keep_yearly_years, policy.drill_every_days = keep_yearly_years, drill_every_days
    policy.updated_by = actor
    policy.full_clean(exclude=["school", "updated_by"])
    if policy.keep_monthly_months < policy.keep_weekly_months:
        raise ValidationError({"keep_monthly_months": "Ежемесячные архивы хранятся не меньше еженедельных копий."})
    policy.save()
    audit.record(actor=actor, verb=Verb.BACKUP_SCHEDULE, target=policy, school=policy.school, before=before,
                 after=_policy_snapshot(policy))
    return policy


@transaction.atomic
def set_backup_keeper(*, actor: User | None, school: School | None) -> BackupPolicy:
    """Which school's administrator keeps this installation's copies (a region: none, or the one named)."""
    policy = _locked_policy()
    before = _policy_snapshot(policy)
    previous = policy.school_id
    policy.school = school
    policy.save(update_fields=["school", "updated_at"])
    for school_id in {previous, getattr(school, "pk", None)} - {None}:
        stamps.bump(school_id)  # the menu and the page ask who keeps the copies through the school's cache
    audit.record(actor=actor, verb=Verb.BACKUP_KEEPER, target=policy, school=school, before=before,
                 after=_policy_snapshot(policy))
    return policy


@dataclass
class CopyOutcome:
    destination: str
    label: str
    ok: bool
    path: str = ""
    error: str = ""
    pruned: int = 0
    finished_at: dt.datetime | None = None


@transaction.atomic
def record_backup(*, started_at: dt.datetime, finished_at: dt.datetime, kind: str, trigger: str, engine: str,
                  file_name: str, size: int, sha256: str, encrypted: bool, error: str,
                  figures: dict[str, Any], copies: list[CopyOutcome]) -> BackupRun:
    """A copy taken (or attempted): a success when at least one destination holds it, read back and checked."""
    ok = any(c.ok for c in copies) and not error
    if not error and not all(c.ok for c in copies):
        error = "; ".join(f"{c.label or c.destination}: {c.error}" for c in copies if not c.ok)
    run = BackupRun.objects.create(
        started_at=started_at, finished_at=finished_at, kind=kind, trigger=trigger, engine=engine,
        file_name=file_name, size=size, sha256=sha256, encrypted=encrypted, ok=ok, error=error, figures=figures)
    BackupCopy.objects.bulk_create([
        BackupCopy(run=run, destination=c.destination, label=c.label, path=c.path, ok=c.ok, error=c.error,
                   pruned=c.pruned, finished_at=c.finished_at or finished_at)
        for c in copies
    ])
    return run


@transaction.atomic
def record_drill(*, started_at: dt.datetime, finished_at: dt.datetime, trigger: str, copy_path: str,
                 copy_taken_at: dt.datetime | None, engine: str, ok: bool, error: str,
                 figures: dict[str, Any]) -> RestoreDrill:
    return RestoreDrill.objects.create(
        started_at=started_at, finished_at=finished_at, trigger=trigger, copy_path=copy_path,
        copy_taken_at=copy_taken_at, engine=engine, ok=ok, error=error, figures=figures)


@transaction.atomic
def record_restore(*, actor: User | None, copy_name: str, taken_at: dt.datetime, figures: dict[str, Any]) -> None:
    """The journal restored from a copy leaves that fact in its own audit log (a legal document)."""
    policy = _locked_policy()
    audit.record(actor=actor, verb=Verb.BACKUP_RESTORED, target=policy, school=policy.school,
                 after={"copy": copy_name, "taken_at": taken_at.isoformat(), **figures},
                 reason="восстановление из резервной копии")
