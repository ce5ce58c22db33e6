"""A class teacher prints activation slips for a family; the parent activates his account from the printed code
and lands on his child's page (the diary, and «Мои дети» with his child only)."""

import io

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import log_in
from zhurnal.school.testing import PASSWORD, build_small_school, make_guardian, make_student


def slip_of(pdf: bytes, full_name: str) -> tuple[str, str]:
    """The login and the code printed on the slip of ``full_name``."""
    lines = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).splitlines()
    start = lines.index(full_name)
    login = next(line for line in lines[start:] if line.startswith("Логин ")).split()[-1]
    code = next(line for line in lines[start:] if line.startswith("Код активации ")).split()[-1]
    return login, code


@pytest.mark.django_db(transaction=True)
def test_guardian_activates_from_the_printed_slip_and_sees_only_his_child(live_server, page, browser):
    school = build_small_school()
    child = make_student(school.class_5a, "Кузнецов", first_name="Пётр")
    parent = make_guardian(child, last_name="Кузнецова")

    # The class teacher issues a code for the parent and gets the slips as a PDF in one click.
    log_in(page, live_server, "class_teacher", PASSWORD)
    page.click("nav >> text=Доступ")
    page.click(f"#access-classes >> text={school.class_5a.name}")
    page.check("input[name=scope][value=selected]")
    page.check(f"input[name=people][value=guardian-{parent.pk}]")
    with page.expect_download() as download:  # the PDF comes straight back from the form
        page.click("#issue-submit")
    assert download.value.suggested_filename.endswith(".pdf")
    login, code = slip_of(download.value.path().read_bytes(), parent.full_name)
    assert login == "kuznetsova.mi"

    # The parent, at home, with the slip.
    family = browser.new_context(locale="ru-RU")
    home = family.new_page()
    home.set_default_timeout(15_000)
    home.goto(f"{live_server.url}/accounts/login/")
    home.click("text=Первый вход по коду активации")
    home.fill("#id_username", login)
    home.fill("#id_code", code.lower().replace("-", ""))
    home.fill("#id_password1", "Весна-в-школе-2027")
    home.fill("#id_password2", "Весна-в-школе-2027")
    home.click("button[type=submit]")
    # He lands on his child's diary, then «Мои дети» shows his child and nobody else's.
    home.wait_for_url(f"{live_server.url}/diary/{child.pk}/**")
    assert "Пароль сохранён" in home.locator(".messages").inner_text()
    assert "Кузнецов Пётр" in home.locator("h1").inner_text()
    home.click("nav >> text=Мои дети")
    home.wait_for_url(f"{live_server.url}/my/children/")
    content = home.locator("main").inner_text()
    assert "Кузнецов Пётр Сергеевич" in content
    assert "Иванов Иван" not in content and "Петров Иван" not in content

    # The code is spent: the next login is with the password.
    home.context.clear_cookies()
    home.goto(f"{live_server.url}/accounts/activate/")
    home.fill("#id_username", login)
    home.fill("#id_code", code)
    home.fill("#id_password1", "Другой-пароль-2027")
    home.fill("#id_password2", "Другой-пароль-2027")
    home.click("button[type=submit]")
    assert "уже использован" in home.locator(".errorlist").inner_text()
    log_in(home, live_server, login, "Весна-в-школе-2027")
    assert f"/diary/{child.pk}/" in home.url
    family.close()
