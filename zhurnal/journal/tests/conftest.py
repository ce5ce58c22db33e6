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
    lessons: list  # maths in 5А, first lesson of every school day from 1 September to a few days after today
    russian_lessons: list  # Russian in 5А (the class teacher), second lesson, the first ten school days
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
    from zhurnal.core.testing import class_group
    from zhurnal.journal import services
    from zhurnal.journal.testing import make_lessons
    from zhurnal.school.models import TeachingAssignment

    services.ensure_journal_setup(school=small_school.school)
    group = class_group(small_school.class_5a)
    maths = TeachingAssignment.objects.select_related("group__school_class", "subject").get(
        group=group, subject=small_school.math)
    russian = TeachingAssignment.objects.select_related("group__school_class", "subject").get(
        group=group, subject=small_school.russian)
    today = school_today()
    return JournalSchool(
        school=small_school, maths=maths, russian=russian,
        lessons=make_lessons(maths, until=today + dt.timedelta(days=7)),
        russian_lessons=make_lessons(russian, 10, numbers=(2,)), today=today,
    )
