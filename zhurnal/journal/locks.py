"""When the journal stops accepting changes: closed periods, reopenings, the edit window after a lesson.

One place for the rule, used by the services (which refuse or demand a reason) and the pages (which show it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zhurnal.school.models import ReportingPeriod, TeachingAssignment

from .grading import Policy
from .models import PeriodReopening


@dataclass(frozen=True)
class LockState:
    period: ReportingPeriod | None
    closes_after: dt.date | None  # the last day teachers may still edit
    closed: bool
    reopened_until: dt.date | None = None

    @property
    def message(self) -> str:
        if self.period is None:
            return ""
        if self.closed and self.closes_after is not None:
            return (f"Период «{self.period.name}» закрыт {self.closes_after + dt.timedelta(days=1):%d.%m.%Y}: "
                    "изменения вносятся только после открытия периода заместителем директора.")
        if self.reopened_until is not None:
            return f"Период «{self.period.name}» открыт для исправлений до {self.reopened_until:%d.%m.%Y}."
        return ""


def period_lock(period: ReportingPeriod | None, *, policy: Policy, today: dt.date,
                reopened_until: dt.date | None = None) -> LockState:
    """A period closes ``policy.close_after_days`` days after its end; a reopening keeps it open until its date."""
    if period is None:
        return LockState(period=None, closes_after=None, closed=False)
    closes_after = period.end + dt.timedelta(days=policy.close_after_days)
    reopened = reopened_until if reopened_until is not None and reopened_until >= today else None
    closed = today > closes_after and reopened is None
    return LockState(period=period, closes_after=closes_after, closed=closed,
                     reopened_until=reopened if today > closes_after else None)


def reopened_until(assignment: TeachingAssignment | int, period: ReportingPeriod | int | None, *,
                   policy: Policy | None = None, today: dt.date | None = None) -> dt.date | None:
    """The latest date up to which the deputy reopened this assignment's period (one query — none at all when
    ``policy`` and ``today`` show the period is not closed yet)."""
    if period is None:
        return None
    if policy is not None and today is not None and isinstance(period, ReportingPeriod) and \
            today <= period.end + dt.timedelta(days=policy.close_after_days):
        return None
    assignment_id = assignment if isinstance(assignment, int) else assignment.pk
    period_id = period if isinstance(period, int) else period.pk
    row = (PeriodReopening.objects.filter(assignment_id=assignment_id, period_id=period_id)
           .order_by("-until").values_list("until", flat=True).first())
    return row


def is_late(lesson_date: dt.date, *, policy: Policy, today: dt.date) -> bool:
    """A change after the school's edit window (off unless set) is a late correction and needs a reason."""
    if policy.edit_window_days is None:
        return False
    return today > lesson_date + dt.timedelta(days=policy.edit_window_days)


def is_late_correction(lesson_date: dt.date, *, policy: Policy, today: dt.date, lock: LockState) -> bool:
    """A change to a lesson is a late correction (a reason is asked, the history marks it) after the edit window,
    and always in a closed period the deputy reopened — one rule for the lesson page and every write."""
    return is_late(lesson_date, policy=policy, today=today) or lock.reopened_until is not None


def period_of(periods: list[ReportingPeriod], on: dt.date) -> ReportingPeriod | None:
    for period in periods:
        if period.start <= on <= period.end:
            return period
    return None
