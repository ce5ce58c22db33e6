"""On a 360×740 phone: the teacher enters a mark in the journal; the guardian logs in, finds it in the week view
and in the feed of new marks, opens the subject and reads how the average is computed."""

import pytest

from tests.e2e.conftest import log_in
from zhurnal.core.dates import today as school_today
from zhurnal.school.testing import PASSWORD, build_small_school

PHONE = {"width": 360, "height": 740}


def build_school_with_timetable():
    from zhurnal.journal.services import ensure_journal_setup
    from zhurnal.school.models import TeachingAssignment
    from zhurnal.timetable.models import Lesson
    from zhurnal.timetable.testing import make_bells, make_room, put

    school = build_small_school()
    make_bells(school.year)
    room = make_room(school.school, "214")
    math = TeachingAssignment.objects.get(group__school_class=school.class_5a, subject=school.math)
    ensure_journal_setup(school=school.school)
    for weekday in range(1, 6):
        put(math, weekday, 2, room)
    lesson = Lesson.objects.filter(assignment=math, date__lte=school_today()).order_by("-date").first()
    return school, lesson


def fits_the_screen(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.django_db(transaction=True)
def test_guardian_sees_a_new_mark_on_the_phone(live_server, browser, page):
    school, lesson = build_school_with_timetable()
    student = school.students["student"]

    log_in(page, live_server, "teacher", PASSWORD)
    page.goto(f"{live_server.url}/journal/lessons/{lesson.pk}/")
    cell = page.locator(f"#cell-{student.pk}")
    cell.fill("5")
    cell.press("Enter")
    page.wait_for_selector(f"#cell-{student.pk}.saved")

    phone = browser.new_context(locale="ru-RU", viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        guardian = phone.new_page()
        guardian.set_default_timeout(15_000)
        log_in(guardian, live_server, "guardian", PASSWORD)
        assert guardian.url.endswith(f"/diary/{student.pk}/week/")
        day = guardian.locator(f"#day-{lesson.date:%Y-%m-%d}")
        maths = day.locator("li.lesson", has_text="Математика")
        assert maths.locator(".mark").inner_text() == "5"
        assert "Ответ на уроке" in maths.inner_text()
        assert guardian.locator("#new-marks").inner_text() == "Новые отметки: 1"
        assert fits_the_screen(guardian)

        guardian.locator("#new-marks a").click()
        guardian.wait_for_selector("#feed-new")
        new = guardian.locator("#feed-new")
        assert new.locator(".mark").inner_text() == "5"
        assert "Математика" in new.inner_text()
        assert fits_the_screen(guardian)

        new.locator("a", has_text="Математика").click()
        guardian.wait_for_selector(".computation")
        computation = guardian.locator(".computation")
        assert "Как получен средний балл" in computation.inner_text()
        assert "5×1" in computation.inner_text() and "5,00" in computation.inner_text()
        assert "для итоговой нужно не меньше 3" in computation.inner_text()
        assert fits_the_screen(guardian)
    finally:
        phone.close()
