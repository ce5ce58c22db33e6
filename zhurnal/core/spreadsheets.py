"""Reading and writing plain spreadsheets (XLSX, CSV) for imports and exports, whatever they hold.

``read_table`` turns uploaded bytes into numbered rows of cell texts, with what a parser needs to know about
merged cells: which cells of a row belong to a range merged across columns, and which continue a range merged
down from the row above. Cyrillic CSV comes as UTF-8 (with or without BOM), UTF-16 or Windows-1251, with «;»,
«,» or tab between cells. ``write_xlsx`` and ``write_csv`` produce files that ``read_table`` reads back to the
same texts. Errors are ``SpreadsheetError`` with a Russian message for the user.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BINARY_MAGICS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf", b"BM",
                 b"II*\x00", b"MM\x00*", b"MZ", b"\x7fELF")
SAVE_AS_HINT = "Сохраните таблицу в Excel как «Книга Excel (.xlsx)» или «CSV (разделители — точка с запятой)»."
# An .xlsx is a zip archive: a small upload that unpacks to gigabytes is refused before openpyxl opens it.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_COLUMNS = 60
# Cells that a spreadsheet program would run as a formula (a tab or line break before one too); exports protect
# them, imports strip the guard. This module is the only writer of XLSX and CSV (tests/test_architecture.py).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; the message (in Russian) says why and what to do."""


@dataclass
class SheetRow:
    """One row as the user sees it: its number in the spreadsheet and the text of each cell ("" when empty)."""

    number: int
    cells: list[str]
    # Column indexes (0-based) inside a range merged across several columns, on this row.
    merged_across: frozenset[int] = field(default_factory=frozenset)
    # Column indexes whose cell continues a range merged down from the rows above (the cell itself is empty).
    continued: frozenset[int] = field(default_factory=frozenset)

    def cell(self, index: int | None) -> str:
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index]

    @property
    def is_empty(self) -> bool:
        return not any(self.cells)

    @property
    def filled(self) -> list[int]:
        return [i for i, text in enumerate(self.cells) if text]


def cell_text(value: Any) -> str:
    """A cell as the text the user sees: spaces trimmed (line breaks inside the cell kept), Excel's whole numbers
    without «.0», dates as ДД.ММ.ГГГГ, the formula guard of our own exports removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y") if value.time() == dt.time() else value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    text = str(value).replace("\xa0", " ").replace("\r\n", "\n").replace("\r", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    text = "\n".join(lines).strip("\n ")
    if len(text) > 1 and text[0] == "'" and text[1] in "".join(FORMULA_STARTS):
        text = text[1:]
    return text


def column_letter(index: int) -> str:
    """The spreadsheet's name of the column with 0-based ``index``: A, B, …, Z, AA, AB, …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def size_limit_text() -> str:
    return f"{settings.ZHURNAL_MAX_IMPORT_BYTES / (1024 * 1024):g} МБ"


def read_table(data: bytes, filename: str, *, max_rows: int = 5000) -> list[SheetRow]:
    """Every row of the first sheet (XLSX) or of a CSV file, empty rows included, numbered as in the file.

    Refuses files over ``settings.ZHURNAL_MAX_IMPORT_BYTES``, old .xls books, pictures and other non-tables.
    """
    if len(data) > settings.ZHURNAL_MAX_IMPORT_BYTES:
        raise SpreadsheetError(f"Файл «{filename}» больше {size_limit_text()}: такой файл не загружается. "
                               "Удалите лишние листы, столбцы и картинки.")
    if not data.strip():
        raise SpreadsheetError(f"Файл «{filename}» пустой.")
    if data.startswith(ZIP_MAGIC):
        rows = _read_xlsx(data, filename, max_rows)
    elif data.startswith(OLE_MAGIC):
        raise SpreadsheetError(f"Файл «{filename}» — книга старого формата Excel 97–2003 (.xls), она не читается. "
                               + SAVE_AS_HINT)
    elif filename.lower().endswith((".xlsx", ".xlsm")) or _looks_binary(data):
        raise SpreadsheetError(f"Файл «{filename}» не является таблицей Excel (.xlsx) или CSV. " + SAVE_AS_HINT)
    else:
        rows = _read_csv(data, filename, max_rows)
    if all(row.is_empty for row in rows):
        raise SpreadsheetError(f"Файл «{filename}» пустой: в нём нет ни одной заполненной строки.")
    return rows


def _looks_binary(data: bytes) -> bool:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return data.startswith(BINARY_MAGICS) or b"\x00" in data[:8192]


