"""The teacher's journal: his assignments and today's lessons, the grid of an assignment, its final marks."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from zhurnal.core import params
from zhurnal.core.dates import today as school_today
from zhurnal.core.htmx import is_htmx
from zhurnal.core.navigation import cached_reverse
from zhurnal.school.models import ReportingPeriod, TeachingAssignment
from zhurnal.school.roles import Role
from zhurnal.school.selectors import current_year

from .. import grading, permissions, rendering, selectors, services
from ..forms import FinalMarksForm, ReopenForm
from .common import require, school_view, visible_assignment

BY_CLASS = ("group__school_class__grade", "group__school_class__letter", "group__name", "subject__name")


def _own_assignments(roles, year) -> list[TeachingAssignment]:
    """The user's own assignments of the year (none without a year), by class, group and subject."""
    if year is None:
        return []
    return list(permissions.assignments_visible_to(roles).filter(year=year, teacher=roles.staff)
                .select_related("subject", "group", "group__school_class").order_by(*BY_CLASS))


@school_view
def index(request):
    """The teacher's way into the journal: today's lessons (his and those he substitutes) and his assignments."""
    roles = request.roles
    require(roles.staff is not None)
    today = school_today()
    on = params.date_param(request.GET, "on", request=request) or today
    year = current_year(roles.school, today)
    assignments = _own_assignments(roles, year)
    lessons = list(selectors.teacher_lessons_on(roles.staff.pk, on))
    by_class: list[tuple[str, int | None, list[TeachingAssignment]]] = []
    if year is not None and (roles.is_school_reader or roles.led_class_ids):
        others = (permissions.assignments_visible_to(roles).filter(year=year).exclude(teacher=roles.staff)
                  .select_related("subject", "group", "group__school_class", "teacher")
                  .order_by(*BY_CLASS))
        for assignment in others:
            label = str(assignment.group.school_class or assignment.group.name)
            if not by_class or by_class[-1][0] != label:
                by_class.append((label, assignment.group.school_class_id, []))
            by_class[-1][2].append(assignment)
    return render(request, "journal/index.html", {
        "today": today, "on": on, "year": year, "assignments": assignments, "lessons": lessons,
        "by_class": by_class,
        "can_control": permissions.can_view_control(roles),
        "can_edit_rules": permissions.can_edit_grading_rules(roles),
        "is_teacher": roles.has(Role.TEACHER),
    })


def _period_choice(request, periods: list[ReportingPeriod], today) -> ReportingPeriod:
    wanted = request.GET.get("period", "")
    for period in periods:
        if str(period.pk) == wanted:
            return period
    current = selectors.current_period(periods, today)
    if current is None:
        raise Http404("Для этой параллели не заданы учебные периоды.")
    return current


def _journal_periods(request, pk: int) -> tuple[TeachingAssignment, int | None, list[ReportingPeriod]]:
    """The assignment whose journal the user may read (else 404), the grade of its class and its periods."""
    assignment = visible_assignment(request, pk)
    grade = selectors.assignment_grade(assignment)
    return assignment, grade, selectors.assignment_periods(assignment, grade)


@school_view
def grid(request, pk: int):
    assignment, grade, periods = _journal_periods(request, pk)
    today = school_today()
    period = _period_choice(request, periods, today)
    data = selectors.journal_grid(assignment, period, periods=periods, grade=grade, today=today)
    can_fill = permissions.can_fill_assignment(request.roles, assignment)
    readonly_reason = ""
    if can_fill and data.lock.closed:
        readonly_reason = data.lock.message or "Период закрыт: отметки не меняются."
    elif not can_fill:
        readonly_reason = "Этот журнал вы можете только просматривать."
    table = rendering.render_grid_table(
        data, editable=can_fill and not data.lock.closed,
        lesson_url=cached_reverse("journal:lesson", [0]), cell_url=cached_reverse("journal:cell", [0, 0]),
        readonly_reason=readonly_reason,
        record_panel_url=cached_reverse("journal:record_panel", [0]) if can_fill and not data.lock.closed else "",
    )
    if is_htmx(request):
        return HttpResponse(table)
    return render(request, "journal/grid.html", {
        "assignment": assignment, "grid": data, "table": table, "period": period, "periods": periods,
        "can_fill": can_fill, "can_reopen": permissions.can_reopen_period(request.roles),
        "work_types": [w for w in data.work_types if w.is_active],
    })


