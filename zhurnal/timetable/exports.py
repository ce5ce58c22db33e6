"""Printable files: timetables, the substitution log and the working-time sheet as PDF (WeasyPrint) and XLSX."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from zhurnal.core import uploads
from zhurnal.core.templatetags.zhurnal import MONTHS_GENITIVE

from .models import Substitution
from .selectors import Timesheet

MONTHS_NOMINATIVE = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
                     "ноябрь", "декабрь"]
PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    return uploads.file_response(content, filename=filename, content_type=content_type)


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html).write_pdf()


def month_title(month) -> str:
    return f"{MONTHS_NOMINATIVE[month.month - 1]} {month.year}"


_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _finish(sheet, widths: dict[int, float]) -> None:
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width


def timesheet_xlsx(sheet_data: Timesheet, school_name: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Табель"
    days = sheet_data.days
    sheet.append([f"Табель учёта рабочего времени (проведённые уроки) — {month_title(sheet_data.month)}"])
    sheet.append([school_name + (f". Учтены уроки по {sheet_data.until:%d.%m.%Y}." if sheet_data.partial else "")])
    sheet.append([])
    header = ["№", "Учитель", *[d.day for d in days], "Всего уроков", "в т. ч. замещений"]
    sheet.append(header)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BORDER
    for n, row in enumerate(sheet_data.rows, start=1):
        sheet.append([n, row.teacher.full_name, *[v or None for v in row.per_day], row.total, row.substitutions])
    sheet.append(["", "Итого", *[v or None for v in sheet_data.day_totals], sheet_data.total,
                  sheet_data.substitutions])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=5, max_row=sheet.max_row):
        for cell in row:
            cell.border = _BORDER
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.freeze_panes = "C5"
    _finish(sheet, {1: 5, 2: 34, **{3 + i: 4.2 for i in range(len(days))}, 3 + len(days): 10, 4 + len(days): 12})
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def substitution_log_xlsx(rows: list[Substitution], title: str, school_name: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Замещения"
    sheet.append([title])
    sheet.append([school_name])
    sheet.append([])
    sheet.append(["№", "Дата", "Урок", "Класс (группа)", "Предмет", "Отсутствующий учитель", "Причина",
                  "Заменяющий учитель", "Вид замещения", "Примечание"])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = _BORDER
    for n, sub in enumerate(rows, start=1):
        lesson = sub.lesson
        sheet.append([n, sub.date, lesson.number, lesson.assignment.group.name, lesson.assignment.subject.name,
                      sub.absent_teacher.full_name, sub.reason, sub.substitute.full_name if sub.substitute else "—",
                      sub.get_kind_display(), sub.note])
        sheet.cell(row=sheet.max_row, column=2).number_format = "DD.MM.YYYY"
    for row in sheet.iter_rows(min_row=5, max_row=sheet.max_row):
        for cell in row:
            cell.border = _BORDER
    sheet["A1"].font = Font(bold=True, size=13)
    _finish(sheet, {1: 5, 2: 12, 3: 6, 4: 16, 5: 22, 6: 30, 7: 24, 8: 30, 9: 20, 10: 30})
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def date_range_title(start, end) -> str:
    def ru(day) -> str:
        return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year}"

    return f"с {ru(start)} по {ru(end)}"
