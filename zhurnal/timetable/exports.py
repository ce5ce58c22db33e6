"""Printable files: timetables, the substitution log and the working-time sheet as PDF (WeasyPrint) and XLSX."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string

from zhurnal.core import uploads
from zhurnal.core.spreadsheets import OutRow, SheetSpec, write_workbook
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


def timesheet_xlsx(sheet_data: Timesheet, school_name: str) -> bytes:
    days = sheet_data.days
    rows = [
        OutRow([f"Табель учёта рабочего времени (проведённые уроки) — {month_title(sheet_data.month)}"], bold=True,
               size=13, wrap=False),
        OutRow([school_name + (f". Учтены уроки по {sheet_data.until:%d.%m.%Y}." if sheet_data.partial else "")],
               wrap=False),
        OutRow([]),
        OutRow(["№", "Учитель", *[d.day for d in days], "Всего уроков", "в т. ч. замещений"], bold=True,
               center=True, border=True),
    ]
    for n, row in enumerate(sheet_data.rows, start=1):
        rows.append(OutRow([n, row.teacher.full_name, *[v or None for v in row.per_day], row.total,
                            row.substitutions], wrap=False, border=True))
    rows.append(OutRow(["", "Итого", *[v or None for v in sheet_data.day_totals], sheet_data.total,
                        sheet_data.substitutions], bold=True, wrap=False, border=True))
    widths = [5, 34, *[4.2] * len(days), 10, 12]
    return write_workbook([SheetSpec(title="Табель", rows=rows, widths=widths, header_rows=4, frozen_columns=2)])


def substitution_log_xlsx(rows: list[Substitution], title: str, school_name: str) -> bytes:
    out = [
        OutRow([title], bold=True, size=13, wrap=False),
        OutRow([school_name], wrap=False),
        OutRow([]),
        OutRow(["№", "Дата", "Урок", "Класс (группа)", "Предмет", "Отсутствующий учитель", "Причина",
                "Заменяющий учитель", "Вид замещения", "Примечание"], bold=True, border=True),
    ]
    for n, sub in enumerate(rows, start=1):
        lesson = sub.lesson
        out.append(OutRow([n, sub.date, lesson.number, lesson.assignment.group.name, lesson.assignment.subject.name,
                           sub.absent_teacher.full_name, sub.reason,
                           sub.substitute.full_name if sub.substitute else "—", sub.get_kind_display(), sub.note],
                          border=True))
    return write_workbook([SheetSpec(title="Замещения", rows=out, widths=[5, 12, 6, 16, 22, 30, 24, 30, 20, 30],
                                     header_rows=4, number_formats={2: "DD.MM.YYYY"})])


def date_range_title(start, end) -> str:
    def ru(day) -> str:
        return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year}"

    return f"с {ru(start)} по {ru(end)}"