def _too_many_rows(filename: str, max_rows: int) -> SpreadsheetError:
    return SpreadsheetError(f"В файле «{filename}» больше {max_rows} строк — это не похоже на одну таблицу. "
                            "Удалите лишние строки или листы.")


def _read_xlsx(data: bytes, filename: str, max_rows: int) -> list[SheetRow]:
    import openpyxl

    not_a_workbook = SpreadsheetError(f"Файл «{filename}» не является таблицей Excel (.xlsx) или повреждён. "
                                      + SAVE_AS_HINT)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise not_a_workbook from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetError(f"Файл «{filename}» после распаковки занимает больше "
                               f"{MAX_UNPACKED_BYTES // (1024 * 1024)} МБ — удалите лишние листы и картинки.")
    try:
        # Not read-only: only a fully loaded sheet knows its merged cells.
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # a damaged or foreign zip fails inside openpyxl in many different ways
        raise not_a_workbook from exc
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(f"В книге «{filename}» нет ни одного листа с таблицей.")
        sheet = workbook.worksheets[0]
        width = min(sheet.max_column or 1, MAX_COLUMNS)
        across: dict[int, set[int]] = {}
        down: dict[int, set[int]] = {}
        for merged in sheet.merged_cells.ranges:
            for row_number in range(merged.min_row, merged.max_row + 1):
                for column in range(merged.min_col, min(merged.max_col, width) + 1):
                    if merged.max_col > merged.min_col:
                        across.setdefault(row_number, set()).add(column - 1)
                    if row_number > merged.min_row:
                        down.setdefault(row_number, set()).add(column - 1)
        rows: list[SheetRow] = []
        last_filled = 0
        for number, values in enumerate(sheet.iter_rows(max_col=width, values_only=True), start=1):
            cells = [cell_text(value) for value in values]
            rows.append(SheetRow(number=number, cells=cells, merged_across=frozenset(across.get(number, ())),
                                 continued=frozenset(down.get(number, ()))))
            if any(cells):
                last_filled = number
                if sum(1 for row in rows if not row.is_empty) > max_rows:
                    raise _too_many_rows(filename, max_rows)
            elif number - last_filled > max_rows:
                break  # formatting stretched over a million empty rows
        return rows[:last_filled]
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise not_a_workbook from exc
    finally:
        workbook.close()


