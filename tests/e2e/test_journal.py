"""The teacher fills today's lesson with the keyboard only, and the grid takes marks the same way."""

import pytest

from tests.e2e.conftest import log_in
from zhurnal.core.dates import today as school_today
from zhurnal.journal import services
from zhurnal.journal.models import Attendance, Mark
from zhurnal.school.testing import PASSWORD, build_small_school, class_group
from zhurnal.timetable.models import Lesson
from zhurnal.timetable.testing import put


def school_with_a_lesson_today():
    school = build_small_school(students_per_class=7)
    services.ensure_journal_setup(school=school.school)
    maths = class_group(school.class_5a).assignments.get(subject=school.math)
    today = school_today()
    put(maths, today.isoweekday(), 1, valid_from=max(school.year.start, today))
    lesson = Lesson.objects.filter(assignment=maths, date=today).first()
    if lesson is None:
        pytest.skip("today is a holiday in the test school's calendar")
    return school, lesson


def saved(page):
    page.wait_for_function("() => document.body.dataset.pending === '0'")
    assert page.locator(".error").count() == 0, page.locator(".error").first.evaluate("e => e.outerHTML")


@pytest.mark.django_db(transaction=True)
def test_teacher_fills_todays_lesson_with_the_keyboard(live_server, page):
    school, lesson = school_with_a_lesson_today()
    log_in(page, live_server, "teacher", PASSWORD)
    page.goto(f"{live_server.url}/timetable/today/")
    page.click("#my-lessons a:has-text('Математика')")
    page.wait_for_selector("#lesson-record")
    assert page.url.endswith(f"/journal/lessons/{lesson.pk}/")
    page.wait_for_function("() => document.body.dataset.journalReady === '1'")

    page.focus("#topic")
    page.keyboard.type("Сложение дробей с одинаковыми знаменателями")
    page.keyboard.press("Tab")
    page.keyboard.type("№ 245, 246; правило на с. 81")
    page.keyboard.press("Tab")
    saved(page)

    typed = ["н", "5", "4-", "н", "3", "5/4", ""]
    page.focus("#sheet input.cell-input")
    for text in typed:
        if text:
            page.keyboard.type(text)
        page.keyboard.press("Enter")
    saved(page)
    assert "Все изменения сохранены" in page.locator("#save-status").inner_text()

    page.reload()
    page.wait_for_selector("#sheet")
    assert page.input_value("#topic") == "Сложение дробей с одинаковыми знаменателями"
    assert page.input_value("#homework") == "№ 245, 246; правило на с. 81"
    values = [page.input_value(f"#sheet tbody tr:nth-child({n}) input.cell-input") for n in range(1, 8)]
    assert values == ["н", "5", "4−", "н", "3", "5/4", ""]
    lesson.refresh_from_db()
    assert lesson.topic.startswith("Сложение дробей")
    assert Attendance.objects.filter(lesson=lesson, code="н").count() == 2
    assert Mark.objects.filter(lesson=lesson).count() == 5


@pytest.mark.django_db(transaction=True)
def test_the_grid_takes_marks_from_the_keyboard_and_refuses_nonsense_visibly(live_server, page):
    school, lesson = school_with_a_lesson_today()
    maths = lesson.assignment
    log_in(page, live_server, "teacher", PASSWORD)
    page.goto(f"{live_server.url}/journal/assignments/{maths.pk}/")
    page.wait_for_function("() => document.body.dataset.journalReady === '1'")
    column = page.locator(f"#grid thead th[data-l='{lesson.pk}']")
    index = column.evaluate("th => th.cellIndex")
    page.focus("#grid")
    for _ in range(index - 1):
        page.keyboard.press("ArrowRight")
    page.keyboard.type("5")
    page.keyboard.press("Enter")  # saved, and down to the next student
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.body.dataset.pending === '0'")
    first = page.locator(f"#grid tbody tr:nth-child(1) td:nth-child({index + 1})")
    second = page.locator(f"#grid tbody tr:nth-child(2) td:nth-child({index + 1})")
    assert first.inner_text() == "5"
    assert "error" in second.get_attribute("class")  # the refusal stays visible on the cell
    assert "не отметка" in second.get_attribute("title")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Delete")
    page.wait_for_function("() => document.body.dataset.pending === '0'")
    assert not Mark.objects.filter(lesson=lesson).exists()
    # A key of the Russian layout, as a teacher's keyboard sends it (Playwright's own keyboard is Latin).
    page.locator("#grid").dispatch_event("keydown", {"key": "н", "bubbles": True})
    page.keyboard.press("Tab")
    page.wait_for_function("() => document.body.dataset.pending === '0'")
    assert Attendance.objects.get(lesson=lesson).code == "н"
