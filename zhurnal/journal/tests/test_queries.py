"""The grid and the class summary make the same number of queries for 5 and 35 students, 5 and 60 lessons."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhurnal.journal.models import WorkType
from zhurnal.journal.rendering import render_grid_table
from zhurnal.journal.selectors import journal_grid
from zhurnal.journal.testing import build_grid_dataset, make_lessons, put_marks
from zhurnal.school.models import Position
from zhurnal.school.testing import class_group, make_assignment, make_staff, make_subject, page_queries

pytestmark = pytest.mark.django_db


def count(client, url: str) -> int:
    return page_queries(client, url)[0]


def grid_url(data) -> str:
    return reverse("journal:grid", args=[data.assignment.pk]) + f"?period={data.period.pk}"


@pytest.mark.parametrize(("small", "large"), [((5, 5), (35, 5)), ((5, 5), (5, 60)), ((5, 5), (35, 60))])
def test_grid_makes_constant_queries(client, small, large):
    counts = []
    for students, lessons in (small, large):
        data = build_grid_dataset(students=students, lessons=lessons)
        client.force_login(data.teacher_user)
        counts.append(count(client, grid_url(data)))
        counts.append(count(client, grid_url(data)))  # and again: nothing accumulates between visits
    assert counts[0] == counts[1] == counts[2] == counts[3], counts


@pytest.mark.parametrize(("related", "expected"), [(("group__school_class", "subject"), 6),
                                                    (("school", "group__school_class", "subject"), 4)])
def test_the_grid_of_an_open_period_is_four_queries_with_the_rules_cached(client, related, expected):
    data = build_grid_dataset(students=5, lessons=5)
    assignment = type(data.assignment).objects.select_related(*related).get(pk=data.assignment.pk)
    journal_grid(assignment, data.period, periods=[data.period], grade=10, today=data.period.start)
    with CaptureQueriesContext(connection) as ctx:
        grid = journal_grid(assignment, data.period, periods=[data.period], grade=10, today=data.period.start)
    # (work types; policy — unless the assignment comes with its school, whose rules are cached); lessons with
    # records; students with spans; marks and absences; final marks (reopenings are read only once the period
    # has closed)
    assert len(ctx.captured_queries) == expected
    assert len(grid.rows) == 5 and len(grid.columns) == 5


def _summary_data(students: int, lessons: int, subjects: int):
    data = build_grid_dataset(students=students, lessons=lessons)
    school = data.school
    default = WorkType.objects.get(school=school, is_default=True)
    for n in range(subjects - 1):
        teacher = make_staff(school, f"Предметникова{n}", [Position.TEACHER], username=False)
        assignment = make_assignment(teacher, make_subject(school, f"Предмет {n}"), class_group(data.school_class))
        made = make_lessons(assignment, lessons, start=data.period.start, numbers=(2 + n,))
        put_marks([(lesson, student, "4") for lesson in made for student in data.students],
                  work_type_id=default.pk)
    director = make_staff(school, "Директорова", [Position.DIRECTOR], username=f"director-{school.pk}")
    return data, director.user


def test_class_summary_makes_constant_queries(client):
    counts = []
    for students, lessons, subjects in ((5, 5, 1), (35, 60, 3)):
        data, director = _summary_data(students, lessons, subjects)
        client.force_login(director)
        url = reverse("journal:class_summary", args=[data.school_class.pk]) + f"?period={data.period.pk}"
        counts.append(count(client, url))
        page = client.get(url).content.decode()
        assert page.count("<tr>") >= students
    assert counts[0] == counts[1], counts


def test_a_30_by_60_grid_stays_small(client):
    data = build_grid_dataset(students=30, lessons=60)
    assert 1600 <= data.marks <= 2000
    assignment = type(data.assignment).objects.select_related("group__school_class", "subject").get(
        pk=data.assignment.pk)
    grid = journal_grid(assignment, data.period, periods=[data.period], grade=10, today=data.period.end)
    html = render_grid_table(grid, editable=True, lesson_url="/journal/lessons/0/",
                             cell_url="/journal/lessons/0/cells/0/")
    assert len(html.encode()) < 150_000
    client.force_login(data.teacher_user)
    page = client.get(grid_url(data))
    assert len(page.content) < 150_000
