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

from .. import grading
from ..grading import GradedMark, Policy, Suggestion
from ..models import (
    FinalKind,
    FinalMark,
    Mark,
)
from .members import member_spans


@dataclass
class FinalRow:
    student: Student
    average: Decimal | None
    count: int
    suggestion: Suggestion
    final: FinalMark | None
    period_values: list[str | None] = field(default_factory=list)


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
