"""The deputy records a substitution in the browser; the substitute finds the lesson in his day and opens it;
the deputy reads the change in the class timetable."""

import datetime as dt

import pytest

from tests.e2e.conftest import log_in
from zhurnal.school.testing import PASSWORD, build_small_school

MONDAY = dt.date(2026, 11, 23)


def build_school():
    from zhurnal.school.models import TeachingAssignment
    from zhurnal.timetable.testing import make_bells, make_room, put

    school = build_small_school()
    make_bells(school.year)
    math = TeachingAssignment.objects.get(group__school_class=school.class_5a, subject=school.math)
    russian = TeachingAssignment.objects.get(group__school_class=school.class_5a, subject=school.russian)
    put(math, 1, 1, make_room(school.school, "214"))
    put(russian, 1, 2, make_room(school.school, "215"))
    return school


@pytest.mark.django_db(transaction=True)
def test_deputy_records_a_substitution_and_the_substitute_takes_the_lesson(live_server, page, browser):
    from zhurnal.timetable.models import Lesson

    school = build_school()
    lesson = Lesson.objects.get(assignment__subject=school.math, assignment__group__school_class=school.class_5a,
                                date=MONDAY)

    log_in(page, live_server, "deputy", PASSWORD)
    page.click("nav >> text=Замены")
    page.fill("#date", MONDAY.isoformat())
    page.select_option("#teacher", label="Учителева Анна Петровна")
    page.click("text=Показать уроки")
    card = page.locator(f"#lesson-{lesson.pk}")
    assert "08:30–09:15" in card.inner_text()
    card.locator("select[name$=kind]").select_option("replace")
    card.locator("select[name$=substitute]").select_option(label="Другова Анна Петровна — Математика")  # free, same subject: first
    card.locator("input[name$=reason]").fill("курсы повышения квалификации")
    card.locator("button[type=submit]").click()
    page.wait_for_selector(".msg-success")
    assert "Другова А.П." in page.locator("#day-log").inner_text()

    page.goto(f"{live_server.url}/timetable/class/{school.class_5a.pk}/?date={MONDAY:%Y-%m-%d}")
    monday_first = page.locator("#timetable tbody tr").first.locator("td").first
    assert "Другова А.П." in monday_first.inner_text()

    other = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    try:
        substitute = other.new_page()
        substitute.set_default_timeout(15_000)
        log_in(substitute, live_server, "other_teacher", PASSWORD)
        substitute.click("nav >> text=Мой день")
        substitute.click("text=Расписание дня")
        substitute.fill("#date", MONDAY.isoformat())
        substitute.click("form >> text=Показать")
        row = substitute.locator("#my-lessons tbody tr", has_text="Математика")
        assert "замена: вместо Учителевой А.П." in row.inner_text()
        assert "08:30–09:15" in row.inner_text()
        row.locator("a", has_text="Математика").click()
        substitute.wait_for_load_state("networkidle")
        assert "Математика" in substitute.locator("h1").inner_text()
    finally:
        other.close()
