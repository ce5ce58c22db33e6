"""Every read the journal pages need, each in a fixed number of queries whatever the size of the class.

``journal_grid`` (assignment × period), ``lesson_sheet`` (one lesson), ``cell_detail`` and ``lesson_history``,
``class_summary``, ``attendance_week`` and ``control_overview``.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from zhurnal.audit.models import AuditEntry
from zhurnal.core.sql import as_date, date_param, fetch, fetch_together, in_list, table
from zhurnal.school.models import (
    AcademicYear,
    Enrollment,
    Group,
    GroupKind,
    GroupMembership,
    ReportingPeriod,
    School,
    SchoolClass,
    StaffMember,
    Student,
    TeachingAssignment,
)
from zhurnal.school.selectors import grade_periods
from zhurnal.school.stamps import school_or_id
from zhurnal.timetable.models import Lesson

from . import grading, locks
from .grading import Average, GradedMark, Policy, Suggestion
from .models import (
    AbsenceCode,
    Attendance,
    AttendanceCheck,
    FinalKind,
    FinalMark,
    GradingPolicy,
    HomeworkAttachment,
    IndividualHomework,
    LessonRecord,
    Mark,
    PeriodReopening,
    WorkType,
    WriteKey,
)
from .policies import policy_for, rules_on

LESSON_TARGET = Lesson._meta.label_lower
OPEN_END = dt.date.max
# Verbs of journal changes that concern one student's cell (marks and attendance).
CELL_VERBS = ("journal.cell", "journal.mark", "journal.absence_reason")


# --- calendar of an assignment ---------------------------------------------------------------------------


def assignment_grade(assignment: TeachingAssignment) -> int | None:
    """The grade of the assignment's group; a cross-class group takes the lowest grade of its members."""
    group = assignment.group
    if group.school_class_id is not None:
        return group.school_class.grade
    grades = (GroupMembership.objects.filter(group=group)
              .values_list("student__enrollments__school_class__grade", flat=True))
    grades = [g for g in grades if g is not None]
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


# --- who is in the group when ------------------------------------------------------------------------------


def _in_group_between(group: Group) -> tuple[str, str, int]:
    """Where a group's members are kept, for plain SQL aliasing the table ``e`` — the enrollments of its class for
    a whole class, its memberships otherwise — and the condition "in the group at some time between two dates":
    (table, condition, the group's parameter; two date parameters follow it: the last day, the first day)."""
    end = connection.ops.quote_name("end")  # a reserved word
    if group.kind == GroupKind.CLASS:
        member_table, condition, param = table(Enrollment), "e.school_class_id = %s", group.school_class_id
    else:
        member_table, condition, param = table(GroupMembership), "e.group_id = %s", group.pk
    return member_table, f"{condition} AND e.start <= %s AND (e.{end} IS NULL OR e.{end} >= %s)", param


# A spans' student is loaded with these fields only (what the journal's pages show of him; the rest deferred), in
# the model's field order as ``Model.from_db`` takes them.
_SPAN_STUDENT_FIELDS = tuple(f.attname for f in Student._meta.concrete_fields
                             if f.attname in ("id", "school_id", "user_id", "last_name", "first_name", "patronymic"))


Spans = dict[int, tuple[Student, list[tuple[dt.date, dt.date]]]]


def member_spans(group: Group, start: dt.date, end: dt.date) -> Spans:
    """Students of the group at any time between ``start`` and ``end`` with their spans in it, ordered by name —
    one plain query (``core.sql``; the grid's hundreds of rows cost more to build through the ORM)."""
    return _spans_of(fetch(*_member_spans_query(group, start, end)))


def _member_spans_query(group: Group, start: dt.date, end: dt.date) -> tuple[str, list]:
    member_table, condition, param = _in_group_between(group)
    end_column = connection.ops.quote_name("end")
    columns = ", ".join(f"s.{name}" for name in _SPAN_STUDENT_FIELDS)
    return (f"SELECT e.start, e.{end_column}, {columns} FROM {member_table} e "  # noqa: S608
            f"JOIN {table(Student)} s ON s.id = e.student_id WHERE {condition}",
            [param, date_param(end), date_param(start)])


def _spans_of(rows: list[tuple]) -> Spans:
    spans: Spans = {}
    for span_start, span_end, *values in rows:
        student = Student.from_db(connection.alias, _SPAN_STUDENT_FIELDS, values)
        entry = spans.get(student.pk)
        if entry is None:
            entry = spans[student.pk] = (student, [])
        entry[1].append((as_date(span_start), as_date(span_end) or OPEN_END))
    return dict(sorted(spans.items(), key=lambda item: _name_key(item[1][0])))


