"""The journal's hand-written SQL: statements the ORM makes too slow for the number of rows they touch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from django.db import connection, connections

from zhurnal.core.sql import columns, date_param, fetch, field_column, model_rows, table
from zhurnal.school.models import Enrollment, Group, GroupKind, GroupMembership, Student
from zhurnal.timetable.models import Lesson


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
