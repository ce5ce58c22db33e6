"""The class teacher's pages: the class summary for a period and the weekly attendance check."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhurnal.core import idempotency, params
from zhurnal.core.dates import today as school_today
from zhurnal.core.htmx import is_htmx
from zhurnal.school import permissions as school_permissions
from zhurnal.school.models import SchoolClass, Student

from .. import permissions, selectors, services
from ..models import AbsenceCode
from .common import error_messages, flash_outcome, require, school_view, scoped, visible_lesson


def _visible_class(request, pk: int):
    return scoped(school_permissions.classes_for_class_teacher_pages(request.roles).select_related("year", "class_teacher"), pk=pk)


@school_view
def my_summary(request):
    """«Сводная» in the menu: the summary of the class teacher's (first) class."""
    led = sorted(request.roles.led_class_ids)
    if not led:
        raise Http404
    return redirect("journal:class_summary", pk=led[0])


@school_view
def summary(request, pk: int):
    """The class summary lives with the reports (``reports:class_summary``, read from the metrics engine)."""
    school_class = _visible_class(request, pk)
    query = f"?class={school_class.pk}"
    period = params.id_param(request.GET, "period")
    if period is not None:
        query += f"&period={period}"
    return redirect(reverse("reports:class_summary") + query)


def _week_start(request) -> dt.date:
    on = (params.date_param(request.GET, "week", request=request) or params.date_param(request.POST, "week",
                                                                                         request=request)
          or school_today())
    return selectors.week_start_of(on)


@school_view
def attendance_week(request, pk: int):
    school_class = _visible_class(request, pk)
    week_start = _week_start(request)
    return render(request, "journal/attendance_week.html", _week_context(request, school_class, week_start))


def _week_context(request, school_class, week_start: dt.date) -> dict:
    data = selectors.attendance_week(school_class, week_start)
    show_all = request.GET.get("all") == "1" or request.POST.get("all") == "1"
    return {
        "school_class": school_class, "week": data, "can_edit": permissions.can_set_absence_reasons(
            request.roles, school_class),
        "previous": week_start - dt.timedelta(days=7), "next": week_start + dt.timedelta(days=7),
        "codes": [(c.value, c.label) for c in AbsenceCode], "show_all": show_all,
        "rows": data.rows if show_all else data.to_decide,
    }


def _back(school_class, week_start: dt.date):
    return redirect(f"{reverse('journal:attendance_week', args=[school_class.pk])}?week={week_start:%Y-%m-%d}")


def _row_answer(request, school_class, week_start: dt.date, student, errors: list[str]):
    """htmx: the pupil's row saved in place (with the message) and the week's totals, no reload."""
    context = _week_context(request, school_class, week_start)
    context["row"] = next((row for row in context["week"].rows if row.student.pk == student.pk), None)
    context["errors"] = errors
    return render(request, "journal/_week_row.html", context)


@school_view
@require_POST
def absence_reason(request, pk: int):
    """One absence: the class teacher sets its reason or removes it (with a note)."""
    school_class = _visible_class(request, pk)
    require(permissions.can_set_absence_reasons(request.roles, school_class))
    lesson = visible_lesson(request, params.id_param(request.POST, "lesson", required=True))
    student = scoped(permissions.absence_reason_students(school_class, lesson.date),
                     pk=params.id_param(request.POST, "student", required=True))
    errors: list[str] = []
    try:
        services.set_absence_reason(actor=request.user, lesson=lesson, student=student,
                                    code=request.POST.get("code", ""), note=request.POST.get("note", ""),
                                    key=idempotency.parse_key(request.POST.get("key")))
    except ValidationError as error:
        errors = [f"{student.short_name}: {message}" for message in error_messages(error)]
    return _reason_answer(request, school_class, student, errors,
                          f"{student.short_name}, {lesson.date:%d.%m}: отметка посещаемости сохранена.")


@school_view
@require_POST
def day_reason(request, pk: int):
    school_class = _visible_class(request, pk)
    require(permissions.can_set_absence_reasons(request.roles, school_class))
    day = params.date_param(request.POST, "date", request=request)
    if day is None:
        messages.error(request, "Укажите день.")
        return _back(school_class, _week_start(request))
    student = scoped(permissions.absence_reason_students(school_class, day),
                     pk=params.id_param(request.POST, "student", required=True))
    errors: list[str] = []
    count = 0
    try:
        count = services.set_day_absence_reason(actor=request.user, school_class=school_class, student=student,
                                                date=day, code=request.POST.get("code", ""),
                                                note=request.POST.get("note", ""))
    except ValidationError as error:
        errors = [f"{student.short_name}: {message}" for message in error_messages(error)]
    return _reason_answer(request, school_class, student, errors,
                          f"{student.short_name}, {day:%d.%m}: причина указана для {count} ур." if day else "")


def _reason_answer(request, school_class: SchoolClass, student: Student, errors: list[str], done: str):
    """The week's row again (htmx), or back to the week with the errors or ``done``."""
    if is_htmx(request):
        return _row_answer(request, school_class, _week_start(request), student, errors)
    for message in errors:
        messages.error(request, message)
    if not errors:
        messages.success(request, done)
    return _back(school_class, _week_start(request))


@school_view
@require_POST
def confirm_week(request, pk: int):
    school_class = _visible_class(request, pk)
    require(permissions.can_set_absence_reasons(request.roles, school_class))
    week_start = _week_start(request)
    with flash_outcome(request, f"Посещаемость за неделю с {week_start:%d.%m.%Y} проверена."):
        services.confirm_attendance_week(actor=request.user, school_class=school_class, week_start=week_start,
                                         note=request.POST.get("note", ""),
                                         with_unexcused=request.POST.get("with_unexcused") == "1")
    return _back(school_class, week_start)
