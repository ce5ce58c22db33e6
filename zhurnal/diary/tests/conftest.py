"""The small school with a timetable, the journal's rules and helpers to put marks, absences and homework into
the journal through the journal's own services — what the diary then shows."""

from __future__ import annotations

import datetime as dt

import pytest

from zhurnal.core.dates import today as school_today
from zhurnal.timetable.calendar import monday_of


@pytest.fixture
def diary(small_school):
    """Maths (2nd lesson) and Russian (3rd lesson) every weekday in 5А; maths in 5Б; bells; the journal's usual
    work types and rules. ``s.today`` is the school's today; ``s.monday`` the Monday of the last full school week
    (this week if today is Saturday or Sunday, else the week before)."""
    from zhurnal.journal.services import ensure_journal_setup
    from zhurnal.school.models import TeachingAssignment
    from zhurnal.timetable.testing import make_bells, make_room, put

    s = small_school
    s.bells = make_bells(s.year)
    s.room = make_room(s.school, "214")
    s.room2 = make_room(s.school, "215")
    s.math_5a = TeachingAssignment.objects.get(group__school_class=s.class_5a, subject=s.math)
    s.russian_5a = TeachingAssignment.objects.get(group__school_class=s.class_5a, subject=s.russian)
    s.math_5b = TeachingAssignment.objects.get(group__school_class=s.class_5b, subject=s.math)
    ensure_journal_setup(school=s.school)
    for weekday in range(1, 6):
        put(s.math_5a, weekday, 2, s.room)
        put(s.russian_5a, weekday, 3, s.room2)
        put(s.math_5b, weekday, 4, s.room)
    s.today = school_today()
    this_monday = monday_of(s.today)
    s.monday = this_monday if s.today.weekday() >= 5 else this_monday - dt.timedelta(days=7)
    return s


def lesson_on(assignment, day: dt.date):
    from zhurnal.timetable.models import Lesson

    return Lesson.objects.get(assignment=assignment, date=day)


def school_days_before(s, count: int, assignment=None) -> list:
    """The last ``count`` lessons of ``assignment`` (maths in 5А) up to today, oldest first."""
    from zhurnal.timetable.models import Lesson

    lessons = list(Lesson.objects.filter(assignment=assignment or s.math_5a, date__lte=s.today, cancelled=False)
                   .order_by("-date", "-number")[:count])
    return list(reversed(lessons))


def put_cell(s, lesson, student, text: str, *, work_type=None):
    """What the teacher types into the journal cell, saved by the journal's service on the lesson's day."""
    from zhurnal.journal.services import save_cell

    teacher = lesson.assignment.teacher.user
    return save_cell(actor=teacher, lesson=lesson, student=student, text=text, work_type=work_type,
                     today=max(lesson.date, s.today) if lesson.date <= s.today else lesson.date)


def work_type(s, short_name: str):
    from zhurnal.journal.models import WorkType

    return WorkType.objects.get(school=s.school, short_name=short_name)


def current_quarter(s):
    """The 5th grade's period that contains today (or the latest one that started before today)."""
    from zhurnal.school.selectors import periods_for_grade

    periods = list(periods_for_grade(s.year, 5))
    started = [p for p in periods if p.start <= s.today]
    return started[-1] if started else periods[0]


def set_period_end(s, period, end: dt.date):
    """Move the end of a period (the administrator's service), so that today falls where a test needs it."""
    from zhurnal.school.services import update_period

    return update_period(actor=None, period=period, name=period.name, start=min(period.start, end), end=end)
