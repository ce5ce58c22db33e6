"""A pupil's standing in one subject's period, as the grid's row and the diary show it: his weighted average and
the suggested final mark, and his unexcused absences in a period. Asked by whoever watches a pupil's figures
(notifications' alerts) so that nobody computes them a second way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zhurnal.school.models import ReportingPeriod, TeachingAssignment

from .. import grading, locks
from ..models import AbsenceCode, Attendance
from ..policies import rules_on
from .grid import student_period_marks
from .periods import assignment_grade, assignment_periods, period_policy_date


@dataclass(frozen=True)
class Standing:
    period: ReportingPeriod
    average: grading.Average
    suggestion: grading.Suggestion


def student_standing(assignment: TeachingAssignment, student_id: int, *, on: dt.date,
                     today: dt.date) -> Standing | None:
    """The pupil's average and suggested final mark in the period of ``assignment`` that holds the day ``on``
    (None outside every period), by the rules in force for that period."""
    period = locks.period_of(assignment_periods(assignment, assignment_grade(assignment)), on)
    if period is None:
        return None
    policy, _ = rules_on(assignment.school_id, period_policy_date(period, today))
    marks = student_period_marks(assignment, student_id, period)
    average = grading.weighted_average(marks, policy=policy)
    return Standing(period, average, grading.suggest_final_mark(marks, policy=policy, average=average))


def unexcused_in_span(student_id: int, start: dt.date, end: dt.date) -> int:
    """The pupil's absences without a reason («н») at lessons from ``start`` to ``end``, cancelled ones aside."""
    return Attendance.objects.filter(student_id=student_id, code=AbsenceCode.ABSENT, lesson__date__gte=start,
                                     lesson__date__lte=end, lesson__cancelled=False).count()
