"""The class teacher's reads: the attendance week (the class summary is a report: ``reports.class_reports``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from zhurnal.audit.models import AuditEntry
from zhurnal.audit.verbs import Verb
from zhurnal.school.models import (
    Enrollment,
    SchoolClass,
    Student,
)
from zhurnal.timetable.models import Lesson

from ..models import (
    AbsenceCode,
    Attendance,
    AttendanceCheck,
)
from .history import CELL_VERBS, LESSON_TARGET, HistoryLine
from .members import _name_key


@dataclass
class AbsenceItem:
    attendance: Attendance
    history: list[AuditEntry]


@dataclass
class WeekRow:
    student: Student
    days: list[list[AbsenceItem]]

    @property
    def undecided(self) -> int:
        """Absences without a reason («н»): what the class teacher has to decide on."""
        return sum(1 for items in self.days for item in items if item.attendance.code == AbsenceCode.ABSENT)

    @property
    def absences(self) -> int:
        return sum(len(items) for items in self.days)


@dataclass
class AttendanceWeek:
    school_class: SchoolClass
    week_start: dt.date
    days: list[dt.date]
    rows: list[WeekRow]
    check: AttendanceCheck | None
    corrections: list[HistoryLine]

    @property
    def totals(self) -> dict[str, int]:
        """The week's absences by code, and the pupils who missed anything."""
        counts = {code.value: 0 for code in AbsenceCode}
        for row in self.rows:
            for items in row.days:
                for item in items:
                    counts[item.attendance.code] = counts.get(item.attendance.code, 0) + 1
        return counts

    @property
    def undecided(self) -> int:
        return sum(row.undecided for row in self.rows)

    @property
    def to_decide(self) -> list[WeekRow]:
        return [row for row in self.rows if row.undecided]

    @property
    def with_absences(self) -> int:
        return sum(1 for row in self.rows if row.absences)


def week_start_of(on: dt.date) -> dt.date:
    return on - dt.timedelta(days=on.weekday())


def attendance_week(school_class: SchoolClass, week_start: dt.date) -> AttendanceWeek:
    """The class's absences of a week (Monday to Saturday) across subjects, with their history — five queries."""
    days = [week_start + dt.timedelta(days=i) for i in range(6)]
    week_end = days[-1]
    enrollments = (Enrollment.objects.filter(school_class=school_class, start__lte=week_end)
                   .filter(Q(end__isnull=True) | Q(end__gte=week_start)).select_related("student"))
    students = {e.student_id: e.student for e in enrollments}
    rows = {sid: WeekRow(student=s, days=[[] for _ in days]) for sid, s in
            sorted(students.items(), key=lambda item: _name_key(item[1]))}
    absences = list(Attendance.objects.filter(student_id__in=list(students), lesson__date__gte=week_start,
                                              lesson__date__lte=week_end)
                    .select_related("lesson__assignment__subject", "set_by")
                    .order_by("lesson__date", "lesson__number"))
    lesson_ids = (Lesson.objects.filter(school_id=school_class.school_id, date__gte=week_start, date__lte=week_end)
                  .filter(Q(assignment__group__school_class=school_class)
                          | Q(assignment__group__memberships__student_id__in=list(students)))
                  .values_list("pk", flat=True).distinct())
    entries = list(AuditEntry.objects.filter(school_id=school_class.school_id, target_type=LESSON_TARGET,
                                             target_id__in=[str(pk) for pk in lesson_ids], verb__in=CELL_VERBS)
                   .select_related("actor").order_by("created_at", "id"))
    by_cell: dict[tuple[str, int], list[AuditEntry]] = defaultdict(list)
    corrections: list[HistoryLine] = []
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        if before.get("absence", "") == after.get("absence", ""):
            continue
        student_id = after.get("student")
        if student_id not in students:
            continue
        by_cell[(entry.target_id, student_id)].append(entry)
        if entry.verb == Verb.JOURNAL_ABSENCE_REASON or (before.get("absence") and entry.verb == Verb.JOURNAL_CELL):
            corrections.append(HistoryLine(entry, students[student_id]))
    for attendance in absences:
        row = rows.get(attendance.student_id)
        if row is None:
            continue
        index = (attendance.lesson.date - week_start).days
        if 0 <= index < len(days):
            row.days[index].append(AbsenceItem(attendance, by_cell.get((str(attendance.lesson_id),
                                                                       attendance.student_id), [])))
    check = AttendanceCheck.objects.filter(school_class=school_class, week_start=week_start).select_related(
        "checked_by").first()
    return AttendanceWeek(school_class=school_class, week_start=week_start, days=days, rows=list(rows.values()),
                          check=check, corrections=corrections)
