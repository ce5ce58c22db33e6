"""Report pages: the list of reports a user may read, each report's page with its filters and its files, the
background files' status and download, the school's report settings, the education department's view."""

from __future__ import annotations

import re
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from zhurnal.audit.services import record_access
from zhurnal.core import params, uploads
from zhurnal.core.view_helpers import require, school_view
from zhurnal.school.access.log import AccessKind, note_reading

from . import catalog, documents, permissions, selectors, services
from .context import ReportContext
from .models import JobStatus, ReportJob

FORMAT_LABELS = {"pdf": "PDF", "xlsx": "Excel (XLSX)", "csv": "CSV"}


def _context(request) -> ReportContext:
    return ReportContext(roles=request.roles, params=request.GET, user=request.user)


@school_view
def index(request):
    specs = catalog.visible_reports(request.roles)
    if not specs:
        raise Http404
    groups: dict[str, list] = {}
    for spec in specs:
        groups.setdefault(spec.audience, []).append(spec)
    return render(request, "reports/index.html", {
        "groups": groups, "can_settings": permissions.can_read_school_reports(request.roles),
        "jobs": selectors.recent_jobs(request.user)})


def report_view(key: str):
    spec = catalog.ALL[key]

    @school_view
    def view(request):
        require(spec.allowed(request.roles))
        ctx = _context(request)
        file_format = request.GET.get("format", "")
        if file_format and (file_format not in spec.formats or spec.background):
            raise Http404
        document = spec.build(ctx)
        if file_format:
            render_file, content_type = documents.RENDERERS[file_format]
            note_reading(request, AccessKind.REPORT_EXPORT, f"{document.title} ({file_format.upper()})",
                         rows=document.row_count)
            return _file(render_file(document), content_type, f"{document.filename}.{file_format}")
        filters = spec.filters(ctx)
        query = urlencode([(f.name, f.value) for f in filters])
        return render(request, "reports/page.html", {
            "doc": document, "filters": filters, "query": query, "spec": spec, "background": spec.background,
            "formats": [(f, FORMAT_LABELS[f]) for f in spec.formats],
            "export_url": reverse("reports:export", args=[spec.key])})

    view.__name__ = f"report_{key}"
    return view


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    return uploads.file_response(content, filename=filename, content_type=content_type)


@school_view
@require_POST
def export(request, key: str):
    """A report's file made in the background: the job's page shows its progress."""
    spec = catalog.ALL.get(key)
    if spec is None:
        raise Http404
    require(spec.allowed(request.roles))
    file_format = request.POST.get("format", "")
    if file_format not in spec.formats:
        raise Http404
    params = {k: v for k, v in request.POST.items() if k not in ("format", "csrfmiddlewaretoken")}
    job = services.request_report_file(actor=request.user, school=request.roles.school, report=key, params=params,
                                       file_format=file_format, title=spec.title)
    return redirect("reports:job", pk=job.pk)


@login_required
def job(request, pk: int):
    item = get_object_or_404(ReportJob, pk=pk, user=request.user)
    template = "reports/_job.html" if request.headers.get("HX-Request") else "reports/job.html"
    return render(request, template, {"job": item, "running": item.status in (JobStatus.QUEUED, JobStatus.RUNNING)})


@login_required
def job_file(request, pk: int):
    item = get_object_or_404(ReportJob, pk=pk, user=request.user, status=JobStatus.DONE)
    content_type = documents.RENDERERS[item.file_format][1]
    if item.school_id is not None:
        record_access(actor=request.user, school=item.school_id, kind=AccessKind.REPORT_EXPORT,
                      what=f"{item.title or item.filename} ({item.file_format.upper()})", target=item)
    return uploads.file_response(item.file.open("rb"), filename=item.filename, content_type=content_type)


@school_view
def report_settings(request):
    roles = request.roles
    require(permissions.can_read_school_reports(roles))
    school = roles.school
    errors: list[str] = []
    if request.method == "POST":
        require(permissions.can_edit_report_settings(roles))
        post = request.POST
        try:
            services.save_report_settings(
                actor=request.user, school=school, exempt_in_n=post.get("exempt_in_n") == "on",
                no_final_in_n=post.get("no_final_in_n") == "on", departed_in_n=post.get("departed_in_n") == "on",
                not_attested_in_n=post.get("not_attested_in_n") == "on",
                missed_day_lessons=_int(post.get("missed_day_lessons", ""), "missed_day_lessons",
                                        "Пропущенный день"),
                risk_average_below=_decimal(post.get("risk_average_below", ""), "risk_average_below",
                                            "Группа риска: средний балл"),
                risk_absences_in_row=_int(post.get("risk_absences_in_row", ""), "risk_absences_in_row",
                                          "Группа риска: пропусков подряд"))
        except ValidationError as error:
            errors = list(error.messages)
        else:
            messages.success(request, "Настройки отчётов сохранены.")
            return redirect("reports:settings")
    from . import metrics

    current = metrics.settings_of(school)
    return render(request, "reports/settings.html", {
        "current": current, "errors": errors, "can_edit": permissions.can_edit_report_settings(roles)})


def _int(value: str, field: str, label: str) -> int:
    value = (value or "").strip()
    if not re.fullmatch(r"[0-9]{1,4}", value):
        raise ValidationError({field: f"{label}: нужно целое число."})
    return int(value)


def _decimal(value: str, field: str, label: str) -> Decimal:
    number = params.parse_decimal(value)
    if number is None:
        raise ValidationError({field: f"{label}: нужно число, например 3,00."})
    return number


# --- the education department ------------------------------------------------------------------------------------


@login_required
def municipal(request):
    require(permissions.is_municipal(request.user))
    data = selectors.municipal_overview(request.user)
    file_format = request.GET.get("format", "")
    if file_format:
        if file_format not in documents.RENDERERS:
            raise Http404
        render_file, content_type = documents.RENDERERS[file_format]
        return _file(render_file(data.document), content_type, f"{data.document.filename}.{file_format}")
    return render(request, "reports/municipal.html", {"data": data, "doc": data.document})


@login_required
@require_POST
def municipal_refresh(request):
    require(permissions.is_municipal(request.user))
    job = services.request_report_file(actor=request.user, school=None, report="municipal_refresh", params={},
                                       file_format="xlsx", title="Обновление показателей школ")
    return redirect("reports:job", pk=job.pk)