def _name_key(student: Student) -> tuple:
    return (student.last_name, student.first_name, student.patronymic, student.pk)


def in_spans(spans: list[tuple[dt.date, dt.date]], on: dt.date) -> bool:
    return any(start <= on <= end for start, end in spans)


def is_member_on(group: Group, student: Student, on: dt.date) -> bool:
    """Whether the student was in the group on ``on`` — one query."""
    member_table, condition, param = _in_group_between(group)
    return bool(fetch(f"SELECT 1 FROM {member_table} e WHERE {condition} AND e.student_id = %s",  # noqa: S608
                      [param, date_param(on), date_param(on), student.pk]))


# --- the grid ------------------------------------------------------------------------------------------------


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
    member_table, member_filter, member_param = _in_group_between(lesson.assignment.group)
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
        _member_spans_query(assignment.group, period.start, period.end),
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
    return [mark for _, mark, _ in period_mark_rows(
                [getattr(assignment, "pk", assignment)], getattr(student, "pk", student), period)]


# --- one lesson ------------------------------------------------------------------------------------------------


@dataclass
class SheetRow:
    student: Student
    cell: Cell
    individual_homework: str = ""

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
    def due_date(self) -> dt.date | None:
        record = self.record
        return (record.homework_due if record is not None and record.homework_due else None) or self.next_lesson_date


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
    next_date = (Lesson.objects.filter(assignment=assignment, cancelled=False)
                 .filter(Q(date__gt=lesson.date) | Q(date=lesson.date, number__gt=lesson.number))
                 .order_by("date", "number").values_list("date", flat=True).first())
    return LessonSheet(
        lesson=lesson, record=record, rows=rows, work_types=work_types,
        column_work_type_id=(record.control_type_id if record is not None and record.control_type_id
                             else (default.pk if default else None)),
        policy=policy, period=period, lock=lock,
        late=locks.is_late(lesson.date, policy=policy, today=today) or lock.reopened_until is not None,
        marks_allowed=marks_allowed_for(assignment, grade, policy), next_lesson_date=next_date,
        attachments=list(HomeworkAttachment.objects.filter(lesson=lesson).order_by("created_at", "id")),
        grade=grade,
    )


# --- history -------------------------------------------------------------------------------------------------


def lesson_history(lesson: Lesson) -> QuerySet[AuditEntry]:
    """Everything recorded about a lesson: topic, homework, record, attachments, every cell, substitutions."""
    return (AuditEntry.objects.filter(school_id=lesson.school_id, target_type=LESSON_TARGET,
                                      target_id=str(lesson.pk))
            .select_related("actor").order_by("created_at", "id"))


def cell_history(lesson: Lesson, student: Student | int) -> QuerySet[AuditEntry]:
    student_id = student if isinstance(student, int) else student.pk
    return lesson_history(lesson).filter(verb__in=CELL_VERBS, after__student=student_id)


@dataclass
class CellDetail:
    lesson: Lesson
    student: Student
    marks: list[Mark]
    attendance: Attendance | None
    history: list[AuditEntry]


def cell_detail(lesson: Lesson, student: Student) -> CellDetail:
    return CellDetail(
        lesson=lesson, student=student,
        marks=list(Mark.objects.filter(lesson=lesson, student=student).select_related("work_type", "author")
                   .order_by("position", "id")),
        attendance=Attendance.objects.filter(lesson=lesson, student=student).select_related("set_by").first(),
        history=list(cell_history(lesson, student)),
    )


# --- final marks ------------------------------------------------------------------------------------------------


@dataclass
class FinalRow:
    student: Student
    average: Decimal | None
    count: int
    suggestion: Suggestion
    final: FinalMark | None
    period_values: list[str | None] = field(default_factory=list)


