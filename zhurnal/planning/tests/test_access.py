"""Who sees and changes КТП: the teacher edits his own; the deputy and the director read everything and the
coverage; the administrator reads; everyone else sees nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from zhurnal.planning import services
from zhurnal.planning.exchange import SAMPLE_ITEMS
from zhurnal.timetable.models import Lesson

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(ktp):
    plan = services.import_plan(actor=None, items=SAMPLE_ITEMS, assignment=ktp.math_5a)
    ktp.first_lesson = Lesson.objects.filter(assignment=ktp.math_5a).order_by("date", "number").first()
    return plan


def status(client, name, *args, method="get", data=None):
    url = reverse(name, args=args)
    return (client.post(url, data or {}) if method == "post" else client.get(url)).status_code


READ_PAGES = ["planning:plan", "planning:export_xlsx", "planning:export_csv"]


@pytest.mark.parametrize("persona, expected", [
    ("teacher", 200), ("deputy", 200), ("director", 200), ("admin", 200),
    ("other_teacher", 404), ("class_teacher", 404), ("student", 404), ("guardian", 404),
    ("other_school_admin", 404),
])
def test_reading_a_plan_and_a_groups_topics(ktp, plan, login, persona, expected):
    client = login(persona)
    for name in READ_PAGES:
        assert status(client, name, plan.pk) == expected, name
    assert status(client, "planning:assignment", ktp.math_5a.pk) == expected


@pytest.mark.parametrize("persona, expected", [
    ("teacher", 302), ("deputy", 403), ("director", 403), ("admin", 403),
    ("other_teacher", 404), ("student", 404), ("other_school_admin", 404),
])
def test_changing_a_plan_and_lesson_topics(ktp, plan, login, persona, expected):
    client = login(persona)
    topic = plan.topics.first()
    assert status(client, "planning:topic_move", topic.pk, method="post", data={"direction": "down"}) == expected
    assert status(client, "planning:fill", ktp.math_5a.pk, method="post",
                  data={"until": "2026-09-30"}) == expected
    assert status(client, "planning:shift", ktp.first_lesson.pk, method="post") == expected
    assert status(client, "planning:plan_copy", plan.pk) == (200 if expected == 302 else expected)


def test_a_teacher_who_shares_a_plan_edits_it_but_not_the_other_groups_lessons(ktp, plan, login):
    services.attach_plan(actor=None, plan=plan, assignment=ktp.math_5b)
    client = login("other_teacher")
    assert status(client, "planning:plan", plan.pk) == 200
    assert status(client, "planning:topic_edit", plan.topics.first().pk) == 200
    assert status(client, "planning:assignment", ktp.math_5a.pk) == 404
    assert status(client, "planning:shift", ktp.first_lesson.pk, method="post") == 404


@pytest.mark.parametrize("persona, expected", [
    ("deputy", 200), ("director", 200), ("admin", 403), ("teacher", 403), ("student", 403), ("guardian", 403),
])
def test_school_coverage_is_for_the_deputy_and_the_director(ktp, login, persona, expected):
    assert status(login(persona), "planning:coverage") == expected


def test_the_list_shows_a_teacher_only_his_groups(ktp, plan, login):
    rows = login("teacher").get(reverse("planning:index")).context["rows"]
    assert [row.assignment.pk for row in rows] == [ktp.math_5a.pk]
    rows = login("admin").get(reverse("planning:index")).context["rows"]
    assert len(rows) == 3


def test_navigation_offers_ktp_to_teachers_and_coverage_to_the_administration(ktp, login):
    teacher_nav = [item.label for item in login("teacher").get(reverse("planning:index")).context["nav"]]
    assert "КТП" in teacher_nav and "Выполнение КТП" not in teacher_nav
    deputy_nav = [item.label for item in login("deputy").get(reverse("planning:coverage")).context["nav"]]
    assert "Выполнение КТП" in deputy_nav


def test_write_requests_need_post(ktp, plan, login):
    client = login("teacher")
    assert status(client, "planning:shift", ktp.first_lesson.pk) == 405
    assert status(client, "planning:plan_delete", plan.pk) == 405
    assert dt.date(2026, 9, 2) == ktp.first_lesson.date
