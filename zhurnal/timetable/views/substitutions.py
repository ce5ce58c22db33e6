"""The deputy's substitutions, the substitution log and the teachers' working-time sheet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from zhurnal.core import params
from zhurnal.core.dates import today as school_today
from zhurnal.core.forms import error_messages
from zhurnal.school.access.log import AccessKind, note_reading
from zhurnal.school.models import StaffMember, TeachingAssignment

from .. import exports, permissions, selectors, services
from ..calendar import BellTimes
from ..forms import SubstitutionForm
from ..models import Lesson, Substitution
from .common import date_param, pdf_answer, require, require_year, save_form, school_view, scoped, wants


@dataclass
class Cover:
    """One lesson of the absent teacher: the teachers free at its time and the form to record who takes it."""
    lesson: Lesson
    free: list[StaffMember]
    form: SubstitutionForm


@school_view
def substitutions(request):
    """A day's substitutions; choose the absent teacher, then record who takes each of his lessons."""
    require(permissions.can_manage_substitutions(request.roles))
    school = request.roles.school
    day = date_param(request)
    year = require_year(request, day)
    staff = StaffMember.objects.filter(school=school, is_active=True).order_by("last_name", "first_name")
    absent = None
    absent_id = params.id_param(request.GET, "teacher")
    if absent_id is not None:
        absent = scoped(staff, pk=absent_id)
    covers: list[Cover] = []
    if absent is not None:
        lessons = list(selectors.lessons_on(school.pk, day, day).filter(planned_teacher=absent))
        bells = BellTimes.load(year, day, day)
        selectors.attach_times(lessons, bells)
        for lesson in lessons:
            staff_list, busy = selectors.free_teachers(school, lesson, bells)
            free = [s for s in staff_list if s.pk not in busy and s.pk != absent.pk]
            sub = getattr(lesson, "substitution", None) if _has_sub(lesson) else None
            # The absent teacher is never offered; free teachers of the lesson's subject first, then the other
            # free ones; those teaching at that time last and marked (they can take a merged group).
            same_subject = set(TeachingAssignment.objects.filter(
                year=year, subject_id=lesson.assignment.subject_id).values_list("teacher_id", flat=True))
            ordered = (staff.exclude(pk=absent.pk).annotate(
                is_busy=Case(When(pk__in=busy, then=Value(1)), default=Value(0), output_field=IntegerField()),
                other_subject=Case(When(pk__in=same_subject, then=Value(0)), default=Value(1),
                                   output_field=IntegerField()),
            ).order_by("is_busy", "other_subject", "last_name", "first_name"))
            free.sort(key=lambda s: (s.pk not in same_subject, s.last_name, s.first_name))
            form = SubstitutionForm(prefix=f"l{lesson.pk}", staff=ordered, busy_ids=busy,
                                           subject_ids=same_subject, subject=lesson.assignment.subject.name, initial={
                "kind": sub.kind if sub else "replace", "substitute": sub.substitute_id if sub else None,
                "reason": sub.reason if sub else "", "note": sub.note if sub else ""})
            covers.append(Cover(lesson=lesson, free=free, form=form))
    day_log = selectors.substitution_log(school, day, day)
    return render(request, "timetable/substitutions.html", {
        "day": day, "staff": staff, "absent": absent, "covers": covers, "day_log": day_log,
        "reasons": services.SUBSTITUTION_REASONS,
    })


def _has_sub(lesson: Lesson) -> bool:
    try:
        return lesson.substitution is not None
    except Lesson.substitution.RelatedObjectDoesNotExist:
        return False


