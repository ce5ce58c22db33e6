"""The timetable pages and the teacher's day make the same number of queries for 1 class and for 40."""

import datetime as dt

import pytest
from django.urls import reverse

from zhurnal.school.models import Position
from zhurnal.school.testing import (
    class_group,
    make_assignment,
    make_class,
    make_school,
    make_staff,
    make_subject,
    make_year,
    page_queries,
)
from zhurnal.timetable import services
from zhurnal.timetable.models import Lesson
from zhurnal.timetable.services import NewEntry
from zhurnal.timetable.testing import make_bells, make_room

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 11, 23)
LETTERS = "АБВГДЕЖЗ"


def build(n_classes: int):
    school = make_school("Школа запросов", slug=f"queries-{n_classes}")
    year = make_year(school)
    make_bells(year)
    make_staff(school, "Завучева", [Position.DEPUTY], username=f"deputy{n_classes}")
    teacher = make_staff(school, "Учителева", username=f"teacher{n_classes}")
    math, russian = make_subject(school, "Математика"), make_subject(school, "Русский язык")
    rows = []
    for i in range(n_classes):
        school_class = make_class(year, 6 + i % 6, LETTERS[i // 6])
        own = make_staff(school, f"Предметникова{i}", username=False)
        room = make_room(school, str(100 + i))
        group = class_group(school_class)
        own_math = make_assignment(own, math, group)
        rows += [NewEntry(assignment=own_math, weekday=weekday, number=number, room=room)
                 for weekday in (1, 2, 3) for number in (1, 2, 3)]
        if i < 6:
            mine = make_assignment(teacher, russian, group)
            rows.append(NewEntry(assignment=mine, weekday=1, number=4 + i, room=room))
    services.replace_timetable(actor=None, year=year, rows=rows, valid_from=year.start)
    if n_classes > 1:
        lesson = Lesson.objects.filter(school=school, date=MONDAY, number=2).exclude(actual_teacher=teacher).first()
        services.record_substitution(actor=None, lesson=lesson, kind="replace", substitute=teacher, reason="болезнь")
    return school, teacher


def count(client, user, url) -> int:
    client.force_login(user)
    return page_queries(client, url)[0]


def pages(school, teacher):
    from zhurnal.school.models import SchoolClass
    from zhurnal.timetable.models import Room

    first_class = SchoolClass.objects.filter(school=school).order_by("grade", "letter").first()
    room = Room.objects.filter(school=school).order_by("name").first()
    week = "?date=2026-11-23"
    return {
        "class week": reverse("timetable:class", args=[first_class.pk]) + week,
        "class day": reverse("timetable:class", args=[first_class.pk]) + week + "&mode=day",
        "teacher week": reverse("timetable:teacher", args=[teacher.pk]) + week,
        "teacher day": reverse("timetable:teacher", args=[teacher.pk]) + week + "&mode=day",
        "room week": reverse("timetable:room", args=[room.pk]) + week,
        "school day": reverse("timetable:day") + week,
        "index": reverse("timetable:index") + week,
    }


def test_timetable_pages_make_constant_queries_for_1_and_40_classes(client):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    counts = {}
    for n in (1, 40):
        school, teacher = build(n)
        deputy = users.get(username=f"deputy{n}")
        counts[n] = {name: count(client, deputy, url) for name, url in pages(school, teacher).items()}
        counts[n]["my day"] = count(client, users.get(username=f"teacher{n}"),
                                    reverse("timetable:today") + "?date=2026-11-23")
    assert Lesson.objects.filter(school__slug="queries-40", date=MONDAY).count() == 40 * 3 + 6
    assert counts[1] == counts[40]
    # The request itself: session, user, active school (3; the person's roles in it are cached per school until
    # its staff, classes or families change — zhurnal.core.stamps), and the header's two counts, unread mail and
    # the bell (2, one per header item, whatever the page). Then the class timetable: the class (scoped), the lessons with
    # subject, group, class, both teachers, room and substitution in one join, the bells, the special bell
    # days, the holidays (5).
    assert counts[40]["class week"] == 3 + 2 + 5
    # Teacher and room pages also find the year the date falls in.
    assert counts[40]["teacher week"] == counts[40]["room week"] == counts[40]["my day"] == 3 + 2 + 6
    # The school's day: the year, the classes, the lessons, bells, special days, holidays.
    assert counts[40]["school day"] == 3 + 2 + 6
