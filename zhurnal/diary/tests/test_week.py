"""The week view: lessons with times, teachers, substitutions, rooms, topics, homework due (with files and
individual tasks), marks with work types and comments, absences; holidays; today; a constant number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhurnal.diary import selectors
from zhurnal.journal import services as journal
from zhurnal.school.models import Holiday
from zhurnal.timetable import services as timetable

from .conftest import lesson_on, put_cell, work_type

pytestmark = pytest.mark.django_db


def week_url(s, student=None, day=None):
    student = student or s.students["student"]
    return f"/diary/{student.pk}/week/?date={(day or s.monday):%Y-%m-%d}"


def test_week_shows_lessons_with_time_teacher_room_topic_marks_and_absences(diary, login):
    s = diary
    student = s.students["student"]
    monday = lesson_on(s.math_5a, s.monday)
    tuesday = lesson_on(s.russian_5a, s.monday + dt.timedelta(days=1))
    journal.save_lesson_record(actor=s.users["teacher"], lesson=monday, topic="Дроби", today=s.monday)
    put_cell(s, monday, student, "5/4-", work_type=work_type(s, "к/р"))
    journal.update_mark(actor=s.users["teacher"], mark=monday.marks.get(position=0), work_type=work_type(s, "к/р"),
                        comment="Отличная контрольная", today=s.monday)
    put_cell(s, tuesday, student, "н")

    page = login("guardian").get(week_url(s)).content.decode()

    assert "Математика" in page and "Русский язык" in page
    assert "09:25" in page and "10:10" in page  # the 2nd lesson's bells
    assert "каб. 214" in page and "Учителева А.П." in page
    assert "Дроби" in page
    assert 'class="mark m5 control">5<' in page and ">4−<" in page
    assert "Контрольная работа" in page and "Отличная контрольная" in page
    assert 'class="absence"' in page and "отсутствовал(а)" in page


def test_homework_appears_on_the_day_it_is_due_with_files_and_individual_task(diary, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    s = diary
    student = s.students["student"]
    given = lesson_on(s.math_5a, s.monday)
    journal.save_lesson_record(actor=s.users["teacher"], lesson=given, homework="№ 101, 102", today=s.monday)
    journal.add_homework_attachment(actor=s.users["teacher"], lesson=given,
                                    upload=SimpleUploadedFile("задачи.pdf", b"%PDF-1.4 test"), today=s.monday)
    journal.save_individual_homework(actor=s.users["teacher"], lesson=given, student=student,
                                     text="Повторить таблицу умножения", today=s.monday)
    explicit = lesson_on(s.russian_5a, s.monday)
    journal.save_lesson_record(actor=s.users["class_teacher"], lesson=explicit, homework="Сочинение",
                               homework_due=s.monday + dt.timedelta(days=3), today=s.monday)

    data = selectors.diary_days(student, s.monday, s.monday + dt.timedelta(days=6), today=s.today)
    tuesday, thursday = data.days[1], data.days[3]
    math_tuesday = next(item for item in tuesday.lessons if item.assignment_id == s.math_5a.pk)
    assert [hw.text for hw in math_tuesday.due] == ["№ 101, 102"]
    assert math_tuesday.due[0].individual == "Повторить таблицу умножения"
    assert [f.name for f in math_tuesday.due[0].files] == ["задачи.pdf"]
    russian_thursday = next(item for item in thursday.lessons if item.assignment_id == s.russian_5a.pk)
    assert [hw.text for hw in russian_thursday.due] == ["Сочинение"]
    russian_tuesday = next(item for item in tuesday.lessons if item.assignment_id == s.russian_5a.pk)
    assert russian_tuesday.due == []

    client = login("guardian")
    page = client.get(week_url(s)).content.decode()
    assert "№ 101, 102" in page and "Лично тебе" in page and "задачи.pdf" in page
    file_url = re.search(r'href="(/diary/\d+/files/\d+/)"', page).group(1)
    response = client.get(file_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 test"
    # Another family cannot fetch the file through its own child's diary.
    other = s.students["other_student"]
    foreign_url = file_url.replace(f"/diary/{student.pk}/", f"/diary/{other.pk}/")
    assert login("other_guardian").get(foreign_url).status_code == 404


def test_substitution_and_cancelled_lesson_are_shown(diary, login):
    s = diary
    lesson = lesson_on(s.math_5a, s.monday + dt.timedelta(days=2))
    timetable.record_substitution(actor=s.users["deputy"], lesson=lesson, kind="replace", reason="болезнь",
                                  substitute=s.staff["other_teacher"])
    cancelled = lesson_on(s.russian_5a, s.monday + dt.timedelta(days=2))
    timetable.record_substitution(actor=s.users["deputy"], lesson=cancelled, kind="cancel", reason="болезнь")
    page = login("student").get(week_url(s)).content.decode()
    assert "Другова А.П." in page and "замена: вместо Учителевой А.П." in page
    assert "урок отменён" in page and 'class="lesson cancelled"' in page


def test_today_is_highlighted_and_holidays_are_shown(diary, login):
    s = diary
    holiday_day = s.monday + dt.timedelta(days=4)
    Holiday.objects.create(school=s.school, year=s.year, kind="holiday", name="День здоровья", start=holiday_day,
                           end=holiday_day)
    client = login("guardian")
    page = client.get(week_url(s)).content.decode()
    assert "День здоровья" in page
    this_week = client.get(week_url(s, day=s.today)).content.decode()
    assert f'id="day-{s.today:%Y-%m-%d}" aria-current="date"' in this_week or s.today.weekday() == 6
    default = client.get(f"/diary/{s.students['student'].pk}/week/").content.decode()
    monday = s.today - dt.timedelta(days=s.today.weekday())
    assert f"{monday:%d.%m.%Y} – " in default


def test_arrows_move_a_week(diary, login):
    s = diary
    page = login("guardian").get(week_url(s)).content.decode()
    assert f'href="?date={s.monday - dt.timedelta(days=7):%Y-%m-%d}"' in page
    assert f'href="?date={s.monday + dt.timedelta(days=7):%Y-%m-%d}"' in page


def _many_marks(s, student, weeks_back: int):
    from zhurnal.timetable.models import Lesson

    lessons = Lesson.objects.filter(assignment__in=[s.math_5a, s.russian_5a], date__gte=s.monday,
                                    date__lte=s.monday + dt.timedelta(days=6))
    for lesson in lessons:
        put_cell(s, lesson, student, "5/4/3")
        journal.save_lesson_record(actor=lesson.assignment.teacher.user, lesson=lesson, topic="Тема",
                                   homework="Задание", today=lesson.date)


def test_week_view_makes_the_same_number_of_queries_for_few_and_many_marks(diary, login):
    s = diary
    student = s.students["student"]
    client = login("guardian")
    put_cell(s, lesson_on(s.math_5a, s.monday), student, "4")
    client.get(week_url(s))  # the first view of the day inserts the counter row
    with CaptureQueriesContext(connection) as few:
        assert client.get(week_url(s)).status_code == 200
    _many_marks(s, student, 1)
    with CaptureQueriesContext(connection) as many:
        page = client.get(week_url(s)).content.decode()
    assert page.count('class="mark ') >= 30
    assert len(few.captured_queries) == len(many.captured_queries), [q["sql"][:120] for q in many.captured_queries]


def test_everything_a_teacher_typed_is_escaped(diary, login):
    s = diary
    lesson = lesson_on(s.math_5a, s.monday)
    journal.save_lesson_record(actor=s.users["teacher"], lesson=lesson, topic="<script>alert(1)</script>",
                               homework="a < b & c\nвторая строка", today=s.monday)
    page = login("guardian").get(week_url(s)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a &lt; b &amp; c<br>вторая строка" in page


def test_renamed_subject_room_and_teacher_show_at_once(diary, login):
    """The week view takes subjects, groups, rooms and staff names from the school's cache: a change to any of
    them replaces the school's stamp, so the next view shows it."""
    s = diary
    client = login("guardian")
    assert "Математика" in client.get(week_url(s)).content.decode()

    s.math.name = "Алгебра и начала анализа"
    s.math.save()
    page = client.get(week_url(s)).content.decode()
    assert "Алгебра и начала анализа" in page and "Математика" not in page

    s.room.name = "301"
    s.room.save()
    page = client.get(week_url(s)).content.decode()
    assert "каб. 301" in page and "каб. 214" not in page

    teacher = s.math_5a.teacher
    teacher.last_name = "Новикова"
    teacher.save()
    assert "Новикова" in client.get(week_url(s)).content.decode()
