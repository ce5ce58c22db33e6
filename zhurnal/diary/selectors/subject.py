"""One subject of a student: the computation shown, the forecast and "what if"."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from zhurnal.journal import grading, visibility
from zhurnal.journal.grading import Average, GradedMark, Policy, Suggestion
from zhurnal.journal.models import (
    FinalKind,
    FinalMark,
    WorkType,
)
from zhurnal.journal.policies import rules_on
from zhurnal.journal.selectors import period_mark_rows, period_policy_date
from zhurnal.school.models import (
    ReportingPeriod,
    School,
    SchoolClass,
    Student,
    Subject,
    TeachingAssignment,
)
from zhurnal.school.selectors import grade_periods

from .placement import Placement, year_assignments


@dataclass
class MarkLine:
    date: dt.date
    value: str
    text: str
    work_type: str
    comment: str
    weight: Decimal
    number: Decimal | None
    counted: bool
    is_control: bool

    @property
    def product(self) -> Decimal | None:
        return self.number * self.weight if self.counted and self.number is not None else None

    @property
    def note(self) -> str:
        if self.number is None:
            return "не учитывается в среднем"
        if self.weight <= 0:
            return "вес 0 — не учитывается"
        return ""


@dataclass
class WhatIfCell:
    value: str
    suggestion: str | None
    average: Decimal | None
    changes: bool


@dataclass
class WhatIfRow:
    weight: Decimal
    work_types: list[str]
    is_control: bool
    cells: list[WhatIfCell]
    raise_to: str | None = None  # the next mark up …
    raise_with: int | None = None  # … needs this many «5» of this kind


@dataclass
class SubjectSection:
    assignment: TeachingAssignment
    lines: list[MarkLine]
    average: Average
    suggestion: Suggestion
    what_if: list[WhatIfRow]
    final: FinalMark | None
    show_forecast: bool
    marks_allowed: bool
    marks_html: str = ""  # the marks and the computation, rendered by ``rendering.render_marks``

    @property
    def counted(self) -> list[MarkLine]:
        return [line for line in self.lines if line.counted]

    @property
    def numerator(self) -> Decimal:
        return sum((line.product for line in self.counted if line.product is not None), Decimal(0))

    @property
    def warning(self) -> str:
        return forecast_warning(self.suggestion, min_marks=None) if self.show_forecast else ""


@dataclass
class YearFinal:
    assignment: TeachingAssignment
    values: list[tuple[str, str | None]]  # (period name, visible final mark) in the order of the periods
    year: FinalMark | None


@dataclass
class SubjectPage:
    student: Student
    subject: Subject
    period: ReportingPeriod
    periods: list[ReportingPeriod]
    sections: list[SubjectSection]
    years: list[YearFinal]
    policy: Policy
    today: dt.date
    forecast_from: dt.date
    finals_from: dt.date
    in_window: bool

    @property
    def thresholds(self) -> list[tuple[str, Decimal]]:
        return list(self.policy.thresholds)


def forecast_warning(suggestion: Suggestion, *, min_marks: int | None) -> str:
    if suggestion.value is None:
        return "недостаточно отметок для итоговой"
    if suggestion.value in ("1", "2"):
        return f"прогноз «{suggestion.value}» — есть риск неудовлетворительной итоговой отметки"
    return ""


def _what_if(marks: list[GradedMark], current: Suggestion, work_types: list[WorkType], policy: Policy,
             on: dt.date) -> list[WhatIfRow]:
    """Which one more mark (2…5) of which kind of work would change the suggested final mark; and how many «5»
    would raise it by one. Every figure is ``grading.suggest_final_mark`` on the marks plus the imagined ones."""
    groups: dict[tuple[Decimal, bool], list[WorkType]] = {}
    for work_type in work_types:
        weight = policy.weight(work_type.pk)
        if not work_type.is_active or weight <= 0:
            continue
        groups.setdefault((weight, work_type.pk in policy.control_types), []).append(work_type)
    rows = []
    base = grading.weighted_average(marks, policy=policy)
    for (weight, is_control), kinds in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1])):
        sample = kinds[0].pk
        cells = []
        for value in ("5", "4", "3", "2"):
            mark = GradedMark(value, "", sample, on, 99, 99)  # after every mark of that day
            imagined = grading.suggest_final_mark([*marks, mark], policy=policy,
                                                  average=grading.with_mark(base, mark, policy=policy))
            cells.append(WhatIfCell(value=value, suggestion=imagined.value, average=imagined.average,
                                    changes=imagined.value != current.value))
        row = WhatIfRow(weight=weight, work_types=[k.name for k in kinds], is_control=is_control, cells=cells)
        if current.value in ("1", "2", "3", "4"):
            target = str(int(current.value) + 1)
            extra: list[GradedMark] = []
            average = base
            for n in range(1, 11):
                five = GradedMark("5", "", sample, on, 99 + n, 99)
                extra.append(five)
                average = grading.with_mark(average, five, policy=policy)
                if grading.suggest_final_mark([*marks, *extra], policy=policy, average=average).value == target:
                    row.raise_to, row.raise_with = target, n
                    break
        rows.append(row)
    return rows


def student_periods(place: Placement, today: dt.date, *,
                    school: School | int) -> tuple[SchoolClass | None, list[ReportingPeriod]]:
    school_class = place.latest_class(today)
    if school_class is None:
        return None, []
    return school_class, grade_periods(school_class.year_id, school_class.grade, school=school)


def diary_subject(student: Student, subject: Subject, *, period: ReportingPeriod, periods: list[ReportingPeriod],
                  school_class: SchoolClass, place: Placement, today: dt.date) -> SubjectPage:
    """Marks of one subject in a period with the weighted average worked out, the suggested final mark and how
    it follows from the school's rules, what one more mark would change, and the final marks of every period
    and the year. Queries: the marks and the final marks, whatever their number; the student's assignments of
    the subject (with their teachers and groups), the work types and the policy come from the school's cache."""
    school = student.school
    assignments = year_assignments(place, school, school_class.year_id, subject_id=subject.pk)
    policy, work_types = rules_on(school, period_policy_date(period, today))
    names: dict[int | None, str] = {w.pk: w.name for w in work_types}
    lines: dict[int, list[MarkLine]] = defaultdict(list)
    graded: dict[int, list[GradedMark]] = defaultdict(list)
    for assignment_id, mark, comment in period_mark_rows([a.pk for a in assignments], student.pk, period):
        graded[assignment_id].append(mark)
        value, modifier, work_type_id = mark.value, mark.modifier, mark.work_type_id
        number = grading.mark_number(value, modifier, policy=policy)
        weight = policy.weight(work_type_id)
        lines[assignment_id].append(MarkLine(
            date=mark.date, value=value, text=grading.format_mark(value, modifier),
            work_type=names.get(work_type_id, ""), comment=comment, weight=weight, number=number,
            counted=number is not None and weight > 0, is_control=work_type_id in policy.control_types))
    finals = _visible_finals(FinalMark.objects.filter(student=student, assignment_id__in=[a.pk for a in assignments]),
                             periods, today)
    in_window = visibility.in_forecast_window(period_start=period.start, period_end=period.end, today=today)
    sections = []
    grade = school_class.grade
    for assignment in assignments:
        marks = graded.get(assignment.pk, [])
        in_group = any(place.attends(group_kind=assignment.group.kind, group_id=assignment.group_id,
                                     school_class_id=assignment.group.school_class_id, day=day)
                       for day in (period.start, min(max(today, period.start), period.end), period.end))
        if not marks and not in_group:
            continue
        suggestion = grading.suggest_final_mark(marks, policy=policy)
        final = finals.get((assignment.pk, period.pk))
        last = max((m.date for m in marks), default=period.start)
        sections.append(SubjectSection(
            assignment=assignment, lines=lines.get(assignment.pk, []),
            average=grading.weighted_average(marks, policy=policy), suggestion=suggestion,
            what_if=_what_if(marks, suggestion, work_types, policy, max(min(today, period.end), last)),
            final=final, show_forecast=in_window and final is None,
            marks_allowed=grading.marks_allowed(grade=grade, subject_without_marks=subject.without_marks,
                                                policy=policy),
        ))
    years = [YearFinal(assignment=a, values=[(p.name, getattr(finals.get((a.pk, p.pk)), "value", None))
                                             for p in periods],
                       year=finals.get((a.pk, None))) for a in assignments
             if any(key[0] == a.pk for key in finals) or any(s.assignment.pk == a.pk for s in sections)]
    forecast_from, _ = visibility.forecast_window(period.start, period.end)
    return SubjectPage(student=student, subject=subject, period=period, periods=periods, sections=sections,
                       years=years, policy=policy, today=today, forecast_from=forecast_from,
                       finals_from=visibility.finals_visible_from(period.end), in_window=in_window)


def _visible_finals(finals: QuerySet[FinalMark], periods: list[ReportingPeriod],
                    today: dt.date) -> dict[tuple[int, int | None], FinalMark]:
    """Final marks the family sees today, keyed by (assignment, period id or None for the year)."""
    ends = {p.pk: p.end for p in periods}
    year_end = periods[-1].end if periods else None
    out: dict[tuple[int, int | None], FinalMark] = {}
    for final in finals:
        end = year_end if final.kind == FinalKind.YEAR or final.period_id is None else ends.get(final.period_id)
        if end is not None and visibility.family_can_see_final(period_end=end, today=today):
            out[(final.assignment_id, final.period_id if final.kind == FinalKind.PERIOD else None)] = final
    return out
