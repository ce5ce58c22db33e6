"""The journal's hand-written SQL: statements the ORM makes too slow for the number of rows they touch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from django.db import connections

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
    column = {name: quote(Lesson._meta.get_field(name).column)
              for name in ("id", "topic", "homework", "updated_at")}
    # Only quoted identifiers from the model go into the text; every value is a parameter.
    sql = "UPDATE {} SET {} = %s, {} = %s, {} = %s WHERE {} = %s AND {} = %s AND {} = %s".format(  # noqa: S608
        quote(Lesson._meta.db_table), column["topic"], column["homework"], column["updated_at"], column["id"],
        column["topic"], column["homework"])
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(row.topic, row.homework, stamp, row.lesson_id, row.old_topic, row.old_homework)
                                 for row in rows])