@school_view
def finals(request, pk: int):
    """Final marks of a period (``?period=``) or the year (``?period=year``): suggested, confirmed or changed."""
    assignment, grade, periods = _journal_periods(request, pk)
    today = school_today()
    if not periods:
        raise Http404("Для этой параллели не заданы учебные периоды.")
    form = FinalMarksForm(request.POST if request.method == "POST" else None)
    is_year = request.GET.get("period") == "year" or request.POST.get("period") == "year"
    period = None if is_year else _period_choice(request, periods, today)
    can_fill = permissions.can_fill_assignment(request.roles, assignment)
    errors: list[str] = []
    if form.is_bound:
        require(can_fill)
        try:
            changed = services.set_final_marks(actor=request.user, assignment=assignment, period=period,
                                               values=form.values(), today=today)
        except ValidationError as error:
            errors = list(error.messages)
        else:
            messages.success(request, f"Сохранено итоговых отметок: {changed}." if changed else "Изменений нет.")
            return redirect(f"{reverse('journal:finals', args=[assignment.pk])}?period={period.pk if period else 'year'}")
    page = selectors.finals_page(assignment, periods, period, grade=grade, today=today,
                                 posted=form.values() if form.is_bound else None)
    return render(request, "journal/finals.html", {
        "assignment": assignment, "periods": periods, "period": period, "is_year": is_year, "rows": page.rows,
        "lock": page.lock, "can_fill": can_fill and not page.lock.closed and page.marks_allowed, "errors": errors,
        "marks_allowed": page.marks_allowed, "choices": grading.FINAL_CHOICES, "policy": page.policy,
    })


@school_view
def reopen(request, pk: int):
    """The deputy reopens one assignment's closed period for a limited time, with a reason."""
    require(permissions.can_reopen_period(request.roles))
    assignment = visible_assignment(request, pk)
    today = school_today()
    periods = selectors.assignment_periods(assignment)
    errors: list[str] = []
    form = ReopenForm(request.POST if request.method == "POST" else None, periods=periods)
    if form.is_bound:
        try:
            reopening = services.reopen_period(actor=request.user, assignment=assignment, today=today,
                                               **form.reopening())
        except ValidationError as error:
            errors = list(error.messages)
        else:
            period = reopening.period
            messages.success(request, f"Период «{period.name}» открыт для исправлений до {reopening.until:%d.%m.%Y}.")
            return redirect(f"{reverse('journal:grid', args=[assignment.pk])}?period={period.pk}")
    reopenings = assignment.reopenings.select_related("period", "created_by").order_by("-created_at")
    return render(request, "journal/reopen.html", {
        "assignment": assignment, "periods": periods, "errors": errors, "reopenings": reopenings,
        "today": today, "post": request.POST,
    })



@school_view
def today(request):
    """Мой день — the teacher's start page: today's lessons with what is still unfilled, each one click from entry,
    his control works without marks, his groups leading to their journals."""
    roles = request.roles
    require(roles.staff is not None)
    today_date = school_today()
    day = params.date_param(request.GET, "date", request=request) or today_date
    year = current_year(roles.school, day)
    page = selectors.teacher_day_page(roles.staff, year, day, today=today_date)
    assignments = _own_assignments(roles, year)
    return render(request, "journal/today.html", {
        "page": page, "day": day, "today": today_date, "assignments": assignments,
        "first": page.first_to_fill,
        "back": day - dt.timedelta(days=3 if day.isoweekday() == 1 else 1),
        "forward": day + dt.timedelta(days=2 if day.isoweekday() == 6 else 1),
    })