def decode_text(data: bytes, filename: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1251 — what Russian spreadsheets save."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        try:
            return data.decode("cp1251")
        except UnicodeDecodeError:
            pass
    raise SpreadsheetError(f"Не удалось прочитать текст файла «{filename}»: неизвестная кодировка. "
                           "Сохраните его как «CSV UTF-8» или «CSV (разделители — точка с запятой)».")


def sniff_delimiter(text: str) -> str:
    """The delimiter of the first non-empty line: «;» (Russian Excel), «,» or a tab — whichever occurs most."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] else ";"


def _read_csv(data: bytes, filename: str, max_rows: int) -> list[SheetRow]:
    text = decode_text(data, filename)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    rows: list[SheetRow] = []
    filled = 0
    try:
        for number, values in enumerate(reader, start=1):
            cells = [cell_text(value) for value in values[:MAX_COLUMNS]]
            rows.append(SheetRow(number=number, cells=cells))
            if any(cells):
                filled += 1
                if filled > max_rows:
                    raise _too_many_rows(filename, max_rows)
    except csv.Error as exc:
        raise SpreadsheetError(f"Файл «{filename}» не читается как CSV (строка {reader.line_num}): "
                               "проверьте кавычки. " + SAVE_AS_HINT) from exc
    while rows and rows[-1].is_empty:
        rows.pop()
    return rows


# --- writing -----------------------------------------------------------------------------------------------


@dataclass
class OutRow:
    """A row to write: its values, whether it is a header (bold), and an optional merge of its first cells."""

    values: Sequence[Any]
    bold: bool = False
    merge_to: int | None = None  # merge columns 1..merge_to (1-based) of this row
    wrap: bool = True
    border: bool = False  # thin borders round its cells (a table's rows)
    size: float | None = None  # font size (a title)
    center: bool = False


def write_xlsx(rows: Sequence[OutRow], *, sheet_title: str, widths: Sequence[float] = ()) -> bytes:
    """A one-sheet workbook. Text that looks like a formula stays text; numbers stay numbers."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    bold = Font(bold=True)
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row.values, start=1):
            if value is None or value == "":
                continue
            cell = put_cell(sheet, row_number, column, value)
            if row.bold:
                cell.font = bold
            if row.wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        if row.merge_to and row.merge_to > 1:
            sheet.merge_cells(start_row=row_number, start_column=1, end_row=row_number, end_column=row.merge_to)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    if rows:
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def put_cell(sheet: Any, row: int, column: int, value: Any) -> Any:
    """One value into a worksheet cell — the one place every XLSX this application writes sets a cell: numbers
    stay numbers, text that a spreadsheet would run as a formula stays text."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
    return cell


@dataclass
class SheetSpec:
    """One sheet of a workbook: its rows (the first ``header_rows`` of them repeat on every printed page and stay
    in view while scrolling, as do the first ``frozen_columns`` columns), column widths, number formats by column
    (1-based), and ranges to merge (row, column, end row, end column)."""

    title: str
    rows: Sequence[OutRow]
    widths: Sequence[float] = ()
    header_rows: int = 1
    frozen_columns: int = 0
    number_formats: dict[int, str] = field(default_factory=dict)
    merges: Sequence[tuple[int, int, int, int]] = ()
    landscape: bool = False


def write_workbook(sheets: Sequence[SheetSpec]) -> bytes:
    """A workbook of several sheets (a report spanning classes: one sheet per class). Every cell through
    ``put_cell``; sheet titles made unique and cut to Excel's 31 characters."""
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    side = Side(style="thin", color="999999")
    thin = Border(left=side, right=side, top=side, bottom=side)
    used: set[str] = set()
    # A style is set once per distinct look; later cells of that look take a copy of the first one's style indexes
    # (openpyxl hashes a Font or Alignment on every assignment: a school-wide report has some 75,000 cells).
    looks: dict[tuple, Any] = {}

    def style(cell: Any, bold_cell: bool, size: float | None, wrap: bool, center: bool, number_format: str | None,
              border: bool) -> None:
        look = (bold_cell, size, wrap, center, number_format, border)
        made = looks.get(look)
        if made is not None:
            cell._style = copy(made)
            return
        if bold_cell or size:
            cell.font = Font(bold=bold_cell, size=size) if size else bold
        if wrap or center:
            cell.alignment = Alignment(wrap_text=wrap, vertical="center" if center else "top",
                                       horizontal="center" if center else None)
        if number_format:
            cell.number_format = number_format
        if border:
            cell.border = thin
        looks[look] = copy(cell._style)

    for spec in sheets or [SheetSpec(title="Лист", rows=[])]:
        title = _sheet_title(spec.title, used)
        sheet = workbook.create_sheet(title)
        for row_number, row in enumerate(spec.rows, start=1):
            for column, value in enumerate(row.values, start=1):
                if value is None or value == "":
                    if row.border:
                        style(sheet.cell(row=row_number, column=column), False, None, False, False, None, True)
                    continue
                cell = put_cell(sheet, row_number, column, value)
                number_format = spec.number_formats.get(column) if not isinstance(value, str) else None
                style(cell, row.bold, row.size, row.wrap, row.center, number_format, row.border)
            if row.merge_to and row.merge_to > 1:
                sheet.merge_cells(start_row=row_number, start_column=1, end_row=row_number, end_column=row.merge_to)
        for start_row, start_column, end_row, end_column in spec.merges:
            sheet.merge_cells(start_row=start_row, start_column=start_column, end_row=end_row, end_column=end_column)
        for index, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        if spec.rows and (spec.header_rows or spec.frozen_columns):
            sheet.freeze_panes = f"{get_column_letter(spec.frozen_columns + 1)}{spec.header_rows + 1}"
        if spec.header_rows:
            sheet.print_title_rows = f"1:{spec.header_rows}"
        if spec.landscape:
            sheet.page_setup.orientation = "landscape"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    clean = re.sub(r"[\\/*?:\[\]]", " ", title).strip()[:31] or "Лист"
    candidate, n = clean, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def write_csv(rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM and «;» between cells: Russian Excel opens it as is. Text that a spreadsheet would run as a
    formula («=…», «+…», «-2+3», «@…») is guarded with «'»; numbers (a negative one too) stay numbers."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for values in rows:
        writer.writerow([_csv_cell(value) for value in values])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, int | float):
        return str(value).replace(".", ",") if isinstance(value, float) else str(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return _guard(str(value))


# A cell that is just a number («-3», «-2,5») is not a formula: it stays as it is.
PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def _guard(text: str) -> str:
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
