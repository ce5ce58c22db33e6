"""The history of a lesson and of a cell, from the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from zhurnal.audit.models import AuditEntry
from zhurnal.audit.verbs import Verb
from zhurnal.school.models import (
    Student,
)
from zhurnal.timetable.models import Lesson

from ..models import (
    Attendance,
    Mark,
)

LESSON_TARGET = Lesson._meta.label_lower


# Verbs of journal changes that concern one student's cell (marks and attendance).
CELL_VERBS = (Verb.JOURNAL_CELL, Verb.JOURNAL_MARK, Verb.JOURNAL_ABSENCE_REASON)


def lesson_history(lesson: Lesson) -> QuerySet[AuditEntry]:
    """Everything recorded about a lesson: topic, homework, record, attachments, every cell, substitutions."""
    return (AuditEntry.objects.filter(school_id=lesson.school_id, target_type=LESSON_TARGET,
                                      target_id=str(lesson.pk))
            .select_related("actor").order_by("created_at", "id"))


def cell_history(lesson: Lesson, student: Student | int) -> QuerySet[AuditEntry]:
    student_id = student if isinstance(student, int) else student.pk
    return lesson_history(lesson).filter(verb__in=CELL_VERBS, after__student=student_id)


@dataclass(frozen=True)
class HistoryLine:
    """An audit entry about a lesson, with the student whose cell it concerns (``None``: the lesson itself)."""

    entry: AuditEntry
    student: Student | None = None


def student_of(entry: AuditEntry) -> int | None:
    """The id of the student whose cell an entry concerns, if any."""
    data = entry.after if isinstance(entry.after, dict) else entry.before if isinstance(entry.before, dict) else {}
    return data.get("student")


def lesson_history_lines(lesson: Lesson) -> list[HistoryLine]:
    """``lesson_history`` with the students of the cell entries — two queries."""
    entries = list(lesson_history(lesson))
    students = Student.objects.in_bulk({student_id for entry in entries
                                        if (student_id := student_of(entry)) is not None})
    return [HistoryLine(entry, students.get(student_id) if (student_id := student_of(entry)) is not None else None)
            for entry in entries]


@dataclass
class CellDetail:
    lesson: Lesson
    student: Student
    marks: list[Mark]
    attendance: Attendance | None
    history: list[HistoryLine]


def cell_detail(lesson: Lesson, student: Student) -> CellDetail:
    return CellDetail(
        lesson=lesson, student=student,
        marks=list(Mark.objects.filter(lesson=lesson, student=student).select_related("work_type", "author")
                   .order_by("position", "id")),
        attendance=Attendance.objects.filter(lesson=lesson, student=student).select_related("set_by").first(),
        history=[HistoryLine(entry, student) for entry in cell_history(lesson, student)],
    )