def period_final_rows(assignment: TeachingAssignment, period: ReportingPeriod, *, today: dt.date,
                      policy: Policy) -> list[FinalRow]:
    """Students of the period with average, suggestion and final mark — three queries."""
    spans = member_spans(assignment.group, period.start, period.end)
    graded: dict[int, list[GradedMark]] = defaultdict(list)
    for student_id, *rest in (Mark.objects.filter(lesson__assignment=assignment, lesson__date__gte=period.start,
                                                  lesson__date__lte=period.end, lesson__cancelled=False)
                              .values_list("student_id", "value", "modifier", "work_type_id", "lesson__date",
                                           "position", "lesson__number")):
        graded[student_id].append(GradedMark(*rest))
    finals = {f.student_id: f for f in FinalMark.objects.filter(assignment=assignment, period=period,
                                                                kind=FinalKind.PERIOD)}
    rows = []
    for student_id, (student, _) in spans.items():
        marks = graded.get(student_id, [])
        suggestion = grading.suggest_final_mark(marks, policy=policy)
        rows.append(FinalRow(student=student, average=suggestion.average, count=suggestion.count,
                             suggestion=suggestion, final=finals.get(student_id)))
    return rows


def year_final_rows(assignment: TeachingAssignment, periods: list[ReportingPeriod], *,
                    policy: Policy) -> list[FinalRow]:
    """Students of the year with their period marks, the suggested year mark and the year mark — three queries."""
    year = assignment.year
    start = periods[0].start if periods else year.start
    end = periods[-1].end if periods else year.end
    spans = member_spans(assignment.group, start, end)
    period_index = {p.pk: i for i, p in enumerate(periods)}
    by_student: dict[int, list[str | None]] = defaultdict(lambda: [None] * len(periods))
    year_marks: dict[int, FinalMark] = {}
    for final in FinalMark.objects.filter(assignment=assignment):
        if final.kind == FinalKind.YEAR:
            year_marks[final.student_id] = final
        elif final.period_id in period_index:
            by_student[final.student_id][period_index[final.period_id]] = final.value
    rows = []
    for student_id, (student, student_spans) in spans.items():
        values = list(by_student[student_id])
        # Periods the student was not in the group at all do not count against him.
        present = [v for v, p in zip(values, periods, strict=True)
                   if v is not None or any(s <= p.end and e >= p.start for s, e in student_spans)]
        suggestion = grading.suggest_year_mark(present, policy=policy)
        rows.append(FinalRow(student=student, average=suggestion.average, count=suggestion.count,
                             suggestion=suggestion, final=year_marks.get(student_id), period_values=values))
    return rows


# --- class teacher -------------------------------------------------------------------------------------------------


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


# --- the deputy's control page -------------------------------------------------------------------------------------


@dataclass
class ControlOverview:
    year: AcademicYear
    today: dt.date
    by_teacher: list[dict]
    unfilled: list[Lesson]
    control_without_marks: list[Lesson]
    missing_finals: list[dict]
    flagged: list[FinalMark]
    late_corrections: list[AuditEntry]
    reopenings: list[PeriodReopening]


CONTROL_LIST_LIMIT = 100
FINALS_WATCH_DAYS = 14


def control_overview(school: School, year: AcademicYear, *, today: dt.date) -> ControlOverview:
    """What the deputy checks: unfilled lessons, control works without marks, final marks missing near the end of
    a period, final marks that differ from the suggestion, late corrections and reopened periods."""
    policy = policy_for(school, today)
    no_homework = Q(assignment__subject__without_marks=True) | Q(
        assignment__group__school_class__grade__in=sorted(policy.grades_without_marks))
    past = Lesson.objects.filter(school=school, date__gte=year.start, date__lte=min(today, year.end), cancelled=False)
    missing_topic = Q(topic="")
    missing_homework = Q(homework="") & ~no_homework
    unfilled_q = missing_topic | missing_homework
    by_teacher = list(
        past.values("actual_teacher_id", "actual_teacher__last_name", "actual_teacher__first_name",
                    "actual_teacher__patronymic")
        .annotate(total=Count("id"), no_topic=Count("id", filter=missing_topic),
                  no_homework=Count("id", filter=missing_homework))
        .filter(Q(no_topic__gt=0) | Q(no_homework__gt=0))
        .order_by("-no_topic", "-no_homework", "actual_teacher__last_name")
    )
    unfilled = list(past.filter(unfilled_q).select_related("assignment__subject", "assignment__group",
                                                           "actual_teacher")
                    .order_by("-date", "number")[:CONTROL_LIST_LIMIT])
    has_marks = Exists(Mark.objects.filter(lesson=OuterRef("pk")))
    control_without_marks = list(
        past.filter(date__lt=today - dt.timedelta(days=1), record__control_type__is_control=True)
        .annotate(has_marks=has_marks).filter(has_marks=False)
        .select_related("assignment__subject", "assignment__group", "actual_teacher", "record__control_type")
        .order_by("-date", "number")[:CONTROL_LIST_LIMIT]
    )
    missing_finals = _missing_finals(school, year, today=today, policy=policy)
    flagged = list(FinalMark.objects.filter(school=school, flagged=True, assignment__year=year)
                   .select_related("student", "assignment__subject", "assignment__group", "assignment__teacher",
                                   "period", "set_by")
                   .order_by("-set_at")[:CONTROL_LIST_LIMIT])
    late = list(AuditEntry.objects.filter(school=school, verb__in=(*CELL_VERBS, "journal.lesson"),
                                          target_type=LESSON_TARGET,
                                          after__late=True, created_at__date__gte=year.start)
                .select_related("actor").order_by("-created_at")[:CONTROL_LIST_LIMIT])
    reopenings = list(PeriodReopening.objects.filter(school=school, until__gte=today)
                      .select_related("assignment__subject", "assignment__group", "assignment__teacher", "period",
                                      "created_by"))
    return ControlOverview(year=year, today=today, by_teacher=by_teacher, unfilled=unfilled,
                           control_without_marks=control_without_marks, missing_finals=missing_finals,
                           flagged=flagged, late_corrections=late, reopenings=reopenings)


