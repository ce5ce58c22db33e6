"""Exports of class lists, staff and guardians to XLSX and CSV, in exactly the import formats.

An exported file can be imported again unchanged (into another school or another year), and the downloadable
templates are the same files with one example row. Each export reads the database in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch

from zhurnal.core import spreadsheets
from zhurnal.core.dates import today as school_today
from zhurnal.core.spreadsheets import OutRow, SheetSpec

from . import imports
from .models import (
    AcademicYear,
    GuardianLink,
    Movement,
    MovementKind,
    Position,
    School,
    SchoolClass,
    StaffMember,
    StaffPosition,
)
from .periods import academic_year_start
from .selectors import enrollments_on

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}

Record = dict[str, Any]


# --- rows ------------------------------------------------------------------------------------------------------


def student_rows(*, school: School, year: AcademicYear, on: dt.date,
                 school_class: SchoolClass | None = None) -> list[Record]:
    """The class list (or every class of the year) on ``on`` — two queries."""
    enrollments = (
        enrollments_on(on).filter(school=school, school_class__year=year)
        .select_related("student", "school_class")
        .order_by("school_class__grade", "school_class__letter", "student__last_name", "student__first_name",
                  "student__patronymic", "student__pk")
    )
    if school_class is not None:
        enrollments = enrollments.filter(school_class=school_class)
    rows_of_year = list(enrollments)
    orders = {
        (m.student_id, m.to_class_id, m.date): m.order_number
        for m in Movement.objects.filter(
            school=school, student_id__in=[e.student_id for e in rows_of_year],
            kind__in=[MovementKind.ARRIVAL, MovementKind.TRANSFER], to_class__year=year,
        ).only("student_id", "to_class_id", "date", "order_number")
    }
    rows = []
    for enrollment in rows_of_year:
        student = enrollment.student
        rows.append({
            "last_name": student.last_name, "first_name": student.first_name, "patronymic": student.patronymic,
            "birth_date": student.birth_date, "gender": imports.GENDER_LETTERS.get(student.gender, ""),
            "school_class": enrollment.school_class.name, "enrolled_on": enrollment.start,
            "order_number": orders.get((student.pk, enrollment.school_class_id, enrollment.start), ""),
            "address": student.address, "document": student.document, "snils": student.snils,
            "phone": student.phone, "email": student.email,
        })
    return rows


def staff_rows(*, school: School) -> list[Record]:
    """Working staff with their positions — two queries."""
    staff = (
        StaffMember.objects.filter(school=school, is_active=True)
        .prefetch_related(Prefetch("positions", queryset=StaffPosition.objects.order_by("pk")))
        .order_by("last_name", "first_name", "patronymic", "pk")
    )
    return [
        {"last_name": s.last_name, "first_name": s.first_name, "patronymic": s.patronymic,
         "positions": ", ".join(str(Position(p.position).label) for p in s.positions.all()),
         "email": s.email, "phone": s.phone}
        for s in staff
    ]


def guardian_rows(*, school: School, year: AcademicYear, on: dt.date,
                  school_class: SchoolClass | None = None) -> list[Record]:
    """Guardians of the students in the class (or the school) on ``on``, one row per child — two queries."""
    enrollments = enrollments_on(on).filter(school=school, school_class__year=year).select_related("school_class")
    if school_class is not None:
        enrollments = enrollments.filter(school_class=school_class)
    class_of = {e.student_id: e.school_class for e in enrollments}
    links = (
        GuardianLink.objects.filter(school=school, student_id__in=list(class_of))
        .select_related("guardian", "student")
    )
    ordered = sorted(links, key=lambda link: (
        class_of[link.student_id].grade, class_of[link.student_id].letter, link.student.last_name,
        link.student.first_name, link.student.patronymic, link.student_id, link.guardian.last_name,
        link.guardian.first_name, link.guardian_id))
    return [
        {"last_name": link.guardian.last_name, "first_name": link.guardian.first_name,
         "patronymic": link.guardian.patronymic, "phone": link.guardian.phone, "email": link.guardian.email,
         "relation": link.relation, "student_last_name": link.student.last_name,
         "student_first_name": link.student.first_name, "student_patronymic": link.student.patronymic,
         "student_birth_date": link.student.birth_date, "school_class": class_of[link.student_id].name}
        for link in ordered
    ]


def template_rows(kind: str, school: School | None = None) -> list[Record]:
    """The one example row of a downloadable template."""
    fmt = imports.FORMATS[kind]
    row: Record = {c.key: c.example for c in fmt.columns}
    if "enrolled_on" in row:
        row["enrolled_on"] = academic_year_start(school_today())
    for column in fmt.columns:
        if column.kind == "date" and isinstance(row[column.key], str) and row[column.key]:
            row[column.key] = imports.parse_date(row[column.key])
    return [row]


# --- writers ---------------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def write_csv(kind: str, rows: Iterable[Record]) -> bytes:
    """UTF-8 with a BOM and «;» between columns: Russian Excel opens it as a table, our import reads it back."""
    columns = imports.FORMATS[kind].columns
    return spreadsheets.write_csv([[c.title for c in columns], *([_text(row.get(c.key)) for c in columns]
                                                                 for row in rows)])


def write_xlsx(kind: str, rows: Iterable[Record], *, sheet_title: str = "") -> bytes:
    fmt = imports.FORMATS[kind]
    widths = [len(c.title) for c in fmt.columns]
    out = [OutRow([c.title for c in fmt.columns], bold=True, wrap=False)]
    for row in rows:
        values: list[dt.date | str | None] = []
        for index, column in enumerate(fmt.columns):
            value = row.get(column.key)
            if isinstance(value, dt.date):
                values.append(value)
                widths[index] = max(widths[index], 10)
            else:
                text = _text(value)
                values.append(text or None)
                widths[index] = max(widths[index], min(len(text), 60))
        out.append(OutRow(values, wrap=False))
    dates = dict.fromkeys(range(1, len(fmt.columns) + 1), "DD.MM.YYYY")  # only dates are not text
    return spreadsheets.write_workbook([SheetSpec(title=sheet_title or fmt.title, rows=out,
                                                  widths=[w + 2 for w in widths], number_formats=dates)])


def write(kind: str, file_format: str, rows: list[Record], *, sheet_title: str = "") -> bytes:
    if file_format == "xlsx":
        return write_xlsx(kind, rows, sheet_title=sheet_title)
    if file_format == "csv":
        return write_csv(kind, rows)
    raise ValueError(file_format)


def export_filename(kind: str, file_format: str, *, school_class: SchoolClass | None = None,
                    on: dt.date | None = None) -> str:
    if kind == imports.STUDENTS:
        name = f"Список класса {school_class.name}" if school_class else "Списки классов"
    elif kind == imports.GUARDIANS:
        name = f"Представители {school_class.name}" if school_class else "Законные представители"
    else:
        name = "Сотрудники"
    if on is not None:
        name += f" на {on:%d.%m.%Y}"
    return f"{name}.{file_format}"


def template_filename(kind: str, file_format: str) -> str:
    return f"Шаблон — {imports.FORMATS[kind].title.lower()}.{file_format}"
