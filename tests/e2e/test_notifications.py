"""The bell in a real browser: a parent's page shows the unread count change when the teacher saves a mark for
his child, without reloading; the list opens the diary."""

import pytest

from tests.e2e.conftest import log_in, wait_for_htmx
from zhurnal.core.dates import today
from zhurnal.school.testing import PASSWORD, build_small_school


@pytest.mark.django_db(transaction=True)
def test_the_bell_counts_a_mark_saved_for_the_parents_child(live_server, page, settings):
    from zhurnal.journal import services as journal
    from zhurnal.notifications.tests.conftest import build_family

    settings.ZHURNAL_BELL_POLL_SECONDS = 1
    school = build_small_school()
    _, lessons = build_family(school)
    lesson = [lesson for lesson in lessons if lesson.date <= today()][-1]

    log_in(page, live_server, "guardian", PASSWORD)
    page.goto(f"{live_server.url}/notifications/settings/")
    bell = page.locator("#bell .bell-count")
    assert bell.get_attribute("data-count") == "0"
    journal.save_cell(actor=school.users["teacher"], lesson=lesson, student=school.students["student"], text="5")
    page.wait_for_function("() => document.querySelector('#bell .bell-count').dataset.count === '1'")
    assert page.locator("#bell").get_attribute("aria-label") == "Уведомления: непрочитанных 1"
    page.click("#bell")
    page.wait_for_selector("text=Новая отметка у Иванова Ивана: 5")
    page.click("button:has-text('Новая отметка у Иванова Ивана: 5')")
    page.wait_for_load_state("networkidle")
    wait_for_htmx(page)
    assert "/diary/" in page.url
    assert page.locator("#bell .bell-count").get_attribute("data-count") == "0"
