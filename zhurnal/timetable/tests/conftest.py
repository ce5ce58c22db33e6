import pytest


@pytest.fixture
def tt(small_school):
    """The small school with bells, three rooms and the personas' assignments at hand."""
    from zhurnal.school.models import TeachingAssignment
    from zhurnal.timetable.testing import make_bells, make_room

    s = small_school
    s.bells = make_bells(s.year)
    s.rooms = {name: make_room(s.school, name) for name in ("101", "102", "201")}
    s.math_5a = TeachingAssignment.objects.get(group__school_class=s.class_5a, subject=s.math)
    s.russian_5a = TeachingAssignment.objects.get(group__school_class=s.class_5a, subject=s.russian)
    s.math_5b = TeachingAssignment.objects.get(group__school_class=s.class_5b, subject=s.math)
    return s
