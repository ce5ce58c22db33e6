"""Imports and exports of class lists, staff and guardians.

Upload → preview (nothing written; the rows and a per-row error table) → confirm (one transaction, all or
nothing). The uploaded file stays server-side under a random token bound to the user and school.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from zhurnal.core import params, spreadsheets, uploads
from zhurnal.core.forms import limit_to
from zhurnal.core.view_helpers import require, school_view, scoped

from .. import exports, imports, permissions, selectors
from ..access.log import AccessKind, note_reading
from ..models import AcademicYear
from .common import year_and_date


class UploadSizeLimit(FileUploadHandler):
    """Stops reading an uploaded file as soon as it passes the import limit, so a huge file is never parsed."""

    def __init__(self, request=None, limit: int = 0):
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


class UploadForm(forms.Form):
    year = forms.ModelChoiceField(queryset=AcademicYear.objects.none(), label="Учебный год", empty_label=None)
    order_number = forms.CharField(
        label="Номер приказа о зачислении", max_length=40, required=False,
        help_text="Для строк, где столбец «Номер приказа» пуст или его нет.",
    )
    file = forms.FileField(
        label="Файл со списком (.xlsx или .csv)",
        error_messages={"required": "Выберите файл со списком.", "empty": "Файл пустой: в нём нет ни одной строки."},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )

    def __init__(self, *args, fmt: imports.Format, school, **kwargs):
        super().__init__(*args, **kwargs)
        if fmt.needs_year:
            years = AcademicYear.objects.filter(school=school).order_by("-start")
            limit_to(self, "year", years)
            self.fields["year"].initial = selectors.current_year(school)
        else:
            del self.fields["year"]
        if fmt.kind != imports.STUDENTS:
            del self.fields["order_number"]


def _format(kind: str) -> imports.Format:
    fmt = imports.FORMATS.get(kind)
    if fmt is None:
        raise Http404
    return fmt


def _page(request, fmt, form, *, file_error: str = "", status: int = 200):
    school = request.roles.school
    return render(request, "school/imports/upload.html", {
        "fmt": fmt, "form": form, "file_error": file_error, "limit": spreadsheets.size_limit_text(),
        "has_year": not fmt.needs_year or AcademicYear.objects.filter(school=school).exists(),
    }, status=status)


@school_view
def import_home(request):
    require(permissions.can_import(request.roles))
    return render(request, "school/imports/home.html", {
        "formats": imports.all_formats(), "limit": spreadsheets.size_limit_text(),
    })


@uploads.limit("ZHURNAL_MAX_IMPORT_BYTES")
@csrf_exempt
def import_upload(request, kind: str):
    """The upload page of one format. The size limit is installed before anything reads the request body."""
    handler = None
    if request.method == "POST":
        handler = UploadSizeLimit(request, settings.ZHURNAL_MAX_IMPORT_BYTES)
        request.upload_handlers.insert(0, handler)
    return _import_upload(request, kind, handler)


@school_view
@csrf_protect
def _import_upload(request, kind: str, handler: UploadSizeLimit | None):
    require(permissions.can_import(request.roles))
    fmt = _format(kind)
    school = request.roles.school
    if request.method != "POST":
        return _page(request, fmt, UploadForm(fmt=fmt, school=school))
    upload = request.FILES.get("file")
    if (handler is not None and handler.exceeded) or (upload and upload.size > settings.ZHURNAL_MAX_IMPORT_BYTES):
        name = upload.name if upload else "файл"
        return _page(request, fmt, UploadForm(fmt=fmt, school=school), file_error=imports.too_large_message(name),
                     status=413)
    form = UploadForm(request.POST, request.FILES, fmt=fmt, school=school)
    if not form.is_valid():
        return _page(request, fmt, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        uploads.check_upload(upload, uploads.SPREADSHEET_KINDS, max_bytes=settings.ZHURNAL_MAX_IMPORT_BYTES)
    except ValidationError as exc:
        return _page(request, fmt, form, file_error=" ".join(exc.messages), status=400)
    data = upload.read()
    year = form.cleaned_data.get("year")
    options = imports.Options(year=year, default_order=form.cleaned_data.get("order_number", ""))
    try:
        imports.prepare(kind=fmt.kind, data=data, filename=upload.name, school=school, options=options)
    except imports.ImportFileError as exc:
        return _page(request, fmt, form, file_error=str(exc), status=400)
    token = imports.store_upload(
        data=data, filename=upload.name, kind=fmt.kind, user_id=request.user.pk, school_id=school.pk,
        year_id=year.pk if year else None, default_order=options.default_order,
    )
    return redirect("school:import_preview", kind=fmt.kind, token=token)


def _with_upload(view):
    """A page of one stored upload (its preview, its cancelling), for those who import: the view gets the format
    and this user's upload in this school, or the browser goes back to the upload page with why there is none."""

    @wraps(view)
    def wrapper(request, kind: str, token: str):
        require(permissions.can_import(request.roles))
        fmt = _format(kind)
        try:
            stored = imports.load_upload(token=token, user_id=request.user.pk, school_id=request.roles.school.pk,
                                         kind=fmt.kind)
        except imports.UploadForeign as exc:
            raise Http404 from exc
        except imports.UploadExpired:
            messages.warning(request, "Загруженный файл хранился дольше двух часов и удалён. Загрузите его снова.")
        except imports.UploadMissing:
            messages.warning(request, "Этот файл уже загружен в журнал или загрузка отменена.")
        else:
            return view(request, fmt, stored)
        return redirect("school:import_kind", kind=fmt.kind)

    return wrapper


