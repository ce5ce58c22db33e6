"""One due date for homework everywhere (``zhurnal.journal.homework``): the lesson page, the diary's week, its
printed report and the iCalendar feed agree — for homework given at the first of a Monday double lesson (due at
Wednesday's lesson, not at the second lesson of the same Monday) and for a date the teacher set."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from zhurnal.diary import services as diary_services
from zhurnal.journal import services as journal
from zhurnal.journal.homework import due_date
from zhurnal.school.testing import class_group, make_assignment, make_subject
from zhurnal.timetable.models import Lesson
from zhurnal.timetable.testing import put

from .test_paper_and_calendar import pdf_text

pytestmark = pytest.mark.django_db


def test_the_rule_takes_a_later_day_or_the_teachers_date():
    monday = dt.date(2026, 11, 30)
    later = [monday, monday + dt.timedelta(days=2)]
    assert due_date(given_on=monday, set_due=None, later_lessons=later) == monday + dt.timedelta(days=2)
    assert due_date(given_on=monday, set_due=monday + dt.timedelta(days=4), later_lessons=later) == (
        monday + dt.timedelta(days=4))
    assert due_date(given_on=monday, set_due=None, later_lessons=[monday]) is None


@pytest.mark.parametrize("teacher_sets_date", [False, True], ids=["next-lesson", "teacher-date"])
def test_lesson_page_diary_printout_and_calendar_give_one_due_date(diary, login, client, teacher_sets_date):
    s = diary
    student = s.students["student"]
    informatics = make_assignment(s.staff["teacher"], make_subject(s.school, "Информатика"), class_group(s.class_5a))
    put(informatics, 1, 5)  # Monday, 5th and 6th lessons: a double lesson
    put(informatics, 1, 6)
    put(informatics, 3, 5)  # Wednesday
    monday = s.monday
    first, second = Lesson.objects.filter(assignment=informatics, date=monday).order_by("number")
    assert (first.number, second.number) == (5, 6)
    wednesday, friday = monday + dt.timedelta(days=2), monday + dt.timedelta(days=4)
    due = friday if teacher_sets_date else wednesday
    extra = {"homework_due": friday} if teacher_sets_date else {}
    journal.save_lesson_record(actor=s.users["teacher"], lesson=first, topic="Алгоритмы",
                               homework="Параграф 3, вопросы 1–4", today=monday, **extra)
    shown = f"{due:%d.%m.%Y}"

    read_only = login("deputy").get(f"/journal/lessons/{first.pk}/").content.decode()
    assert f"<dt>Задано к</dt><dd>{shown}</dd>" in read_only
    form = login("teacher").get(f"/journal/lessons/{first.pk}/").content.decode()
    if teacher_sets_date:
        assert f'name="homework_due" value="{due:%Y-%m-%d}"' in form
    else:
        assert f"Пусто — к следующему уроку, {shown}." in form

    family = login("guardian")
    week = family.get(f"/diary/{student.pk}/week/?date={monday:%Y-%m-%d}").content.decode()
    assert f"Задано к {shown}:</span> Параграф 3, вопросы 1–4" in week

    printout = pdf_text(family.get(f"/diary/{student.pk}/week/pdf/?date={monday:%Y-%m-%d}").content)
    assert f"Задано к {shown}:" in printout

    feed = diary_services.renew_calendar_feed(actor=s.users["guardian"], student=student)
    family.logout()
    events = Calendar.from_ical(client.get(f"/diary/calendar/{feed.plain_token}.ics").content).walk("VEVENT")
    homework = [e for e in events if str(e["UID"]) == f"homework-{first.pk}@{s.school.slug}.zhurnal"]
    assert [e.decoded("DTSTART") for e in homework] == [due]
