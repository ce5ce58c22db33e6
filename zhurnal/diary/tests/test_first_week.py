"""What families asked for in the first week: control works ahead (from the lesson's control type), the period's
absences, which lesson set each homework when two did, failing finals marked, a legend."""

from __future__ import annotations

import datetime as dt

import pytest

from zhurnal.diary import selectors
from zhurnal.diary.templatetags.diary import failing
from zhurnal.journal import services as journal
from zhurnal.journal.models import WorkType
from zhurnal.timetable.models import Lesson

from .conftest import current_quarter, lesson_on, put_cell

pytestmark = pytest.mark.django_db


def test_control_works_ahead_come_from_the_lessons_control_type(diary, login):
    s = diary
    student = s.students["student"]
    ahead = Lesson.objects.filter(assignment=s.math_5a, date__gt=s.today).order_by("date").first()
    control = WorkType.objects.get(school=s.school, name="Контрольная работа")
    journal.save_lesson_record(actor=s.users["teacher"], lesson=ahead, control_type=control, topic="Дроби")
    other = Lesson.objects.filter(assignment=s.math_5b, date__gt=s.today).order_by("date").first()
    journal.save_lesson_record(actor=s.users["other_teacher"], lesson=other, control_type=control)
    found = selectors.upcoming_controls(student, today=s.today)
    assert [(c.date, c.subject) for c in found] == [(ahead.date, "Математика")]  # not 5Б's
    assert found[0].what == "Контрольная работа: Дроби"
    html = login("guardian").get(f"/diary/{student.pk}/week/").content.decode()
    assert 'id="upcoming-controls"' in html and "Контрольная работа: Дроби" in html
    assert 'id="diary-legend"' in html


def test_the_periods_absences_are_counted(diary, login):
    s = diary
    student = s.students["student"]
    period = current_quarter(s)
    held = list(Lesson.objects.filter(assignment=s.math_5a, date__gte=period.start, date__lte=s.today)
                .order_by("-date")[:3])
    if len(held) < 3:
        pytest.skip("too early in the period")
    put_cell(s, held[0], student, "н")
    put_cell(s, held[1], student, "б")
    put_cell(s, held[2], student, "оп")
    absences = selectors.period_absences(student, period, today=s.today)
    assert (absences.total, absences.unexcused, absences.sick, absences.late) == (2, 1, 1, 1)
    html = login("guardian").get(f"/diary/{student.pk}/week/").content.decode()
    assert f"Пропуски за «{period.name}»" in html and "без причины — 1" in html


def test_two_homeworks_due_at_one_lesson_say_which_lesson_set_each(diary, login):
    s = diary
    student = s.students["student"]
    monday = lesson_on(s.math_5a, s.monday)
    tuesday = lesson_on(s.math_5a, s.monday + dt.timedelta(days=1))
    thursday = lesson_on(s.math_5a, s.monday + dt.timedelta(days=3))
    teacher = s.users["teacher"]
    journal.save_lesson_record(actor=teacher, lesson=monday, homework="№ 1", homework_due=thursday.date,
                               today=monday.date)
    journal.save_lesson_record(actor=teacher, lesson=tuesday, homework="№ 2", homework_due=thursday.date,
                               today=tuesday.date)
    html = login("guardian").get(f"/diary/{student.pk}/week/?date={s.monday:%Y-%m-%d}").content.decode()
    day = html.split(f'id="day-{thursday.date:%Y-%m-%d}"', 1)[1]
    assert f"Домашнее задание (задано {monday.date:%d.%m.%Y}):" in day
    assert f"Домашнее задание (задано {tuesday.date:%d.%m.%Y}):" in day


def test_failing_finals_are_marked():
    assert failing("2") and failing("н/а") and failing("нз") and failing("2+")
    assert not failing("3") and not failing("5") and not failing("") and not failing(None) and not failing("зч")
