"""When homework is due — one rule for the lesson page, the diary (week, printed report, calendar, iCal) and every
report: the date the teacher set, else the group's next lesson on a later day. A second lesson of the same day is
not "the next lesson" for homework: the homework is done at home in between."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from zhurnal.timetable.models import Lesson


def due_date(*, given_on: dt.date, set_due: dt.date | None, later_lessons: Iterable[dt.date]) -> dt.date | None:
    """``set_due`` when the teacher set one, else the first of ``later_lessons`` (the dates, in time order, of the
    group's lessons after this one that take place) on a later day than ``given_on``; ``None`` when there is none."""
    if set_due is not None:
        return set_due
    return next((day for day in later_lessons if day > given_on), None)


def next_lesson_day(lesson: Lesson) -> dt.date | None:
    """The date of the group's next lesson of the subject on a later day that takes place — one query."""
    return (Lesson.objects.filter(assignment_id=lesson.assignment_id, cancelled=False, date__gt=lesson.date)
            .order_by("date").values_list("date", flat=True).first())
