"""The journal grid (assignment × period) and the state a cell save reads with its column."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection

from zhurnal.core.models import WriteKey
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
    Mark,
    WorkType,
)
from ..policies import rules_on
from ..queries import LessonHead
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
    found = queries.column_rows(lesson_id=lesson.pk, assignment_id=lesson.assignment_id,
                                group=lesson.assignment.group, day=lesson.date, student_ids=student_ids, keys=keys,
                                period=None if period is None else (period.start, period.end))
    types_by_id = {w.pk: w for w in work_types}
    state = ColumnState(keys={}, absences={}, marks={}, members=found.members, control_type_id=found.control_type_id,
                        period_marks=found.period_marks)
    marks = []
    for found_mark in found.marks:
        mark = _from_db(Mark, {
            "id": found_mark.pk, "school_id": lesson.school_id, "lesson_id": lesson.pk,
            "student_id": found_mark.student_id, "value": found_mark.value, "modifier": found_mark.modifier,
            "comment": found_mark.comment, "work_type_id": found_mark.work_type_id, "position": found_mark.position,
            "author_id": found_mark.author_id})
        mark.work_type = types_by_id.get(found_mark.work_type_id) or WorkType.objects.get(pk=found_mark.work_type_id)
        marks.append(mark)
    for absence in found.absences:
        state.absences[absence.student_id] = _from_db(Attendance, {
            "id": absence.pk, "school_id": lesson.school_id, "lesson_id": lesson.pk, "student_id": absence.student_id,
            "code": absence.code, "note": absence.note, "set_by_id": absence.set_by_id})
    for used in found.keys:
        state.keys[str(uuid.UUID(used.key))] = WriteKey(school_id=used.school_id, key=used.key, verb=used.verb,
                                                        result=json.loads(used.result))
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
    labels: dict[int | None, str] = {w.pk: w.label for w in work_types}
    default = default_work_type(work_types)
    found = queries.grid_rows(assignment_id=assignment.pk, group=assignment.group, period_id=period.pk,
                              start=period.start, end=period.end, final_kind=FinalKind.PERIOD,
                              student_fields=_SPAN_STUDENT_FIELDS)  # one round trip on PostgreSQL
    lessons = found.lessons
    columns = []
    for lesson, control_type_id in zip(lessons, found.control_type_ids, strict=True):
        columns.append(GridColumn(
            lesson=lesson, work_type_id=control_type_id or (default.pk if default else None),
            is_control=control_type_id in control_ids, control_label=labels.get(control_type_id, ""),
        ))
    spans = _spans_of(found.members)
    cells: dict[int, dict[int, Cell]] = defaultdict(dict)  # student → lesson → cell
    kinds: dict[int, list[tuple[str, str, int | None]]] = defaultdict(list)  # student → his marks' kinds
    controls: dict[int, list[GradedMark]] = defaultdict(list)  # student → his control works' marks
    lesson_ids = [lesson.pk for lesson in lessons]
    lesson_dates = {lesson.pk: (lesson.date, lesson.number) for lesson in lessons}
    marks = found.cells  # in each cell: its absence, then its marks in order
    for lesson_id, student_id, value, modifier, work_type_id, order, code in zip(
            marks.lesson_id, marks.student_id, marks.value, marks.modifier, marks.work_type_id, marks.order, marks.code,
            strict=True):
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
            controls[student_id].append(GradedMark(value, modifier, work_type_id, date, order >> queries.ORDER_SHIFT,
                                                   number))
    finals = {final.student_id: FinalHead(final.value, final.flagged) for final in found.finals}
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


def period_mark_rows(assignment_ids: list[int], student_id: int,
                     period: ReportingPeriod) -> list[queries.PeriodMarkRow]:
    """A student's marks of these assignments in a period (lessons not cancelled) in the journal's order — the
    marks a period's average is made of: (assignment, ``GradedMark``, comment), one plain query. On the diary's
    subject and final-marks pages and for a suggested final mark."""
    return queries.period_marks(assignment_ids, student_id, period.start, period.end)


def student_period_marks(assignment: TeachingAssignment | int, student: Student | int,
                         period: ReportingPeriod) -> list[GradedMark]:
    """``period_mark_rows`` of one assignment, as the average takes them."""
    assignment_id = assignment if isinstance(assignment, int) else assignment.pk
    student_id = student if isinstance(student, int) else student.pk
    return [row.mark for row in period_mark_rows([assignment_id], student_id, period)]
