"""The teacher's start page («Мой день»): today's lessons with what is unfilled, control works without marks,
his groups — in the same number of queries for any number of lessons and pupils."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from zhurnal.core.testing import page_queries
from zhurnal.journal import services
from zhurnal.journal.models import WorkType
from zhurnal.school.testing import make_student
from zhurnal.timetable.testing import make_bells, put

pytestmark = pytest.mark.django_db


def _lesson_today(journal):
    lesson = next((lesson for lesson in journal.lessons if lesson.date == journal.today), None)
    if lesson is None:
        pytest.skip("no maths lesson today in the test school's calendar")
    return lesson


def test_teacher_lands_on_his_day_with_what_is_unfilled(journal, login):
    make_bells(journal.school.year)
    lesson = _lesson_today(journal)
    client = login("teacher")
    assert client.get(reverse("core:home")).url == reverse("journal:today")
    html = client.get(reverse("journal:today")).content.decode()
    row = html.split(f'data-lesson="{lesson.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "тема" in row and "домашнее задание" in row and "посещаемость" in row
    assert 'autofocus id="first-to-fill"' in row  # one Enter from entry
    assert reverse("journal:lesson", args=[lesson.pk]) in row
    assert reverse("journal:grid", args=[journal.maths.pk]) in html.split('id="my-groups"', 1)[1]

    teacher = journal.school.users["teacher"]
    services.save_lesson_record(actor=teacher, lesson=lesson, topic="Дроби", homework="№ 1")
    services.save_cell(actor=teacher, lesson=lesson, student=journal.school.students["student"], text="н",
                       key=uuid.uuid4())
    row = client.get(reverse("journal:today")).content.decode().split(f'data-lesson="{lesson.pk}"', 1)[1]
    assert "всё заполнено" in row.split("</tr>", 1)[0]


def test_control_works_older_than_a_day_without_marks_are_listed(journal, login):
    lesson = journal.open_lesson(back=3)
    if lesson.date >= journal.today - dt.timedelta(days=1):
        pytest.skip("no lesson old enough")
    control = WorkType.objects.get(school=journal.school.school, name="Контрольная работа")
    services.save_lesson_record(actor=journal.school.users["teacher"], lesson=lesson, control_type=control,
                                topic="Контрольная работа № 2", reason="контрольная")
    html = login("teacher").get(reverse("journal:today")).content.decode()
    assert "Контрольные работы без отметок" in html and "Контрольная работа № 2" in html
    services.save_cell(actor=journal.school.users["teacher"], lesson=lesson,
                       student=journal.school.students["student"], text="4", key=uuid.uuid4(), reason="контрольная")
    assert "Контрольная работа № 2" not in login("teacher").get(reverse("journal:today")).content.decode()


def test_my_day_makes_constant_queries(journal, login):
    make_bells(journal.school.year)
    _lesson_today(journal)
    client = login("teacher")
    small, _ = page_queries(client, reverse("journal:today"))
    for _ in range(12):
        make_student(journal.school.class_5a)
    for number in (3, 4, 5, 6, 7):
        put(journal.maths, journal.today.isoweekday(), number, valid_from=journal.today)
    large, response = page_queries(client, reverse("journal:today"))
    assert response.content.decode().count("data-lesson=") >= 6
    assert small == large