@school_view
def substitution_record(request, lesson_pk: int):
    require(permissions.can_manage_substitutions(request.roles))
    if request.method != "POST":
        raise Http404
    school = request.roles.school
    lesson = scoped(Lesson.objects.filter(school=school).select_related("planned_teacher"), pk=lesson_pk)
    staff = StaffMember.objects.filter(school=school, is_active=True)
    form = SubstitutionForm(request.POST, prefix=f"l{lesson.pk}", staff=staff)
    back = reverse("timetable:substitutions") + f"?date={lesson.date:%Y-%m-%d}&teacher={lesson.planned_teacher_id}"
    saved = save_form(request, form, lambda data: services.record_substitution(
        actor=request.user, lesson=lesson, kind=data["kind"], reason=data["reason"], substitute=data["substitute"],
        note=data["note"]),
        success=f"Замещение {lesson.number}-го урока {lesson.date:%d.%m.%Y} записано.", then=back)
    if saved:
        return saved
    messages.error(request, f"{lesson.number}-й урок: " + " ".join(error_messages(form)))
    return redirect(back)


@school_view
def substitution_remove(request, pk: int):
    require(permissions.can_manage_substitutions(request.roles))
    if request.method != "POST":
        raise Http404
    substitution = scoped(Substitution.objects.filter(school=request.roles.school).select_related("lesson"), pk=pk)
    lesson = services.remove_substitution(actor=request.user, substitution=substitution)
    messages.success(request, "Замещение отменено: урок снова ведёт учитель по расписанию.")
    return redirect(reverse("timetable:substitutions")
                    + f"?date={lesson.date:%Y-%m-%d}&teacher={lesson.planned_teacher_id}")


def _period(request) -> tuple[dt.date, dt.date]:
    today = date_param(request)
    start = params.date_param(request.GET, "from", request=request) or today.replace(day=1)
    end = params.date_param(request.GET, "to", request=request) or max(today, start)
    if end < start:
        start, end = end, start
    if (end - start).days > 366:
        end = start + dt.timedelta(days=366)
    return start, end


@school_view
def substitution_log(request):
    """Журнал замещения уроков — page, PDF, XLSX."""
    require(permissions.can_read_staff_reports(request.roles))
    school = request.roles.school
    start, end = _period(request)
    rows = selectors.substitution_log(school, start, end)
    title = f"Журнал замещения уроков {exports.date_range_title(start, end)}"
    context = {"rows": rows, "start": start, "end": end, "title": title, "school": school}
    if wants(request, "pdf") or wants(request, "xlsx"):
        note_reading(request, AccessKind.LIST_EXPORT, title, rows=len(rows))
    if wants(request, "pdf"):
        return pdf_answer("timetable/pdf/substitution_log.html", context,
                          f"Журнал замещения {start:%Y-%m-%d}—{end:%Y-%m-%d}.pdf")
    if wants(request, "xlsx"):
        return exports.file_response(exports.substitution_log_xlsx(rows, title, school.name), exports.XLSX_TYPE,
                                     f"Журнал замещения {start:%Y-%m-%d}—{end:%Y-%m-%d}.xlsx")
    return render(request, "timetable/substitution_log.html", context)


def _month(request) -> dt.date:
    return params.month_param(request.GET, "month", request=request) or date_param(request).replace(day=1)


@school_view
def timesheet(request):
    """Табель учёта рабочего времени: lessons per teacher per day of a month — page, PDF, XLSX."""
    require(permissions.can_read_staff_reports(request.roles))
    school = request.roles.school
    month = _month(request)
    sheet = selectors.timesheet(school, month, until=school_today())
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    context = {"sheet": sheet, "month": month, "title": exports.month_title(month), "school": school,
               "previous": previous, "following": following}
    if wants(request, "pdf") or wants(request, "xlsx"):
        note_reading(request, AccessKind.LIST_EXPORT, f"Табель учёта рабочего времени: {context['title']}",
                     rows=len(sheet.rows))
    if wants(request, "pdf"):
        return pdf_answer("timetable/pdf/timesheet.html", context, f"Табель {month:%Y-%m}.pdf")
    if wants(request, "xlsx"):
        return exports.file_response(exports.timesheet_xlsx(sheet, school.name), exports.XLSX_TYPE,
                                     f"Табель {month:%Y-%m}.xlsx")
    return render(request, "timetable/timesheet.html", context)
