"""Importing a finished timetable (FET or CSV): upload, preview with a per-row error report, confirm."""

from __future__ import annotations

import base64
import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from zhurnal.core import uploads

from .. import exports, fet, imports, permissions
from ..forms import ImportForm
from .common import date_param, require, require_year, school_view

SALT = "zhurnal.timetable.import"
TOKEN_MAX_AGE = 2 * 60 * 60


def _read_upload(upload) -> tuple[str, bytes]:
    try:
        uploads.check_upload(upload, uploads.TIMETABLE_KINDS, max_bytes=settings.ZHURNAL_MAX_IMPORT_BYTES)
    except ValidationError as exc:
        raise fet.SourceError(" ".join(exc.messages)) from exc
    return upload.name, upload.read()


def _pack(files: list[tuple[str, bytes]], valid_from: dt.date) -> str:
    payload = {"files": [[name, base64.b64encode(data).decode()] for name, data in files],
               "valid_from": valid_from.isoformat()}
    return signing.dumps(payload, salt=SALT, compress=True)


def _unpack(token: str) -> tuple[list[tuple[str, bytes]], dt.date]:
    payload = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)
    files = [(name, base64.b64decode(data)) for name, data in payload["files"]]
    return files, dt.date.fromisoformat(payload["valid_from"])


def _rows(files: list[tuple[str, bytes]]):
    main = files[0]
    extra = files[1] if len(files) > 1 else None
    return imports.read_source(main[0], main[1], extra)


@uploads.limit("ZHURNAL_MAX_IMPORT_BYTES")
@school_view
def import_timetable(request):
    require(permissions.can_import_timetable(request.roles))
    day = date_param(request)
    year = require_year(request, day)
    form = ImportForm(request.POST or None, request.FILES or None,
                      initial={"valid_from": max(min(day, year.end), year.start)})
    context = {"form": form, "year": year}
    if request.method == "POST" and form.is_valid():
        valid_from = form.cleaned_data["valid_from"]
        try:
            files = [_read_upload(form.cleaned_data["file"])]
            if form.cleaned_data.get("extra_file"):
                files.append(_read_upload(form.cleaned_data["extra_file"]))
            source, rows = _rows(files)
        except fet.SourceError as error:
            form.add_error("file", str(error))
        else:
            preview = imports.preview(year, source, rows, valid_from)
            return render(request, "timetable/import_preview.html", {
                "preview": preview, "year": year, "token": _pack(files, valid_from) if preview.ok else "",
            })
    return render(request, "timetable/import.html", context)


@school_view
def import_apply(request):
    require(permissions.can_import_timetable(request.roles))
    if request.method != "POST":
        raise Http404
    try:
        files, valid_from = _unpack(request.POST.get("token", ""))
    except (signing.BadSignature, ValueError, KeyError):
        messages.error(request, "Подтверждение устарело или повреждено — загрузите файл ещё раз.")
        return redirect("timetable:import")
    year = require_year(request, valid_from)
    try:
        source, rows = _rows(files)
    except fet.SourceError as error:
        messages.error(request, str(error))
        return redirect("timetable:import")
    preview, report = imports.apply(actor=request.user, year=year, source=source, rows=rows, valid_from=valid_from)
    if report is None:
        return render(request, "timetable/import_preview.html", {"preview": preview, "year": year, "token": ""})
    messages.success(request, f"Расписание загружено: {len(preview.rows)} уроков в неделю с "
                              f"{valid_from:%d.%m.%Y}. Уроков создано: {report.created}, удалено: {report.deleted}.")
    for message in report.kept_messages:
        messages.warning(request, message)
    return redirect("timetable:index")


@school_view
def csv_template(request):
    require(permissions.can_import_timetable(request.roles))
    return exports.file_response(imports.csv_template(), "text/csv; charset=utf-8", "Шаблон расписания.csv")


@school_view
def fet_export(request):
    """Our classes, subgroups, teachers, subjects, rooms and weekly hours as a FET input file."""
    require(permissions.can_import_timetable(request.roles))
    year = require_year(request, date_param(request))
    return exports.file_response(fet.export_fet(year), "application/xml", f"{request.roles.school.slug}-{year.start.year}.fet")
