import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhurnal.school import services as school_services
from zhurnal.school.models import HolidayKind
from zhurnal.timetable import lesson_data, services
from zhurnal.timetable.models import Lesson, LessonKind, TimetableEntry, WeekParity
from zhurnal.timetable.services import NewEntry, TimetableRowsError
from zhurnal.timetable.testing import put

pytestmark = pytest.mark.django_db
D = dt.date


def lesson_dates(assignment, **filters):
    return list(Lesson.objects.filter(assignment=assignment, **filters).order_by("date").values_list("date", flat=True))


def test_lessons_are_made_for_every_week_of_the_year_but_not_in_vacations(tt):
    put(tt.math_5a, 1, 1, tt.rooms["101"])
    dates = lesson_dates(tt.math_5a)
    assert dates[0] == D(2026, 9, 7)
    assert dates[-1] == D(2027, 5, 31)
    assert all(d.isoweekday() == 1 for d in dates)
    assert D(2026, 10, 26) not in dates  # autumn vacation
    assert D(2026, 11, 2) not in dates
    assert D(2027, 1, 4) not in dates  # winter vacation
    assert D(2026, 11, 9) in dates
    lesson = Lesson.objects.get(assignment=tt.math_5a, date=D(2026, 11, 9))
    assert lesson.room == tt.rooms["101"]
    assert lesson.planned_teacher == lesson.actual_teacher == tt.staff["teacher"]
    assert lesson.kind == LessonKind.REGULAR


def test_a_holiday_for_one_grade_frees_only_that_grade(tt):
    school_services.save_holiday(actor=None, year=tt.year, name="Дополнительные каникулы", kind=HolidayKind.VACATION,
                                 start=D(2027, 2, 15), end=D(2027, 2, 21))
    from zhurnal.school.models import Holiday

    Holiday.objects.filter(name="Дополнительные каникулы").update(grade_from=1, grade_to=1)
    put(tt.math_5a, 1, 1)
    assert D(2027, 2, 15) in lesson_dates(tt.math_5a)
    Holiday.objects.filter(name="Дополнительные каникулы").update(grade_from=5, grade_to=5)
    services.regenerate_lessons(actor=None, year=tt.year, start=tt.year.start)
    assert D(2027, 2, 15) not in lesson_dates(tt.math_5a)


def test_changing_the_timetable_mid_year_leaves_past_lessons_untouched(tt):
    entry = put(tt.math_5a, 1, 1, tt.rooms["101"])
    before = {lesson.pk: (lesson.date, lesson.number, lesson.room_id, lesson.updated_at)
              for lesson in Lesson.objects.filter(assignment=tt.math_5a, date__lt=D(2026, 11, 16))}
    assert before
    change = services.change_entry(actor=None, entry=entry, from_date=D(2026, 11, 16), weekday=3, number=3,
                                   room=tt.rooms["102"])
    after = {lesson.pk: (lesson.date, lesson.number, lesson.room_id, lesson.updated_at)
             for lesson in Lesson.objects.filter(assignment=tt.math_5a, date__lt=D(2026, 11, 16))}
    assert after == before
    later = Lesson.objects.filter(assignment=tt.math_5a, date__gte=D(2026, 11, 16))
    assert {lesson.date.isoweekday() for lesson in later} == {3}
    assert {(lesson.number, lesson.room_id) for lesson in later} == {(3, tt.rooms["102"].pk)}
    entry.refresh_from_db()
    assert entry.valid_to == D(2026, 11, 15)
    assert change.entry.valid_from == D(2026, 11, 16)
    assert change.report.deleted > 0 and change.report.created > 0 and not change.report.kept


def test_regeneration_never_deletes_a_lesson_with_a_topic_and_reports_it(tt):
    entry = put(tt.math_5a, 1, 1)
    taught = Lesson.objects.get(assignment=tt.math_5a, date=D(2026, 11, 23))
    Lesson.objects.filter(pk=taught.pk).update(topic="Дроби")
    change = services.end_entry(actor=None, entry=entry, from_date=D(2026, 11, 16))
    assert Lesson.objects.filter(pk=taught.pk).exists()
    assert change.report.kept == [taught]
    assert "23.11.2026" in change.report.kept_messages[0]
    assert lesson_dates(tt.math_5a, date__gte=D(2026, 11, 16)) == [D(2026, 11, 23)]
    assert lesson_dates(tt.math_5a, date__lt=D(2026, 11, 16))  # the past stays


