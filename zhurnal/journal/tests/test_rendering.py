"""The grid's table function: every value escaped, cells classed, the same markup for page and fragment."""

import datetime as dt
import re

import pytest

from zhurnal.journal import selectors, services
from zhurnal.journal.rendering import cell_class, cell_text, render_grid_table
from zhurnal.school import services as school_services

pytestmark = pytest.mark.django_db

IN_Q1 = dt.date(2026, 10, 1)


def test_cells_are_classed_and_written_compactly():
    assert cell_class(None, frozenset()) == "x"
    assert cell_class(("",), frozenset()) == ""
    assert cell_class(("н",), frozenset()) == "a"
    assert cell_class(("", ("2", "", 7)), frozenset({7})) == "c lo"
    assert cell_class(("оп", ("5", "", 1)), frozenset({7})) == "a"
    assert cell_text(("", ("4", "-", 1))) == "4−"
    assert cell_text(("оп", ("5", "", 1), ("4", "", 1))) == "оп 5/4"
    assert cell_text(None) == ""


def test_the_grid_escapes_names_and_topics(journal):
    school = journal.school
    student = school.students["student"]
    school_services.save_student(actor=None, school=school.school, student=student,
                                 last_name="<script>alert(1)</script>")
    services.save_lesson_record(actor=school.users["teacher"], lesson=journal.lessons[0],
                                topic='Тема "в кавычках" <b>', today=IN_Q1)
    services.save_cell(actor=school.users["teacher"], lesson=journal.lessons[0], student=student, text="5",
                       today=IN_Q1)
    periods = selectors.assignment_periods(journal.maths)
    grid = selectors.journal_grid(journal.maths, periods[0], periods=periods, grade=5, today=IN_Q1)
    html = render_grid_table(grid, editable=False, lesson_url="/journal/lessons/0/",
                             cell_url="/journal/lessons/0/cells/0/")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'title="Тема &quot;в кавычках&quot; &lt;b&gt;"' in html
    assert "data-editable" not in html
    assert f'<tr data-s="{student.pk}">' in html
    assert len(re.findall(r"<th[^>]* data-l=", html)) == len(grid.columns)
    # Lessons after the grid's today are marked as still to come (shaded, refusing input); today's is «t».
    future = sum(1 for column in grid.columns if column.lesson.date > IN_Q1)
    assert future and len(re.findall(r'<th class="(?:c )?f" data-l=', html)) == future
    assert html.count('<col class="f">') == future


def test_the_grid_page_and_its_fragment_carry_the_same_table(journal, login):
    from django.urls import reverse

    client = login("teacher")
    url = reverse("journal:grid", args=[journal.maths.pk])
    page = client.get(url).content.decode()
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<table class="jgrid" id="grid"') and fragment in page
