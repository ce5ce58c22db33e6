import datetime as dt
from dataclasses import dataclass

import pytest

from zhurnal.core.dates import today as school_today

# Service tests pass ``today`` explicitly: these dates fall in the first quarter of the 2026/2027 year built by
# ``build_small_school`` (quarter 1: 1 September – 25 October, closing five days later).
IN_Q1 = dt.date(2026, 10, 1)


@dataclass
class JournalSchool:
    school: object
    maths: object
    russian: object
    lessons: list  # maths in 5А: the first lesson of every school day of the year, by the timetable
    russian_lessons: list  # Russian in 5А (the class teacher): the second lesson on Mondays and Wednesdays
    today: dt.date

    def open_lesson(self, back: int = 0):
        """A maths lesson of the current period that has already taken place (``back`` lessons earlier)."""
        past = [lesson for lesson in self.lessons if lesson.date <= self.today]
        return past[-1 - back]

    def future_lesson(self):
        return next(lesson for lesson in self.lessons if lesson.date > self.today)

    def lesson_on_or_after(self, day: dt.date):
        return next(lesson for lesson in self.lessons if lesson.date >= day)


@pytest.fixture
def journal(small_school):
    """The small school with the usual grading rules and lessons of maths and Russian in 5А."""
    from zhurnal.journal import services
    from zhurnal.school.models import TeachingAssignment
    from zhurnal.school.testing import class_group
    from zhurnal.timetable.models import Lesson
    from zhurnal.timetable.testing import put

    services.ensure_journal_setup(school=small_school.school)
    group = class_group(small_school.class_5a)
    maths = TeachingAssignment.objects.select_related("group__school_class", "subject").get(
        group=group, subject=small_school.math)
    russian = TeachingAssignment.objects.select_related("group__school_class", "subject").get(
        group=group, subject=small_school.russian)
    for weekday in range(1, 6):
        put(maths, weekday, 1)
    for weekday in (1, 3):
        put(russian, weekday, 2)
    lessons = Lesson.objects.select_related("assignment").order_by("date", "number")
    return JournalSchool(
        school=small_school, maths=maths, russian=russian, lessons=list(lessons.filter(assignment=maths)),
        russian_lessons=list(lessons.filter(assignment=russian)), today=school_today(),
    )
