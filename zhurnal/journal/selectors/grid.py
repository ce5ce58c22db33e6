"""The journal grid (assignment × period) and the state a cell save reads with its column."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

from django.db import connection

from zhurnal.core.models import WriteKey
from zhurnal.core.sql import as_date, date_param, fetch, fetch_together, in_list, table
from zhurnal.core.stamps import school_or_id
from zhurnal.school.models import (
    ReportingPeriod,
    Student,
    TeachingAssignment,
)
from zhurnal.timetable.models import Lesson

from .. import grading, locks, queries
from ..grading import Average, GradedMark, Policy, Suggestion
from ..models import (
    Attendance,
    FinalKind,
    FinalMark,
    LessonRecord,
    Mark,
    WorkType,
)
from ..policies import rules_on
from .members import _SPAN_STUDENT_FIELDS, _name_key, _spans_of, in_spans
from .periods import marks_allowed_for, period_policy_date

# A journal cell: its absence code ("" for none), then its marks in their order, each as the kind the average
# counts (value, modifier, work type; ``grading.average_of_kinds``). A plain tuple: the grid builds 1,800 of them
# by concatenation, and its table renders each distinct content once, keyed by the cell itself.
Cell = tuple
EMPTY_CELL: Cell = ("",)


def cell_text(cell: Cell) -> str:
    """What the teacher would type to fill the cell: «н», «5/4−», «оп 5»."""
    return grading.format_cell(cell[0], cell[1:])


class FinalHead(NamedTuple):
    """What a grid row shows of its final mark."""

    value: str
    flagged: bool


class LessonHead(NamedTuple):
    """What a grid column needs of its lesson (a model instance per column would cost more than the rest)."""

    pk: int
    date: dt.date
    number: int
    topic: str


@dataclass
class GridColumn:
    lesson: LessonHead
    work_type_id: int | None
    is_control: bool
    control_label: str = ""


@dataclass
class GridRow:
    student: Student
    spans: list[tuple[dt.date, dt.date]]
    cells: list[Cell | None]  # None: the student was not in the group on the lesson's date
    average: Average
    suggestion: Suggestion
    final: FinalHead | None


@dataclass
class Grid:
    assignment: TeachingAssignment
    period: ReportingPeriod
    periods: list[ReportingPeriod]
    columns: list[GridColumn]
    rows: list[GridRow]
    policy: Policy
    work_types: list[WorkType]
    default_work_type_id: int | None
    lock: locks.LockState
    marks_allowed: bool
    today: dt.date

    @property
    def work_type_labels(self) -> dict[int, str]:
        return {w.pk: w.label for w in self.work_types}


def default_work_type(work_types: list[WorkType]) -> WorkType | None:
    """The work type a new mark gets where the lesson has no control type (and the grid's column shows): the
    school's default, else its first active one."""
    active = [work_type for work_type in work_types if work_type.is_active]
    for work_type in active:
        if work_type.is_default:
            return work_type
    return active[0] if active else None


_ORDER_SHIFT = 48  # a mark's order in its cell: position << 48 + id (ids stay far below 2⁴⁸)


def _period_lessons(assignment: TeachingAssignment, period: ReportingPeriod) -> tuple[str, list]:
    """FROM and WHERE of the assignment's lessons in the period that took place (not cancelled), aliased ``l``."""
    return (f"FROM {table(Lesson)} l WHERE l.assignment_id = %s AND l.date >= %s AND l.date <= %s "
            "AND NOT l.cancelled", [assignment.pk, date_param(period.start), date_param(period.end)])


def _grid_cells_query(assignment: TeachingAssignment, period: ReportingPeriod) -> tuple[str, list]:
    """Marks (in their order within a cell) and absences at the period's lessons in one plain query (``core.sql``):
    the grid's 1,800 cells cost more to build through the ORM than to read. Rows: lesson, student, value,
    modifier, work type, order, absence code (``None`` on a mark's row; the mark columns are ``None`` on an
    absence's). A mark's order is one number, its position in the cell and then its id (``_ORDER_SHIFT``),
    computed by the database: one column less to read, and the rows sort by it in C; absences come first
    (order 0). Sorted by the caller: PostgreSQL's sort of these ~1,900 rows cost twice the reading of them."""
    lessons, params = _period_lessons(assignment, period)
    return (f"SELECT m.lesson_id, m.student_id, m.value, m.modifier, m.work_type_id, "  # noqa: S608
            f"m.position * {1 << _ORDER_SHIFT} + m.id, NULL FROM {table(Mark)} m "
            f"WHERE m.lesson_id IN (SELECT l.id {lessons}) "
            f"UNION ALL SELECT a.lesson_id, a.student_id, NULL, NULL, NULL, 0, a.code "
            f"FROM {table(Attendance)} a WHERE a.lesson_id IN (SELECT l.id {lessons})", [*params, *params])


@dataclass
class ColumnState:
    """What a column save must know before it writes, read in one query (``column_state``)."""

    keys: dict[str, WriteKey]  # idempotency keys already used (their school, verb and first result)
    absences: dict[int, Attendance]  # student → his absence at the lesson
    marks: dict[int, list[Mark]]  # student → his marks at the lesson, in order, with their work types
    members: set[int]  # the students who were in the lesson's group on its date
    control_type_id: int | None = None  # the lesson record's control type (new marks get it)
    # student → his marks at the period's other lessons of the assignment (when asked for a period)
    period_marks: dict[int, list[GradedMark]] = field(default_factory=dict)


def column_state(lesson: Lesson, student_ids: list[int], keys: list[str], *, work_types: list[WorkType],
                 period: ReportingPeriod | None = None) -> ColumnState:
    """The keys already used, the absences, the marks and the group's members of these students at one lesson,
    the lesson's control type — and with a ``period``, their marks at its other lessons of the assignment (the
    grid's row after a save) — one plain query (``core.sql``) where the ORM took six: a cell save is the teacher's
    most frequent write. ``lesson`` comes with its assignment and group; ``work_types`` are the school's."""
    member_table, member_filter, member_param = queries.in_group_between(lesson.assignment.group)
    of_marks, mark_params = in_list("m.student_id", student_ids)
    of_absences, absence_params = in_list("a.student_id", student_ids)
    of_members, member_params = in_list("e.student_id", student_ids)
    q = connection.ops.quote_name  # "key" is a reserved word
    key_field = WriteKey._meta.get_field("key")
    of_keys, key_params = in_list(f"k.{q('key')}", [key_field.get_db_prep_value(key, connection) for key in keys])
    day = date_param(lesson.date)
    period_branch, period_params = "", []
    if period is not None:
        source, source_params = _period_marks(period)
        period_branch = ("UNION ALL SELECT 'p', m.student_id, l.number, m.value, m.modifier, CAST(l.date AS TEXT), "
                         f"m.work_type_id, m.position, NULL {source} AND l.assignment_id = %s AND l.id <> %s "
                         f"AND {of_marks} ")
        period_params = [*source_params, lesson.assignment_id, lesson.pk, *mark_params]
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
        [lesson.pk, *mark_params, lesson.pk, *absence_params, member_param, day, day, *member_params, *period_params,
         lesson.pk, *key_params])
    types_by_id = {w.pk: w for w in work_types}
    state = ColumnState(keys={}, absences={}, marks={}, members=set())
    marks = []
    for kind, student_id, pk, text1, text2, text3, number1, number2, number3 in rows:
        if kind == "m":
            mark = _from_db(Mark, {
                "id": pk, "school_id": lesson.school_id, "lesson_id": lesson.pk, "student_id": student_id,
                "value": text1, "modifier": text2, "comment": text3, "work_type_id": number1, "position": number2,
                "author_id": number3})
            mark.work_type = types_by_id.get(number1) or WorkType.objects.get(pk=number1)
            marks.append(mark)
        elif kind == "p":  # a mark at another lesson of the period: its lesson's number, date; work type, position
            state.period_marks.setdefault(student_id, []).append(
                GradedMark(text1, text2, number1, as_date(text3), number2, pk))
        elif kind == "a":
            state.absences[student_id] = _from_db(Attendance, {
                "id": pk, "school_id": lesson.school_id, "lesson_id": lesson.pk, "student_id": student_id,
                "code": text1, "note": text2, "set_by_id": number1})
        elif kind == "e":
            state.members.add(student_id)
        elif kind == "r":
            state.control_type_id = number1
        else:
            state.keys[str(uuid.UUID(text1))] = WriteKey(school_id=pk, key=text1, verb=text2, result=json.loads(text3))
    for mark in sorted(marks, key=lambda m: (m.position, m.pk)):
        state.marks.setdefault(mark.student_id, []).append(mark)
    return state


