import datetime as dt

import pytest
from django.urls import reverse

from zhurnal.timetable.models import Lesson
from zhurnal.timetable.testing import put

pytestmark = pytest.mark.django_db
D = dt.date
MONDAY = D(2026, 11, 23)


@pytest.fixture
def week(tt):
    put(tt.math_5a, 1, 1, tt.rooms["101"])
    put(tt.russian_5a, 1, 2, tt.rooms["102"])
    put(tt.math_5b, 1, 2, tt.rooms["101"])
    return tt


def test_every_timetable_page_renders_for_the_deputy(week, login):
    client = login("deputy")
    lesson = Lesson.objects.get(assignment=week.math_5a, date=MONDAY)
    urls = [
        reverse("timetable:index"),
        reverse("timetable:day") + "?date=2026-11-23",
        reverse("timetable:class", args=[week.class_5a.pk]) + "?date=2026-11-23",
        reverse("timetable:class", args=[week.class_5a.pk]) + "?date=2026-11-23&mode=day",
        reverse("timetable:teacher", args=[week.staff["teacher"].pk]) + "?date=2026-11-23",
        reverse("timetable:room", args=[week.rooms["101"].pk]) + "?date=2026-11-23",
        reverse("timetable:lesson_detail", args=[lesson.pk]),
        reverse("timetable:class_edit", args=[week.class_5a.pk]) + "?date=2026-11-23",
        reverse("timetable:bells"),
        reverse("timetable:rooms"),
        reverse("timetable:substitutions") + f"?date=2026-11-23&teacher={week.staff['teacher'].pk}",
        reverse("timetable:substitution_log"),
        reverse("timetable:timesheet") + "?month=2026-11",
        reverse("timetable:lesson_new"),
        reverse("timetable:entry_change", args=[lesson.entry_id]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
