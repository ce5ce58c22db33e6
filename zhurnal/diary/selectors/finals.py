"""A student's final marks: subjects × periods, and the family's acknowledgement."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from zhurnal.core.stamps import school_or_id
from zhurnal.journal import grading, visibility
from zhurnal.journal.grading import GradedMark, Suggestion
from zhurnal.journal.models import (
    FinalMark,
)
from zhurnal.journal.policies import rules_on
from zhurnal.journal.selectors import current_period, period_mark_rows, period_policy_date
from zhurnal.school.models import (
    GroupKind,
    ReportingPeriod,
    SchoolClass,
    Student,
    TeachingAssignment,
)

from ..models import AcknowledgementKind, FinalAcknowledgement
from .placement import placement, year_assignments
from .subject import _visible_finals, forecast_warning, student_periods


@dataclass
class FinalCell:
    final: str | None = None
    forecast: Suggestion | None = None
    average: Decimal | None = None
    warning: str = ""
    current: bool = False


@dataclass
class FinalsRow:
    assignment: TeachingAssignment
    cells: list[FinalCell]
    year: FinalCell
    marks_allowed: bool

    @property
    def label(self) -> str:
        group = self.assignment.group
        suffix = f" ({group.name})" if group.kind != GroupKind.CLASS else ""
        return f"{self.assignment.subject.name}{suffix}"


@dataclass
class AckState:
    key: str  # period id or "year"
    label: str
    visible: bool  # final marks of it are shown to the family
    has_marks: bool
    acknowledgements: list[FinalAcknowledgement]
    snapshot: dict[str, str]

    def for_guardian(self, guardian_ids: frozenset[int]) -> FinalAcknowledgement | None:
        for ack in self.acknowledgements:
            if ack.guardian_id in guardian_ids:
                return ack
        return None

    def is_current(self, ack: FinalAcknowledgement) -> bool:
        return ack.marks == self.snapshot


@dataclass
class FinalsPage:
    student: Student
    school_class: SchoolClass | None
    periods: list[ReportingPeriod]
    rows: list[FinalsRow]
    current: ReportingPeriod | None
    in_window: bool
    forecast_from: dt.date | None
    acks: list[AckState]
    today: dt.date

    @property
    def warnings(self) -> list[tuple[FinalsRow, str]]:
        out = []
        for row in self.rows:
            for cell in row.cells:
                if cell.warning:
                    out.append((row, cell.warning))
        return out


def _snapshot(rows: list[FinalsRow], index: int | None) -> dict[str, str]:
    out = {}
    for row in rows:
        cell = row.year if index is None else row.cells[index]
        if cell.final:
            out[row.label] = cell.final
    return out


def diary_finals(student: Student, *, today: dt.date) -> FinalsPage:
    """Every subject × every period and the year: final marks the family may see, the current period's average
    and, inside the forecast window, the suggested final mark with warnings; acknowledgements. Four queries
    (placement, final marks, the current period's marks, acknowledgements); the assignments, rules and periods
    come from the school's cache."""
    year_start = today - dt.timedelta(days=366)
    place = placement(student, year_start, today + dt.timedelta(days=366))
    school_class, periods = student_periods(place, today, school=school_or_id(student))
    if school_class is None:
        return FinalsPage(student=student, school_class=None, periods=[], rows=[], current=None, in_window=False,
                          forecast_from=None, acks=[], today=today)
    year = school_class.year
    school = student.school
    # By name whatever the case: «МХК» after «Математика».
    assignments = sorted(year_assignments(place, school, year.pk),
                         key=lambda a: (a.subject.name.casefold(), a.group.name.casefold(), a.pk))
    ids = [a.pk for a in assignments]
    finals = _visible_finals(FinalMark.objects.filter(student=student, assignment_id__in=ids), periods, today)
    current = current_period(periods, today)
    if current is not None and not current.start <= today <= current.end:
        current = None
    in_window = current is not None and visibility.in_forecast_window(period_start=current.start,
                                                                      period_end=current.end, today=today)
    graded: dict[int, list[GradedMark]] = defaultdict(list)
    policy = None
    if current is not None:
        policy, work_types = rules_on(school, period_policy_date(current, today))
        # The journal's own query, in its order: the forecast is the journal's suggestion.
        for assignment_id, mark, _ in period_mark_rows(ids, student.pk, current):
            graded[assignment_id].append(mark)
    rows = []
    for assignment in assignments:
        in_group = any(place.attends(group_kind=assignment.group.kind, group_id=assignment.group_id,
                                     school_class_id=assignment.group.school_class_id, day=p.end if p.end < today
                                     else today) for p in periods)
        has_final = any(key[0] == assignment.pk for key in finals)
        if not in_group and not has_final and not graded.get(assignment.pk):
            continue
        allowed = policy is None or grading.marks_allowed(grade=school_class.grade,
                                                          subject_without_marks=assignment.subject.without_marks,
                                                          policy=policy)
        cells = []
        for period in periods:
            final = finals.get((assignment.pk, period.pk))
            cell = FinalCell(final=final.value if final else None, current=current is not None
                             and period.pk == current.pk)
            if cell.current and policy is not None and allowed:
                marks = graded.get(assignment.pk, [])
                average = grading.weighted_average(marks, policy=policy)
                cell.average = average.value
                if in_window and final is None:
                    cell.forecast = grading.suggest_final_mark(marks, policy=policy)
                    cell.warning = forecast_warning(cell.forecast, min_marks=policy.min_marks)
            cells.append(cell)
        year_final = finals.get((assignment.pk, None))
        year_cell = FinalCell(final=year_final.value if year_final else None)
        if (year_final is None and policy is not None and allowed and in_window and periods
                and current is not None and current.pk == periods[-1].pk):
            values = [c.final if c.final else (c.forecast.value if c.forecast else None) for c in cells]
            year_cell.forecast = grading.suggest_year_mark(values, policy=policy)
        rows.append(FinalsRow(assignment=assignment, cells=cells, year=year_cell, marks_allowed=allowed))
    acks_by_key: dict[str, list[FinalAcknowledgement]] = defaultdict(list)
    for ack in (FinalAcknowledgement.objects.filter(student=student, year=year)
                .select_related("guardian").order_by("acknowledged_at")):
        acks_by_key[str(ack.period_id) if ack.kind == AcknowledgementKind.PERIOD else "year"].append(ack)
    acks = []
    for index, period in enumerate(periods):
        snapshot = _snapshot(rows, index)
        acks.append(AckState(key=str(period.pk), label=period.name,
                             visible=visibility.family_can_see_final(period_end=period.end, today=today),
                             has_marks=bool(snapshot), acknowledgements=acks_by_key.get(str(period.pk), []),
                             snapshot=snapshot))
    if periods:
        snapshot = _snapshot(rows, None)
        acks.append(AckState(key="year", label="год",
                             visible=visibility.family_can_see_final(period_end=periods[-1].end, today=today),
                             has_marks=bool(snapshot), acknowledgements=acks_by_key.get("year", []),
                             snapshot=snapshot))
    forecast_from = visibility.forecast_window(current.start, current.end)[0] if current is not None else None
    return FinalsPage(student=student, school_class=school_class, periods=periods, rows=rows, current=current,
                      in_window=in_window, forecast_from=forecast_from, acks=acks, today=today)
