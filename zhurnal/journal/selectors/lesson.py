"""One lesson's sheet: its record and every student's cell."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from zhurnal.core.stamps import school_or_id
from zhurnal.school.models import (
    ReportingPeriod,
    Student,
)
from zhurnal.timetable.models import Lesson

from .. import homework, locks
from ..grading import MISSED_CODES, Policy
from ..models import (
    Attendance,
    HomeworkAttachment,
    IndividualHomework,
    Mark,
    WorkType,
)
from ..policies import rules_on
from .grid import EMPTY_CELL, Cell, cell_text, default_work_type
from .members import _name_key, member_spans
from .periods import assignment_grade, assignment_periods, marks_allowed_for, period_policy_date


@dataclass
class SheetRow:
    student: Student
    cell: Cell
    individual_homework: str = ""
    # The idempotency key of the row's input on the lesson page: a plain form's retry replays instead of saving twice.
    key: uuid.UUID = field(default_factory=uuid.uuid4)

    @property
    def text(self) -> str:
        return cell_text(self.cell)


@dataclass
class LessonSheet:
    lesson: Lesson
    record: object | None
    rows: list[SheetRow]
    work_types: list[WorkType]
    column_work_type_id: int | None
    policy: Policy
    period: ReportingPeriod | None
    lock: locks.LockState
    late: bool
    marks_allowed: bool
    next_lesson_date: dt.date | None
    attachments: list[HomeworkAttachment]
    grade: int | None

    @property
    def absences(self) -> int:
        """Students recorded as absent («н», «б», «уп»; late «оп» was there)."""
        return sum(1 for row in self.rows if row.cell and row.cell[0] in MISSED_CODES)

    @property
    def due_date(self) -> dt.date | None:
        record = self.record
        return homework.due_date(given_on=self.lesson.date, set_due=getattr(record, "homework_due", None),
                                 later_lessons=[self.next_lesson_date] if self.next_lesson_date else [])


def lesson_sheet(lesson: Lesson, *, today: dt.date) -> LessonSheet:
    """One lesson with its record and the cells of the students in the group on that date.
    ``lesson`` comes with its assignment, group, class, subject and teachers."""
    assignment = lesson.assignment
    grade = assignment_grade(assignment)
    periods = assignment_periods(assignment, grade)
    period = locks.period_of(periods, lesson.date)
    school = school_or_id(lesson)
    policy, work_types = rules_on(school, period_policy_date(period, today) if period is not None else lesson.date)
    lock = locks.period_lock(period, policy=policy, today=today,
                             reopened_until=locks.reopened_until(assignment, period, policy=policy, today=today))
    record = getattr(lesson, "record", None)
    default = default_work_type(work_types)
    spans = member_spans(assignment.group, lesson.date, lesson.date)
    cells: dict[int, Cell] = {
        student_id: (code,)
        for student_id, code in Attendance.objects.filter(lesson=lesson).values_list("student_id", "code")}
    for student_id, *kind in (Mark.objects.filter(lesson=lesson).order_by("position", "id")
                              .values_list("student_id", "value", "modifier", "work_type_id")):
        cells[student_id] = cells.get(student_id, EMPTY_CELL) + (tuple(kind),)
    individual = dict(IndividualHomework.objects.filter(lesson=lesson).values_list("student_id", "text"))
    missing = (set(cells) | set(individual)) - set(spans)
    if missing:
        for student in Student.objects.filter(pk__in=missing):
            spans[student.pk] = (student, [])
        spans = dict(sorted(spans.items(), key=lambda item: _name_key(item[1][0])))
    rows = [SheetRow(student=student, cell=cells.get(sid, EMPTY_CELL), individual_homework=individual.get(sid, ""))
            for sid, (student, _) in spans.items()]
    next_date = homework.next_lesson_day(lesson)
    return LessonSheet(
        lesson=lesson, record=record, rows=rows, work_types=work_types,
        column_work_type_id=(record.control_type_id if record is not None and record.control_type_id
                             else (default.pk if default else None)),
        policy=policy, period=period, lock=lock,
        late=locks.is_late_correction(lesson.date, policy=policy, today=today, lock=lock),
        marks_allowed=marks_allowed_for(assignment, grade, policy), next_lesson_date=next_date,
        attachments=list(HomeworkAttachment.objects.filter(lesson=lesson).order_by("created_at", "id")),
        grade=grade,
    )