@school_view
@_with_upload
def import_preview(request, fmt: imports.Format, stored: imports.StoredUpload):
    """GET: the rows as they will be imported and every error. POST: import them, all or nothing."""
    token = stored.token
    school = request.roles.school
    year = None
    if stored.year_id is not None:
        year = AcademicYear.objects.filter(school=school, pk=stored.year_id).first()
        if year is None:
            imports.discard_upload(token)
            messages.error(request, "Учебный год, выбранный при загрузке, удалён. Загрузите файл снова.")
            return redirect("school:import_kind", kind=fmt.kind)
    options = imports.Options(year=year, default_order=stored.default_order)
    try:
        plan = imports.prepare(kind=fmt.kind, data=stored.data, filename=stored.filename, school=school,
                               options=options)
    except imports.ImportFileError as exc:
        imports.discard_upload(token)
        messages.error(request, str(exc))
        return redirect("school:import_kind", kind=fmt.kind)
    apply_error = ""
    if request.method == "POST" and plan.ok:
        try:
            result = imports.apply_import(actor=request.user, plan=plan)
        except ValidationError as exc:
            apply_error = " ".join(exc.messages)
        else:
            imports.discard_upload(token)
            return _done(request, fmt, plan, result)
    status = 200 if plan.ok and not apply_error else (409 if request.method == "POST" else 200)
    return render(request, "school/imports/preview.html", {
        "fmt": fmt, "plan": plan, "token": token, "year": year, "apply_error": apply_error,
        "errors": plan.errors[:1000], "more_errors": max(0, len(plan.errors) - 1000),
    }, status=status)


def _done(request, fmt, plan, result):
    what = plan.summary()
    messages.success(request, f"Загружено из файла «{plan.filename}»: {what}.")
    if fmt.kind == imports.STUDENTS and len(result.classes) == 1:
        return redirect("school:class_detail", pk=result.classes[0].pk)
    if fmt.kind == imports.STAFF:
        return redirect("school:staff_list")
    url = reverse("school:class_list")
    return redirect(f"{url}?year={plan.year.pk}" if plan.year else url)


@school_view
@require_POST
@_with_upload
def import_cancel(request, fmt: imports.Format, stored: imports.StoredUpload):
    imports.discard_upload(stored.token)
    messages.info(request, "Загрузка отменена, в журнал ничего не записано.")
    return redirect("school:import_kind", kind=fmt.kind)


