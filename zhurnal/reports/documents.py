"""A report as one document, rendered four ways from the same content: an HTML page (print CSS), a PDF (WeasyPrint,
«лист X из Y», table headers repeated on every page), an XLSX (numbers as numbers, frozen headers, a sheet per
class) and a CSV (UTF-8 with BOM, «;») — every spreadsheet through ``core.spreadsheets`` (formula-like text
neutralised). Nothing is ever cut: every row a report holds is in every format.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from zhurnal.core import spreadsheets
from zhurnal.core.spreadsheets import OutRow, SheetSpec

from .metrics import fmt_dec

PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
NUMBER_FORMATS = {"int": "0", "dec": "0.00", "pct": "0.0"}


@dataclass
class Col:
    title: str
    kind: str = "text"  # text | int | dec | pct | mark
    width: float = 8
    group: str = ""  # a header above several columns («1 четверть»)

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "dec", "pct")


@dataclass
class Row:
    cells: Sequence[Any]
    kind: str = ""  # "" | "total" | "departed" | "sub"
    failing: frozenset[int] = frozenset()  # indexes of cells to highlight (a failing mark or average)
    link: str = ""  # the first cell's link on the page (teachers' names on the control page…)


@dataclass
class Table:
    title: str
    columns: list[Col]
    rows: list[Row]
    sheet: str = ""  # XLSX sheet (tables of one sheet are stacked); "" — the section's
    frozen: int = 1  # columns that stay in view (the names)
    note: str = ""
    empty: str = "Нет данных."

    @property
    def has_groups(self) -> bool:
        return any(c.group for c in self.columns)

    def header_groups(self) -> list[tuple[str, int]]:
        """(group title, span) across the columns, for a two-row header."""
        groups: list[tuple[str, int]] = []
        for col in self.columns:
            if groups and col.group and groups[-1][0] == col.group:
                groups[-1] = (col.group, groups[-1][1] + 1)
            else:
                groups.append((col.group, 1))
        return groups


@dataclass
class Chart:
    title: str
    svg: str

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


@dataclass
class Section:
    title: str = ""
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    items: list[tuple[str, str]] = field(default_factory=list)  # (label, value) lines
    page_break: bool = False  # the PDF starts it on a new page
    sheet: str = ""


@dataclass
class Document:
    title: str
    school: str
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    landscape: bool = True
    signatures: list[str] = field(default_factory=list)
    filename: str = "report"
    created: dt.datetime = field(default_factory=timezone.now)

    @property
    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    @property
    def row_count(self) -> int:
        """The lines of its tables, totals aside (what the access log records of a file taken)."""
        return sum(1 for table in self.tables for row in table.rows if row.kind != "total")


def cell_text(value: Any, kind: str = "text") -> str:
    """A value as the page and the PDF show it: decimal comma, «—» for a share of nothing."""
    if value is None:
        return "—" if kind in ("dec", "pct") else ""
    if isinstance(value, Decimal):
        return fmt_dec(value) if kind == "dec" else f"{value}".replace(".", ",")
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def sheet_value(value: Any, kind: str) -> Any:
    """A value as the spreadsheet stores it: numbers as numbers, the rest as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, int | Decimal | float):
        return value
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


# --- HTML and PDF -----------------------------------------------------------------------------------------------


def table_html(table: Table, *, pdf: bool) -> str:
    """A table's markup, made by joining escaped strings: a school-wide report has tens of thousands of cells, which
    the template language renders some thirty times slower (see STYLE.md, "Hot paths")."""
    esc = html.escape
    kinds = [c.kind for c in table.columns]
    numeric = [c.numeric or c.kind == "mark" for c in table.columns]
    out = [f'<div class="table-wrap report-table-wrap"><table class="list report-table'
           f'{" sticky-names" if table.frozen else ""}"><thead>']
    if table.has_groups:
        out.append("<tr>")
        for group, span in table.header_groups():
            css = ' class="group"' if group else ""
            out.append(f'<th colspan="{span}"{css}>{esc(group)}</th>')
        out.append("</tr>")
    out.append("<tr>")
    for col, is_number in zip(table.columns, numeric, strict=True):
        out.append(f'<th class="num">{esc(col.title)}</th>' if is_number else f"<th>{esc(col.title)}</th>")
    out.append("</tr></thead><tbody>")
    width = len(table.columns)
    # A summary sheet holds tens of thousands of cells of a dozen distinct contents: each distinct cell is made once.
    made: dict[tuple, str] = {}
    for row in table.rows:
        out.append(f'<tr class="row-{row.kind}">' if row.kind else "<tr>")
        failing = row.failing
        for index, value in enumerate(row.cells):
            if index == 0:
                text = esc(cell_text(value, kinds[0] if width else "text"))
                if row.link and not pdf:
                    text = f'<a href="{esc(row.link)}">{text}</a>'
                if row.kind == "departed":
                    text += ' <span class="muted small">(выбыл)</span>'
                out.append(f'<th scope="row">{text}</th>')
                continue
            key = (value, index < width and numeric[index], kinds[index] if index < width else "text",
                   index in failing)
            cell = made.get(key)
            if cell is None:
                is_number, kind, bad = key[1], key[2], key[3]
                text = esc(cell_text(value, kind))
                classes = " ".join(c for c, on in (("num", is_number), ("failing", bad)) if on)
                cell = made[key] = f'<td class="{classes}">{text}</td>' if classes else f"<td>{text}</td>"
            out.append(cell)
        out.append("</tr>")
    if not table.rows:
        out.append(f'<tr><td colspan="{width}" class="muted">{esc(table.empty)}</td></tr>')
    out.append("</tbody></table></div>")
    return "".join(out)


