"""Every report opened as HTML, PDF (read back with pypdf) and XLSX (openpyxl), and CSV where it has one: each
format holds the content, not only a 200; the same figure read from three reports is equal; a pupil named like a
formula stays text in every spreadsheet."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from pypdf import PdfReader

from zhurnal.reports import catalog
from zhurnal.reports.models import JobStatus, ReportJob
from zhurnal.reports.testing import FORMULA_NAME, build_report_school

# report → (persona, extra query, texts every format must hold)
EXPECTED = {
    "class_summary": ("class_teacher", "q1", ["Сводная ведомость класса", "Антонов", "Успеваемость, % (по итоговым)",
                                              "60,0"]),
    "class_attendance": ("class_teacher", "", ["Отчёт о посещаемости класса", "Антонов", "Итого по классу"]),
    "class_teacher_report": ("class_teacher", "q1", ["Отчёт классного руководителя", "Антонов", "отличники",
                                                     "Жуков", "77-у"]),
    "class_progress": ("class_teacher", "q1", ["Итоги успеваемости", "Математика", "60,0", "44,6"]),
    "class_summary_sheet": ("class_teacher", "", ["Сводная ведомость учёта успеваемости", "Григорьев", "н/а"]),
    "class_attendance_sheet": ("class_teacher", "q1", ["Сводная ведомость учёта посещаемости", "Егоров"]),
    "class_movement": ("class_teacher", "", ["движения", "Жуков", "77-у"]),
    "report_cards": ("class_teacher", "q1", ["Табели", "Уважаемые родители", "Зайцев"]),
    "year_journal": ("class_teacher", "", ["Классный журнал", "Математика", "Антонов"]),
    "teacher_preliminary": ("teacher", "q1", ["Предварительный отчёт учителя", "Математика"]),
    "teacher_progress": ("teacher", "q1", ["Отчёт учителя по итогам", "Математика", "60,0"]),
    "teacher_summary": ("teacher", "", ["Сводная ведомость", "Антонов", "осв"]),
    "school_quality": ("deputy", "q1", ["Успеваемость и качество", "5А", "Математика", "Учителева"]),
    "school_summary_sheet": ("deputy", "", ["Сводная ведомость", "5Б", "Григорьев"]),
    "final_data": ("deputy", "q1", ["Итоговые данные", "Григорьев", "неуспевающие"]),
    "school_movement": ("deputy", "", ["Динамика движения", "77-у", "Жуков"]),
    "class_occupancy": ("deputy", "", ["Наполняемость классов", "5Б", "Классова"]),
    "filling_months": ("deputy", "", ["Наполняемость текущих отметок", "Учителева"]),
    "user_activity": ("deputy", "", ["активности пользователей", "учитель", "родитель"]),
    "introduction": ("deputy", "", ["о введении электронных дневников", "Выдача индивидуальных логинов",
                                     "Возникшие проблемы", "Охват по классам"]),
    "control": ("deputy", "&range=year", ["Контроль заполнения журнала", "Учителева", "Незаполненные уроки"]),
}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).lower()


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _xlsx_value(value) -> str:
    """Numbers as the page writes them (one and two decimals, decimal comma), to compare with the page's text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.1f} {value:.2f} {value:g}".replace(".", ",")
    return str(value)


def xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(" ".join(_xlsx_value(v) for v in row if v is not None) for sheet in book.worksheets
                     for row in sheet.iter_rows(values_only=True))


def _files(client, key: str, query: str) -> dict[str, bytes]:
    from django.test import TestCase

    spec = catalog.ALL[key]
    out = {}
    for fmt in spec.formats:
        if spec.background:
            with TestCase.captureOnCommitCallbacks(execute=True):  # the queue runs the job once the request commits
                response = client.post(f"/reports/{key}/export/", {"format": fmt, **dict(
                    part.split("=") for part in query.lstrip("?&").split("&") if part)})
            assert response.status_code == 302
            job = ReportJob.objects.filter(report=key, file_format=fmt).latest("pk")
            assert job.status == JobStatus.DONE, job.error
            response = client.get(f"/reports/jobs/{job.pk}/file/")
            out[fmt] = b"".join(response.streaming_content)
        else:
            response = client.get(f"/reports/{key}/?{query.lstrip('&')}&format={fmt}")
            assert response.status_code == 200
            out[fmt] = response.content
    return out


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_report_holds_its_content_in_every_format(report_school, client, key):
    assert set(EXPECTED) == set(catalog.ALL)
    persona, query, texts = EXPECTED[key]
    query = query.replace("q1", f"period={report_school.quarter.pk}")
    client.force_login(get_user_model().objects.get(username=persona))
    response = client.get(f"/reports/{key}/?{query.lstrip('&')}")
    assert response.status_code == 200
    html = _norm(response.content.decode())
    files = _files(client, key, query)
    readable = {"html": html}
    for fmt, content in files.items():
        if fmt == "pdf":
            assert content.startswith(b"%PDF")
            text = pdf_text(content)
            assert "лист 1 из" in text
            readable[fmt] = _norm(text)
        elif fmt == "xlsx":
            readable[fmt] = _norm(xlsx_text(content))
        else:
            assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
            assert any(";" in line for line in content.decode("utf-8-sig").splitlines())
            readable[fmt] = _norm(content.decode("utf-8-sig"))
    for fmt, text in readable.items():
        for expected in texts:
            assert _norm(expected) in text, (fmt, expected)


