"""Hand-written reads of the metrics engine where the ORM cost more than the query (a class's marks and lessons of
a period: thousands of rows whose date columns the ORM converts one by one). Each returns named rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from zhurnal.core.sql import any_of, as_date, date_param, fetch, table
from zhurnal.journal.models import Attendance, Mark
from zhurnal.school.models import Group, TeachingAssignment
from zhurnal.timetable.models import Lesson


class MarkRow(NamedTuple):
    student_id: int
    assignment_id: int
    value: str
    modifier: str
    work_type_id: int | None
    date: dt.date
    position: int
    number: int


def period_marks(assignment_ids: Iterable[int], start: dt.date, end: dt.date) -> list[MarkRow]:
    """Marks at the assignments' lessons (not cancelled) from ``start`` to ``end``, in the journal's order (date,
    lesson number, position in the cell) — one query."""
    of_assignments, params = any_of("l.assignment_id", list(assignment_ids))
    rows = fetch(
        "SELECT m.student_id, l.assignment_id, m.value, m.modifier, m.work_type_id, l.date, m.position, l.number "  # noqa: S608
        f"FROM {table(Mark)} m JOIN {table(Lesson)} l ON l.id = m.lesson_id AND m.school_id = l.school_id "
        f"WHERE {of_assignments} AND l.date >= %s AND l.date <= %s AND NOT l.cancelled "
        "ORDER BY l.date, l.number, m.position, m.id",
        [*params, date_param(start), date_param(end)])
    return [MarkRow(s, a, v, mod, w, as_date(d), p, n) for s, a, v, mod, w, d, p, n in rows]


class LessonRow(NamedTuple):
    pk: int
    date: dt.date
    number: int
    group_id: int
    group_kind: str
    school_class_id: int


def class_lessons(class_ids: Iterable[int], start: dt.date, end: dt.date) -> list[LessonRow]:
    """Lessons held (not cancelled) by the classes' own groups (the whole class, its subgroups), in order."""
    of_classes, params = any_of("g.school_class_id", list(class_ids))
    rows = fetch(
        "SELECT l.id, l.date, l.number, g.id, g.kind, g.school_class_id "  # noqa: S608
        f"FROM {table(Lesson)} l JOIN {table(TeachingAssignment)} a ON a.id = l.assignment_id "
        f"JOIN {table(Group)} g ON g.id = a.group_id "
        f"WHERE {of_classes} AND l.date >= %s AND l.date <= %s AND NOT l.cancelled ORDER BY l.date, l.number, l.id",
        [*params, date_param(start), date_param(end)])
    return [LessonRow(pk, as_date(d), n, g, kind, c) for pk, d, n, g, kind, c in rows]


class AbsenceRow(NamedTuple):
    lesson_id: int
    student_id: int
    code: str


def absences(student_ids: Iterable[int], start: dt.date, end: dt.date) -> list[AbsenceRow]:
    of_students, params = any_of("a.student_id", list(student_ids))
    rows = fetch(
        "SELECT a.lesson_id, a.student_id, a.code "  # noqa: S608
        f"FROM {table(Attendance)} a JOIN {table(Lesson)} l ON l.id = a.lesson_id "
        f"WHERE {of_students} AND l.date >= %s AND l.date <= %s AND NOT l.cancelled",
        [*params, date_param(start), date_param(end)])
    return [AbsenceRow(*row) for row in rows]
