"""A timetable change never deletes a lesson that holds journal data."""

import datetime as dt

import pytest

from zhurnal.journal import services
from zhurnal.journal.models import WorkType
from zhurnal.timetable import services as timetable_services
from zhurnal.timetable.lesson_data import LESSON_DATA_RELATIONS, lesson_has_data
from zhurnal.timetable.models import Lesson, TimetableEntry

pytestmark = pytest.mark.django_db


def test_the_journal_registers_its_lesson_data():
    assert {"marks", "attendance", "record", "attachments", "individual_homework"} <= set(LESSON_DATA_RELATIONS)


def test_lessons_with_marks_absences_or_a_record_survive_a_timetable_change(journal):
    school = journal.school
    monday = [lesson for lesson in journal.lessons if lesson.date.isoweekday() == 1][:4]
    today = dt.date(2026, 9, 30)
    services.save_cell(actor=school.users["teacher"], lesson=monday[0], student=school.students["student"],
                       text="5", today=today)
    services.save_cell(actor=school.users["teacher"], lesson=monday[1], student=school.students["student"],
                       text="н", today=today)
    services.save_lesson_record(actor=school.users["teacher"], lesson=monday[2], today=today,
                                control_type=WorkType.objects.get(school=school.school, name="Диктант"))
    assert all(lesson_has_data(lesson) for lesson in monday[:3]) and not lesson_has_data(monday[3])
    entry = TimetableEntry.objects.get(assignment=journal.maths, weekday=1)
    timetable_services.end_entry(actor=None, entry=entry, from_date=journal.school.year.start)
    remaining = set(Lesson.objects.filter(assignment=journal.maths, date__in=[m.date for m in monday])
                    .values_list("pk", flat=True))
    assert remaining == {monday[0].pk, monday[1].pk, monday[2].pk}
