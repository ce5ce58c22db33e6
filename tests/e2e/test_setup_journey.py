import pytest

from tests.e2e.conftest import log_in
from zhurnal.school import selectors
from zhurnal.school.models import Group, GroupKind, SchoolClass
from zhurnal.school.testing import PASSWORD, build_small_school


@pytest.mark.django_db(transaction=True)
def test_administrator_creates_a_class_and_transfers_a_student_into_it(live_server, page):
    school = build_small_school()
    log_in(page, live_server, "admin", PASSWORD)
    assert page.url.endswith("/setup/")

    page.click("#setup-tiles a[data-section=classes]")
    page.select_option("#id_grade", "5")
    page.fill("#id_letter", "в")
    page.select_option("#id_class_teacher", label="Учителева Анна Петровна")
    page.click("button:has-text('Создать класс')")
    assert "Класс 5В создан." in page.locator(".messages").inner_text()
    assert "5В" in page.locator("#classes").inner_text()
    new_class = SchoolClass.objects.get(year=school.year, grade=5, letter="В")
    assert Group.objects.filter(school_class=new_class, kind=GroupKind.CLASS).exists()

    page.goto(f"{live_server.url}/movement/new/")
    page.check("input[name=kind][value=departure]")
    assert page.locator("#id_to_class").is_hidden()
    page.check("input[name=kind][value=transfer]")
    assert page.locator("#id_to_class").is_visible()
    student = school.students["student"]
    page.select_option("#id_student", str(student.pk))
    page.select_option("#id_to_class", label="5В")
    page.fill("#id_date", "2026-11-16")
    page.fill("#id_order_number", "52-у")
    page.click("button:has-text('Оформить')")
    assert page.url.startswith(f"{live_server.url}/movement/")
    assert "Перевод в другой класс: Иванов Иван Сергеевич" in page.locator(".messages").inner_text()
    assert selectors.class_of_student_on(student, school.year.start.replace(month=11, day=16)) == new_class
