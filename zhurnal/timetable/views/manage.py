"""Setting the timetable up: bells, rooms, and each class's weekly timetable with its changes from a date."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from zhurnal.core.forms import error_messages
from zhurnal.school.models import Group, GroupKind, SchoolClass, TeachingAssignment

from .. import permissions, selectors, services
from ..forms import (
    BellScheduleForm,
    EntryChangeForm,
    EntryEndForm,
    EntryForm,
    RoomForm,
    SpecialDayForm,
)
from ..models import BellSchedule, Room, SpecialBellDay, TimetableEntry
from .common import date_param, require, require_year, save_form, school_view, scoped

# --- bells ---------------------------------------------------------------------------------------------------


@school_view
def bells(request):
    require(permissions.can_manage_timetable(request.roles))
    day = date_param(request)
    year = require_year(request, day)
    schedules = BellSchedule.objects.filter(year=year).prefetch_related("bells")
    can_edit = permissions.can_manage_bells_and_rooms(request.roles)
    form = BellScheduleForm(request.POST or None, prefix="new") if can_edit else None
    special_form = SpecialDayForm(prefix="special", schedules=schedules) if can_edit else None
    if request.method == "POST":
        require(can_edit)
    saved = save_form(request, form, lambda data: services.save_bell_schedule(actor=request.user, year=year, **data),
                      success=lambda schedule: f"Расписание звонков «{schedule.name}» сохранено.",
                      then="timetable:bells")
    if saved:
        return saved
    special_days = SpecialBellDay.objects.filter(schedule__year=year).select_related("schedule").order_by("date")
    return render(request, "timetable/bells.html", {
        "year": year, "schedules": schedules, "form": form, "special_form": special_form,
        "special_days": special_days, "can_edit": can_edit,
    })


@school_view
def bell_edit(request, pk: int):
    require(permissions.can_manage_bells_and_rooms(request.roles))
    schedule = scoped(BellSchedule.objects.filter(school=request.roles.school).select_related("year"), pk=pk)
    initial = {"name": schedule.name, "shift": schedule.shift, "is_main": schedule.is_main,
               "bells": "\n".join(f"{b.number} {b.start:%H:%M}-{b.end:%H:%M}" for b in schedule.bells.all())}
    form = BellScheduleForm(request.POST or None, initial=initial)
    saved = save_form(request, form, lambda data: services.save_bell_schedule(
        actor=request.user, year=schedule.year, schedule=schedule, **data),
        success="Расписание звонков сохранено.", then="timetable:bells")
    if saved:
        return saved
    return render(request, "timetable/bell_edit.html", {"form": form, "schedule": schedule})


@school_view
def special_day_add(request):
    require(permissions.can_manage_bells_and_rooms(request.roles) and request.method == "POST")
    schedules = BellSchedule.objects.filter(school=request.roles.school)
    form = SpecialDayForm(request.POST, prefix="special", schedules=schedules)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.set_special_bell_day(actor=request.user, schedule=data["schedule"], date=data["date"],
                                          note=data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{data['date']:%d.%m.%Y} звонки по расписанию «{data['schedule']}».")
    else:
        messages.error(request, " ".join(error_messages(form)))
    return redirect("timetable:bells")


@school_view
def special_day_remove(request, pk: int):
    require(permissions.can_manage_bells_and_rooms(request.roles))
    if request.method != "POST":
        raise Http404
    day = scoped(SpecialBellDay.objects.filter(school=request.roles.school), pk=pk)
    services.remove_special_bell_day(actor=request.user, day=day)
    messages.success(request, "Особый день звонков удалён.")
    return redirect("timetable:bells")


# --- rooms ----------------------------------------------------------------------------------------------------


@school_view
def rooms(request):
    require(permissions.is_staff(request.roles))
    can_edit = permissions.can_manage_bells_and_rooms(request.roles)
    form = RoomForm(request.POST or None, initial={"is_active": True}) if can_edit else None
    if request.method == "POST":
        require(can_edit)
    saved = save_form(request, form, lambda data: services.save_room(actor=request.user, school=request.roles.school,
                                                                      **data),
                      success=lambda room: f"Кабинет {room.name} добавлен.", then="timetable:rooms")
    if saved:
        return saved
    listing = Room.objects.filter(school=request.roles.school).order_by("name")
    return render(request, "timetable/rooms.html", {"rooms": listing, "form": form, "can_edit": can_edit})


@school_view
def room_edit(request, pk: int):
    require(permissions.can_manage_bells_and_rooms(request.roles))
    room = scoped(Room.objects.filter(school=request.roles.school), pk=pk)
    form = RoomForm(request.POST or None, initial={"name": room.name, "title": room.title,
                                                    "capacity": room.capacity, "is_active": room.is_active})
    saved = save_form(request, form, lambda data: services.save_room(actor=request.user, school=room.school, room=room,
                                                                      **data),
                      success="Кабинет сохранён.", then="timetable:rooms")
    if saved:
        return saved
    return render(request, "timetable/room_edit.html", {"form": form, "room": room})


# --- a class's weekly timetable ----------------------------------------------------------------------------------


def _active_rooms(school):
    return Room.objects.filter(school=school, is_active=True).order_by("name")


def _edit_page(request, *, year, whose: dict, heading: str, self_url: str, view_url: str | None, school):
    """The weekly timetable of a class or a cross-class group on a date, and the form to add a lesson to it."""
    on = min(max(date_param(request), year.start), year.end)
    assignments = TeachingAssignment.objects.filter(year=year, **whose).select_related(
        "group", "subject", "teacher").order_by("group__kind", "group__name", "subject__name")
    form = EntryForm(request.POST or None, assignments=assignments, rooms=_active_rooms(school),
                     initial={"valid_from": on})
    saved = save_form(request, form, lambda data: services.add_entry(actor=request.user, **data),
                      success=lambda change: f"Урок добавлен в расписание с {form.cleaned_data['valid_from']:%d.%m.%Y}; "
                                             f"создано уроков: {change.report.created}.",
                      then=lambda _: self_url + f"?date={form.cleaned_data['valid_from']:%Y-%m-%d}",
                      warnings=lambda change: change.report.warnings)
    if saved:
        return saved
    entry_scope = Q(**{f"assignment__{key}": value for key, value in whose.items()})
    return render(request, "timetable/class_edit.html", {
        "heading": heading, "year": year, "on": on, "form": form, "view_url": view_url,
        "entries": selectors.entries_on(entry_scope, on), "upcoming": selectors.upcoming_entries(entry_scope, on),
    })


@school_view
def class_edit(request, pk: int):
    require(permissions.can_manage_timetable(request.roles))
    school_class = scoped(SchoolClass.objects.filter(school=request.roles.school).select_related("year"), pk=pk)
    return _edit_page(request, year=school_class.year, whose={"group__school_class": school_class},
                      heading=f"Расписание {school_class.name} класса", school=school_class.school,
                      self_url=reverse("timetable:class_edit", args=[pk]),
                      view_url=reverse("timetable:class", args=[pk]))


@school_view
def group_edit(request, pk: int):
    """Cross-class groups (electives, clubs, the extended-day group) have a timetable of their own."""
    require(permissions.can_manage_timetable(request.roles))
    group = scoped(Group.objects.filter(school=request.roles.school, kind=GroupKind.CROSS).select_related("year"),
                   pk=pk)
    return _edit_page(request, year=group.year, whose={"group": group}, heading=f"Расписание: {group.name}",
                      school=group.school, self_url=reverse("timetable:group_edit", args=[pk]), view_url=None)


@school_view
def entry_change(request, pk: int):
    require(permissions.can_manage_timetable(request.roles))
    entry = scoped(TimetableEntry.objects.filter(school=request.roles.school).select_related(
        "assignment__group__school_class", "assignment__subject", "assignment__teacher", "room", "year"), pk=pk)
    initial = {"from_date": max(date_param(request), entry.valid_from), "weekday": entry.weekday,
               "number": entry.number, "room": entry.room_id, "week": entry.week}
    form = EntryChangeForm(request.POST or None, rooms=_active_rooms(entry.school), initial=initial)
    end_form = EntryEndForm(initial={"from_date": initial["from_date"]})
    saved = save_form(request, form, lambda data: services.change_entry(actor=request.user, entry=entry, **data),
                      success=lambda _: f"Расписание изменено с {form.cleaned_data['from_date']:%d.%m.%Y}: прошлые "
                                        f"уроки не тронуты, будущие пересозданы.",
                      then=lambda _: _edit_at(entry.assignment.group, form.cleaned_data["from_date"]),
                      warnings=lambda change: change.report.warnings)
    if saved:
        return saved
    return render(request, "timetable/entry_change.html", {
        "entry": entry, "form": form, "end_form": end_form, "back_url": _edit_url(entry.assignment.group)})


@school_view
def entry_end(request, pk: int):
    require(permissions.can_manage_timetable(request.roles))
    if request.method != "POST":
        raise Http404
    entry = scoped(TimetableEntry.objects.filter(school=request.roles.school).select_related(
        "assignment__group__school_class", "assignment__subject", "assignment__teacher", "room"), pk=pk)
    form = EntryEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error_messages(form)))
        return redirect("timetable:entry_change", pk)
    try:
        change = services.end_entry(actor=request.user, entry=entry, from_date=form.cleaned_data["from_date"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("timetable:entry_change", pk)
    messages.success(request, f"Урок убран из расписания с {form.cleaned_data['from_date']:%d.%m.%Y}; "
                              f"удалено будущих уроков без записей: {change.report.deleted}.")
    for warning in change.report.warnings:
        messages.warning(request, warning)
    return redirect(_edit_at(entry.assignment.group, form.cleaned_data["from_date"]))


def _edit_url(group) -> str:
    if group.school_class_id is not None:
        return reverse("timetable:class_edit", args=[group.school_class_id])
    return reverse("timetable:group_edit", args=[group.pk])


def _edit_at(group, day) -> str:
    return _edit_url(group) + f"?date={day:%Y-%m-%d}"