def test_xlsx_numbers_are_numbers_and_headers_frozen(report_school, client):
    client.force_login(get_user_model().objects.get(username="class_teacher"))
    content = client.get(f"/reports/class_progress/?period={report_school.quarter.pk}&format=xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet.freeze_panes is not None and sheet.freeze_panes != "A1"
    header_row = next(r for r in sheet.iter_rows() if r[0].value == "Предмет")
    maths = next(r for r in sheet.iter_rows() if r[0].value == "Математика")
    columns = [c.value for c in header_row]
    assert maths[columns.index("N")].value == 5
    assert maths[columns.index("Успеваемость, %")].value == 60
    assert maths[columns.index("СОУ, %")].data_type == "n"


def test_school_summary_has_a_sheet_per_class(report_school, client):
    client.force_login(get_user_model().objects.get(username="deputy"))
    files = _files(client, "school_summary_sheet", "")
    book = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    assert [s.title for s in book.worksheets] == ["5А", "5Б"]


def _figure(doc, table_title_part: str, first_cell: str, column: str):
    for section in doc.sections:
        for table in section.tables:
            if table_title_part in f"{section.title} {table.title}":
                index = [c.title for c in table.columns].index(column)
                row = next(r for r in table.rows if r.cells[0] == first_cell)
                return row.cells[index]
    raise AssertionError((table_title_part, first_cell))


def test_the_same_figure_in_three_reports_is_equal(report_school):
    """Maths in 5А, first quarter: the class's progress results, the teacher's progress results and the school's
    quality by subject (5А alone teaches maths with final marks in this quarter? no — 5Б has none) hold the same
    успеваемость and качество; the class total is the same in the class's results, the school's by-class table and
    the class teacher's report."""
    from zhurnal.reports import class_reports, school_reports
    from zhurnal.reports.context import ReportContext
    from zhurnal.school.roles import roles_in

    world = report_school
    users = get_user_model().objects

    def ctx(username, **params):
        return ReportContext(roles=roles_in(users.get(username=username), world.s.school),
                             params={"period": str(world.quarter.pk), **params}, today=world.today)

    progress = class_reports.class_progress(ctx("class_teacher"))
    teacher = class_reports.teacher_progress(ctx("teacher"))
    school = school_reports.school_quality(ctx("deputy"))
    report = class_reports.class_teacher_report(ctx("class_teacher"))
    for column in ("Успеваемость, %", "Качество, %", "СОУ, %", "N"):
        a = _figure(progress, "", "Математика", column)
        b = _figure(teacher, "", "5А, Математика", column)
        c = _figure(school, "По предметам", "Математика", column)
        assert a == b == c, column
    for column in ("Успеваемость, %", "Качество, %"):
        a = _figure(progress, "", "Итого по классу", column)
        b = _figure(school, "По классам", "5А", column)
        c = _figure(report, "Качество по предметам", "Итого по классу", column)
        assert a == b == c, column


def test_formula_named_pupil_is_text_in_every_spreadsheet(db, client):
    world = build_report_school(formula_pupil=True)
    client.force_login(get_user_model().objects.get(username="deputy"))
    checked = 0
    for key, spec in catalog.ALL.items():
        query = f"period={world.quarter.pk}" if EXPECTED[key][1] == "q1" else ""
        wanted = [f for f in spec.formats if f in ("xlsx", "csv")]
        files = _files(client, key, query) if wanted else {}
        for fmt in wanted:
            content = files[fmt]
            if fmt == "xlsx":
                book = openpyxl.load_workbook(io.BytesIO(content))
                cells = [c for s in book.worksheets for row in s.iter_rows() for c in row if c.value is not None]
                assert not [c for c in cells if c.data_type == "f"], key
                if any(FORMULA_NAME in str(c.value) for c in cells):
                    checked += 1
            else:
                text = content.decode("utf-8-sig")
                assert '\n=HYPERLINK' not in text and ';=HYPERLINK' not in text, key
                if "'=HYPERLINK" in text:
                    checked += 1
    assert checked >= 10  # the pupil's name is in most of the files
