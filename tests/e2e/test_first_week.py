"""A school's first week (issue 18), as its people meet it in a real browser: the teacher's grid opening on today,
refused values and an expired session that never lose a saved mark, a whole lesson in at most 75 keystrokes from
the start page (on the lesson page and in the grid), the class teacher's week, the tablet's menu, error pages."""

import datetime as dt
import uuid

import pytest
from django.contrib.sessions.models import Session

from tests.e2e.conftest import log_in, wait_for_htmx
from zhurnal.core.dates import today as school_today
from zhurnal.core.testing import PASSWORD
from zhurnal.journal import selectors, services
from zhurnal.journal.models import Attendance, AttendanceCheck, Mark, WorkType
from zhurnal.planning import services as plans
from zhurnal.school.models import Student
from zhurnal.school.testing import build_small_school, class_group
from zhurnal.timetable.models import Lesson
from zhurnal.timetable.testing import make_bells, put

KEYSTROKE_GOAL = 75
CELLS = ["н", "5", "4-", "н", "3", "5/4"]  # two absences and five marks


def school_with_maths(*, from_year_start: bool, students: int = 7):
    school = build_small_school(students_per_class=students)
    services.ensure_journal_setup(school=school.school)
    make_bells(school.year)
    maths = class_group(school.class_5a).assignments.get(subject=school.math)
    today = school_today()
    if from_year_start:
        for weekday in range(1, 7):
            put(maths, weekday, 1)
    else:
        put(maths, today.isoweekday(), 1, valid_from=max(school.year.start, today))
    lesson = Lesson.objects.filter(assignment=maths, date=today).first()
    if lesson is None:
        pytest.skip("today is a holiday in the test school's calendar")
    plan = plans.create_plan(actor=None, assignment=maths)
    plans.save_topic(actor=None, plan=plan, title="Сложение дробей с одинаковыми знаменателями", hours=2)
    plans.save_topic(actor=None, plan=plan, title="Вычитание дробей", hours=2)
    return school, maths, lesson


