"""Final marks of an assignment: per period and for the year."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from zhurnal.school.models import (
    ReportingPeriod,
    Student,
    TeachingAssignment,
)

from .. import grading, locks
from ..grading import GradedMark, Policy, Suggestion
from ..models import (
    FinalKind,
    FinalMark,
    Mark,
)
from ..policies import policy_for
from .members import member_spans
from .periods import marks_allowed_for, period_policy_date


@dataclass
class FinalRow:
    student: Student
    average: Decimal | None
    count: int
    suggestion: Suggestion
    final: FinalMark | None
    period_values: list[str | None] = field(default_factory=list)
    # What the form shows: the mark and reason just posted (when the save was refused), else the final mark's.
    form_value: str = ""
    form_reason: str = ""


def period_final_rows(assignment: TeachingAssignment, period: ReportingPeriod, *, today: dt.date,
                      policy: Policy) -> list[FinalRow]:
    """Students of the period with average, suggestion and final mark — three queries."""
    spans = member_spans(assignment.group, period.start, period.end)
    graded: dict[int, list[GradedMark]] = defaultdict(list)
    for student_id, value, modifier, work_type_id, date, position, number in (Mark.objects.filter(lesson__assignment=assignment, lesson__date__gte=period.start,
                                                  lesson__date__lte=period.end, lesson__cancelled=False)
                              .values_list("student_id", "value", "modifier", "work_type_id", "lesson__date",
                                           "position", "lesson__number")):
        graded[student_id].append(GradedMark(value, modifier, work_type_id, date, position, number))
    finals = {f.student_id: f for f in FinalMark.objects.filter(assignment=assignment, period=period,
                                                                kind=FinalKind.PERIOD)}
    rows = []
    for student_id, (student, _) in spans.items():
        marks = graded.get(student_id, [])
        suggestion = grading.suggest_final_mark(marks, policy=policy)
        rows.append(FinalRow(student=student, average=suggestion.average, count=suggestion.count,
                             suggestion=suggestion, final=finals.get(student_id)))
    return rows


def year_final_rows(assignment: TeachingAssignment, periods: list[ReportingPeriod], *,
                    policy: Policy) -> list[FinalRow]:
    """Students of the year with their period marks, the suggested year mark and the year mark — three queries."""
    year = assignment.year
    start = periods[0].start if periods else year.start
    end = periods[-1].end if periods else year.end
    spans = member_spans(assignment.group, start, end)
    period_index = {p.pk: i for i, p in enumerate(periods)}
    by_student: dict[int, list[str | None]] = defaultdict(lambda: [None] * len(periods))
    year_marks: dict[int, FinalMark] = {}
    for final in FinalMark.objects.filter(assignment=assignment):
        if final.kind == FinalKind.YEAR:
            year_marks[final.student_id] = final
        elif final.period_id in period_index:
            by_student[final.student_id][period_index[final.period_id]] = final.value
    rows = []
    for student_id, (student, student_spans) in spans.items():
        values = list(by_student[student_id])
        # Periods the student was not in the group at all do not count against him.
        present = [v for v, p in zip(values, periods, strict=True)
                   if v is not None or any(s <= p.end and e >= p.start for s, e in student_spans)]
        suggestion = grading.suggest_year_mark(present, policy=policy)
        rows.append(FinalRow(student=student, average=suggestion.average, count=suggestion.count,
                             suggestion=suggestion, final=year_marks.get(student_id), period_values=values))
    return rows


@dataclass
class FinalsPage:
    """The final marks page of an assignment: a period's (``period``) or the year's (``period`` is None)."""

    periods: list[ReportingPeriod]
    period: ReportingPeriod | None
    policy: Policy
    lock: locks.LockState
    marks_allowed: bool
    rows: list[FinalRow]

    @property
    def is_year(self) -> bool:
        return self.period is None


def finals_page(assignment: TeachingAssignment, periods: list[ReportingPeriod], period: ReportingPeriod | None, *,
                grade: int | None, today: dt.date, posted: dict[int, tuple[str, str]] | None = None) -> FinalsPage:
    """Rows of the period (or of the year, ``period=None``) under the rules of its last day and its lock (the
    year's is its last period's); ``posted`` (student id → mark, reason) is what a refused save brought back."""
    lock_period = period or periods[-1]
    policy = policy_for(assignment.school, period_policy_date(lock_period, today))
    lock = locks.period_lock(lock_period, policy=policy, today=today,
                             reopened_until=locks.reopened_until(assignment, lock_period, policy=policy, today=today))
    rows = (year_final_rows(assignment, periods, policy=policy) if period is None
            else period_final_rows(assignment, period, today=today, policy=policy))
    for row in rows:
        value, reason = (posted or {}).get(row.student.pk, (None, None))
        row.form_value = value if value is not None else (row.final.value if row.final else "")
        row.form_reason = reason if reason is not None else (row.final.reason if row.final else "")
    return FinalsPage(periods=periods, period=period, policy=policy, lock=lock, rows=rows,
                      marks_allowed=marks_allowed_for(assignment, grade, policy))
