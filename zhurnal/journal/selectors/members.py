"""Who is in a group when: membership spans from enrolments and group memberships."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from zhurnal.school.models import (
    Group,
    Student,
)

from .. import queries

OPEN_END = dt.date.max


# A spans' student is loaded with these fields only (what the journal's pages show of him; the rest deferred), in
# the model's field order as ``Model.from_db`` takes them.
_SPAN_STUDENT_FIELDS = tuple(f.attname for f in Student._meta.concrete_fields
                             if f.attname in ("id", "school_id", "user_id", "last_name", "first_name", "patronymic"))


Spans = dict[int, tuple[Student, list[tuple[dt.date, dt.date]]]]


def member_spans(group: Group, start: dt.date, end: dt.date) -> Spans:
    """Students of the group at any time between ``start`` and ``end`` with their spans in it, ordered by name —
    one plain query (``core.sql``; the grid's hundreds of rows cost more to build through the ORM)."""
    return _spans_of(queries.member_spans(group, start, end, _SPAN_STUDENT_FIELDS))


def _spans_of(rows: list[queries.MemberSpanRow]) -> Spans:
    spans: Spans = {}
    for row in rows:
        student = Student.from_db(connection.alias, _SPAN_STUDENT_FIELDS, row.student)
        entry = spans.get(student.pk)
        if entry is None:
            entry = spans[student.pk] = (student, [])
        entry[1].append((row.start, row.end or OPEN_END))
    return dict(sorted(spans.items(), key=lambda item: _name_key(item[1][0])))


def _name_key(student: Student) -> tuple:
    return (student.last_name, student.first_name, student.patronymic, student.pk)


def in_spans(spans: list[tuple[dt.date, dt.date]], on: dt.date) -> bool:
    return any(start <= on <= end for start, end in spans)


def is_member_on(group: Group, student: Student, on: dt.date) -> bool:
    """Whether the student was in the group on ``on`` — one query."""
    return queries.is_member_on(group, student.pk, on)
