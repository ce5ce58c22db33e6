"""Timetable pages: by class, teacher and room (a day or a week, on screen or PDF), the whole school's day,
the teacher's day, a lesson, and the teacher's or deputy's extra and moved lessons."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from zhurnal.core.dates import today as school_today
from zhurnal.school.models import Group, GroupKind
from zhurnal.school.roles import Role

from .. import permissions, selectors, services
from ..calendar import monday_of
from ..forms import LessonForm, MoveForm
from ..models import Lesson, LessonKind, Room
from .common import (
    date_param,
    pdf_answer,
    require,
    require_year,
    save_form,
    school_view,
    scoped,
    wants,
    year_of,
)

MODES = {"week": "неделя", "day": "день"}


def _mode(request) -> str:
    return request.GET.get("mode") if request.GET.get("mode") in MODES else "week"


def _days(day: dt.date, mode: str) -> list[dt.date]:
    return [day] if mode == "day" else selectors.week_days(day)


def _step(day: dt.date, mode: str) -> tuple[dt.date, dt.date]:
    if mode == "day":
        back = day - dt.timedelta(days=2 if day.isoweekday() == 1 else 1)
        forward = day + dt.timedelta(days=2 if day.isoweekday() == 6 else 1)
        return back, forward
    return monday_of(day) - dt.timedelta(days=7), monday_of(day) + dt.timedelta(days=7)


def _grid_page(request, *, grid, kind: str, subject_url: str, day: dt.date, mode: str, extra: dict | None = None):
    back, forward = _step(day, mode)
    context = {
        "grid": grid, "kind": kind, "day": day, "mode": mode, "modes": MODES, "back": back, "forward": forward,
        "page_url": subject_url, "today": school_today(), **(extra or {}),
    }
    if wants(request, "pdf"):
        suffix = day.strftime("%Y-%m-%d")
        return pdf_answer("timetable/pdf/grid.html", context, f"Расписание {grid.title} {suffix}.pdf")
    return render(request, "timetable/grid.html", context)


@school_view
def index(request):
    """The way into the timetables: families go straight to their class; staff choose a class, teacher or room."""
    roles = request.roles
    day = date_param(request)
    if roles.staff is None:
        classes = list(permissions.classes_with_visible_timetable(roles).order_by("grade", "letter"))
        if len(classes) == 1:
            return redirect(reverse("timetable:class", args=[classes[0].pk]) + f"?date={day:%Y-%m-%d}")
        return render(request, "timetable/index.html", {"classes": classes, "day": day, "family": True})
    year = year_of(request, day)
    classes = list(permissions.classes_with_visible_timetable(roles).filter(year=year).order_by("grade", "letter")) \
        if year else []
    teachers = permissions.teachers_with_visible_timetable(roles).filter(is_active=True, assignments__year=year) \
        .distinct().order_by("last_name", "first_name") if year else []
    rooms = permissions.rooms_visible_to(roles).filter(is_active=True).order_by("name")
    can_manage = permissions.can_manage_timetable(roles)
    cross_groups = Group.objects.filter(year=year, kind=GroupKind.CROSS).order_by("name") if year and can_manage \
        else []
    return render(request, "timetable/index.html", {
        "day": day, "year": year, "classes": classes, "teachers": teachers, "rooms": rooms,
        "cross_groups": cross_groups,
        "can_manage": can_manage,
        "can_setup": permissions.can_manage_bells_and_rooms(roles),
        "can_import": permissions.can_import_timetable(roles),
        "can_substitute": permissions.can_manage_substitutions(roles),
        "can_reports": permissions.can_read_staff_reports(roles),
        "can_add_lesson": permissions.assignments_for_adhoc_lessons(roles).exists(),
    })


@school_view
def class_timetable(request, pk: int):
    school_class = scoped(permissions.classes_with_visible_timetable(request.roles).select_related("year"), pk=pk)
    day, mode = date_param(request), _mode(request)
    grid = selectors.class_timetable(school_class, _days(day, mode))
    return _grid_page(request, grid=grid, kind="class", subject_url=reverse("timetable:class", args=[pk]), day=day,
                      mode=mode, extra={"school_class": school_class,
                                        "can_edit": permissions.can_manage_timetable(request.roles)})


@school_view
def teacher_timetable(request, pk: int):
    teacher = scoped(permissions.teachers_with_visible_timetable(request.roles), pk=pk)
    day, mode = date_param(request), _mode(request)
    grid = selectors.teacher_timetable(teacher, year_of(request, day), _days(day, mode))
    return _grid_page(request, grid=grid, kind="teacher", subject_url=reverse("timetable:teacher", args=[pk]),
                      day=day, mode=mode, extra={"teacher": teacher})


@school_view
def room_timetable(request, pk: int):
    room = scoped(permissions.rooms_visible_to(request.roles), pk=pk)
    day, mode = date_param(request), _mode(request)
    grid = selectors.room_timetable(room, year_of(request, day), _days(day, mode))
    return _grid_page(request, grid=grid, kind="room", subject_url=reverse("timetable:room", args=[pk]), day=day,
                      mode=mode, extra={"room": room})


@school_view
def school_day(request):
    """Every class on one date — the deputy's overview for substitutions."""
    require(permissions.is_staff(request.roles))
    day = date_param(request)
    year = require_year(request, day)
    overview = selectors.school_day(request.roles.school, year, day)
    back, forward = _step(day, "day")
    context = {"overview": overview, "day": day, "back": back, "forward": forward, "year": year,
               "can_substitute": permissions.can_manage_substitutions(request.roles)}
    if wants(request, "pdf"):
        return pdf_answer("timetable/pdf/day.html", context, f"Расписание на {day:%Y-%m-%d}.pdf")
    return render(request, "timetable/day.html", context)