def _missing_finals(school: School, year: AcademicYear, *, today: dt.date, policy: Policy) -> list[dict]:
    """Assignments with students lacking a final mark for a period that ends within two weeks or has just ended
    (until it closes). Queries: periods, then per such period (at most two): assignments, enrollments,
    memberships, final marks."""
    periods = list(ReportingPeriod.objects.filter(period_set__year=year).select_related("period_set"))
    watched = [p for p in periods
               if p.end - dt.timedelta(days=FINALS_WATCH_DAYS) <= today <= p.end + dt.timedelta(
                   days=policy.close_after_days)]
    out = []
    for period in watched:
        period_set = period.period_set
        grades = [g for g in range(period_set.grade_from, period_set.grade_to + 1)
                  if g not in policy.grades_without_marks and g != 1]
        assignments = list(
            TeachingAssignment.objects.filter(year=year, group__school_class__grade__in=grades,
                                              subject__without_marks=False)
            .select_related("subject", "group", "group__school_class", "teacher")
        )
        if not assignments:
            continue
        class_ids = {a.group.school_class_id for a in assignments}
        on = min(period.end, max(today, period.start))
        class_members: dict[int, set[int]] = defaultdict(set)
        for class_id, student_id in (Enrollment.objects.filter(school_class_id__in=class_ids, start__lte=on)
                                     .filter(Q(end__isnull=True) | Q(end__gte=on))
                                     .values_list("school_class_id", "student_id")):
            class_members[class_id].add(student_id)
        group_members: dict[int, set[int]] = defaultdict(set)
        for group_id, student_id in (GroupMembership.objects.filter(
                group_id__in=[a.group_id for a in assignments if a.group.kind != GroupKind.CLASS], start__lte=on)
                .filter(Q(end__isnull=True) | Q(end__gte=on)).values_list("group_id", "student_id")):
            group_members[group_id].add(student_id)
        set_finals: dict[int, set[int]] = defaultdict(set)
        for assignment_id, student_id in FinalMark.objects.filter(
                period=period, kind=FinalKind.PERIOD,
                assignment_id__in=[a.pk for a in assignments]).values_list("assignment_id", "student_id"):
            set_finals[assignment_id].add(student_id)
        for assignment in assignments:
            members = (class_members[assignment.group.school_class_id] if assignment.group.kind == GroupKind.CLASS
                       else group_members[assignment.group_id])
            missing = len(members - set_finals[assignment.pk])
            if missing:
                out.append({"period": period, "assignment": assignment, "missing": missing, "total": len(members)})
    out.sort(key=lambda item: (item["period"].end, item["assignment"].teacher.last_name,
                               item["assignment"].group.name))
    return out


# --- the teacher's start page -----------------------------------------------------------------------------------------


def teacher_lessons_on(staff_id: int, on: dt.date) -> QuerySet[Lesson]:
    """A teacher's lessons of a day: his own and those he substitutes."""
    return (Lesson.objects.filter(date=on, cancelled=False)
            .filter(Q(actual_teacher_id=staff_id) | Q(assignment__teacher_id=staff_id))
            .select_related("assignment__subject", "assignment__group", "actual_teacher")
            .order_by("number"))


