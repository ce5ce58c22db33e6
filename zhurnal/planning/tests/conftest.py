import datetime as dt

import pytest


@pytest.fixture
def ktp(small_school):
    """The small school with a timetable: maths in 5А on Monday, Wednesday and Friday, maths in 5Б and Russian
    in 5А on two days. Lessons are generated for the whole year by the timetable services."""
    from zhurnal.school.models import TeachingAssignment
    from zhurnal.timetable.testing import make_bells, put

    s = small_school
    make_bells(s.year)
    s.math_5a = TeachingAssignment.objects.get(group__school_class=s.class_5a, subject=s.math)
    s.russian_5a = TeachingAssignment.objects.get(group__school_class=s.class_5a, subject=s.russian)
    s.math_5b = TeachingAssignment.objects.get(group__school_class=s.class_5b, subject=s.math)
    for weekday, number in ((1, 2), (3, 3), (5, 1)):
        put(s.math_5a, weekday, number)
    for weekday, number in ((2, 2), (4, 1), (5, 4)):
        put(s.math_5b, weekday, number)
    for weekday, number in ((1, 3), (2, 1)):
        put(s.russian_5a, weekday, number)
    s.today = dt.date(2026, 10, 5)  # a Monday of the first quarter
    return s
