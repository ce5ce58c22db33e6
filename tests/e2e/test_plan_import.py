"""A teacher loads his КТП from an XLSX file made in a spreadsheet, checks the preview and sees the topics of the
lessons up to next week filled from it, in order, on his group's page."""

import datetime as dt
import io

import openpyxl
import pytest

from tests.e2e.conftest import log_in
from zhurnal.core.dates import today as school_today
from zhurnal.school.testing import (
    PASSWORD,
    class_group,
    make_assignment,
    make_class,
    make_school,
    make_staff,
    make_subject,
)

TOPICS = [("Ряд натуральных чисел", 2), ("Сравнение натуральных чисел", 1), ("Сложение натуральных чисел", 3),
          ("Вычитание натуральных чисел", 2), ("Контрольная работа № 1", 1), ("Умножение натуральных чисел", 3),
          ("Деление натуральных чисел", 3), ("Степень числа", 1), ("Числовые выражения", 2),
          ("Решение текстовых задач", 4)] * 4


def ktp_workbook() -> bytes:
    """What a teacher makes by hand: a title line, a merged section row, numbers, hours, an extra column."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["КТП по математике, 5 класс"])
    sheet.append(["№ урока", "Тема урока", "Кол-во часов", "Дата", "Домашнее задание"])
    sheet.append(["Натуральные числа"])
    sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=5)
    lesson = 1
    for title, hours in TOPICS:
        number = str(lesson) if hours == 1 else f"{lesson}-{lesson + hours - 1}"
        sheet.append([number, title, hours, "", "§ 1"])
        lesson += hours
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build_school():
    """A year around today (so lessons lie both behind and ahead), maths in 5А on Monday, Wednesday, Friday."""
    from zhurnal.school import services as school_services
    from zhurnal.timetable.models import Lesson
    from zhurnal.timetable.testing import make_bells, put

    today = school_today()
    school = make_school("Школа № 5", slug="school-5")
    year = school_services.create_academic_year(actor=None, school=school, start=today - dt.timedelta(days=21),
                                                end=today + dt.timedelta(days=120), with_defaults=False)
    teacher = make_staff(school, "Учителева", username="teacher")
    assignment = make_assignment(teacher, make_subject(school, "Математика"), class_group(make_class(year, 5, "А")))
    make_bells(year)
    for weekday, number in ((1, 2), (3, 3), (5, 1)):
        put(assignment, weekday, number)
    lessons = list(Lesson.objects.filter(assignment=assignment).order_by("date", "number"))
    return assignment, lessons, today


def hour_topics():
    return [title for title, hours in TOPICS for _ in range(hours)]


@pytest.mark.django_db(transaction=True)
def test_teacher_imports_a_plan_from_xlsx_and_sees_the_next_lessons_topics(live_server, page):
    assignment, lessons, today = build_school()
    log_in(page, live_server, "teacher", PASSWORD)

    page.get_by_role("link", name="КТП", exact=True).click()
    page.get_by_role("link", name="5А").click()
    page.get_by_role("link", name="Загрузить КТП из файла").click()
    page.set_input_files("#id_file", files=[{
        "name": "КТП математика 5А.xlsx", "buffer": ktp_workbook(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.get_by_role("button", name="Проверить файл").click()

    preview = page.locator("#import-preview")
    preview.wait_for()
    total = sum(hours for _, hours in TOPICS)
    assert f"всего {total} ч" in preview.inner_text()
    assert "по нагрузке 3 ч/нед × 34 нед = 102 ч" in preview.inner_text()
    assert page.locator("#preview-rows tr.section").first.inner_text().strip() == "Натуральные числа"
    page.locator("#confirm-import").click()

    page.wait_for_selector("#lesson-topics")
    assert "КТП «Математика, 5 класс» загружен" in page.locator(".messages").inner_text()
    until = today + dt.timedelta(days=7)
    filled = [lesson for lesson in lessons if lesson.date <= until]
    expected = hour_topics()
    for lesson, title in zip(filled, expected, strict=False):
        cell = page.locator(f"#lesson-{lesson.pk} td.topic")
        assert cell.inner_text().startswith(title), (lesson.date, cell.inner_text())
        assert "по КТП" in cell.inner_text()
    next_lessons = [lesson for lesson in filled if lesson.date > today]
    assert next_lessons, "the week ahead has lessons"
    # The lessons after next week are not written yet; the page shows which plan topic they will get.
    later = next(lesson for lesson in lessons if lesson.date > until)
    assert page.locator(f"#lesson-{later.pk} td.topic").inner_text().startswith(
        f"по плану: {expected[len(filled)]}")
    assert page.locator(f"#lesson-{later.pk}").get_attribute("data-state") == "free"
