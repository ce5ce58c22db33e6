"""The deputy's weekly control of the journal, filtered by teacher; the class teacher's summary and reports."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.e2e.conftest import log_in
from zhurnal.core.dates import today as school_today
from zhurnal.core.testing import PASSWORD
from zhurnal.journal import services as journal_services
from zhurnal.journal.testing import make_lessons
from zhurnal.reports.testing import build_report_school

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _two_weeks(world):
    """Last week's lessons (all held): maths (Учителева) without topics, Russian (Классова) filled; this week's
    maths lessons from tomorrow on, not held yet (today's 6th lesson may already be over when the test runs late
    in the day, and then it is rightly «unfilled»)."""
    today = school_today()
    monday = today - dt.timedelta(days=today.weekday())
    last_monday = monday - dt.timedelta(days=7)
    made = {
        "math": make_lessons(world.math, start=last_monday, until=last_monday + dt.timedelta(days=5), numbers=(6,)),
        "russian": make_lessons(world.russian, start=last_monday, until=last_monday + dt.timedelta(days=5),
                                numbers=(7,)),
        "coming": make_lessons(world.math, start=today + dt.timedelta(days=1), until=monday + dt.timedelta(days=5), numbers=(6,)),
    }
    for lesson in made["russian"]:
        journal_services.save_lesson_record(actor=world.russian.teacher.user, lesson=lesson,
                                            topic="Имя существительное", homework="Упр. 12", today=today)
    return today, last_monday, made


def _unfilled(page):
    return page.locator("section:has(h2:has-text('Незаполненные уроки'))")


@pytest.mark.django_db(transaction=True)
def test_the_deputy_checks_the_week_by_teacher(live_server, page):
    world = build_report_school()
    today, last_monday, made = _two_weeks(world)
    if not made["math"]:
        pytest.skip("last week was a holiday in the test school's calendar")
    log_in(page, live_server, "deputy", PASSWORD)
    page.click("nav >> text=Контроль")
    page.wait_for_selector("h1:has-text('Контроль заполнения журнала')")
    # This week: the lessons still to come are not «unfilled».
    for lesson in made["coming"]:
        assert f"{lesson.date:%d.%m.%Y}, {lesson.number} ур." not in _unfilled(page).inner_text()
    page.select_option("select[name=week]", last_monday.isoformat())
    page.wait_for_selector(f"select[name=week] option[value='{last_monday.isoformat()}']:checked", state="attached")
    # The week's teachers are links; the maths teacher's leads to the page filtered by her.
    page.click("section:has(h2:has-text('По учителям')) a:has-text('Учителева')")
    page.wait_for_selector(f"select[name=teacher] option[value='{world.math.teacher_id}']:checked", state="attached")
    rows = _unfilled(page).locator("tbody tr")
    assert rows.count() == len(made["math"])  # every one of them, nobody else's
    text = _unfilled(page).inner_text()
    assert "Русский язык" not in text and "Математика" in text
    # A period instead of a week: September's lessons are there too.
    page.select_option("select[name=range]", "period")
    page.wait_for_selector("select[name=period]")
    page.select_option("select[name=period]", str(world.quarter.pk))
    page.wait_for_selector(f"select[name=period] option[value='{world.quarter.pk}']:checked", state="attached")
    assert _unfilled(page).locator("tbody tr").count() >= len(world.lessons["math"])
    if not os.environ.get("ZHURNAL_SCREENSHOTS"):
        return  # docs/screenshots are refreshed on request only: a test run leaves the checkout as it was
    page.goto(f"{live_server.url}/reports/control/?week={last_monday.isoformat()}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "deputy-control-week.png"), full_page=False)


@pytest.mark.django_db(transaction=True)
def test_the_class_summary_keeps_names_in_view_and_shows_quality(live_server, page):
    world = build_report_school()
    log_in(page, live_server, "class_teacher", PASSWORD)
    page.click("nav >> text=Сводная")
    page.wait_for_url("**/reports/class_summary/**")
    page.wait_for_load_state("load")  # the filters submit themselves once the page's script has run
    page.select_option("select[name=period]", str(world.quarter.pk))
    page.wait_for_url(f"**period={world.quarter.pk}**")
    page.wait_for_selector("text=Успеваемость, % (по итоговым)")
    page.set_viewport_size({"width": 600, "height": 800})
    wrap = page.locator(".report-table-wrap").first
    name_cell = page.locator("tbody th:has-text('Антонов')").first
    before = name_cell.bounding_box()["x"]
    wrap.evaluate("el => el.scrollLeft = 400")
    assert abs(name_cell.bounding_box()["x"] - before) < 2  # the names column stays in view
    assert page.locator("td.failing").count() >= 1  # Григорьев's «2», Дмитриев's «н/а»
