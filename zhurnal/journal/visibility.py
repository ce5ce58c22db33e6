"""When families see final marks and the forecast — the one place for the rule.

Every diary page, the printable weekly report, the calendar feed and the families' notifications ask these
functions (so the rule lives in the journal, below both); nothing else decides it. Current marks are visible as soon as the teacher saves them.

- A final mark for a period becomes visible ``ZHURNAL_FINALS_VISIBLE_DAYS`` (2) days before the period ends
  (the regulations: «не позднее чем за два дня до окончания периода»); the year mark likewise before the end of
  the year's last period.
- The forecast (the suggested final marks computed by the journal's rules) is shown from
  ``ZHURNAL_FORECAST_DAYS`` (14) days before the period ends until its last day.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings


def finals_visible_days() -> int:
    return max(0, int(getattr(settings, "ZHURNAL_FINALS_VISIBLE_DAYS", 2)))


def forecast_days() -> int:
    return max(0, int(getattr(settings, "ZHURNAL_FORECAST_DAYS", 14)))


def finals_visible_from(period_end: dt.date) -> dt.date:
    return period_end - dt.timedelta(days=finals_visible_days())


def family_can_see_final(*, period_end: dt.date, today: dt.date) -> bool:
    """A saved final mark of a period (or the year) ending on ``period_end`` is shown to the family today."""
    return today >= finals_visible_from(period_end)


def forecast_window(period_start: dt.date, period_end: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day on which the forecast of a period's final marks is shown."""
    return max(period_start, period_end - dt.timedelta(days=forecast_days())), period_end


def in_forecast_window(*, period_start: dt.date, period_end: dt.date, today: dt.date) -> bool:
    start, end = forecast_window(period_start, period_end)
    return start <= today <= end