@school_view
def today(request):
    """Мой день: my lessons of the date (with those I substitute), each a link to its page."""
    staff = request.roles.staff
    require(staff is not None)
    day = date_param(request)
    year = year_of(request, day)
    my_day = selectors.teacher_day(staff, year, day)
    back, forward = _step(day, "day")
    return render(request, "timetable/today.html", {
        "my_day": my_day, "day": day, "back": back, "forward": forward,
        "can_add_lesson": permissions.assignments_for_adhoc_lessons(request.roles).exists(),
    })


@school_view
def lesson_detail(request, pk: int):
    lesson = scoped(permissions.lessons_visible_to(request.roles).select_related(
        "assignment__subject", "assignment__group__school_class", "assignment__teacher", "assignment__year",
        "planned_teacher", "actual_teacher", "room", "moved_from", "substitution__substitute",
        "substitution__absent_teacher"), pk=pk)
    selectors.lesson_detail(lesson)
    roles = request.roles
    return render(request, "timetable/lesson_detail.html", {
        "lesson": lesson, "substitution": getattr(lesson, "substitution", None) if _has_substitution(lesson) else None,
        "can_edit": permissions.can_edit_lesson(roles, lesson),
        "can_move": permissions.can_move_lesson(roles, lesson),
        "can_remove": lesson.kind != LessonKind.REGULAR and permissions.can_add_lesson(roles, lesson.assignment),
        "can_substitute": permissions.can_manage_substitutions(roles),
        # The lesson's journal page and «Мой день» are staff pages: families read the lesson in the diary.
        "can_open_journal": roles.staff is not None,
    })


def _has_substitution(lesson: Lesson) -> bool:
    try:
        return lesson.substitution is not None
    except Lesson.substitution.RelatedObjectDoesNotExist:
        return False


def _rooms(request):
    return Room.objects.filter(school=request.roles.school, is_active=True).order_by("name")


@school_view
def lesson_new(request):
    """An extra lesson: the teacher for his own groups, the deputy or director for any."""
    assignments = permissions.assignments_for_adhoc_lessons(request.roles).select_related(
        "group", "subject", "teacher").order_by("group__name", "subject__name")
    require(assignments.exists())
    form = LessonForm(request.POST or None, assignments=assignments, rooms=_rooms(request),
                      initial={"date": date_param(request)})
    saved = save_form(request, form, lambda data: services.add_lesson(
        actor=request.user, assignment=data["assignment"], date=data["date"], number=data["number"],
        room=data["room"], note=data["note"]),
        success="Дополнительный урок добавлен.", then=lambda lesson: reverse("timetable:lesson_detail", args=[lesson.pk]))
    if saved:
        return saved
    return render(request, "timetable/lesson_form.html", {"form": form, "title": "Дополнительный урок"})


@school_view
def lesson_move(request, pk: int):
    lesson = scoped(permissions.lessons_visible_to(request.roles).select_related(
        "assignment__subject", "assignment__group", "room"), pk=pk)
    require(permissions.can_move_lesson(request.roles, lesson))
    form = MoveForm(request.POST or None, rooms=_rooms(request), initial={"date": lesson.date,
                                                                          "number": lesson.number})
    saved = save_form(request, form, lambda data: services.move_lesson(
        actor=request.user, lesson=lesson, date=data["date"], number=data["number"], room=data["room"],
        note=data["note"]),
        success=lambda moved: f"Урок перенесён на {moved.date:%d.%m.%Y}, {moved.number}-й урок.",
        then=lambda moved: reverse("timetable:lesson_detail", args=[moved.pk]))
    if saved:
        return saved
    return render(request, "timetable/lesson_form.html", {"form": form, "lesson": lesson,
                                                           "title": "Перенос урока"})


@school_view
def lesson_remove(request, pk: int):
    if request.method != "POST":
        raise Http404
    lesson = scoped(permissions.lessons_visible_to(request.roles).select_related("assignment"), pk=pk)
    require(lesson.kind != LessonKind.REGULAR and permissions.can_add_lesson(request.roles, lesson.assignment))
    day = lesson.date
    try:
        services.remove_lesson(actor=request.user, lesson=lesson)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("timetable:lesson_detail", pk)
    messages.success(request, "Урок удалён.")
    if request.roles.has(Role.TEACHER):
        return redirect(reverse("timetable:today") + f"?date={day:%Y-%m-%d}")
    return redirect(reverse("timetable:day") + f"?date={day:%Y-%m-%d}")
