"""What the backups page, the console status and the schedule read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from zhurnal.core import stamps
from zhurnal.core.templatetags.zhurnal import MONTHS_GENITIVE
from zhurnal.school.models import School

from . import schedule
from .destinations import Destination, DestinationState, configured, layout_warnings
from .models import BackupCopy, BackupPolicy, BackupRun, CopyKind, RestoreDrill, Weekday

POLICY_ID = 1


def backup_policy() -> BackupPolicy:
    """The installation's schedule (its defaults until someone saves it)."""
    return BackupPolicy.objects.filter(pk=POLICY_ID).first() or BackupPolicy(pk=POLICY_ID)


def keeper_school_id() -> int | None:
    """The school whose administrator keeps the copies: the one named, else the installation's only school."""
    named = BackupPolicy.objects.filter(pk=POLICY_ID, school__isnull=False).values_list("school_id", flat=True)
    for school_id in named:
        return int(school_id)
    schools = list(School.objects.values_list("pk", flat=True)[:2])
    return schools[0] if len(schools) == 1 else None


def keeps_backups(school: School) -> bool:
    """Whether ``school`` keeps this installation's copies (from the school's cache: the menu asks on every page)."""
    return stamps.cached(school, "backups.keeper", 0, keeper_school_id) == school.pk


def last_copy_time(destination: Destination) -> dt.datetime | None:
    """When the data of the newest copy checked on this destination was taken."""
    copy = (BackupCopy.objects.filter(destination=destination.key, ok=True).select_related("run")
            .order_by("-run__started_at").first())
    return copy.run.started_at if copy else None


def last_run_time(*kinds: str) -> dt.datetime | None:
    run = BackupRun.objects.filter(ok=True, kind__in=kinds).order_by("-started_at").first()
    return run.started_at if run else None


def kind_for_new_copy(now: dt.datetime, policy: BackupPolicy) -> str:
    return schedule.kind_for(now, policy, last_monthly=last_run_time(CopyKind.MONTHLY, CopyKind.YEARLY),
                             last_yearly=last_run_time(CopyKind.YEARLY))


def last_good_drill() -> RestoreDrill | None:
    return RestoreDrill.objects.filter(ok=True).order_by("-started_at").first()


@dataclass
class DestinationStatus:
    destination: Destination
    state: DestinationState
    last_ok: BackupCopy | None
    last_failure: BackupCopy | None
    overdue: bool

    @property
    def name(self) -> str:
        return self.state.label or str(self.destination.path)


@dataclass
class BackupStatus:
    now: dt.datetime
    policy: BackupPolicy
    destinations: list[DestinationStatus]
    runs: list[BackupRun]
    drills: list[RestoreDrill]
    last_monthly: BackupRun | None
    last_good_drill: RestoreDrill | None
    next_slot: dt.datetime
    encrypted: bool
    warnings: list[str] = field(default_factory=list)

    @property
    def yearly_month_genitive(self) -> str:
        return MONTHS_GENITIVE[self.policy.yearly_month - 1]

    @property
    def last_drill(self) -> RestoreDrill | None:
        return self.drills[0] if self.drills else None


def _ago(now: dt.datetime, then: dt.datetime) -> str:
    days = (now - then).days
    local = timezone.localtime(then)
    if days < 1:
        return f"сегодня, {local:%d.%m.%Y %H:%M}"
    return f"{days} дн. назад, {local:%d.%m.%Y %H:%M}"


def backup_status(now: dt.datetime | None = None) -> BackupStatus:
    """The state of the copies and drills, with a warning for each thing older than the schedule allows.
    A fixed number of queries: two per configured destination, four more."""
    now = now or timezone.now()
    policy = backup_policy()
    destinations = []
    for destination in configured():
        copies = BackupCopy.objects.filter(destination=destination.key).select_related("run")
        last_ok = copies.filter(ok=True).order_by("-run__started_at").first()
        last_failure = copies.filter(ok=False).order_by("-finished_at").first()
        if last_failure and last_ok and last_failure.finished_at < last_ok.finished_at:
            last_failure = None
        destinations.append(DestinationStatus(
            destination=destination, state=destination.state(), last_ok=last_ok, last_failure=last_failure,
            overdue=schedule.copy_overdue(now, policy, last_ok.run.started_at if last_ok else None)))
    runs = list(BackupRun.objects.order_by("-started_at", "-id")[:10])
    drills = list(RestoreDrill.objects.order_by("-started_at", "-id")[:5])
    last_monthly = (BackupRun.objects.filter(ok=True, kind__in=[CopyKind.MONTHLY, CopyKind.YEARLY])
                    .order_by("-started_at").first())
    good_drill = next((d for d in drills if d.ok), None) or last_good_drill()
    slot = schedule.last_slot(now, policy) + dt.timedelta(days=7)
    status = BackupStatus(now=now, policy=policy, destinations=destinations, runs=runs, drills=drills,
                          last_monthly=last_monthly, last_good_drill=good_drill, next_slot=slot,
                          encrypted=bool(settings.ZHURNAL_BACKUP_RECIPIENTS))
    status.warnings = _warnings(status)
    return status


def _warnings(status: BackupStatus) -> list[str]:
    now, policy = status.now, status.policy
    when = f"по расписанию — каждую неделю, {Weekday(policy.weekday).label} {policy.at:%H:%M}"
    warnings: list[str] = []
    if not status.destinations:
        warnings.append("Места хранения копий не указаны (ZHURNAL_BACKUP_DESTINATIONS): копии не делаются.")
    warnings += layout_warnings([d.destination for d in status.destinations])
    for item in status.destinations:
        if item.last_ok is None:
            warnings.append(f"На «{item.name}» ещё нет ни одной проверенной копии.")
        elif item.overdue:
            warnings.append(f"Последняя копия на «{item.name}» — {_ago(now, item.last_ok.run.started_at)}; "
                            f"{when}.")
        if not item.state.ready:
            warnings.append(f"«{item.name}» сейчас недоступен: {item.state.problem}.")
        if item.last_failure is not None:
            warnings.append(f"Запись на «{item.name}» {_ago(now, item.last_failure.finished_at)} не удалась: "
                            f"{item.last_failure.error}")
    if status.destinations and schedule.monthly_overdue(now, status.last_monthly.started_at
                                                        if status.last_monthly else None):
        warnings.append("Ежемесячного архива не было больше месяца.")
    drill = status.last_good_drill
    if drill is None:
        warnings.append("Восстановление из копии ещё ни разу не проверялось (zhurnal restore-drill).")
    elif schedule.drill_overdue(now, policy, drill.started_at):
        warnings.append(f"Последняя успешная проверка восстановления — {_ago(now, drill.started_at)}; "
                        f"положено не реже чем раз в {policy.drill_every_days} дн.")
    last = status.last_drill
    if last is not None and not last.ok:
        warnings.append(f"Последняя проверка восстановления ({_ago(now, last.started_at)}) не прошла: {last.error}")
    return warnings
