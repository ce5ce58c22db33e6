"""Printable activation slips (one per person, to cut apart) and the list of issued codes (PDF or XLSX).

Codes are stored hashed, so these files are made in the same request that issues the codes and are never
kept on the server.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from zhurnal.accounts.qr import qr_data_uri
from zhurnal.core.spreadsheets import OutRow, SheetSpec, write_workbook

from ..models import School
from .services import IssuedCode


@dataclass(frozen=True)
class Slip:
    full_name: str
    role: str
    login: str
    code: str
    valid_until: dt.date
    qr: str


def make_slips(issued: list[IssuedCode], roles: dict[str, str], activation_url: str) -> list[Slip]:
    """``roles``: the role line of each person by ``kind-pk`` key (as on the access page)."""
    return [
        Slip(
            full_name=item.person.full_name, role=roles.get(f"{item.kind}-{item.person.pk}", ""),
            login=item.user.username, code=item.printed_code,
            valid_until=timezone.localtime(item.expires_at).date(),
            qr=qr_data_uri(f"{activation_url}?login={item.user.username}"),
        )
        for item in issued
    ]


def _context(school: School, title: str, slips: list[Slip], activation_url: str, login_url: str) -> dict:
    return {"school": school, "title": title, "slips": slips, "activation_url": activation_url,
            "login_url": login_url, "issued_on": timezone.localdate()}


def slips_pdf(*, school: School, title: str, slips: list[Slip], activation_url: str, login_url: str) -> bytes:
    from weasyprint import HTML

    html = render_to_string("school/access/pdf/slips.html", _context(school, title, slips, activation_url, login_url))
    return HTML(string=html).write_pdf()


def list_pdf(*, school: School, title: str, slips: list[Slip], activation_url: str, login_url: str) -> bytes:
    from weasyprint import HTML

    html = render_to_string("school/access/pdf/list.html", _context(school, title, slips, activation_url, login_url))
    return HTML(string=html).write_pdf()


def list_xlsx(*, school: School, title: str, slips: list[Slip], activation_url: str, login_url: str) -> bytes:
    rows = [
        OutRow([school.name], wrap=False),
        OutRow([f"{title}. Выдано {timezone.localdate():%d.%m.%Y}. Адрес для первого входа: {activation_url}"],
               wrap=False),
        OutRow([]),
        OutRow(["№", "ФИО", "Кто", "Логин", "Код активации", "Действует до", "Подпись в получении"], bold=True,
               wrap=False),
    ]
    rows += [OutRow([n, slip.full_name, slip.role, slip.login, slip.code, slip.valid_until, ""])
             for n, slip in enumerate(slips, start=1)]
    return write_workbook([SheetSpec(title="Коды доступа", rows=rows, widths=[5, 36, 44, 18, 16, 14, 22],
                                     header_rows=4, number_formats={6: "DD.MM.YYYY"})])


FORMATS = {
    "slips": (slips_pdf, "application/pdf", "pdf", "листки"),
    "list_pdf": (list_pdf, "application/pdf", "pdf", "список"),
    "list_xlsx": (list_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "список"),
}