def _file_response(content: bytes, file_format: str, filename: str) -> HttpResponse:
    return uploads.file_response(content, filename=filename, content_type=exports.CONTENT_TYPES[file_format])


@school_view
def import_template(request, kind: str, file_format: str):
    require(permissions.can_import(request.roles) or permissions.can_view_setup(request.roles))
    _format(kind)
    if file_format not in exports.FORMATS:
        raise Http404
    content = exports.write(kind, file_format, exports.template_rows(kind, request.roles.school))
    return _file_response(content, file_format, exports.template_filename(kind, file_format))


# --- exports -------------------------------------------------------------------------------------------------


def _may_export_class(roles, school_class) -> bool:
    return permissions.can_view_setup(roles) or school_class.pk in roles.led_class_ids


@school_view
def export_home(request):
    """What this user may download: the administration — everything; a class teacher — his own classes."""
    roles = request.roles
    require(permissions.can_view_setup(roles) or bool(roles.led_class_ids))
    year, on = year_and_date(request)
    classes = permissions.classes_visible_to(roles).filter(year=year).order_by("grade", "letter")
    if not permissions.can_view_setup(roles):
        classes = classes.filter(pk__in=roles.led_class_ids)
    return render(request, "school/imports/exports.html", {
        "year": year, "on": on, "classes": classes, "years": AcademicYear.objects.filter(school=roles.school),
        "whole_school": permissions.can_view_setup(roles), "formats": exports.FORMATS,
        "can_import": permissions.can_import(roles),
    })


@school_view
def export_download(request, kind: str, file_format: str):
    roles = request.roles
    fmt = _format(kind)
    if file_format not in exports.FORMATS:
        raise Http404
    school = roles.school
    if fmt.kind == imports.STAFF:
        require(permissions.can_view_setup(roles))
        staff = exports.staff_rows(school=school)
        content = exports.write(fmt.kind, file_format, staff)
        note_reading(request, AccessKind.LIST_EXPORT, f"{fmt.title} ({file_format.upper()})", rows=len(staff))
        return _file_response(content, file_format, exports.export_filename(fmt.kind, file_format))
    school_class = None
    if request.GET.get("class", ""):
        class_id = params.id_param(request.GET, "class", required=True)
        school_class = scoped(permissions.classes_visible_to(roles).select_related("year"), pk=class_id)
        require(_may_export_class(roles, school_class))
        year = school_class.year
        on = params.date_param(request.GET, "on", request=request) or selectors.default_date(year)
        on = min(max(on, year.start), year.end)
    else:
        require(permissions.can_view_setup(roles))
        year, on = year_and_date(request)
    rows_of = exports.student_rows if fmt.kind == imports.STUDENTS else exports.guardian_rows
    rows = rows_of(school=school, year=year, on=on, school_class=school_class)
    title = f"{school_class.name} на {on:%d.%m.%Y}" if school_class else f"{fmt.title} на {on:%d.%m.%Y}"
    content = exports.write(fmt.kind, file_format, rows, sheet_title=title)
    note_reading(request, AccessKind.LIST_EXPORT, f"{fmt.title}: {title} ({file_format.upper()})", rows=len(rows))
    return _file_response(content, file_format,
                          exports.export_filename(fmt.kind, file_format, school_class=school_class, on=on))


urlpatterns = [
    path("import/", import_home, name="import"),
    path("import/<slug:kind>/", import_upload, name="import_kind"),
    path("import/<slug:kind>/template/<slug:file_format>/", import_template, name="import_template"),
    path("import/<slug:kind>/<str:token>/", import_preview, name="import_preview"),
    path("import/<slug:kind>/<str:token>/cancel/", import_cancel, name="import_cancel"),
    path("export/", export_home, name="export"),
    path("export/<slug:kind>/<slug:file_format>/", export_download, name="export_download"),
]
