"""The subject view: the weighted average worked out, the suggestion explained by the school's rules — the same
figures the journal's grid shows — the "what if" table, and a constant number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhurnal.diary import selectors
from zhurnal.journal import grading
from zhurnal.journal import selectors as journal_selectors
from zhurnal.journal import services as journal
from zhurnal.school.selectors import periods_for_grade, students_in_class

from .conftest import current_quarter, put_cell, school_days_before, work_type

pytestmark = pytest.mark.django_db


def subject_page(s, student, period):
    place = selectors.placement(student, s.today - dt.timedelta(days=366), s.today + dt.timedelta(days=366))
    school_class, periods = selectors.student_periods(place, s.today, school=student.school_id)
    return selectors.diary_subject(student, s.math, period=period, periods=periods, school_class=school_class,
                                   place=place, today=s.today)


def fill_marks(s):
    student = s.students["student"]
    lessons = school_days_before(s, 5)
    put_cell(s, lessons[0], student, "5", work_type=work_type(s, "отв"))
    put_cell(s, lessons[1], student, "4-", work_type=work_type(s, "к/р"))
    put_cell(s, lessons[2], student, "3/5", work_type=work_type(s, "с/р"))
    put_cell(s, lessons[3], student, "зч", work_type=work_type(s, "отв"))
    put_cell(s, lessons[4], student, "4", work_type=work_type(s, "д/р"))
    return student, lessons


def test_computation_shown_equals_the_journals_own_computation(diary, login):
    s = diary
    student, lessons = fill_marks(s)
    period = current_quarter(s)
    # Marks of the other student must not leak into the figures.
    classmate = next(x for x in students_in_class(s.class_5a, lessons[0].date) if x.pk != student.pk)
    put_cell(s, lessons[0], classmate, "2")
    periods = list(periods_for_grade(s.year, 5))
    grid = journal_selectors.journal_grid(s.math_5a, period, periods=periods, grade=5, today=s.today)
    row = next(r for r in grid.rows if r.student.pk == student.pk)

    page = subject_page(s, student, period)
    [section] = page.sections
    assert section.average.value == row.average.value
    assert section.average.count == row.average.count == 5  # «зч» is not counted
    assert section.suggestion.value == row.suggestion.value
    assert section.suggestion.explanation == row.suggestion.explanation
    assert section.average.weight_sum == Decimal("7")  # 1 + 2 + 1.5 + 1.5 + 1
    assert section.numerator == Decimal("29")  # 5 + 4×2 + 3×1.5 + 5×1.5 + 4

    html = login("guardian").get(f"/diary/{student.pk}/subject/{s.math.pk}/?period={period.pk}").content.decode()
    assert f'id="average-{s.math_5a.pk}">{grading.format_average(row.average.value)}<' in html
    assert "(5×1 + 4×2 + 3×1,5 + 5×1,5 + 4×1) / (1 + 2 + 1,5 + 1,5 + 1)" in html
    assert "= 29 / 7 = <b>4,14</b>" in html
    assert row.suggestion.explanation in html
    assert "не учитывается в среднем" in html  # the «зч» row
    assert "«5» — от 4,50" in html


def test_what_if_lists_single_marks_that_change_the_suggestion(diary):
    s = diary
    student, _ = fill_marks(s)
    page = subject_page(s, student, current_quarter(s))
    [section] = page.sections
    assert section.suggestion.value == "4"
    control = next(r for r in section.what_if if r.is_control)
    five = next(c for c in control.cells if c.value == "5")
    # one more control-work «5»: (29 + 10) / 9 = 4,33 — still «4»
    assert five.suggestion == grading.suggest_final_mark(
        [*journal_selectors.student_period_marks(s.math_5a, student, current_quarter(s)),
         grading.GradedMark("5", "", work_type(s, "к/р").pk, s.today, 99)],
        policy=page.policy).value
    assert all(c.changes == (c.suggestion != "4") for r in section.what_if for c in r.cells)
    assert control.raise_to == "5" and control.raise_with is not None
    marks = journal_selectors.student_period_marks(s.math_5a, student, current_quarter(s))
    extra = [grading.GradedMark("5", "", work_type(s, "к/р").pk, s.today, 100 + i) for i in range(control.raise_with)]
    assert grading.suggest_final_mark([*marks, *extra], policy=page.policy).value == "5"
    fewer = extra[:-1]
    assert grading.suggest_final_mark([*marks, *fewer], policy=page.policy).value == "4"


def test_not_enough_marks_gives_no_suggestion_and_says_why(diary, login):
    s = diary
    student = s.students["student"]
    [lesson] = school_days_before(s, 1)
    put_cell(s, lesson, student, "5")
    html = login("student").get(f"/diary/{student.pk}/subject/{s.math.pk}/").content.decode()
    assert "для итоговой нужно не меньше 3" in html


def test_subject_view_makes_the_same_number_of_queries_for_few_and_many_marks(diary, login):
    s = diary
    student = s.students["student"]
    period = current_quarter(s)
    lessons = [lesson for lesson in school_days_before(s, 25) if lesson.date >= period.start]
    assert len(lessons) >= 8
    put_cell(s, lessons[0], student, "4")
    client = login("guardian")
    url = f"/diary/{student.pk}/subject/{s.math.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for lesson in lessons[1:]:
        put_cell(s, lesson, student, "5/4")
    journal.set_final_mark(actor=s.users["teacher"], assignment=s.math_5a, student=student,
                           period=period, value="5", reason="Контрольные написаны на «5»", today=s.today)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert html.count('class="mark m') >= 2 * len(lessons) - 1
    assert len(few.captured_queries) == len(many.captured_queries), [q["sql"][:120] for q in many.captured_queries]
