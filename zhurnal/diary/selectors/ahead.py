"""What a family should know ahead and about the period: the control works of the coming days and the
period's absences."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from zhurnal.journal.models import AbsenceCode, Attendance
from zhurnal.journal.policies import policy_for
from zhurnal.school.models import ReportingPeriod, Student
from zhurnal.timetable.models import Lesson

from .placement import group_assignments, placement

AHEAD_DAYS = 14


@dataclass(frozen=True)
class UpcomingControl:
    date: dt.date
    number: int
    subject: str
    what: str  # the control type's name, else the topic


def upcoming_controls(student: Student, *, today: dt.date, days: int = AHEAD_DAYS) -> list[UpcomingControl]:
    """Control works of the student's lessons from today on: lessons whose control type the school counts as a
    control work (the teacher set it in the lesson record), or whose topic says so. Three queries (the student's
    placement, the lessons), the school's assignments and rules from its cache."""
    end = today + dt.timedelta(days=days)
    place = placement(student, today, end)
    school = student.school
    assignments = {row.assignment_id: row for row in group_assignments(place, school)}
    if not assignments:
        return []
    control_ids = sorted(policy_for(school, today).control_types)
    found = (Lesson.objects.filter(assignment_id__in=list(assignments), date__gte=today, date__lte=end,
                                   cancelled=False)
             .filter(Q(record__control_type_id__in=control_ids) | Q(topic__contains="онтрольн"))
             .values_list("date", "number", "assignment_id", "topic", "record__control_type__name")
             .order_by("date", "number"))
    result = []
    for date, number, assignment_id, topic, control_name in found:
        row = assignments[assignment_id]
        if not place.attends(group_kind=row.group_kind, group_id=row.group_id, school_class_id=row.school_class_id,
                             day=date):
            continue
        what = control_name or "контрольная работа"
        if topic:
            what = f"{what}: {topic}"
        result.append(UpcomingControl(date=date, number=number, subject=row.subject, what=what))
    return result


@dataclass(frozen=True)
class PeriodAbsences:
    period: ReportingPeriod
    total: int
    unexcused: int
    sick: int
    excused: int
    late: int


def period_absences(student: Student, period: ReportingPeriod, *, today: dt.date) -> PeriodAbsences:
    """The student's absences and latenesses in the period so far — one query."""
    counts = dict(Attendance.objects.filter(student=student, lesson__date__gte=period.start,
                                            lesson__date__lte=min(today, period.end))
                  .values_list("code").annotate(n=Count("pk")).values_list("code", "n"))
    return PeriodAbsences(
        period=period, unexcused=counts.get(AbsenceCode.ABSENT, 0), sick=counts.get(AbsenceCode.SICK, 0),
        excused=counts.get(AbsenceCode.EXCUSED, 0), late=counts.get(AbsenceCode.LATE, 0),
        total=sum(n for code, n in counts.items() if code != AbsenceCode.LATE),
    )
