"""The class teacher's reads: the class summary and the attendance week."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from zhurnal.audit.models import AuditEntry
from zhurnal.core.stamps import school_or_id
from zhurnal.school.models import (
    Enrollment,
    ReportingPeriod,
    SchoolClass,
    Student,
    TeachingAssignment,
)
from zhurnal.timetable.models import Lesson

from .. import grading
from ..grading import GradedMark, Policy
from ..models import (
    AbsenceCode,
    Attendance,
    AttendanceCheck,
    FinalKind,
    FinalMark,
    Mark,
)
from ..policies import rules_on
from .history import CELL_VERBS, LESSON_TARGET
from .members import _name_key
from .periods import period_policy_date


@dataclass
class SummaryCell:
    average: Decimal | None
    count: int
    final: str = ""
    flagged: bool = False


@dataclass
class SummaryRow:
    student: Student
    cells: list[SummaryCell | None]
    absences: int = 0
    sick: int = 0


@dataclass
class ClassSummary:
    school_class: SchoolClass
    period: ReportingPeriod
    subjects: list
    rows: list[SummaryRow]
    policy: Policy


def class_summary(school_class: SchoolClass, period: ReportingPeriod, *, today: dt.date) -> ClassSummary:
    """Students × subjects of a class for a period: weighted averages and final marks. Queries: work types,
    policy, students, assignments, marks, final marks, absences — seven, whatever the size."""
    school = school_or_id(school_class)
    policy, work_types = rules_on(school, period_policy_date(period, today))
    enrollments = (Enrollment.objects.filter(school_class=school_class, start__lte=period.end)
                   .filter(Q(end__isnull=True) | Q(end__gte=period.start)).select_related("student"))
    students: dict[int, Student] = {}
    for enrollment in enrollments:
        students[enrollment.student_id] = enrollment.student
    ordered = sorted(students.values(), key=_name_key)
    assignments = list(TeachingAssignment.objects.filter(group__school_class=school_class)
                       .select_related("subject").order_by("subject__name"))
    subjects = []
    seen = set()
    for assignment in assignments:
        if assignment.subject_id not in seen:
            seen.add(assignment.subject_id)
            subjects.append(assignment.subject)
    subject_index = {s.pk: i for i, s in enumerate(subjects)}
    assignment_subject = {a.pk: a.subject_id for a in assignments}
    graded: dict[tuple[int, int], list[GradedMark]] = defaultdict(list)
    marks = (Mark.objects.filter(lesson__assignment__group__school_class=school_class, student_id__in=list(students),
                                 lesson__date__gte=period.start, lesson__date__lte=period.end,
                                 lesson__cancelled=False)
             .values_list("student_id", "lesson__assignment_id", "value", "modifier", "work_type_id", "lesson__date",
                          "position", "lesson__number"))
    for student_id, assignment_id, *rest in marks:
        graded[(student_id, assignment_subject.get(assignment_id))].append(GradedMark(*rest))
    finals: dict[tuple[int, int], FinalMark] = {}
    for final in FinalMark.objects.filter(assignment__in=[a.pk for a in assignments], period=period,
                                          kind=FinalKind.PERIOD):
        finals[(final.student_id, assignment_subject[final.assignment_id])] = final
    absences = dict.fromkeys(students, (0, 0))
    for row in (Attendance.objects.filter(student_id__in=list(students), lesson__date__gte=period.start,
                                          lesson__date__lte=period.end, lesson__assignment__group__school_class=school_class)
                .values("student_id").annotate(total=Count("id", filter=~Q(code="оп")),
                                               sick=Count("id", filter=Q(code="б")))):
        absences[row["student_id"]] = (row["total"], row["sick"])
    rows = []
    for student in ordered:
        cells: list[SummaryCell | None] = [None] * len(subjects)
        for subject in subjects:
            key = (student.pk, subject.pk)
            final = finals.get(key)
            marks_of = graded.get(key)
            if not marks_of and final is None:
                continue
            average = grading.weighted_average(marks_of or [], policy=policy)
            cells[subject_index[subject.pk]] = SummaryCell(
                average=average.value, count=average.count, final=final.value if final else "",
                flagged=bool(final and final.flagged))
        total, sick = absences.get(student.pk, (0, 0))
        rows.append(SummaryRow(student=student, cells=cells, absences=total, sick=sick))
    return ClassSummary(school_class=school_class, period=period, subjects=subjects, rows=rows, policy=policy)


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
    corrections: list[AuditEntry]

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
    corrections = []
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        if before.get("absence", "") == after.get("absence", ""):
            continue
        student_id = after.get("student")
        if student_id not in students:
            continue
        entry.student = students[student_id]
        by_cell[(entry.target_id, student_id)].append(entry)
        if entry.verb == "journal.absence_reason" or (before.get("absence") and entry.verb == "journal.cell"):
            corrections.append(entry)
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
