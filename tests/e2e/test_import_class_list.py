import io

import pytest
from openpyxl import Workbook

from tests.e2e.conftest import log_in
from zhurnal.school.models import Student
from zhurnal.school.testing import PASSWORD, build_small_school

NEWCOMERS = [("Смирнов", "Алексей", "Игоревич"), ("Кузнецова", "Дарья", "Олеговна"), ("Попов", "Егор", "")]


def class_list_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Фамилия", "Имя", "Отчество", "Дата рождения", "Пол", "Класс", "Номер приказа"])
    for (last, first, patronymic), born, gender in zip(NEWCOMERS, ["12.04.2015", "30.06.2015", "01.02.2015"],
                                                       ["м", "ж", "м"], strict=True):
        sheet.append([last, first, patronymic, born, gender, "5А", "45-у"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db(transaction=True)
def test_administrator_imports_a_class_list_and_sees_it_in_the_class(live_server, page, media):
    school = build_small_school()
    log_in(page, live_server, "admin", PASSWORD)

    page.goto(f"{live_server.url}/import/")
    page.click("#import-kinds a:has-text('Списки классов')")
    page.set_input_files("#id_file", files=[{
        "name": "5А.xlsx", "buffer": class_list_xlsx(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }])
    page.click("#upload-form button[type=submit]")

    page.wait_for_selector("#import-rows")
    assert page.locator("#import-rows tbody tr").count() == 3
    assert "Ошибок нет" in page.locator("#confirm").inner_text()
    assert "3 обучающихся в класс 5А" in page.locator("#confirm").inner_text()
    assert not Student.objects.filter(last_name="Смирнов").exists()

    page.click("#confirm-import")
    page.wait_for_selector(".msg-success")
    page.goto(f"{live_server.url}/classes/{school.class_5a.pk}/")
    roster = page.locator("#roster").inner_text()
    for last, first, patronymic in NEWCOMERS:
        assert " ".join(p for p in (last, first, patronymic) if p) in roster
    assert page.locator("#roster tbody tr").count() == 6


@pytest.mark.django_db(transaction=True)
def test_a_file_with_errors_shows_them_and_imports_nothing(live_server, page, media):
    build_small_school()
    log_in(page, live_server, "admin", PASSWORD)
    page.goto(f"{live_server.url}/import/students/")
    content = "Фамилия;Имя;Дата рождения;Пол;Класс;Номер приказа\r\nВолков;Антон;31.02.2015;м;5В;1\r\n"
    page.set_input_files("#id_file", files=[{"name": "5В.csv", "buffer": content.encode("cp1251"),
                                              "mimeType": "text/csv"}])
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#import-errors")
    errors = page.locator("#import-errors").inner_text()
    assert "такой даты нет" in errors and "класса 5В нет" in errors
    assert page.locator("#confirm-import").count() == 0
    assert not Student.objects.filter(last_name="Волков").exists()
