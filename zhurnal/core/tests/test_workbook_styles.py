"""``write_workbook`` sets each distinct look once and copies it to the other cells of that look: every cell still
reads back with its own font, alignment, number format and border, on every sheet."""

from __future__ import annotations

import io

import openpyxl

from zhurnal.core.spreadsheets import OutRow, SheetSpec, write_workbook


def test_every_cell_keeps_its_look_on_every_sheet():
    rows = [OutRow(["Заголовок"], bold=True, size=14, wrap=False),
            OutRow(["Обучающийся", "Балл", "Доля"], bold=True, border=True),
            OutRow(["Антонов", 5, 12.5], wrap=False, border=True),
            OutRow(["Борисов", "", 40.0], wrap=False, border=True),
            OutRow(["=HYPERLINK(\"http://x\",\"y\")", 4, 7.25], wrap=False),
            OutRow(["По центру"], center=True, wrap=False)]
    specs = [SheetSpec(title=name, rows=rows, number_formats={2: "0", 3: "0.0"}, header_rows=2) for name in ("5А", "5Б")]
    book = openpyxl.load_workbook(io.BytesIO(write_workbook(specs)))
    assert book.sheetnames == ["5А", "5Б"]
    for sheet in book.worksheets:
        title = sheet["A1"]
        assert title.font.bold and title.font.size == 14 and not title.alignment.wrap_text
        header = sheet["B2"]
        assert header.font.bold and header.alignment.wrap_text and header.border.left.style == "thin"
        assert sheet["A3"].value == "Антонов" and not sheet["A3"].font.bold and sheet["A3"].border.top.style == "thin"
        assert sheet["B3"].value == 5 and sheet["B3"].number_format == "0"
        assert sheet["C3"].value == 12.5 and sheet["C3"].number_format == "0.0"
        assert sheet["A3"].number_format == "General"  # text takes no number format
        assert sheet["B4"].value is None and sheet["B4"].border.bottom.style == "thin"  # an empty bordered cell
        assert sheet["A5"].data_type == "s" and sheet["A5"].value.startswith("=HYPERLINK")  # text, not a formula
        assert sheet["A5"].border.left.style is None and sheet["C5"].number_format == "0.0"
        centred = sheet["A6"]
        assert centred.alignment.horizontal == "center" and not centred.font.bold
        assert sheet.freeze_panes == "A3"
