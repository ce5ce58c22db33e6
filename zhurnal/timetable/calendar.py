"""School days, holidays, week rotation and bell times: the calendar questions every timetable page asks.

Each answer lives here once: whether a date is a lesson day for a grade, which week of a two-week rotation
a date falls in, and when a lesson of a shift starts and ends on a date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from zhurnal.core import stamps
from zhurnal.school.models import AcademicYear, Holiday, School

from .models import Bell, SpecialBellDay, WeekParity

ALL_GRADES = (1, 11)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def iso_weekday(day: dt.date) -> int:
    """1 = Monday … 7 = Sunday, as ``TimetableEntry.weekday``."""
    return day.isoweekday()


def week_parity(year: AcademicYear, day: dt.date) -> int:
    """Week 1 or 2 of a two-week rotation, counting the week of the year's first day as week 1."""
    weeks = (monday_of(day) - monday_of(year.start)).days // 7
    return WeekParity.FIRST if weeks % 2 == 0 else WeekParity.SECOND


def parity_matches(entry_week: int, parity: int) -> bool:
    return entry_week == WeekParity.EVERY or entry_week == parity


def parities_overlap(a: int, b: int) -> bool:
    return a == WeekParity.EVERY or b == WeekParity.EVERY or a == b


def dates_between(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


@dataclass
class HolidayCalendar:
    """The year's holidays and vacations, answering "is there school for grade G on date D?" without queries."""

    spans: list[tuple[dt.date, dt.date, int, int, str]] = field(default_factory=list)

    @classmethod
    def for_year(cls, year: AcademicYear) -> HolidayCalendar:
        rows = Holiday.objects.filter(year=year).values_list("start", "end", "grade_from", "grade_to", "name")
        return cls(spans=list(rows))

    @classmethod
    def for_school(cls, school: School, start: dt.date, end: dt.date) -> HolidayCalendar:
        """The holidays touching ``start``–``end``: every holiday of the school is cached per school stamp."""
        rows = stamps.cached(school, "holidays", "", lambda: list(Holiday.objects.filter(school=school).values_list(
            "start", "end", "grade_from", "grade_to", "name")))
        return cls(spans=[(first, last, grade_from, grade_to, name) for first, last, grade_from, grade_to, name in rows
                          if first <= end and last >= start])

    def holiday_for(self, day: dt.date, grade: int | None) -> str | None:
        """The name of the holiday that frees ``grade`` on ``day`` (cross-class groups: only school-wide ones)."""
        for start, end, grade_from, grade_to, name in self.spans:
            if start <= day <= end:
                if grade is None:
                    if (grade_from, grade_to) == ALL_GRADES:
                        return name
                elif grade_from <= grade <= grade_to:
                    return name
        return None

    def is_school_wide_holiday(self, day: dt.date) -> str | None:
        return self.holiday_for(day, None)


@dataclass
class BellTimes:
    """Bell times of a year, with the special days of a span: ``times(date, shift, number)`` costs no query."""

    main: dict[int, dict[int, tuple[dt.time, dt.time]]] = field(default_factory=dict)
    by_schedule: dict[int, dict[int, tuple[dt.time, dt.time]]] = field(default_factory=dict)
    special: dict[tuple[dt.date, int], int] = field(default_factory=dict)

    @classmethod
    def load(cls, year: AcademicYear | None, start: dt.date | None = None, end: dt.date | None = None, *,
             school: School | None = None) -> BellTimes:
        """Two queries: every bell of the year's schedules, and the special days between ``start`` and ``end`` —
        none when ``school`` (the year's, loaded in this request) is given: the year's bells and special days are
        then cached per school stamp."""
        times = cls()
        if year is None:
            return times
        if school is not None:
            bells, special = stamps.cached(school, "bells", year.pk, lambda: _bell_rows(year, None, None))
        else:
            bells, special = _bell_rows(year, start, end)
        for schedule_id, shift, is_main, number, b_start, b_end in bells:
            times.by_schedule.setdefault(schedule_id, {})[number] = (b_start, b_end)
            if is_main:
                times.main.setdefault(shift, {})[number] = (b_start, b_end)
        times.special = {(d, s): sid for d, s, sid in special
                         if start is None or end is None or start <= d <= end}
        return times

    def times(self, day: dt.date | None, shift: int, number: int) -> tuple[dt.time, dt.time] | None:
        if day is not None:
            schedule_id = self.special.get((day, shift))
            if schedule_id is not None:
                return self.by_schedule.get(schedule_id, {}).get(number)
        return self.main.get(shift, {}).get(number)

    def weekly(self, shift: int, number: int) -> tuple[dt.time, dt.time] | None:
        return self.main.get(shift, {}).get(number)

    def numbers(self, shifts: Iterable[int] = (1, 2)) -> list[int]:
        found: set[int] = set()
        for shift in shifts:
            found |= set(self.main.get(shift, {}))
        return sorted(found)


def _bell_rows(year: AcademicYear, start: dt.date | None, end: dt.date | None) -> tuple[list[tuple], list[tuple]]:
    bells = Bell.objects.filter(schedule__year=year).values_list(
        "schedule_id", "schedule__shift", "schedule__is_main", "number", "start", "end")
    special = SpecialBellDay.objects.filter(schedule__year=year)
    if start is not None and end is not None:
        special = special.filter(date__gte=start, date__lte=end)
    return list(bells), list(special.values_list("date", "shift", "schedule_id"))


def minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def overlap(a: tuple[dt.time, dt.time], b: tuple[dt.time, dt.time]) -> bool:
    return minutes(a[0]) < minutes(b[1]) and minutes(b[0]) < minutes(a[1])


def grade_of_group(group) -> int | None:
    school_class = getattr(group, "school_class", None)
    return school_class.grade if school_class is not None else None


def shift_of_group(group) -> int:
    school_class = getattr(group, "school_class", None)
    return school_class.shift if school_class is not None else 1


def group_by(items: Iterable, key) -> dict:
    out: dict = defaultdict(list)
    for item in items:
        out[key(item)].append(item)
    return out
