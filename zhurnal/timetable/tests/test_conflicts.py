import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhurnal.school import services as school_services
from zhurnal.school.models import GroupKind
from zhurnal.school.testing import class_group, make_assignment, make_class, make_staff, make_subject
from zhurnal.timetable import services
from zhurnal.timetable.models import TimetableEntry, WeekParity
from zhurnal.timetable.testing import put

pytestmark = pytest.mark.django_db
D = dt.date


def refused(**kwargs) -> str:
    with pytest.raises(ValidationError) as err:
        services.add_entry(actor=None, **kwargs)
    return " ".join(err.value.messages)


def test_teacher_cannot_be_in_two_classes_at_once(tt):
    other_class_math = make_assignment(tt.staff["teacher"], tt.math, class_group(tt.class_5b))
    put(tt.math_5a, 1, 2, tt.rooms["101"])
    message = refused(assignment=other_class_math, weekday=1, number=2, room=tt.rooms["102"], valid_from=tt.year.start)
    assert "Учитель Учителева А.П." in message
    assert "понедельник, 2-й урок" in message
    assert TimetableEntry.objects.filter(assignment=other_class_math).count() == 0


def test_room_cannot_hold_two_lessons_at_once(tt):
    put(tt.math_5a, 2, 3, tt.rooms["101"])
    message = refused(assignment=tt.math_5b, weekday=2, number=3, room=tt.rooms["101"], valid_from=tt.year.start)
    assert "Кабинет 101" in message and "занят" in message


def test_class_cannot_have_two_lessons_at_once(tt):
    put(tt.math_5a, 3, 1, tt.rooms["101"])
    message = refused(assignment=tt.russian_5a, weekday=3, number=1, room=tt.rooms["102"], valid_from=tt.year.start)
    assert "У группы «5А»" in message


def test_subgroups_of_a_class_learn_in_parallel_but_not_beside_the_whole_class(tt):
    english = make_subject(tt.school, "Английский язык")
    groups = [school_services.create_group(actor=None, year=tt.year, name=f"5А англ. {n}", kind=GroupKind.SUBGROUP,
                                           school_class=tt.class_5a) for n in (1, 2)]
    teachers = [make_staff(tt.school, f"Англова{n}", username=False) for n in (1, 2)]
    first, second = (make_assignment(t, english, g) for t, g in zip(teachers, groups, strict=True))
    put(first, 1, 4, tt.rooms["101"])
    put(second, 1, 4, tt.rooms["102"])  # the two halves at once: allowed
    message = refused(assignment=tt.math_5a, weekday=1, number=4, room=tt.rooms["201"], valid_from=tt.year.start)
    assert "5А англ. 1" in message and "5А англ. 2" in message


def test_odd_and_even_weeks_share_a_slot(tt):
    put(tt.math_5a, 4, 5, tt.rooms["101"], week=WeekParity.FIRST)
    put(tt.russian_5a, 4, 5, tt.rooms["101"], week=WeekParity.SECOND)
    message = refused(assignment=tt.math_5b, weekday=4, number=5, room=tt.rooms["101"], valid_from=tt.year.start)
    assert "Кабинет 101" in message


def test_entries_that_do_not_overlap_in_time_do_not_conflict(tt):
    put(tt.math_5a, 1, 1, tt.rooms["101"], valid_to=D(2026, 12, 31))
    put(tt.math_5b, 1, 1, tt.rooms["101"], valid_from=D(2027, 1, 1))


def test_second_shift_lesson_numbers_are_compared_by_bell_times(tt):
    second_shift = make_class(tt.year, 7, "А")
    school_services.save_class(actor=None, year=tt.year, grade=7, letter="А", shift=2, school_class=second_shift)
    seventh_math = make_assignment(tt.staff["teacher"], tt.math, class_group(second_shift))
    put(tt.math_5a, 1, 1, tt.rooms["101"])
    put(seventh_math, 1, 1, tt.rooms["101"])  # 08:30 and 13:30: same teacher and room, no clash
    put(tt.math_5a, 1, 7, tt.rooms["102"])  # 14:20–15:05
    message = refused(assignment=seventh_math, weekday=1, number=2, room=tt.rooms["201"], valid_from=tt.year.start)
    assert "Учитель Учителева А.П." in message  # 2nd lesson of the 2nd shift is 14:25–15:10
    put(seventh_math, 1, 3, tt.rooms["201"])  # 15:20: free again


def test_bad_input_names_the_field(tt):
    with pytest.raises(ValidationError) as err:
        services.add_entry(actor=None, assignment=tt.math_5a, weekday=8, number=1, valid_from=tt.year.start)
    assert "weekday" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.add_entry(actor=None, assignment=tt.math_5a, weekday=1, number=1, valid_from=D(2030, 1, 1))
    assert "valid_from" in err.value.message_dict