def render_html(document: Document) -> str:
    """The document's body for a page (``reports/_document.html``)."""
    return render_to_string("reports/_document.html", {"doc": document, "pdf": False})


def render_pdf(document: Document) -> bytes:
    from weasyprint import HTML

    html = render_to_string("reports/pdf.html", {"doc": document, "pdf": True})
    return HTML(string=html).write_pdf()


# --- spreadsheets -------------------------------------------------------------------------------------------------


def _sheet_rows(document: Document, tables: list[tuple[Section, Table]]) -> tuple[list[OutRow], int, list, dict]:
    rows: list[OutRow] = [OutRow([document.title], bold=True, wrap=False),
                          OutRow([" · ".join(p for p in (document.school, document.subtitle) if p)], wrap=False)]
    header_rows = 0
    merges: list[tuple[int, int, int, int]] = []
    formats: dict[int, str] = {}
    for section, table in tables:
        rows.append(OutRow([]))
        title = " — ".join(t for t in (section.title, table.title) if t)
        if title:
            rows.append(OutRow([title], bold=True, wrap=False))
        if table.has_groups:
            values: list[Any] = []
            column = 1
            for group, span in table.header_groups():
                values += [group] + [""] * (span - 1)
                if group and span > 1:
                    merges.append((len(rows) + 1, column, len(rows) + 1, column + span - 1))
                column += span
            rows.append(OutRow(values, bold=True))
        rows.append(OutRow([c.title for c in table.columns], bold=True))
        if not header_rows:
            header_rows = len(rows)
            for index, col in enumerate(table.columns, start=1):
                if col.kind in NUMBER_FORMATS:
                    formats[index] = NUMBER_FORMATS[col.kind]
        for row in table.rows:
            kinds = [c.kind for c in table.columns]
            rows.append(OutRow([sheet_value(v, kinds[i] if i < len(kinds) else "text")
                                for i, v in enumerate(row.cells)], bold=row.kind == "total", wrap=False))
        if table.note:
            rows.append(OutRow([table.note], wrap=False))
    for section, _ in tables[:1]:
        for label, value in section.items:
            rows.append(OutRow([label, value], wrap=False))
    return rows, header_rows, merges, formats


def sheets_of(document: Document) -> list[SheetSpec]:
    """One sheet per distinct ``sheet`` name of the tables (a class each, where a report spans classes); the
    paragraphs and footnotes close the last sheet."""
    order: list[str] = []
    grouped: dict[str, list[tuple[Section, Table]]] = {}
    for section in document.sections:
        for table in section.tables:
            name = table.sheet or section.sheet or section.title or document.title
            if name not in grouped:
                order.append(name)
                grouped[name] = []
            grouped[name].append((section, table))
    if not order:
        order, grouped = ["Отчёт"], {"Отчёт": []}
    specs = []
    for index, name in enumerate(order):
        rows, header_rows, merges, formats = _sheet_rows(document, grouped[name])
        if index == len(order) - 1:
            extra = [p for s in document.sections for p in s.paragraphs] + document.footnotes
            if not grouped[name]:
                extra = [f"{label}: {value}" for s in document.sections for label, value in s.items] + extra
            if extra:
                rows.append(OutRow([]))
                rows += [OutRow([text], wrap=False) for text in extra]
            rows += [OutRow([text], wrap=False) for text in document.signatures]
        widths = [max(c.width, 6) for c in grouped[name][0][1].columns] if grouped[name] else [60]
        frozen = grouped[name][0][1].frozen if grouped[name] else 0
        specs.append(SheetSpec(title=name, rows=rows, widths=widths, header_rows=header_rows,
                               frozen_columns=frozen, number_formats=formats, merges=merges,
                               landscape=document.landscape))
    return specs


def render_xlsx(document: Document) -> bytes:
    return spreadsheets.write_workbook(sheets_of(document))


def render_csv(document: Document) -> bytes:
    """Every table one after another, each with its title and header line."""
    rows: list[list[Any]] = [[document.title], [document.school, document.subtitle]]
    for section in document.sections:
        for table in section.tables:
            rows.append([])
            title = " — ".join(t for t in (section.title, table.title) if t)
            if title:
                rows.append([title])
            rows.append([c.title for c in table.columns])
            kinds = [c.kind for c in table.columns]
            for row in table.rows:
                rows.append([cell_text(v, kinds[i] if i < len(kinds) else "text") for i, v in enumerate(row.cells)])
        for label, value in section.items:
            rows.append([label, value])
    rows += [[text] for text in document.footnotes]
    return spreadsheets.write_csv(rows)


RENDERERS = {
    "pdf": (render_pdf, PDF_TYPE),
    "xlsx": (render_xlsx, XLSX_TYPE),
    "csv": (render_csv, CSV_TYPE),
}