def policy_versions(school: School) -> QuerySet[GradingPolicy]:
    return GradingPolicy.objects.filter(school=school).select_related("created_by").order_by("-valid_from")


def attachments_of(lesson: Lesson) -> QuerySet[HomeworkAttachment]:
    return HomeworkAttachment.objects.filter(lesson=lesson).order_by("created_at", "id")


def individual_homework_of(lesson: Lesson) -> QuerySet[IndividualHomework]:
    return IndividualHomework.objects.filter(lesson=lesson).select_related("student")


def mark_counts(assignment_ids: list[int], start: dt.date, end: dt.date) -> dict[int, int]:
    return dict(Mark.objects.filter(lesson__assignment_id__in=assignment_ids, lesson__date__gte=start,
                                    lesson__date__lte=end).values_list("lesson__assignment_id")
                .annotate(n=Count("id")).values_list("lesson__assignment_id", "n"))


# --- the teacher's start page («Мой день») ---------------------------------------------------------------------


@dataclass
class DayLesson:
    """One of today's lessons and what is still to fill in it."""

    lesson: Lesson
    has_topic: bool
    has_homework: bool
    homework_expected: bool
    has_entries: bool  # any absence or mark: attendance taken
    held: bool

    @property
    def missing(self) -> list[str]:
        missing = []
        if not self.has_topic:
            missing.append("тема")
        if self.homework_expected and not self.has_homework:
            missing.append("домашнее задание")
        if self.held and not self.has_entries:
            missing.append("посещаемость")
        return missing


@dataclass
class OverdueControl:
    """A control work held more than a day ago whose marks are not all entered."""

    lesson: Lesson
    control_label: str
    marks: int


@dataclass
class TeacherDayPage:
    day: dt.date
    lessons: list[DayLesson]
    overdue: list[OverdueControl]
    holiday: str | None
    handed_over: list[Lesson]

    @property
    def first_to_fill(self) -> DayLesson | None:
        for item in self.lessons:
            if item.held and item.missing:
                return item
        return next((item for item in self.lessons if item.missing), None)


def teacher_day_page(staff: StaffMember, year: AcademicYear | None, day: dt.date, *, today: dt.date) -> TeacherDayPage:
    """Today's lessons of a teacher with what is unfilled (topic, homework, attendance) and his control works older
    than a day without marks. Queries: the day's lessons, bells and holidays (timetable's ``teacher_day``), one for
    the lessons' entries, one for the overdue control works — the same for any number of lessons and pupils."""
    from zhurnal.timetable.selectors import teacher_day

    plan = teacher_day(staff, year, day)
    lessons = plan.lessons
    with_entries: set[int] = set()
    if lessons:
        ids = [lesson.pk for lesson in lessons]
        with_entries = set(
            Lesson.objects.filter(pk__in=ids).filter(
                Exists(Attendance.objects.filter(lesson_id=OuterRef("pk")))
                | Exists(Mark.objects.filter(lesson_id=OuterRef("pk")))
            ).values_list("pk", flat=True)
        )
    policy, work_types = rules_on(staff.school_id, day)
    items = []
    for lesson in lessons:
        group = lesson.assignment.group
        grade = group.school_class.grade if group.school_class_id else None
        homework_expected = marks_allowed_for(lesson.assignment, grade, policy)
        items.append(DayLesson(lesson=lesson, has_topic=bool(lesson.topic.strip()),
                               has_homework=bool(lesson.homework.strip()), homework_expected=homework_expected,
                               has_entries=lesson.pk in with_entries, held=lesson.date <= today))
    overdue: list[OverdueControl] = []
    control_ids = sorted(policy.control_types)
    if control_ids:
        labels = {w.pk: w.label for w in work_types}
        rows = (Lesson.objects.filter(actual_teacher=staff, cancelled=False, date__lt=today - dt.timedelta(days=1),
                                      record__control_type_id__in=control_ids)
                .filter(date__gte=year.start if year else today - dt.timedelta(days=60))
                .annotate(mark_count=Count("marks"))
                .filter(mark_count=0)
                .select_related("assignment__subject", "assignment__group", "record")
                .order_by("-date", "number")[:50])
        overdue = [OverdueControl(lesson=lesson, control_label=labels.get(lesson.record.control_type_id, ""),
                                  marks=lesson.mark_count) for lesson in rows]
    return TeacherDayPage(day=day, lessons=items, overdue=overdue, holiday=plan.holiday,
                          handed_over=plan.handed_over)