def _from_db(model, values: dict):
    """An instance of ``model`` as loaded from the database with only these fields (the others deferred):
    ``Model.from_db`` takes the values in the model's own field order."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def journal_grid(assignment: TeachingAssignment, period: ReportingPeriod, *, periods: list[ReportingPeriod],
                 grade: int | None, today: dt.date) -> Grid:
    """The journal page of an assignment for a period. Queries: work types and policy (none when the assignment
    comes with its school: cached per school), (reopenings, once the period has closed), lessons with their
    control types, students with their spans, marks and absences, final marks — four to seven, for any number of
    rows and columns; the last four in one round trip on PostgreSQL (``fetch_together``). ``assignment`` comes
    with its group, class and subject."""
    school = school_or_id(assignment)
    policy, work_types = rules_on(school, period_policy_date(period, today))
    lock = locks.period_lock(period, policy=policy, today=today,
                             reopened_until=locks.reopened_until(assignment, period, policy=policy, today=today))
    control_ids = policy.control_types
    labels = {w.pk: w.label for w in work_types}
    default = default_work_type(work_types)
    of_lessons, lesson_params = _period_lessons(assignment, period)
    lesson_rows, member_rows, cell_rows, final_rows = fetch_together(  # one round trip on PostgreSQL
        # The record's control type by the record's unique lesson index: as a join, PostgreSQL hashed the school's
        # whole record table for sixty lessons.
        (f"SELECT l.id, l.date, l.number, l.topic, (SELECT r.control_type_id FROM {table(LessonRecord)} r "  # noqa: S608
         f"WHERE r.lesson_id = l.id) {of_lessons} ORDER BY l.date, l.number", lesson_params),
        queries.member_spans_query(assignment.group, period.start, period.end, _SPAN_STUDENT_FIELDS),
        _grid_cells_query(assignment, period),
        (f"SELECT student_id, value, flagged FROM {table(FinalMark)} "  # noqa: S608
         "WHERE assignment_id = %s AND period_id = %s AND kind = %s", [assignment.pk, period.pk, FinalKind.PERIOD]),
    )
    lessons = []
    columns = []
    for pk, date, number, topic, control_type_id in lesson_rows:
        lesson = LessonHead(pk, as_date(date), number, topic)
        lessons.append(lesson)
        columns.append(GridColumn(
            lesson=lesson, work_type_id=control_type_id or (default.pk if default else None),
            is_control=control_type_id in control_ids, control_label=labels.get(control_type_id, ""),
        ))
    spans = _spans_of(member_rows)
    cells: dict[int, dict[int, Cell]] = defaultdict(dict)  # student → lesson → cell
    kinds: dict[int, list[tuple[str, str, int | None]]] = defaultdict(list)  # student → his marks' kinds
    controls: dict[int, list[GradedMark]] = defaultdict(list)  # student → his control works' marks
    lesson_ids = [lesson.pk for lesson in lessons]
    lesson_dates = {lesson.pk: (lesson.date, lesson.number) for lesson in lessons}
    cell_rows.sort(key=itemgetter(5))  # in each cell: its absence, then its marks in order
    for lesson_id, student_id, value, modifier, work_type_id, order, code in cell_rows:
        if lesson_id not in lesson_dates:  # a lesson that entered the period between the two statements
            continue
        row = cells[student_id]
        if code is not None:  # absences come first in a cell
            row[lesson_id] = (code,)
            continue
        kind = (value, modifier, work_type_id)
        cell = row.get(lesson_id)
        row[lesson_id] = ("", kind) if cell is None else cell + (kind,)
        kinds[student_id].append(kind)
        if work_type_id in control_ids:  # the average needs the kinds only; the «unredeemed 2» rule these
            date, number = lesson_dates[lesson_id]
            controls[student_id].append(GradedMark(value, modifier, work_type_id, date, order >> _ORDER_SHIFT,
                                                   number))
    finals = {student_id: FinalHead(value, bool(flagged)) for student_id, value, flagged in final_rows}
    # Marks of a student who is no longer listed (e.g. moved to another subgroup) still show.
    extra_ids = set(cells) - set(spans)
    if extra_ids:
        for student in Student.objects.filter(pk__in=extra_ids):
            spans[student.pk] = (student, [])
        spans = dict(sorted(spans.items(), key=lambda item: _name_key(item[1][0])))
    rows = []
    keys = [(lesson.pk, lesson.date) for lesson in lessons]
    for student_id, (student, student_spans) in spans.items():
        row = cells.get(student_id, {})
        if any(start <= period.start and end >= period.end for start, end in student_spans):  # the whole period
            row_cells: list[Cell | None] = [row.get(lesson_id, EMPTY_CELL) for lesson_id in lesson_ids]
        else:
            row_cells = [row.get(lesson_id) or (EMPTY_CELL if in_spans(student_spans, date) else None)
                         for lesson_id, date in keys]
        average = grading.average_of_kinds(Counter(kinds.get(student_id, ())), policy=policy)
        rows.append(GridRow(
            student=student, spans=student_spans, cells=row_cells, average=average,
            suggestion=grading.suggest_final_mark(controls.get(student_id, ()), policy=policy, average=average),
            final=finals.get(student_id),
        ))
    return Grid(assignment=assignment, period=period, periods=periods, columns=columns, rows=rows, policy=policy,
                work_types=work_types, default_work_type_id=default.pk if default else None, lock=lock,
                marks_allowed=marks_allowed_for(assignment, grade, policy), today=today)


def period_mark_rows(assignment_ids: list[int], student_id: int, period: ReportingPeriod) -> list[tuple]:
    """A student's marks of these assignments in a period (lessons not cancelled) in the journal's order — the
    marks a period's average is made of: (assignment, ``GradedMark``, comment), one plain query (``core.sql``).
    On the diary's subject and final-marks pages and for a suggested final mark."""
    # A short list (a few assignments on the diary's pages): ``IN`` (``core.sql``).
    of_assignments, params = in_list("l.assignment_id", assignment_ids)
    source, source_params = _period_marks(period)
    rows = fetch(
        "SELECT l.assignment_id, m.value, m.modifier, m.work_type_id, l.date, m.position, m.comment, l.number "  # noqa: S608
        f"{source} AND {of_assignments} AND m.student_id = %s "
        # In the journal's order: the "unredeemed 2" rule reads marks of one day in it.
        "ORDER BY l.date, l.number, m.position, m.id",
        [*source_params, *params, student_id])
    return [(assignment_id, GradedMark(value, modifier, work_type_id, as_date(date), position, number), comment)
            for assignment_id, value, modifier, work_type_id, date, position, comment, number in rows]


def _period_marks(period: ReportingPeriod) -> tuple[str, list]:
    """FROM and WHERE of the marks at a period's lessons (not cancelled) — marks ``m``, lessons ``l``; the caller
    adds its assignments and students: (SQL, parameters). The same school on both sides lets PostgreSQL find each
    lesson's mark of a student by the marks' index (school, lesson, student): half the time of scanning every mark
    of the lesson."""
    return (f"FROM {table(Mark)} m JOIN {table(Lesson)} l ON l.id = m.lesson_id AND m.school_id = l.school_id "
            "WHERE l.date >= %s AND l.date <= %s AND NOT l.cancelled",
            [date_param(period.start), date_param(period.end)])


def student_period_marks(assignment: TeachingAssignment | int, student: Student | int,
                         period: ReportingPeriod) -> list[GradedMark]:
    """``period_mark_rows`` of one assignment, as the average takes them."""
    assignment_id = assignment if isinstance(assignment, int) else assignment.pk
    student_id = student if isinstance(student, int) else student.pk
    return [mark for _, mark, _ in period_mark_rows([assignment_id], student_id, period)]
