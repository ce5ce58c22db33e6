"""The journal grid's table, rendered by one small function (the hottest page: see STYLE.md "Hot paths").

The page around it is a template; this function renders the table for the full page and for the htmx fragment
alike, escaping every value. Cells carry no attributes but a class: the script finds the student from the row
(``data-s``) and the lesson from the column header (``data-l``), which keeps a 30 × 60 grid small.
"""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe

from . import grading, selectors
from .selectors import Cell, Grid

HEADER_LABELS = ("Отм.", "Ср. балл", "Предл.", "Итог")


LOW = frozenset({"1", "2", "нз"})


def cell_class(cell: Cell | None, control_ids: frozenset[int]) -> str:
    """«x» — no cell (the student was not in the group that day); «a» absence; «c» control work; «lo» a 2 or 1."""
    if cell is None:
        return "x"
    classes = "a " if cell[0] else ""
    marks = cell[1:]
    if marks:
        if any(mark[2] in control_ids for mark in marks):
            classes += "c "
        if any(mark[0] in LOW for mark in marks):
            classes += "lo "
    return classes.rstrip()


def cell_text(cell: Cell | None) -> str:
    return "" if cell is None else selectors.cell_text(cell)


def cell_html(cell: Cell | None, control_ids: frozenset[int]) -> str:
    css = cell_class(cell, control_ids)
    text = escape(cell_text(cell), quote=False)
    return f'<td class="{css}">{text}</td>' if css else f"<td>{text}</td>"


def day_class(day, today) -> str:
    """«t» — today's lesson (highlighted, the grid opens on it), «f» — a lesson still to come (no input yet)."""
    if day == today:
        return "t"
    return "f" if day > today else ""


def render_grid_table(grid: Grid, *, editable: bool, lesson_url: str, cell_url: str, readonly_reason: str = "",
                      record_panel_url: str = "") -> SafeString:
    """The whole ``<table>``: header of lessons, a row per student, the totals at the right.

    ``lesson_url``, ``cell_url`` and ``record_panel_url`` are URL patterns with ``0`` placeholders
    (``/journal/lessons/0/``) that the header links and the script fill in. ``readonly_reason`` is what the script
    says when someone types into a grid he cannot change (a closed period).
    """
    control_ids = grid.policy.control_types
    out: list[str] = []
    add = out.append
    add(f'<table class="jgrid" id="grid" data-cell-url="{escape(cell_url)}" data-lesson-url="{escape(lesson_url)}"'
        f'{" data-editable" if editable else ""}'
        f'{f" data-readonly={chr(34)}{escape(readonly_reason)}{chr(34)}" if readonly_reason else ""}'
        f'{f" data-record-panel-url={chr(34)}{escape(record_panel_url)}{chr(34)}" if record_panel_url else ""}'
        f'{" data-nomarks" if not grid.marks_allowed else ""}>')
    days = [day_class(column.lesson.date, grid.today) for column in grid.columns]
    add('<colgroup><col>')
    add("".join(f'<col class="{day}">' if day else "<col>" for day in days))
    add('<col span="4"></colgroup>')
    add('<thead><tr><th class="jn" scope="col">Обучающийся</th>')
    lesson_prefix = lesson_url.rsplit("0/", 1)[0]
    for column, day in zip(grid.columns, days, strict=True):
        lesson = column.lesson
        title = lesson.topic or "тема не записана"
        if column.control_label:
            title = f"{column.control_label}: {title}"
        if day == "f":
            title = f"урок ещё не прошёл · {title}"
        css = " ".join(part for part in ("c" if column.is_control else "", day) if part)
        classes = f' class="{css}"' if css else ""
        wt = f' data-wt="{column.work_type_id}"' if column.work_type_id else ""
        add(f'<th{classes} data-l="{lesson.pk}"{wt} title="{escape(title)}" scope="col">'
            f'<a href="{lesson_prefix}{lesson.pk}/">{lesson.date:%d.%m}</a>'
            f'<small>{escape(column.control_label) if column.is_control else lesson.number}</small></th>')
    for label in HEADER_LABELS:
        add(f'<th class="num" scope="col">{label}</th>')
    add("</tr></thead><tbody>")
    # A grid's 1,800 cells hold a few dozen different contents (absence and marks with their work types): each is
    # rendered once.
    rendered: dict[Cell | None, str] = {}
    for number, row in enumerate(grid.rows, start=1):
        student = row.student
        add(f'<tr data-s="{student.pk}"><th scope="row">{number}. {escape(student.short_name)}</th>')
        for cell in row.cells:
            html = rendered.get(cell)
            if html is None:
                html = rendered[cell] = cell_html(cell, control_ids)
            add(html)
        average = grading.format_average(row.average.value)
        suggested = row.suggestion.value or ""
        final = row.final.value if row.final is not None else ""
        flag = ' class="num flag" title="Расходится с предложенной"' if row.final and row.final.flagged \
            else ' class="num"'
        add(f'<td class="num" data-k="count">{row.average.count or ""}</td>'
            f'<td class="num" data-k="average">{average}</td>'
            f'<td class="num" data-k="suggested" title="{escape(row.suggestion.explanation)}">{escape(suggested)}</td>'
            f"<td{flag}>{escape(final)}</td></tr>")
    if not grid.rows:
        add(f'<tr><td colspan="{len(grid.columns) + 5}" class="muted">В группе нет обучающихся в этом периоде.</td></tr>')
    add("</tbody></table>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
