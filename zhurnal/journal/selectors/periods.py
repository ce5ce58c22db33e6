"""An assignment's calendar: its grade, reporting periods, the current one, whether it takes marks."""

from __future__ import annotations

import datetime as dt

from zhurnal.core.stamps import school_or_id
from zhurnal.school.models import (
    GroupMembership,
    ReportingPeriod,
    TeachingAssignment,
)
from zhurnal.school.selectors import grade_periods

from .. import grading, locks
from ..grading import Policy


def assignment_grade(assignment: TeachingAssignment) -> int | None:
    """The grade of the assignment's group; a cross-class group takes the lowest grade of its members."""
    group = assignment.group
    if group.school_class is not None:
        return group.school_class.grade
    grades = [grade for grade in GroupMembership.objects.filter(group=group)
              .values_list("student__enrollments__school_class__grade", flat=True) if grade is not None]
    return min(grades) if grades else None


def assignment_periods(assignment: TeachingAssignment, grade: int | None = None) -> list[ReportingPeriod]:
    """The reporting periods of the assignment's grade — cached per school stamp when the assignment comes with
    its school."""
    grade = (grade if grade is not None else assignment_grade(assignment)) or 1
    return grade_periods(assignment.year_id, grade, school=school_or_id(assignment))


def current_period(periods: list[ReportingPeriod], today: dt.date) -> ReportingPeriod | None:
    """The period that contains today; between periods the one just ended; before the year the first."""
    if not periods:
        return None
    current = locks.period_of(periods, today)
    if current is not None:
        return current
    past = [p for p in periods if p.end < today]
    return past[-1] if past else periods[0]


def period_policy_date(period: ReportingPeriod, today: dt.date) -> dt.date:
    """Averages and suggestions of a period follow the rules in force on its last day (or today, if earlier)."""
    return min(period.end, today)


def marks_allowed_for(assignment: TeachingAssignment, grade: int | None, policy: Policy) -> bool:
    return grading.marks_allowed(grade=grade, subject_without_marks=assignment.subject.without_marks, policy=policy)
