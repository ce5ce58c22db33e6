"""Programme coverage (planned vs covered hours, lag in lessons) and the hours check against the curriculum."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhurnal.planning import services
from zhurnal.planning.exchange import TopicItem
from zhurnal.planning.selectors import Coverage, coverage_for_assignments, curriculum_index, hours_check
from zhurnal.school import services as school
from zhurnal.school.testing import (
    class_group,
    make_assignment,
    make_class,
    make_staff,
    make_subject,
    page_queries,
)
from zhurnal.timetable import services as timetable
from zhurnal.timetable.models import Lesson
from zhurnal.timetable.testing import put

pytestmark = pytest.mark.django_db
D = dt.date


def plan_of_hours(s, assignment, hours):
    return services.import_plan(actor=None, assignment=assignment,
                                items=[TopicItem(f"Тема {n}", 1) for n in range(1, hours + 1)])


def test_coverage_counts_due_covered_and_the_lag_in_lessons(ktp):
    plan_of_hours(ktp, ktp.math_5a, 102)
    services.fill_topics_from_plan(actor=None, assignment=ktp.math_5a, until=D(2026, 9, 9), today=D(2026, 9, 1))
    cov = coverage_for_assignments([ktp.math_5a.pk], D(2026, 9, 14))[ktp.math_5a.pk]
    # Lessons up to Monday 14 September: 2, 4, 7, 9, 11 and 14 — six; four of them took plan hours.
    assert (cov.planned_hours, cov.due, cov.held, cov.covered, cov.without_topic) == (102, 6, 6, 4, 2)
    assert (cov.lag, cov.status, cov.lag_text) == (-2, "behind", "отставание на 2 урока")
    assert cov.lessons_left == cov.lessons_in_year - 6


def test_a_cancelled_lesson_stays_due_and_an_extra_lesson_with_a_plan_topic_catches_up(ktp):
    plan_of_hours(ktp, ktp.math_5a, 102)
    lessons = list(Lesson.objects.filter(assignment=ktp.math_5a).order_by("date", "number"))
    timetable.record_substitution(actor=None, lesson=lessons[1], kind="cancel", reason="болезнь")
    services.fill_topics_from_plan(actor=None, assignment=ktp.math_5a, until=D(2026, 9, 4), today=D(2026, 9, 1))
    cov = coverage_for_assignments([ktp.math_5a.pk], D(2026, 9, 4))[ktp.math_5a.pk]
    assert (cov.due, cov.held, cov.covered, cov.lag) == (2, 1, 1, -1)
    timetable.add_lesson(actor=None, assignment=ktp.math_5a, date=D(2026, 9, 3), number=7)
    services.fill_topics_from_plan(actor=None, assignment=ktp.math_5a, until=D(2026, 9, 4), today=D(2026, 9, 1))
    cov = coverage_for_assignments([ktp.math_5a.pk], D(2026, 9, 4))[ktp.math_5a.pk]
    assert (cov.due, cov.held, cov.covered, cov.status) == (2, 2, 2, "on_track")


def test_extended_topics_and_own_topics_do_not_count_as_plan_hours(ktp):
    plan_of_hours(ktp, ktp.math_5a, 102)
    services.fill_topics_from_plan(actor=None, assignment=ktp.math_5a, until=D(2026, 9, 11), today=D(2026, 9, 1))
    lessons = list(Lesson.objects.filter(assignment=ktp.math_5a).order_by("date", "number"))
    services.extend_topic(actor=None, lesson=lessons[0], today=D(2026, 9, 1))
    services.set_own_topic(actor=None, lesson=lessons[3], topic="Экскурсия", today=D(2026, 9, 1))
    cov = coverage_for_assignments([ktp.math_5a.pk], D(2026, 9, 11))[ktp.math_5a.pk]
    assert (cov.due, cov.covered, cov.lag) == (5, 3, -2)


def test_group_without_a_plan_has_no_plan_status(ktp):
    cov = coverage_for_assignments([ktp.math_5b.pk], D(2026, 9, 14))[ktp.math_5b.pk]
    assert (cov.has_plan, cov.status, cov.lag_text, cov.held) == (False, "no_plan", "КТП не загружен", 6)


def test_coverage_for_any_number_of_assignments_takes_two_queries(ktp):
    plan_of_hours(ktp, ktp.math_5a, 30)
    ids = [ktp.math_5a.pk, ktp.math_5b.pk, ktp.russian_5a.pk]
    with CaptureQueriesContext(connection) as one:
        coverage_for_assignments(ids[:1], D(2026, 10, 5))
    with CaptureQueriesContext(connection) as three:
        result = coverage_for_assignments(ids, D(2026, 10, 5))
    assert len(one) == len(three) == 2
    assert set(result) == set(ids)
    assert coverage_for_assignments([], D(2026, 10, 5)) == {}


# --- hours check ------------------------------------------------------------------------------------------


def check(s, hours, assignment=None):
    assignment = assignment or s.math_5a
    return hours_check(plan_hours=hours, assignment=assignment, curriculum=curriculum_index(s.year))


def test_hours_check_compares_with_the_load_and_the_curriculum_with_the_numbers(ktp):
    school.set_curriculum_hours(actor=None, year=ktp.year, grade=5, subject=ktp.math, hours_per_week=Decimal(5))
    result = check(ktp, 100)
    assert result.warnings == [
        "В КТП 100 ч, а по нагрузке 3 ч/нед × 34 нед = 102 ч — на 2 ч меньше.",
        "В КТП 100 ч, а по учебному плану 5 классов — 170 ч в год (5 ч/нед) — на 70 ч меньше.",
        "Нагрузка группы — 3 ч/нед, а по учебному плану — 5 ч/нед.",
    ]


def test_hours_check_passes_when_everything_matches(ktp):
    school.set_curriculum_hours(actor=None, year=ktp.year, grade=5, subject=ktp.math, hours_per_week=Decimal(3))
    assert check(ktp, 102).ok


def test_hours_check_warns_when_the_subject_is_not_in_the_curriculum_and_counts_half_hours(ktp):
    teacher = ktp.staff["teacher"]
    music = make_subject(ktp.school, "Музыка")
    assignment = make_assignment(teacher, music, class_group(ktp.class_5a), hours="0.5")
    result = check(ktp, 17, assignment)
    assert result.warnings == ["В учебном плане 5 классов нет предмета «Музыка» — годовые часы сверить не с чем."]
    assert check(ktp, 18, assignment).warnings[0] == (
        "В КТП 18 ч, а по нагрузке 0,5 ч/нед × 34 нед = 17 ч — на 1 ч больше.")


def test_first_grade_year_has_33_weeks(ktp):
    first = make_class(ktp.year, 1, "А")
    reading = make_subject(ktp.school, "Литературное чтение")
    assignment = make_assignment(ktp.staff["teacher"], reading, class_group(first), hours="4")
    school.set_curriculum_hours(actor=None, year=ktp.year, grade=1, subject=reading, hours_per_week=Decimal(4))
    assert check(ktp, 132, assignment).ok


def test_hours_check_warns_when_the_timetable_has_fewer_lessons_than_the_plan(ktp):
    result = hours_check(plan_hours=102, assignment=ktp.math_5a, curriculum={}, lessons_in_year=98)
    assert result.warnings[-1] == "По расписанию в этом учебном году 98 уроков — на 4 меньше, чем часов в КТП."


# --- pages with constant queries ---------------------------------------------------------------------------


def grow_school(s, groups):
    """More classes, each with a maths assignment, a timetable and a plan."""
    teacher = make_staff(s.school, "Многоуроков", username=f"many{groups}")
    for n in range(groups):
        school_class = make_class(s.year, 6 + n // 5, "АБВГД"[n % 5])
        assignment = make_assignment(teacher, s.math, class_group(school_class), hours="2")
        put(assignment, 1 + n % 5, 1 + n // 5)
        put(assignment, 1 + (n + 2) % 5, 6 + n // 5 % 2)
        plan_of_hours(s, assignment, 68)
        services.fill_topics_from_plan(actor=None, assignment=assignment, until=D(2026, 9, 20),
                                       today=D(2026, 9, 1))


def count_queries(client, url):
    return page_queries(client, url)


@pytest.mark.parametrize("page", ["planning:coverage", "planning:index"])
def test_school_pages_make_the_same_number_of_queries_for_a_small_and_a_large_school(ktp, login, page):
    plan_of_hours(ktp, ktp.math_5a, 102)
    client = login("deputy" if page == "planning:coverage" else "admin")
    url = reverse(page) + "?on=2026-10-05"
    small, response = count_queries(client, url)
    assert len(response.context["rows"]) == 3
    grow_school(ktp, 8)
    large, response = count_queries(client, url)
    assert len(response.context["rows"]) == 11
    assert small == large


def test_coverage_page_lists_the_groups_behind_first_with_by_how_much(ktp, login):
    plan_of_hours(ktp, ktp.math_5a, 102)
    plan_of_hours(ktp, ktp.math_5b, 102)
    services.fill_topics_from_plan(actor=None, assignment=ktp.math_5a, until=D(2026, 9, 9), today=D(2026, 9, 1))
    services.fill_topics_from_plan(actor=None, assignment=ktp.math_5b, until=D(2026, 9, 30), today=D(2026, 9, 1))
    url = reverse("planning:coverage") + "?on=2026-09-30"
    response = login("director").get(url)
    rows = response.context["rows"]
    assert [(r.assignment.pk, r.coverage.status) for r in rows] == [
        (ktp.math_5a.pk, "behind"), (ktp.russian_5a.pk, "no_plan"), (ktp.math_5b.pk, "on_track")]
    assert rows[0].coverage.lag == -9  # 13 lessons up to 30 September, 4 of them with plan topics
    assert "отставание на 9 уроков" in response.content.decode()
    assert response.context["counts"] == {"behind": 1, "no_plan": 1, "on_track": 1, "ahead": 0}
    behind = login("director").get(url + "&behind=1").context["rows"]
    assert [r.assignment.pk for r in behind] == [ktp.math_5a.pk, ktp.russian_5a.pk]


def test_coverage_dataclass_reports_shortage_of_lessons():
    cov = Coverage(assignment_id=1, plan_id=1, planned_hours=100, covered=60, lessons_left=30)
    assert (cov.hours_left, cov.shortage, cov.percent) == (40, 10, 60)


def test_a_groups_lessons_page_and_a_plan_page_make_constant_queries(ktp, login):
    client = login("teacher")
    plan = plan_of_hours(ktp, ktp.math_5a, 10)
    services.fill_topics_from_plan(actor=None, assignment=ktp.math_5a, until=D(2026, 9, 4), today=D(2026, 9, 1))
    group_page = reverse("planning:assignment", args=[ktp.math_5a.pk])
    plan_page = reverse("planning:plan", args=[plan.pk])
    small_group, _ = count_queries(client, group_page)
    small_plan, _ = count_queries(client, plan_page)
    services.import_plan(actor=None, plan=plan, items=[TopicItem(f"Тема {n}", 2) for n in range(1, 52)])
    services.attach_plan(actor=None, plan=plan, assignment=ktp.math_5b)
    services.fill_topics_from_plan(actor=None, assignment=ktp.math_5a, until=D(2026, 12, 20),
                                   today=D(2026, 9, 1))
    large_group, response = count_queries(client, group_page)
    assert len(response.context["topics"].rows) > 90
    large_plan, response = count_queries(client, plan_page)
    assert len(response.context["view"].rows) == 51 and len(response.context["view"].uses) == 2
    assert (small_group, small_plan) == (large_group, large_plan)