class Keys:
    """The keyboard, counting every key a teacher presses (a typed character is one key)."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def press(self, key: str) -> None:
        self.count += 1
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.count += len(text)
        self.page.keyboard.type(text)

    def type_into_grid(self, text: str) -> None:
        """The first key opens the cell's editor; Playwright's keyboard is Latin, so a Russian letter is sent as
        the key event a Russian layout produces."""
        first, rest = text[0], text[1:]
        self.count += 1
        if first.isascii():
            self.page.keyboard.press(first)
        else:
            self.page.locator("#grid").dispatch_event("keydown", {"key": first, "bubbles": True})
        if rest:
            self.type(rest)


def settled(page):
    wait_for_htmx(page)
    page.wait_for_function("() => document.body.dataset.pending === '0'")


def grid_ready(page):
    page.wait_for_function("() => document.body.dataset.journalReady === '1'")


def assert_whole_lesson_saved(lesson):
    lesson.refresh_from_db()
    assert lesson.topic == "Сложение дробей с одинаковыми знаменателями"
    assert lesson.homework == "№ 245, 246"
    assert Attendance.objects.filter(lesson=lesson, code="н").count() == 2
    marks = sorted((m.value, m.modifier) for m in Mark.objects.filter(lesson=lesson))
    assert len(marks) == 5 and ("4", "-") in marks


@pytest.mark.django_db(transaction=True)
def test_a_whole_lesson_from_the_start_page_on_the_lesson_page(live_server, page):
    school, maths, lesson = school_with_maths(from_year_start=False)
    log_in(page, live_server, "teacher", PASSWORD)
    assert page.url.endswith("/journal/today/")  # the teacher's start page
    keys = Keys(page)
    keys.press("Enter")  # today's lesson to fill has the focus
    page.wait_for_url(f"**/journal/lessons/{lesson.pk}/")
    grid_ready(page)
    assert page.evaluate("document.activeElement.id") == "topic"
    keys.press("Enter")  # the topic offered by the КТП
    keys.press("Enter")  # on to the homework
    keys.type("№ 245, 246")
    keys.press("Tab")  # to the first pupil
    assert page.evaluate("document.activeElement.classList.contains('cell-input')")
    for text in CELLS:
        keys.type(text)
        keys.press("Enter")
    settled(page)
    assert "Все изменения сохранены" in page.locator("#save-status").inner_text()
    assert page.locator("#save-status").is_visible()
    assert_whole_lesson_saved(lesson)
    print(f"lesson page: {keys.count} keystrokes")
    assert keys.count <= KEYSTROKE_GOAL


@pytest.mark.django_db(transaction=True)
def test_a_whole_lesson_from_the_start_page_in_the_grid(live_server, page):
    school, maths, lesson = school_with_maths(from_year_start=False)
    log_in(page, live_server, "teacher", PASSWORD)
    keys = Keys(page)
    keys.press("Tab")  # from the lesson's link to «Заполнить»
    keys.press("Tab")  # to «Журнал»
    keys.press("Enter")
    page.wait_for_url(f"**/journal/assignments/{maths.pk}/")
    grid_ready(page)
    keys.press("ArrowUp")  # the column's header
    keys.press("Enter")  # its topic and homework, in place
    page.wait_for_selector("#panel-topic:focus")
    keys.press("Enter")  # the topic offered by the КТП
    keys.press("Enter")  # on to the homework
    keys.type("№ 245, 246")
    keys.press("Tab")  # saved, back to the first pupil of the column
    page.wait_for_function("() => document.activeElement.id === 'grid'")
    for text in CELLS:
        keys.type_into_grid(text)
        keys.press("Enter")
    settled(page)
    assert_whole_lesson_saved(lesson)
    print(f"grid: {keys.count} keystrokes")
    assert keys.count <= KEYSTROKE_GOAL


def _visible_in(page, selector: str, wrap: str) -> bool:
    return page.evaluate("""([s, w]) => {
        const a = document.querySelector(s).getBoundingClientRect(), b = document.querySelector(w).getBoundingClientRect();
        return a.left >= b.left && a.right <= b.right + 1;
    }""", [selector, wrap])


@pytest.mark.parametrize("width", [1366, 768])
@pytest.mark.django_db(transaction=True)
def test_the_grid_opens_on_today_and_lessons_to_come_refuse_visibly(live_server, browser, width):
    school, maths, lesson = school_with_maths(from_year_start=True)
    context = browser.new_context(locale="ru-RU", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, live_server, "teacher", PASSWORD)
        page.goto(f"{live_server.url}/journal/assignments/{maths.pk}/")
        grid_ready(page)
        today = page.locator("#grid thead th.t")
        assert today.get_attribute("data-l") == str(lesson.pk)
        index = today.evaluate("th => th.cellIndex")
        assert page.evaluate("document.activeElement.id") == "grid"
        focused = page.locator("#grid td.focus")
        assert focused.evaluate("td => td.cellIndex") == index
        assert _visible_in(page, "#grid thead th.t", ".jgrid-wrap")
        assert page.locator("#grid thead th.f").count() > 0  # the period's lessons still to come
        # A lesson to come refuses the mark visibly, and nothing is saved.
        page.keyboard.press("ArrowRight")
        page.keyboard.press("5")
        assert "ещё не прошёл" in page.locator("#save-status").inner_text()
        assert page.locator("#grid td.focus").evaluate("td => td.classList.contains('refuse')")
        # Today's cell takes a mark.
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("5")
        page.keyboard.press("Enter")
        settled(page)
        assert Mark.objects.filter(lesson=lesson).count() == 1 and Mark.objects.count() == 1
        # A closed period says why instead of doing nothing.
        first = selectors.assignment_periods(maths)[0]
        if first.end < lesson.date - dt.timedelta(days=10):
            page.goto(f"{live_server.url}/journal/assignments/{maths.pk}/?period={first.pk}")
            grid_ready(page)
            page.keyboard.press("4")
            assert "закрыт" in page.locator("#save-status").inner_text().lower()
            assert Mark.objects.count() == 1
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_a_refused_value_keeps_the_saved_mark(live_server, page):
    school, maths, lesson = school_with_maths(from_year_start=False)
    student = school.students["student"]
    services.save_cell(actor=school.users["teacher"], lesson=lesson, student=student, text="5", key=uuid.uuid4())
    log_in(page, live_server, "teacher", PASSWORD)
    page.goto(f"{live_server.url}/journal/assignments/{maths.pk}/")
    grid_ready(page)
    row = page.locator(f"#grid tbody tr[data-s='{student.pk}']")
    cell = row.locator("td").nth(page.locator("#grid thead th.t").evaluate("th => th.cellIndex") - 1)
    position = page.locator("#grid tbody tr").evaluate_all(
        f"rows => rows.findIndex(r => r.dataset.s === '{student.pk}')")
    for _ in range(position):
        page.keyboard.press("ArrowDown")
    assert cell.inner_text() == "5"

    page.keyboard.press("7")
    page.keyboard.press("Enter")
    settled(page)
    page.keyboard.press("ArrowUp")
    assert "error" in cell.get_attribute("class") and "Сохранено: «5»" in cell.get_attribute("title")
    page.keyboard.press("Escape")  # the saved mark comes back
    assert cell.inner_text() == "5" and "error" not in cell.get_attribute("class")

    page.keyboard.press("7")
    page.keyboard.press("Enter")
    settled(page)
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Delete")  # after a refusal: never erases the saved mark
    settled(page)
    assert cell.inner_text() == "5"
    assert [m.value for m in Mark.objects.filter(lesson=lesson, student=student)] == ["5"]

    page.keyboard.press("y")  # «н» typed in the English layout
    page.keyboard.press("Enter")
    settled(page)
    assert "английской раскладке" in page.locator("#save-status").inner_text()
    assert "«н»" in page.locator("#save-status").inner_text()
    assert not Attendance.objects.filter(lesson=lesson, student=student).exists()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Escape")
    assert cell.inner_text() == "5"
    page.reload()
    grid_ready(page)
    assert cell.inner_text() == "5"


@pytest.mark.django_db(transaction=True)
def test_an_expired_session_never_loses_typed_work(live_server, page):
    school, maths, lesson = school_with_maths(from_year_start=False)
    log_in(page, live_server, "teacher", PASSWORD)
    page.goto(f"{live_server.url}/journal/lessons/{lesson.pk}/")
    grid_ready(page)
    inputs = page.locator("#sheet input.cell-input")
    inputs.nth(0).focus()
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    settled(page)
    Session.objects.all().delete()  # the session ends (8 hours later, or the server restarted its sessions)

    page.keyboard.type("4")
    page.keyboard.press("Enter")
    page.keyboard.type("н")
    page.keyboard.press("Enter")
    page.wait_for_selector("#session-banner:not([hidden])")
    assert "Сессия истекла — войдите снова" in page.locator("#session-banner").inner_text()
    assert inputs.nth(1).input_value() == "4" and inputs.nth(2).input_value() == "н"  # kept
    assert page.evaluate("document.body.dataset.pending") != "0"
    assert Mark.objects.filter(lesson=lesson).count() == 1

    other = page.context.new_page()  # logging in again, in a new tab
    log_in(other, live_server, "teacher", PASSWORD)
    other.close()
    page.bring_to_front()
    settled(page)
    assert page.locator("#session-banner").is_hidden()
    assert sorted(m.value for m in Mark.objects.filter(lesson=lesson)) == ["4", "5"]
    assert Attendance.objects.filter(lesson=lesson, code="н").count() == 1
    page.reload()
    grid_ready(page)
    assert [inputs.nth(n).input_value() for n in range(3)] == ["5", "4", "н"]


@pytest.mark.django_db(transaction=True)
def test_class_teacher_confirms_the_week_with_reasons_set_in_place(live_server, page):
    school, maths, lesson = school_with_maths(from_year_start=False)
    teacher = school.users["teacher"]
    pupils = list(Student.objects.filter(enrollments__school_class=school.class_5a).order_by("last_name")[:2])
    for pupil in pupils:
        services.save_cell(actor=teacher, lesson=lesson, student=pupil, text="н", key=uuid.uuid4())
    log_in(page, live_server, "class_teacher", PASSWORD)
    week = lesson.date - dt.timedelta(days=lesson.date.weekday())
    page.goto(f"{live_server.url}/journal/classes/{school.class_5a.pk}/attendance/?week={week:%Y-%m-%d}")
    assert page.locator("#attendance-week tbody tr[id^='week-row-']").count() == 2
    assert page.locator("#attendance-week thead th").nth(1).inner_text().startswith("Пн")
    assert page.locator("#attendance-week thead th").nth(6).inner_text().startswith("Сб")
    assert "без причины (н): 2" in page.locator("#week-totals").inner_text()

    # Confirming with absences left without a reason says so, and does not confirm.
    page.click("#confirm-week button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "остались пропуски без причины: 2" in page.locator(".messages").inner_text()
    assert not AttendanceCheck.objects.exists()

    page.set_viewport_size({"width": 1280, "height": 420})
    page.evaluate("window.stillThePage = true")
    for pupil in pupils:
        row = page.locator(f"#week-row-{pupil.pk}")
        form = row.locator("form.reason-form").first
        form.locator("select[name=code]").select_option("б")
        form.locator("input[name=note]").fill("справка")
        form.locator("button").click()
        wait_for_htmx(page)
        assert "причины указаны" in page.locator(f"#week-row-{pupil.pk}").inner_text()
        assert page.evaluate("window.scrollY") > 0  # no jump to the top
    assert page.evaluate("window.stillThePage === true")  # saved in place: no reload
    assert "без причины (н): 0" in page.locator("#week-totals").inner_text()
    assert Attendance.objects.filter(lesson=lesson, code="б").count() == 2
    page.click("#confirm-week button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#week-checked").is_visible()
    assert AttendanceCheck.objects.get().week_start == week


@pytest.mark.django_db(transaction=True)
def test_the_menu_folds_on_a_768_px_tablet(live_server, browser):
    build_small_school()
    context = browser.new_context(locale="ru-RU", viewport={"width": 768, "height": 1024})
    page = context.new_page()
    try:
        for persona in ("deputy", "teacher"):
            log_in(page, live_server, persona, PASSWORD)
            height = page.locator("header.topbar").evaluate("e => e.getBoundingClientRect().height")
            assert height <= 64, (persona, height)
            assert page.locator(".nav").is_hidden()
            page.click(".nav-toggle-label")
            nav = page.locator(".nav")
            assert nav.is_visible()
            box = nav.bounding_box()
            assert box["width"] >= 700  # full width
            assert page.evaluate("document.documentElement.scrollWidth") <= 768
            page.context.clear_cookies()
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_the_administrations_menu_is_one_line_at_1366_px(live_server, browser):
    build_small_school()
    context = browser.new_context(locale="ru-RU", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        for persona in ("admin", "deputy"):
            log_in(page, live_server, persona, PASSWORD)
            height = page.locator("header.topbar").evaluate("e => e.getBoundingClientRect().height")
            assert height <= 64, (persona, height)  # one line: the occasional pages fold into groups
            page.click(".nav-group summary:has-text('Люди')")
            page.click(".nav-group[open] a:has-text('Классы')")
            page.wait_for_url("**/classes/")
            assert page.locator(".nav-group:has(a[aria-current=page]) summary").inner_text().startswith("Люди")
            page.context.clear_cookies()
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_error_pages_for_a_student(live_server, page):
    school, maths, lesson = school_with_maths(from_year_start=False)
    log_in(page, live_server, "student", PASSWORD)
    page.goto(f"{live_server.url}/timetable/lessons/{lesson.pk}/")
    assert page.locator("text=Журнал урока").count() == 0  # a link he cannot open is not shown
    page.goto(f"{live_server.url}/journal/lessons/{lesson.pk}/")
    assert page.locator("#error-page").get_attribute("data-status") == "403"
    assert "Нет доступа" in page.locator("h1").inner_text()
    assert page.locator(".nav a:has-text('Дневник')").count() == 1  # the menu is there
    page.goto(f"{live_server.url}/diary/")
    page.evaluate("location.href = '/нет-такой-страницы/'")  # an outdated link followed from the diary
    page.wait_for_selector("#error-page")
    assert page.locator("#error-page").get_attribute("data-status") == "404"
    assert "Страница не найдена" in page.locator("h1").inner_text()
    page.click("#error-back")
    page.wait_for_url("**/diary/**")


PHONE = {"width": 360, "height": 740}

SMALL_TARGETS = """() => Array.from(document.querySelectorAll('main a, main button, main summary, header a, header label'))
    .filter(e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
                   return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'; })
    .filter(e => e.getBoundingClientRect().height < 24)
    .map(e => e.outerHTML.slice(0, 80))"""


@pytest.mark.django_db(transaction=True)
def test_the_diary_on_a_360_px_phone(live_server, browser):
    school, maths, lesson = school_with_maths(from_year_start=True)
    student = school.students["student"]
    ahead = Lesson.objects.filter(assignment=maths, date__gt=lesson.date).order_by("date").first()
    control = WorkType.objects.get(school=school.school, name="Контрольная работа")
    services.save_lesson_record(actor=school.users["teacher"], lesson=ahead, control_type=control)
    services.save_cell(actor=school.users["teacher"], lesson=lesson, student=student, text="н", key=uuid.uuid4())
    context = browser.new_context(locale="ru-RU", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, live_server, "guardian", PASSWORD)
        assert page.url.endswith(f"/diary/{student.pk}/week/")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
        assert page.evaluate(SMALL_TARGETS) == []  # every link and button at least 24 px tall
        assert "Контрольная работа" in page.locator("#upcoming-controls").inner_text()
        assert "без причины — 1" in page.locator("#period-absences").inner_text()
        page.locator("#diary-legend summary").click()
        assert "в рамке" in page.locator("#diary-legend").inner_text()

        page.click(".diary-tabs a:has-text('Итоги')")
        page.wait_for_selector("#finals")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert page.evaluate(SMALL_TARGETS) == []
        current = page.locator("#finals thead th.current")
        box = current.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # finals in view
        assert page.locator("#finals thead th.other").first.is_hidden()
        page.click("label[for=all-periods]")
        assert page.locator("#finals thead th.other").first.is_visible()
    finally:
        context.close()
