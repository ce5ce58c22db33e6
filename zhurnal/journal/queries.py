"""The journal's hand-written SQL: statements the ORM makes too slow for the number of rows they touch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, NamedTuple

from django.db import connection, connections

from zhurnal.core.models import WriteKey
from zhurnal.core.sql import (
    as_date,
    columns,
    date_param,
    fetch,
    fetch_together,
    field_column,
    in_list,
    model_rows,
    table,
)
from zhurnal.school.models import Enrollment, Group, GroupKind, GroupMembership, Student
from zhurnal.timetable.models import Lesson

from .grading import GradedMark
from .models import Attendance, FinalMark, LessonRecord, Mark


class ContentRow(NamedTuple):
    """A lesson's new topic and homework, written only where it still holds the old ones."""

    lesson_id: int
    topic: str
    homework: str
    old_topic: str
    old_homework: str


def write_lesson_contents(rows: Sequence[ContentRow], now: dt.datetime) -> None:
    """One statement run for every row (Django's ``bulk_update`` builds a CASE per row and field: too slow for
    the thousands of lessons a plan fills). A row whose lesson changed meanwhile is left as it is."""
    connection = connections[Lesson.objects.db]
    quote = connection.ops.quote_name
    column = {name: quote(field_column(Lesson, name))
              for name in ("id", "topic", "homework", "updated_at")}
    # Only quoted identifiers from the model go into the text; every value is a parameter.
    sql = "UPDATE {} SET {} = %s, {} = %s, {} = %s WHERE {} = %s AND {} = %s AND {} = %s".format(  # noqa: S608
        quote(Lesson._meta.db_table), column["topic"], column["homework"], column["updated_at"], column["id"],
        column["topic"], column["homework"])
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(row.topic, row.homework, stamp, row.lesson_id, row.old_topic, row.old_homework)
                                 for row in rows])


