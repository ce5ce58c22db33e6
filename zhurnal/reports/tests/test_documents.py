"""The PDF of a document too long for one page: every sheet says «лист X из Y» with the right X and Y, the table's
header row is repeated at the top of every sheet the table runs over, and no row is lost or doubled between
sheets."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from zhurnal.reports.documents import Col, Document, Row, Section, Table, render_pdf

ROWS = 150


def test_long_table_pdf_numbers_sheets_and_repeats_its_header():
    columns = [Col("Обучающийся", width=30), Col("Заголовок столбца", "int", 8), Col("Итог", "mark", 6)]
    rows = [Row([f"Ученик-{i:03d}", i, "5"]) for i in range(1, ROWS + 1)]
    document = Document("Длинная ведомость", "Школа № 1", sections=[Section(tables=[Table("", columns, rows)])])
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(document))).pages]
    total = len(pages)
    assert total >= 3  # 150 rows do not fit on two A4 sheets
    for number, text in enumerate(pages, start=1):
        assert f"лист {number} из {total}" in text
        assert "Заголовок столбца" in text, number  # the header row repeated on every sheet
    found = [int(n) for text in pages for n in re.findall(r"Ученик-(\d{3})", text)]
    assert found == list(range(1, ROWS + 1))
