"""What a report is asked for: the school, the year, today, and its filters read from the request (class, period,
week, month, teacher), each checked against what the user may see — an unknown or foreign id falls back to the
first visible choice, never an error page; a class the user may not see is a 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.http import Http404

from zhurnal.core import params
from zhurnal.core.dates import today as school_today
from zhurnal.school.models import AcademicYear, ReportingPeriod, School, SchoolClass, StaffMember
from zhurnal.school.roles import SchoolRoles
from zhurnal.school.selectors import current_year

from . import metrics, permissions
from .metrics import YEAR


@dataclass
class Filter:
    name: str
    label: str
    choices: list[tuple[str, str]]
    value: str


parse_date = params.parse_date
_int = params.parse_id


@dataclass
class ReportContext:
    roles: SchoolRoles
    params: Mapping[str, str]
    today: dt.date = field(default_factory=school_today)
    user: Any = None

    @property
    def school(self) -> School:
        assert self.roles.school is not None
        return self.roles.school

    @cached_property
    def year(self) -> AcademicYear:
        year = current_year(self.school, self.today)
        if year is None:
            raise Http404("В школе ещё не создан учебный год.")
        return year

    @cached_property
    def settings(self) -> metrics.Settings:
        return metrics.settings_of(self.school)

    # --- class ---------------------------------------------------------------------------------------------------

    @cached_property
    def classes(self) -> list[SchoolClass]:
        return list(permissions.classes_for_reports(self.roles).filter(year=self.year)
                    .select_related("class_teacher", "school").order_by("grade", "letter"))

    @cached_property
    def school_class(self) -> SchoolClass:
        wanted = _int(self.params.get("class"))
        if wanted is not None:
            found = next((c for c in self.classes if c.pk == wanted), None)
            if found is None:
                raise Http404
            return found
        led = [c for c in self.classes if c.pk in self.roles.led_class_ids]
        if led:
            return led[0]
        if not self.classes:
            raise Http404("Нет классов, по которым вам доступны отчёты.")
        return self.classes[0]

    def class_filter(self) -> Filter:
        return Filter("class", "Класс", [(str(c.pk), c.name) for c in self.classes], str(self.school_class.pk))

    # --- period ----------------------------------------------------------------------------------------------------

    @cached_property
    def _periods_by_grade(self) -> dict[int, list[ReportingPeriod]]:
        return metrics.periods_by_grade(self.year)

    def periods_of(self, grade: int) -> list[ReportingPeriod]:
        """The grade's periods in order (the year's periods read once per report)."""
        return list(self._periods_by_grade.get(grade, []))

    def default_period(self, periods: list[ReportingPeriod]) -> ReportingPeriod | None:
        """The period under way, else the one just over."""
        if not periods:
            return None
        current = next((p for p in periods if p.start <= self.today <= p.end), None)
        if current is not None:
            return current
        past = [p for p in periods if p.end < self.today]
        return past[-1] if past else periods[0]

    def chosen_period(self, periods: list[ReportingPeriod], *, allow_year: bool = True) -> ReportingPeriod | None:
        """The ``period`` parameter among ``periods``: None means the year."""
        raw = self.params.get("period", "")
        if allow_year and raw == YEAR:
            return None
        wanted = _int(raw)
        found = next((p for p in periods if p.pk == wanted), None)
        return found or self.default_period(periods)

    def period_filter(self, periods: list[ReportingPeriod], chosen: ReportingPeriod | None, *,
                      allow_year: bool = True, label_sets: bool = False) -> Filter:
        choices = [(str(p.pk), f"{p.name} ({p.period_set.grade_from}–{p.period_set.grade_to} кл.)" if label_sets
                    else p.name) for p in periods]
        if allow_year:
            choices.append((YEAR, "год"))
        return Filter("period", "Период", choices, str(chosen.pk) if chosen is not None else YEAR)

    def class_term(self, *, allow_year: bool = True) -> tuple[metrics.Term, list[ReportingPeriod]]:
        periods = self.periods_of(self.school_class.grade)
        chosen = self.chosen_period(periods, allow_year=allow_year)
        term = metrics.period_term(chosen) if chosen is not None else metrics.year_term(self.year, periods)
        return term, periods

    @cached_property
    def all_periods(self) -> list[ReportingPeriod]:
        return list(ReportingPeriod.objects.filter(period_set__year=self.year).select_related("period_set")
                    .order_by("start", "period_set__grade_from", "number"))

    # --- week, month, date ---------------------------------------------------------------------------------------

    @cached_property
    def week(self) -> dt.date:
        day = parse_date(self.params.get("week", "")) or self.today
        return day - dt.timedelta(days=day.weekday())

    def week_filter(self, count: int = 12) -> Filter:
        monday = self.today - dt.timedelta(days=self.today.weekday())
        weeks = [monday - dt.timedelta(days=7 * i) for i in range(count)]
        if self.week not in weeks:
            weeks.append(self.week)
        return Filter("week", "Неделя", [(w.isoformat(), f"{w:%d.%m}–{w + dt.timedelta(days=6):%d.%m.%Y}")
                                         for w in weeks], self.week.isoformat())

    @cached_property
    def on(self) -> dt.date:
        day = parse_date(self.params.get("on", "")) or self.today
        return min(max(day, self.year.start), self.year.end)

    # --- teacher -----------------------------------------------------------------------------------------------------

    @cached_property
    def teachers(self) -> list[StaffMember]:
        ids = permissions.own_assignments(self.roles).filter(year=self.year).values("teacher_id")
        return list(StaffMember.objects.filter(pk__in=ids).order_by("last_name", "first_name", "patronymic"))

    @cached_property
    def teacher(self) -> StaffMember:
        wanted = _int(self.params.get("teacher"))
        found = next((t for t in self.teachers if t.pk == wanted), None)
        if found is not None:
            return found
        own = next((t for t in self.teachers if self.roles.staff is not None and t.pk == self.roles.staff.pk), None)
        if own is not None:
            return own
        if not self.teachers:
            raise Http404("Нет учебной нагрузки.")
        return self.teachers[0]

    def teacher_filter(self) -> Filter:
        return Filter("teacher", "Учитель", [(str(t.pk), t.short_name) for t in self.teachers], str(self.teacher.pk))


Builder = Callable[[ReportContext], Any]
