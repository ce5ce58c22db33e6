"""Mail and announcements in a real browser: a teacher writes to a parent and the parent answers on a phone; the
class teacher publishes a meeting, the parent reads and acknowledges it, the class teacher sees the read report."""

import pytest

from tests.e2e.conftest import log_in, wait_for_htmx
from zhurnal.school.testing import PASSWORD, build_small_school

PHONE = {"width": 360, "height": 740}


def fits_the_screen(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def phone_page(browser):
    context = browser.new_context(locale="ru-RU", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.mark.django_db(transaction=True)
def test_a_teacher_writes_to_a_parent_and_the_parent_replies(live_server, browser, page):
    school = build_small_school()
    guardian_user = school.users["guardian"]

    log_in(page, live_server, "teacher", PASSWORD)
    page.goto(f"{live_server.url}/mail/new/")
    with page.expect_response(lambda response: "/mail/new/?" in response.url and "find=" in response.url):
        page.fill("#find", "родитель")  # the list narrows as one types (htmx)
    wait_for_htmx(page)
    assert page.locator("#contacts input[name=to]").count() == 1
    page.check(f"#contacts input[value='{guardian_user.pk}']")
    page.fill("#id_subject", "Контрольная по математике")
    page.fill("#id_body", "В пятницу контрольная работа по дробям.")
    page.click("#compose button[type=submit]:has-text('Отправить')")
    page.wait_for_selector("text=Сообщение отправлено.")
    assert "По поводу Иванова Ивана, 5А" in page.inner_text("main")

    context, parent = phone_page(browser)
    try:
        log_in(parent, live_server, "guardian", PASSWORD)
        assert parent.locator(".header-mail [data-unread]").inner_text() == "1"
        parent.click(".header-mail")
        parent.click("text=Контрольная по математике")
        assert "В пятницу контрольная работа по дробям." in parent.inner_text("main")
        assert parent.locator(".header-mail [data-unread]").count() == 0
        assert fits_the_screen(parent)
        parent.fill("#id_body", "Спасибо, позанимаемся в выходные.")
        parent.click("#reply button[type=submit]")
        parent.wait_for_selector("text=Ответ отправлен.")
    finally:
        context.close()

    page.goto(f"{live_server.url}/mail/")
    assert page.locator(".header-mail [data-unread]").inner_text() == "1"
    page.click("text=Контрольная по математике")
    assert "Спасибо, позанимаемся в выходные." in page.inner_text("main")


@pytest.mark.django_db(transaction=True)
def test_a_parent_acknowledges_an_announcement_and_the_class_teacher_sees_it(live_server, browser, page):
    build_small_school()

    log_in(page, live_server, "class_teacher", PASSWORD)
    page.goto(f"{live_server.url}/news/new/")
    page.fill("#id_title", "Родительское собрание")
    page.fill("#id_body", "В четверг в 18:00, кабинет 214.")
    page.select_option("#id_audience", "class")
    page.select_option("#id_school_class", label="5А")
    page.check("#id_to_parents")
    page.check("#id_requires_ack")
    page.click("#announcement-form button[type=submit]")
    page.wait_for_selector("text=Объявление опубликовано.")
    report_url = page.url + "report/"
    page.goto(report_url)
    assert "Прочитали: 0 из 1" in page.inner_text("#report-summary")

    context, parent = phone_page(browser)
    try:
        log_in(parent, live_server, "guardian", PASSWORD)
        parent.goto(f"{live_server.url}/news/")
        assert "ждёт вашего «Ознакомлен»" in parent.inner_text("#announcements")
        parent.click("text=Родительское собрание")
        assert "В четверг в 18:00, кабинет 214." in parent.inner_text("main")
        assert fits_the_screen(parent)
        parent.click("#acknowledge")
        parent.wait_for_selector("#acknowledged")
    finally:
        context.close()

    page.goto(report_url)
    assert "Прочитали: 1 из 1; подтвердили «Ознакомлен»: 1" in page.inner_text("#report-summary")
    assert "Все подтвердили." in page.inner_text("#pending")
