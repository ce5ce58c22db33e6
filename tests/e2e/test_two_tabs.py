"""Two tabs on one cell: the second save is not told «сохранено» over a mark it never saw. The page shows the
other value, who set it and when, and the teacher keeps his own or takes theirs — in the grid and on the lesson
page alike; nothing is replaced unseen."""

import pytest

from tests.e2e.conftest import log_in
from zhurnal.core.testing import PASSWORD
from zhurnal.journal.models import Mark

from .test_first_week import grid_ready, school_with_maths, settled


def marks(lesson, student):
    return [m.text for m in Mark.objects.filter(lesson=lesson, student=student).order_by("position")]


@pytest.mark.django_db(transaction=True)
def test_two_tabs_on_one_cell_show_the_conflict_and_resolve_it(live_server, page):
    school, maths, lesson = school_with_maths(from_year_start=False)
    student = school.students["student"]
    teacher = school.users["teacher"]
    log_in(page, live_server, "teacher", PASSWORD)
    grid = page  # the first tab: the group's grid
    grid.goto(f"{live_server.url}/journal/assignments/{maths.pk}/")
    grid_ready(grid)
    sheet = page.context.new_page()  # the second tab: the lesson page, opened before the grid saves anything
    sheet.goto(f"{live_server.url}/journal/lessons/{lesson.pk}/")
    grid_ready(sheet)

    # The grid: «5» into the student's cell of today's lesson.
    grid.bring_to_front()
    column = grid.locator("#grid thead th.t").evaluate("th => th.cellIndex")
    cell = grid.locator(f"#grid tbody tr[data-s='{student.pk}'] td").nth(column - 1)
    position = grid.locator("#grid tbody tr").evaluate_all(
        f"rows => rows.findIndex(r => r.dataset.s === '{student.pk}')")
    grid.focus("#grid")
    for _ in range(position):
        grid.keyboard.press("ArrowDown")
    grid.keyboard.press("5")
    grid.keyboard.press("Enter")
    settled(grid)
    assert marks(lesson, student) == ["5"]

    # The lesson page still shows the cell empty: its «4» meets the grid's «5».
    sheet.bring_to_front()
    field = sheet.locator(f"#cell-{student.pk}")
    field.focus()
    sheet.keyboard.type("4")
    sheet.keyboard.press("Enter")
    settled(sheet)
    box = sheet.locator("#conflicts [data-conflict]")
    box.wait_for()
    text = box.inner_text()
    assert "клетку уже изменили" in text and teacher.display_name in text
    assert "Сейчас в журнале: 5" in text and "Вы ввели: 4" in text
    assert "conflict" in field.get_attribute("class")
    assert "Все изменения сохранены" not in sheet.locator("#save-status").inner_text()
    assert marks(lesson, student) == ["5"]  # nothing replaced unseen

    # «Keep mine»: the «4» saved over the «5» the teacher has now seen.
    sheet.locator("#conflicts [data-conflict-keep]").click()
    settled(sheet)
    assert sheet.locator("#conflicts [data-conflict]").count() == 0
    assert marks(lesson, student) == ["4"]
    assert field.input_value() == "4" and "error" not in (field.get_attribute("class") or "")

    # The grid still shows its «5»: a «3» typed there meets the «4»; the teacher takes theirs.
    grid.bring_to_front()
    grid.focus("#grid")
    grid.keyboard.press("ArrowUp")  # Enter moved down a row after the «5»
    grid.keyboard.press("3")
    grid.keyboard.press("Enter")
    settled(grid)
    grid_box = grid.locator("#conflicts [data-conflict]")
    grid_box.wait_for()
    assert "Сейчас в журнале: 4" in grid_box.inner_text() and "Вы ввели: 3" in grid_box.inner_text()
    assert cell.inner_text() == "3" and "conflict" in cell.get_attribute("class")
    assert marks(lesson, student) == ["4"]
    grid.locator("#conflicts [data-conflict-take]").click()
    assert cell.inner_text() == "4" and "error" not in cell.get_attribute("class")
    assert grid.locator("#conflicts [data-conflict]").count() == 0
    assert marks(lesson, student) == ["4"]
    grid.reload()
    grid_ready(grid)
    assert cell.inner_text() == "4"
