"""The schedule and the retention ladder as plain rules over times: what is due now, what rung a new copy takes,
which old copies go. No database and no files here (``backups.py`` applies them), so each rule is tested alone.

- Weekly copy: due when a destination has had no copy since the last scheduled moment (the weekday and time of
  the policy). A computer that was off on Friday evening makes it at its next run.
- Monthly archive: the first copy of a calendar month. Yearly archive: the first copy from the first day of the
  archive month (July by default: the school year closed) — within three months of it, so a copy in December is
  not taken for the year's archive.
- Retention: weekly copies kept ``keep_weekly_months``, monthly archives ``keep_monthly_months``, yearly
  ``keep_yearly_years``; the newest copies are never removed, whatever their age.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from .destinations import CopyFile
from .models import BackupPolicy, CopyKind

GRACE = dt.timedelta(days=1)  # a copy a day late is late, not missing
KEEP_NEWEST = 2


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time ``months`` earlier (the month's last day when the month is shorter)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    day = min(moment.day, (next_month - dt.timedelta(days=1)).day)
    return moment.replace(year=year, month=month, day=day)


def last_slot(now: dt.datetime, policy: BackupPolicy) -> dt.datetime:
    """The latest scheduled moment at or before ``now`` (school-local weekday and time)."""
    local = timezone.localtime(now)
    days_back = (local.weekday() - policy.weekday) % 7
    slot = timezone.make_aware(dt.datetime.combine(local.date() - dt.timedelta(days=days_back), policy.at))
    if slot > now:
        slot -= dt.timedelta(days=7)
    return slot


def month_start(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    return timezone.make_aware(dt.datetime.combine(local.date().replace(day=1), dt.time.min))


def archive_year_start(now: dt.datetime, policy: BackupPolicy) -> dt.datetime:
    """The first day of the archive month, this year's or last year's, at or before ``now``."""
    local = timezone.localtime(now)
    year = local.year if local.month >= policy.yearly_month else local.year - 1
    return timezone.make_aware(dt.datetime(year, policy.yearly_month, 1))  # noqa: DTZ001 - made aware here


def kind_for(now: dt.datetime, policy: BackupPolicy, *, last_monthly: dt.datetime | None,
             last_yearly: dt.datetime | None) -> str:
    """The rung of a copy taken ``now``, given the last monthly-or-yearly and yearly copies taken."""
    year_start = archive_year_start(now, policy)
    if (last_yearly is None or last_yearly < year_start) and now < months_before(year_start, -3):
        return CopyKind.YEARLY
    if last_monthly is None or last_monthly < month_start(now):
        return CopyKind.MONTHLY
    return CopyKind.WEEKLY


def copy_due(now: dt.datetime, policy: BackupPolicy, last_copy: dt.datetime | None) -> bool:
    return last_copy is None or last_copy < last_slot(now, policy)


def copy_overdue(now: dt.datetime, policy: BackupPolicy, last_copy: dt.datetime | None) -> bool:
    """The page's warning: the last copy is older than the schedule allows (a week and a day's grace)."""
    return last_copy is None or now - last_copy > dt.timedelta(days=7) + GRACE


def monthly_overdue(now: dt.datetime, last_monthly: dt.datetime | None) -> bool:
    return last_monthly is None or now - last_monthly > dt.timedelta(days=31) + GRACE


def drill_due(now: dt.datetime, policy: BackupPolicy, last_drill: dt.datetime | None) -> bool:
    return last_drill is None or now - last_drill >= dt.timedelta(days=policy.drill_every_days)


def drill_overdue(now: dt.datetime, policy: BackupPolicy, last_drill: dt.datetime | None) -> bool:
    return last_drill is None or now - last_drill > dt.timedelta(days=policy.drill_every_days) + GRACE


def to_prune(copies: Sequence[CopyFile], now: dt.datetime, policy: BackupPolicy) -> list[CopyFile]:
    """The copies of one destination the ladder no longer keeps, oldest first."""
    newest = sorted(copies, key=lambda c: c.taken_at)[-KEEP_NEWEST:]
    weekly_limit = months_before(now, policy.keep_weekly_months)
    monthly_limit = months_before(now, policy.keep_monthly_months)
    yearly_limit = months_before(now, 12 * policy.keep_yearly_years)
    prune = []
    for copy in sorted(copies, key=lambda c: c.taken_at):
        if copy in newest:
            continue
        kept = copy.taken_at >= weekly_limit
        if copy.kind in (CopyKind.MONTHLY, CopyKind.YEARLY):
            kept = kept or copy.taken_at >= monthly_limit
        if copy.kind == CopyKind.YEARLY:
            kept = kept or copy.taken_at >= yearly_limit
        if not kept:
            prune.append(copy)
    return prune
