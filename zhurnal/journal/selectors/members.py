"""Who is in a group when: membership spans from enrolments and group memberships."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from zhurnal.core.sql import as_date, date_param, fetch, table
from zhurnal.school.models import (
    Enrollment,
    Group,
    GroupKind,
    GroupMembership,
    Student,
)

OPEN_END = dt.date.max


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
