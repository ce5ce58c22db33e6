"""The default calendar of a Russian school year, computed from the year's first day.

Every date here is only a starting point: the administrator edits periods and holidays.
"""

from __future__ import annotations

import datetime as dt

from .models import HolidayKind, PeriodKind


def academic_year_start(today: dt.date) -> dt.date:
    """1 September of the academic year that ``today`` falls in (June–August belong to the year before)."""
    year = today.year if today.month >= 9 else today.year - 1
    return dt.date(year, 9, 1)


def default_year_bounds(start: dt.date) -> tuple[dt.date, dt.date]:
    return start, dt.date(start.year + 1, 5, 31)


def default_periods(kind: str, start: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    y, n = start.year, start.year + 1
    if kind == PeriodKind.QUARTER:
        return [
            ("1 четверть", dt.date(y, 9, 1), dt.date(y, 10, 25)),
            ("2 четверть", dt.date(y, 11, 5), dt.date(y, 12, 28)),
            ("3 четверть", dt.date(n, 1, 12), dt.date(n, 3, 22)),
            ("4 четверть", dt.date(n, 4, 1), dt.date(n, 5, 31)),
        ]
    if kind == PeriodKind.TRIMESTER:
        return [
            ("1 триместр", dt.date(y, 9, 1), dt.date(y, 11, 30)),
            ("2 триместр", dt.date(y, 12, 1), dt.date(n, 2, 28)),
            ("3 триместр", dt.date(n, 3, 1), dt.date(n, 5, 31)),
        ]
    if kind == PeriodKind.HALF:
        return [
            ("1 полугодие", dt.date(y, 9, 1), dt.date(y, 12, 28)),
            ("2 полугодие", dt.date(n, 1, 12), dt.date(n, 5, 31)),
        ]
    raise ValueError(kind)


def default_holidays(start: dt.date) -> list[tuple[str, str, dt.date, dt.date]]:
    y, n = start.year, start.year + 1
    return [
        (HolidayKind.VACATION, "Осенние каникулы", dt.date(y, 10, 26), dt.date(y, 11, 4)),
        (HolidayKind.VACATION, "Зимние каникулы", dt.date(y, 12, 29), dt.date(n, 1, 11)),
        (HolidayKind.HOLIDAY, "День защитника Отечества", dt.date(n, 2, 23), dt.date(n, 2, 23)),
        (HolidayKind.HOLIDAY, "Международный женский день", dt.date(n, 3, 8), dt.date(n, 3, 8)),
        (HolidayKind.VACATION, "Весенние каникулы", dt.date(n, 3, 23), dt.date(n, 3, 31)),
        (HolidayKind.HOLIDAY, "Праздник Весны и Труда", dt.date(n, 5, 1), dt.date(n, 5, 1)),
        (HolidayKind.HOLIDAY, "День Победы", dt.date(n, 5, 9), dt.date(n, 5, 9)),
    ]


DEFAULT_PERIOD_SETS = [(PeriodKind.QUARTER, 1, 9), (PeriodKind.HALF, 10, 11)]