def lock_lesson(lesson_id: int, school_id: int) -> Lesson | None:
    """The school's lesson ``lesson_id`` with its row locked until the transaction under way ends (SQLite: the
    transaction itself locks), or None. One row, no join: a cell save's largest cost through the ORM."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    rows = model_rows(Lesson, fetch(f"SELECT {columns(Lesson)} FROM {table(Lesson)} "  # noqa: S608
                                    f"WHERE id = %s AND school_id = %s{lock}", [lesson_id, school_id]))
    return rows[0] if rows else None


# --- who is in a group when (selectors.members, the grid) ---------------------------------------------------


def in_group_between(group: Group) -> tuple[str, str, int | None]:
    """Where a group's members are kept, for plain SQL aliasing the table ``e`` — the enrollments of its class for
    a whole class, its memberships otherwise — and the condition "in the group at some time between two dates":
    (table, condition, the group's parameter; two date parameters follow it: the last day, the first day)."""
    end = connection.ops.quote_name("end")  # a reserved word
    if group.kind == GroupKind.CLASS:
        member_table, condition, param = table(Enrollment), "e.school_class_id = %s", group.school_class_id
    else:
        member_table, condition, param = table(GroupMembership), "e.group_id = %s", group.pk
    return member_table, f"{condition} AND e.start <= %s AND (e.{end} IS NULL OR e.{end} >= %s)", param


class MemberSpanRow(NamedTuple):
    """A span of a student in a group."""

    start: dt.date
    end: dt.date | None  # None: still in it
    student: list[Any]  # the student's fields asked for, in their order


def member_spans(group: Group, start: dt.date, end: dt.date, student_fields: tuple[str, ...]) -> list[MemberSpanRow]:
    """Each span of the group's members between the dates, with the student's ``student_fields`` — one query."""
    return _member_span_rows(fetch(*member_spans_query(group, start, end, student_fields)))


def _member_span_rows(rows: list[tuple]) -> list[MemberSpanRow]:
    return [MemberSpanRow(as_date(span_start), as_date(span_end), values) for span_start, span_end, *values in rows]


def member_spans_query(group: Group, start: dt.date, end: dt.date, student_fields: tuple[str, ...]) -> tuple[str, list]:
    """(SQL, parameters): each span of the group's members between the dates, with the student's ``student_fields``."""
    member_table, condition, param = in_group_between(group)
    end_column = connection.ops.quote_name("end")
    columns = ", ".join(f"s.{name}" for name in student_fields)
    return (f"SELECT e.start, e.{end_column}, {columns} FROM {member_table} e "  # noqa: S608
            f"JOIN {table(Student)} s ON s.id = e.student_id WHERE {condition}",
            [param, date_param(end), date_param(start)])


def member_on_query(group: Group, student_id: int, on: dt.date) -> tuple[str, list]:
    """(SQL, parameters): a row if the student was in the group on ``on``."""
    member_table, condition, param = in_group_between(group)
    return (f"SELECT 1 FROM {member_table} e WHERE {condition} AND e.student_id = %s",  # noqa: S608
            [param, date_param(on), date_param(on), student_id])


def is_member_on(group: Group, student_id: int, on: dt.date) -> bool:
    """Whether the student was in the group on ``on`` — one query."""
    return bool(fetch(*member_on_query(group, student_id, on)))


# --- the journal grid and the column a cell save reads (selectors.grid, selectors.standing, the diary) ----------
# The grid's 1,800 cells and a cell save's state cost more to build through the ORM than to read.

ORDER_SHIFT = 48  # a mark's order in its cell: position << 48 + id (ids stay far below 2⁴⁸)


class LessonHead(NamedTuple):
    """What a grid column needs of its lesson (a model instance per column would cost more than the rest)."""

    pk: int
    date: dt.date
    number: int
    topic: str


class CellColumns(NamedTuple):
    """The grid's marks and absences, column by column, row ``i`` of each column making one mark or absence; a mark's
    row has no ``code``, an absence's no mark columns. Columns, not a NamedTuple per row: the grid reads 1,900 rows,
    and building a named row of each cost a tenth of the page."""

    lesson_id: tuple[int, ...]
    student_id: tuple[int, ...]
    value: tuple[str, ...]
    modifier: tuple[str, ...]
    work_type_id: tuple[int | None, ...]
    order: tuple[int, ...]  # a mark's position in its cell, then its id (``ORDER_SHIFT``); 0 for an absence
    code: tuple[str | None, ...]


NO_CELLS = CellColumns((), (), (), (), (), (), ())


class FinalMarkRow(NamedTuple):
    student_id: int
    value: str
    flagged: bool


@dataclass
class GridRows:
    """What the journal grid reads, in one round trip on PostgreSQL."""

    lessons: list[LessonHead]  # in time order
    control_type_ids: list[int | None]  # of each lesson: its record's control type
    members: list[MemberSpanRow]
    cells: CellColumns  # in each cell its absence first, then its marks in order
    finals: list[FinalMarkRow]  # the period's final marks


def _period_lessons(assignment_id: int, start: dt.date, end: dt.date) -> tuple[str, list]:
    """FROM and WHERE of the assignment's lessons in the period that took place (not cancelled), aliased ``l``."""
    return (f"FROM {table(Lesson)} l WHERE l.assignment_id = %s AND l.date >= %s AND l.date <= %s "  # noqa: S608
            "AND NOT l.cancelled", [assignment_id, date_param(start), date_param(end)])


def _grid_cells_query(assignment_id: int, start: dt.date, end: dt.date) -> tuple[str, list]:
    """Marks and absences at the period's lessons in one query (``CellColumns``). A mark's order is one number computed
    by the database: one column less to read, and the rows sort by it in C; absences come first (order 0). Sorted
    here: PostgreSQL's sort of these ~1,900 rows cost twice the reading of them."""
    lessons, params = _period_lessons(assignment_id, start, end)
    return (f"SELECT m.lesson_id, m.student_id, m.value, m.modifier, m.work_type_id, "  # noqa: S608
            f"m.position * {1 << ORDER_SHIFT} + m.id, NULL FROM {table(Mark)} m "
            f"WHERE m.lesson_id IN (SELECT l.id {lessons}) "
            f"UNION ALL SELECT a.lesson_id, a.student_id, NULL, NULL, NULL, 0, a.code "
            f"FROM {table(Attendance)} a WHERE a.lesson_id IN (SELECT l.id {lessons})", [*params, *params])


_BY_ORDER = itemgetter(5)  # a cell row's order


def grid_rows(*, assignment_id: int, group: Group, period_id: int, start: dt.date, end: dt.date,
              final_kind: str, student_fields: tuple[str, ...]) -> GridRows:
    """The period's lessons with their control types, the group's members with their spans, the marks and
    absences at the lessons, the final marks of ``final_kind`` — four queries, one round trip on PostgreSQL."""
    of_lessons, lesson_params = _period_lessons(assignment_id, start, end)
    lesson_rows, member_rows, cell_rows, final_rows = fetch_together(
        # The record's control type by the record's unique lesson index: as a join, PostgreSQL hashed the school's
        # whole record table for sixty lessons.
        (f"SELECT l.id, l.date, l.number, l.topic, (SELECT r.control_type_id FROM {table(LessonRecord)} r "  # noqa: S608
         f"WHERE r.lesson_id = l.id) {of_lessons} ORDER BY l.date, l.number", lesson_params),
        member_spans_query(group, start, end, student_fields),
        _grid_cells_query(assignment_id, start, end),
        (f"SELECT student_id, value, flagged FROM {table(FinalMark)} "  # noqa: S608
         "WHERE assignment_id = %s AND period_id = %s AND kind = %s", [assignment_id, period_id, final_kind]),
    )
    cell_rows.sort(key=_BY_ORDER)
    return GridRows(
        lessons=[LessonHead(pk, as_date(date), number, topic) for pk, date, number, topic, _ in lesson_rows],
        control_type_ids=[row[4] for row in lesson_rows],
        members=_member_span_rows(member_rows),
        cells=CellColumns(*zip(*cell_rows, strict=True)) if cell_rows else NO_CELLS,
        finals=[FinalMarkRow(student_id, value, bool(flagged)) for student_id, value, flagged in final_rows])


class ColumnMarkRow(NamedTuple):
    """A mark at the lesson of a cell save."""

    student_id: int
    pk: int
    value: str
    modifier: str
    comment: str
    work_type_id: int
    position: int
    author_id: int | None


class ColumnAbsenceRow(NamedTuple):
    """An absence at the lesson of a cell save."""

    student_id: int
    pk: int
    code: str
    note: str
    set_by_id: int | None


class UsedKeyRow(NamedTuple):
    """An idempotency key already used."""

    school_id: int
    key: str
    verb: str
    result: str  # JSON


@dataclass
class ColumnRows:
    """What a column save reads before it writes (``column_rows``)."""

    marks: list[ColumnMarkRow]  # in no particular order
    absences: list[ColumnAbsenceRow]
    members: set[int]  # the students who were in the lesson's group on its date
    keys: list[UsedKeyRow]
    control_type_id: int | None = None  # the lesson record's
    period_marks: dict[int, list[GradedMark]] = field(default_factory=dict)  # student → marks at the other lessons


def column_rows(*, lesson_id: int, assignment_id: int, group: Group, day: dt.date, student_ids: list[int],
                keys: list[str], period: tuple[dt.date, dt.date] | None = None) -> ColumnRows:
    """The keys already used, the absences, the marks and the group's members of these students at one lesson, the
    lesson's control type — and with a ``period`` (first and last day), their marks at its other lessons of the
    assignment — one query where the ORM took six: a cell save is the teacher's most frequent write."""
    member_table, member_filter, member_param = in_group_between(group)
    of_marks, mark_params = in_list("m.student_id", student_ids)
    of_absences, absence_params = in_list("a.student_id", student_ids)
    of_members, member_params = in_list("e.student_id", student_ids)
    q = connection.ops.quote_name  # "key" is a reserved word
    key_field = WriteKey._meta.get_field("key")
    of_keys, key_params = in_list(f"k.{q('key')}", [key_field.get_db_prep_value(key, connection) for key in keys])
    on = date_param(day)
    period_branch, period_params = "", []
    if period is not None:
        source, source_params = _period_marks(*period)
        period_branch = ("UNION ALL SELECT 'p', m.student_id, l.number, m.value, m.modifier, CAST(l.date AS TEXT), "
                         f"m.work_type_id, m.position, NULL {source} AND l.assignment_id = %s AND l.id <> %s "
                         f"AND {of_marks} ")
        period_params = [*source_params, assignment_id, lesson_id, *mark_params]
    rows = fetch(
        # kind, student, id, text 1–3, number 1–3. Marks first: PostgreSQL resolves a union's column types pair by
        # pair from the left, and the marks' branch gives every column a type.
        "SELECT 'm', m.student_id, m.id, m.value, m.modifier, m.comment, m.work_type_id, m.position, m.author_id "  # noqa: S608
        f"FROM {table(Mark)} m WHERE m.lesson_id = %s AND {of_marks} "
        "UNION ALL SELECT 'a', a.student_id, a.id, a.code, a.note, NULL, a.set_by_id, NULL, NULL "
        f"FROM {table(Attendance)} a WHERE a.lesson_id = %s AND {of_absences} "
        "UNION ALL SELECT 'e', e.student_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL "
        f"FROM {member_table} e WHERE {member_filter} AND {of_members} "
        f"{period_branch}"
        "UNION ALL SELECT 'r', NULL, NULL, NULL, NULL, NULL, r.control_type_id, NULL, NULL "
        f"FROM {table(LessonRecord)} r WHERE r.lesson_id = %s "
        f"UNION ALL SELECT 'k', NULL, k.school_id, CAST(k.{q('key')} AS TEXT), k.verb, "
        f"CAST(k.result AS TEXT), NULL, NULL, NULL FROM {table(WriteKey)} k WHERE {of_keys}",
        [lesson_id, *mark_params, lesson_id, *absence_params, member_param, on, on, *member_params, *period_params,
         lesson_id, *key_params])
    found = ColumnRows(marks=[], absences=[], members=set(), keys=[])
    for kind, student_id, pk, text1, text2, text3, number1, number2, number3 in rows:
        if kind == "m":
            found.marks.append(ColumnMarkRow(student_id, pk, text1, text2, text3, number1, number2, number3))
        elif kind == "p":  # a mark at another lesson of the period: its lesson's number, date; work type, position
            found.period_marks.setdefault(student_id, []).append(
                GradedMark(text1, text2, number1, as_date(text3), number2, pk))
        elif kind == "a":
            found.absences.append(ColumnAbsenceRow(student_id, pk, text1, text2, number1))
        elif kind == "e":
            found.members.add(student_id)
        elif kind == "r":
            found.control_type_id = number1
        else:
            found.keys.append(UsedKeyRow(pk, text1, text2, text3))
    return found


class PeriodMarkRow(NamedTuple):
    """A student's mark of a period, as the average takes it."""

    assignment_id: int
    mark: GradedMark
    comment: str


def period_marks(assignment_ids: list[int], student_id: int, start: dt.date, end: dt.date) -> list[PeriodMarkRow]:
    """A student's marks of these assignments between two dates (lessons not cancelled) in the journal's order —
    one query."""
    # A short list (a few assignments on the diary's pages): ``IN`` (``core.sql``).
    of_assignments, params = in_list("l.assignment_id", assignment_ids)
    source, source_params = _period_marks(start, end)
    rows = fetch(
        "SELECT l.assignment_id, m.value, m.modifier, m.work_type_id, l.date, m.position, m.comment, l.number "  # noqa: S608
        f"{source} AND {of_assignments} AND m.student_id = %s "
        # In the journal's order: the "unredeemed 2" rule reads marks of one day in it.
        "ORDER BY l.date, l.number, m.position, m.id",
        [*source_params, *params, student_id])
    return [PeriodMarkRow(assignment_id, GradedMark(value, modifier, work_type_id, as_date(date), position, number),
                          comment)
            for assignment_id, value, modifier, work_type_id, date, position, comment, number in rows]


def _period_marks(start: dt.date, end: dt.date) -> tuple[str, list]:
    """FROM and WHERE of the marks at a period's lessons (not cancelled) — marks ``m``, lessons ``l``; the caller
    adds its assignments and students: (SQL, parameters). The same school on both sides lets PostgreSQL find each
    lesson's mark of a student by the marks' index (school, lesson, student): half the time of scanning every mark
    of the lesson."""
    return (f"FROM {table(Mark)} m JOIN {table(Lesson)} l ON l.id = m.lesson_id AND m.school_id = l.school_id "
            "WHERE l.date >= %s AND l.date <= %s AND NOT l.cancelled",
            [date_param(start), date_param(end)])