def test_a_kept_lesson_is_picked_up_again_when_the_timetable_returns_to_its_slot(tt):
    entry = put(tt.math_5a, 1, 1)
    taught = Lesson.objects.get(assignment=tt.math_5a, date=D(2026, 11, 23))
    Lesson.objects.filter(pk=taught.pk).update(homework="№ 5")
    services.end_entry(actor=None, entry=entry, from_date=D(2026, 11, 16))
    new_entry = put(tt.math_5a, 1, 1, valid_from=D(2026, 11, 16))
    taught.refresh_from_db()
    assert taught.entry == new_entry
    assert Lesson.objects.filter(assignment=tt.math_5a, date=D(2026, 11, 23)).count() == 1


def test_journal_relations_registered_by_other_apps_count_as_data(tt, monkeypatch):
    put(tt.math_5a, 1, 1)
    lesson = Lesson.objects.filter(assignment=tt.math_5a).first()
    services.record_substitution(actor=None, lesson=lesson, kind="replace", substitute=tt.staff["other_teacher"],
                                 reason="болезнь")
    plain = Lesson.objects.filter(assignment=tt.math_5a)
    assert list(lesson_data.lessons_with_data(plain, include_substitution=False)) == []
    monkeypatch.setattr(lesson_data, "LESSON_DATA_RELATIONS", ["substitution"])
    assert list(lesson_data.lessons_with_data(plain, include_substitution=False)) == [lesson]


def test_two_week_rotation_makes_lessons_every_other_week(tt):
    put(tt.math_5a, 2, 1, week=WeekParity.FIRST)
    put(tt.russian_5a, 2, 1, week=WeekParity.SECOND)
    math = lesson_dates(tt.math_5a)
    russian = lesson_dates(tt.russian_5a)
    assert math[:3] == [D(2026, 9, 1), D(2026, 9, 15), D(2026, 9, 29)]
    assert russian[:3] == [D(2026, 9, 8), D(2026, 9, 22), D(2026, 10, 6)]
    assert not set(math) & set(russian)


def test_extra_lesson_is_refused_on_a_holiday_and_when_the_class_is_busy(tt):
    put(tt.math_5a, 1, 1)
    with pytest.raises(ValidationError) as err:
        services.add_lesson(actor=None, assignment=tt.russian_5a, date=D(2026, 11, 23), number=1)
    assert "5А" in " ".join(err.value.messages)
    with pytest.raises(ValidationError) as err:
        services.add_lesson(actor=None, assignment=tt.russian_5a, date=D(2026, 10, 27), number=2)
    assert "Осенние каникулы" in " ".join(err.value.messages)
    extra = services.add_lesson(actor=None, assignment=tt.russian_5a, date=D(2026, 11, 23), number=2,
                                note="консультация")
    assert extra.kind == LessonKind.EXTRA and extra.actual_teacher == tt.staff["class_teacher"]


def test_moved_lesson_cancels_the_original_and_survives_regeneration(tt):
    put(tt.math_5a, 1, 1)
    original = Lesson.objects.get(assignment=tt.math_5a, date=D(2026, 11, 23))
    moved = services.move_lesson(actor=None, lesson=original, date=D(2026, 11, 25), number=5)
    original.refresh_from_db()
    assert original.cancelled and "25.11.2026" in original.note
    assert moved.kind == LessonKind.MOVED and moved.moved_from == original
    services.regenerate_lessons(actor=None, year=tt.year, start=D(2026, 11, 1))
    original.refresh_from_db()
    assert original.cancelled
    assert Lesson.objects.filter(pk=moved.pk).exists()


def test_replacing_the_whole_timetable_is_all_or_nothing(tt):
    put(tt.math_5a, 1, 1)
    rows = [NewEntry(assignment=tt.math_5a, weekday=2, number=1, room=tt.rooms["101"], key=2),
            NewEntry(assignment=tt.math_5b, weekday=2, number=1, room=tt.rooms["101"], key=3)]
    with pytest.raises(TimetableRowsError) as err:
        services.replace_timetable(actor=None, year=tt.year, rows=rows, valid_from=D(2027, 1, 11))
    assert list(err.value.row_errors) == [3]
    assert "Кабинет 101" in err.value.row_errors[3][0]
    assert TimetableEntry.objects.count() == 1
    rows[1].room = tt.rooms["102"]
    services.replace_timetable(actor=None, year=tt.year, rows=rows, valid_from=D(2027, 1, 11))
    assert lesson_dates(tt.math_5a, date__lt=D(2027, 1, 11))[-1].isoweekday() == 1
    assert {d.isoweekday() for d in lesson_dates(tt.math_5a, date__gte=D(2027, 1, 11))} == {2}
    assert TimetableEntry.objects.filter(valid_to=D(2027, 1, 10)).count() == 1
