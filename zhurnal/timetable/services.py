"""Every write of the timetable: rooms, bells, weekly entries, lessons, substitutions.

A change of the weekly timetable from a date regenerates the lessons from that date in the same
transaction, never deleting a lesson that holds data (``lesson_data``): such lessons are kept and reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from zhurnal.accounts.models import User
from zhurnal.audit.services import record
from zhurnal.audit.verbs import Verb
from zhurnal.school.models import AcademicYear, School, StaffMember, TeachingAssignment
from zhurnal.school.services import name_taken

from . import queries
from .calendar import (
    BellTimes,
    HolidayCalendar,
    dates_between,
    grade_of_group,
    parity_matches,
    week_parity,
)
from .conflicts import (
    ENTRY_RELATED,
    LESSON_RELATED,
    Slot,
    find_conflicts,
    same_time,
    slot_of_assignment,
    slot_of_entry,
    slot_of_lesson,
)
from .lesson_data import lesson_has_data, lessons_with_data
from .models import (
    MAX_LESSON_NUMBER,
    WEEKDAY_NAMES,
    Bell,
    BellSchedule,
    Lesson,
    LessonKind,
    Room,
    SpecialBellDay,
    Substitution,
    SubstitutionKind,
    TimetableEntry,
    WeekParity,
)

# --- rooms -----------------------------------------------------------------------------------------------


@transaction.atomic
def save_room(*, actor: User | None, school: School, name: str, title: str = "", capacity: int | None = None,
              is_active: bool = True, room: Room | None = None) -> Room:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Укажите номер или название кабинета."})
    if len(name) > 40:
        raise ValidationError({"name": "Номер кабинета — не длиннее 40 символов."})
    if capacity is not None and not 0 < capacity <= 1000:
        raise ValidationError({"capacity": "Число мест — от 1 до 1000."})
    if name_taken(Room.objects.filter(school=school), name, excluding=room):
        raise ValidationError({"name": f"Кабинет «{name}» уже есть."})
    is_new = room is None
    room = room or Room(school=school)
    before = None if is_new else {"name": room.name, "title": room.title, "capacity": room.capacity,
                                  "is_active": room.is_active}
    room.name, room.title, room.capacity, room.is_active = name, title.strip(), capacity, is_active
    room.save()
    record(actor=actor, verb=Verb.ROOM_CREATE if is_new else Verb.ROOM_UPDATE, target=room, before=before,
           after={"name": name, "title": room.title, "capacity": capacity, "is_active": is_active})
    return room


# --- bells -----------------------------------------------------------------------------------------------


def parse_bells(text: str) -> list[tuple[int, dt.time, dt.time]]:
    """Lines «1 08:30-09:15» or «08:30–09:15» (numbered in order) → [(number, start, end)], in Russian errors."""
    bells: list[tuple[int, dt.time, dt.time]] = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().replace("—", "-").replace("–", "-")
        if not line:
            continue
        parts = line.replace("-", " ").split()
        number = len(bells) + 1
        if len(parts) == 3:
            if not parts[0].rstrip(".").isdigit():
                raise ValidationError({"bells": f"Строка {line_no}: «{raw.strip()}» — ожидается «1 08:30-09:15»."})
            number = int(parts[0].rstrip("."))
            parts = parts[1:]
        if len(parts) != 2:
            raise ValidationError({"bells": f"Строка {line_no}: «{raw.strip()}» — ожидается «1 08:30-09:15»."})
        try:
            start, end = (dt.datetime.strptime(p.replace(".", ":"), "%H:%M").time() for p in parts)  # noqa: DTZ007
        except ValueError:
            raise ValidationError({"bells": f"Строка {line_no}: время «{raw.strip()}» не распознано "
                                            f"(пример: 08:30-09:15)."}) from None
        if start >= end:
            raise ValidationError({"bells": f"Строка {line_no}: урок заканчивается раньше, чем начинается."})
        if number > MAX_LESSON_NUMBER:
            raise ValidationError({"bells": f"Строка {line_no}: номер урока не больше {MAX_LESSON_NUMBER}."})
        if bells and (number <= bells[-1][0] or start < bells[-1][2]):
            raise ValidationError({"bells": f"Строка {line_no}: уроки должны идти по порядку и не пересекаться."})
        bells.append((number, start, end))
    if not bells:
        raise ValidationError({"bells": "Укажите хотя бы один урок, например «1 08:30-09:15»."})
    return bells


@transaction.atomic
def save_bell_schedule(*, actor: User | None, year: AcademicYear, name: str, shift: int, is_main: bool,
                       bells: list[tuple[int, dt.time, dt.time]] | str,
                       schedule: BellSchedule | None = None) -> BellSchedule:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Укажите название расписания звонков."})
    if shift not in (1, 2):
        raise ValidationError({"shift": "Смена — первая или вторая."})
    if isinstance(bells, str):
        bells = parse_bells(bells)
    if name_taken(BellSchedule.objects.filter(year=year), name, excluding=schedule):
        raise ValidationError({"name": f"Расписание звонков «{name}» уже есть."})
    if is_main:
        # The previous main schedule of the shift becomes an ordinary one.
        mains = BellSchedule.objects.filter(year=year, shift=shift, is_main=True)
        if schedule is not None:
            mains = mains.exclude(pk=schedule.pk)
        mains.update(is_main=False)
    is_new = schedule is None
    schedule = schedule or BellSchedule(school=year.school, year=year)
    before = None if is_new else {"name": schedule.name, "shift": schedule.shift, "is_main": schedule.is_main,
                                  "bells": _bells_text(schedule)}
    schedule.name, schedule.shift, schedule.is_main = name, shift, is_main
    schedule.save()
    schedule.bells.all().delete()
    Bell.objects.bulk_create([Bell(school=year.school, schedule=schedule, number=n, start=s, end=e)
                              for n, s, e in bells])
    record(actor=actor, verb=Verb.BELLS_CREATE if is_new else Verb.BELLS_UPDATE, target=schedule, before=before,
           after={"name": name, "shift": shift, "is_main": is_main, "bells": _bells_text(schedule)})
    return schedule


def _bells_text(schedule: BellSchedule) -> list[str]:
    return [f"{b.number} {b.start:%H:%M}-{b.end:%H:%M}" for b in schedule.bells.order_by("number")]


@transaction.atomic
def set_special_bell_day(*, actor: User | None, schedule: BellSchedule, date: dt.date, note: str = "") -> SpecialBellDay:
    """On ``date`` the schedule's shift rings by ``schedule`` (a shortened day)."""
    year = schedule.year
    if not year.start <= date <= year.end:
        raise ValidationError({"date": f"Дата {date:%d.%m.%Y} вне учебного года {year}."})
    day, created = SpecialBellDay.objects.update_or_create(
        school=schedule.school, date=date, shift=schedule.shift,
        defaults={"schedule": schedule, "note": note.strip()},
    )
    record(actor=actor, verb=Verb.BELLS_SPECIAL_DAY, target=day,
           after={"date": str(date), "schedule": schedule.name, "note": note, "created": created})
    return day


@transaction.atomic
def remove_special_bell_day(*, actor: User, day: SpecialBellDay) -> None:
    record(actor=actor, verb=Verb.BELLS_SPECIAL_DAY_REMOVE, target=day,
           before={"date": str(day.date), "schedule": day.schedule_id})
    day.delete()


# --- the weekly timetable ----------------------------------------------------------------------------------


@dataclass
class RegenerationReport:
    """What a regeneration did. ``kept`` are lessons no longer in the timetable that hold data."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept: list[Lesson] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def merge(self, other: RegenerationReport) -> RegenerationReport:
        self.created += other.created
        self.updated += other.updated
        self.deleted += other.deleted
        self.kept += other.kept
        self.skipped += other.skipped
        return self

    @property
    def kept_messages(self) -> list[str]:
        return [f"{lesson.date:%d.%m.%Y}, {lesson.number}-й урок: {lesson.assignment.group.name}, "
                f"{lesson.assignment.subject.name} — "
                + ("урок перенесён, запись о переносе сохранена" if lesson.cancelled and not lesson_has_data(lesson)
                   else "на уроке есть записи, урок сохранён")
                for lesson in self.kept]

    @property
    def warnings(self) -> list[str]:
        """What a page says after a change: the lessons kept, then what could not be made."""
        return self.kept_messages + self.skipped


@dataclass
class EntryChange:
    entry: TimetableEntry | None
    report: RegenerationReport


def _check_entry_fields(*, year: AcademicYear, assignment: TeachingAssignment, weekday: int, number: int,
                        room: Room | None, week: int, valid_from: dt.date, valid_to: dt.date | None) -> None:
    if assignment.year_id != year.pk or assignment.school_id != year.school_id:
        raise ValidationError({"assignment": "Нагрузка относится к другому учебному году или школе."})
    if weekday not in WEEKDAY_NAMES:
        raise ValidationError({"weekday": "День недели — от понедельника до воскресенья."})
    if not 0 <= number <= MAX_LESSON_NUMBER:
        raise ValidationError({"number": f"Номер урока — от 0 до {MAX_LESSON_NUMBER}."})
    if week not in WeekParity.values:
        raise ValidationError({"week": "Неделя: каждая, 1-я или 2-я."})
    if room is not None and room.school_id != year.school_id:
        raise ValidationError({"room": "Кабинет другой школы."})
    if room is not None and not room.is_active:
        raise ValidationError({"room": f"Кабинет {room} не используется."})
    if not year.start <= valid_from <= year.end:
        raise ValidationError({"valid_from": f"Дата начала действия вне учебного года {year} "
                                             f"({year.start:%d.%m.%Y}–{year.end:%d.%m.%Y})."})
    if valid_to is not None and not valid_from <= valid_to <= year.end:
        raise ValidationError({"valid_to": "Дата окончания действия должна быть не раньше начала и внутри "
                                           "учебного года."})


def _existing_slots(year: AcademicYear, *, weekdays: set[int], exclude: frozenset[int] | set[int] = frozenset(),
                    from_date: dt.date | None = None) -> list[Slot]:
    entries = TimetableEntry.objects.filter(year=year, weekday__in=weekdays).exclude(pk__in=exclude)
    if from_date is not None:
        entries = entries.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=from_date))
    return [slot_of_entry(e) for e in entries.select_related(*ENTRY_RELATED)]


def _refuse_conflicts(slot: Slot, year: AcademicYear, exclude: frozenset[int] | set[int] = frozenset()) -> None:
    bells = BellTimes.load(year)
    problems = find_conflicts([slot], _existing_slots(year, weekdays={slot.weekday}, exclude=exclude), bells)
    if problems:
        raise ValidationError({"number": problems[slot.key]})


@transaction.atomic
def add_entry(*, actor: User, assignment: TeachingAssignment, weekday: int, number: int, room: Room | None = None,
              week: int = WeekParity.EVERY, valid_from: dt.date, valid_to: dt.date | None = None) -> EntryChange:
    """A new weekly lesson from ``valid_from``; refused when a teacher, room or group would be in two places."""
    year = assignment.year
    _check_entry_fields(year=year, assignment=assignment, weekday=weekday, number=number, room=room, week=week,
                        valid_from=valid_from, valid_to=valid_to)
    slot = slot_of_assignment(assignment, key="new", weekday=weekday, number=number, week=week,
                              valid_from=valid_from, valid_to=valid_to, room=room)
    _refuse_conflicts(slot, year)
    entry = TimetableEntry.objects.create(
        school=year.school, year=year, assignment=assignment, weekday=weekday, number=number, room=room,
        week=week, valid_from=valid_from, valid_to=valid_to,
    )
    record(actor=actor, verb=Verb.TIMETABLE_ADD, target=entry, after=_entry_snapshot(entry))
    report = regenerate_lessons(actor=actor, year=year, start=valid_from, assignment_ids={assignment.pk})
    return EntryChange(entry=entry, report=report)


@transaction.atomic
def change_entry(*, actor: User, entry: TimetableEntry, from_date: dt.date, weekday: int, number: int,
                 room: Room | None, week: int | None = None,
                 assignment: TeachingAssignment | None = None) -> EntryChange:
    """Change a weekly lesson from ``from_date`` on; what was before that date stays as it was."""
    year = entry.year
    assignment = assignment or entry.assignment
    week = entry.week if week is None else week
    valid_to = entry.valid_to
    if valid_to is not None and from_date > valid_to:
        raise ValidationError({"from_date": f"Этот урок в расписании действует только по {valid_to:%d.%m.%Y}."})
    from_date = max(from_date, entry.valid_from)
    _check_entry_fields(year=year, assignment=assignment, weekday=weekday, number=number, room=room, week=week,
                        valid_from=from_date, valid_to=valid_to)
    slot = slot_of_assignment(assignment, key="new", weekday=weekday, number=number, week=week,
                              valid_from=from_date, valid_to=valid_to, room=room)
    _refuse_conflicts(slot, year, exclude={entry.pk})
    before = _entry_snapshot(entry)
    old_assignment_id = entry.assignment_id
    if from_date <= entry.valid_from:
        entry.assignment, entry.weekday, entry.number, entry.room, entry.week = (
            assignment, weekday, number, room, week)
        entry.save()
        new_entry = entry
    else:
        entry.valid_to = from_date - dt.timedelta(days=1)
        entry.save(update_fields=["valid_to"])
        new_entry = TimetableEntry.objects.create(
            school=year.school, year=year, assignment=assignment, weekday=weekday, number=number, room=room,
            week=week, valid_from=from_date, valid_to=valid_to,
        )
    record(actor=actor, verb=Verb.TIMETABLE_CHANGE, target=new_entry, before=before,
           after={**_entry_snapshot(new_entry), "from": str(from_date)})
    report = regenerate_lessons(actor=actor, year=year, start=from_date,
                                assignment_ids={old_assignment_id, assignment.pk})
    return EntryChange(entry=new_entry, report=report)


@transaction.atomic
def end_entry(*, actor: User, entry: TimetableEntry, from_date: dt.date) -> EntryChange:
    """The weekly lesson no longer happens from ``from_date`` (removed altogether when that is its first day)."""
    year = entry.year
    if entry.valid_to is not None and from_date > entry.valid_to:
        raise ValidationError({"from_date": f"Этот урок в расписании и так действует только по "
                                            f"{entry.valid_to:%d.%m.%Y}."})
    before = _entry_snapshot(entry)
    assignment_id = entry.assignment_id
    start = max(from_date, entry.valid_from)
    if from_date <= entry.valid_from:
        record(actor=actor, verb=Verb.TIMETABLE_REMOVE, target=entry, before=before)
        entry.delete()
        remaining = None
    else:
        entry.valid_to = from_date - dt.timedelta(days=1)
        entry.save(update_fields=["valid_to"])
        record(actor=actor, verb=Verb.TIMETABLE_END, target=entry, before=before, after=_entry_snapshot(entry))
        remaining = entry
    report = regenerate_lessons(actor=actor, year=year, start=start, assignment_ids={assignment_id})
    return EntryChange(entry=remaining, report=report)


@dataclass
class NewEntry:
    """One row of a timetable being put in place at once (an import)."""

    assignment: TeachingAssignment
    weekday: int
    number: int
    room: Room | None = None
    week: int = WeekParity.EVERY
    key: Any = None


def check_timetable_rows(*, year: AcademicYear, rows: list[NewEntry], valid_from: dt.date) -> dict[Any, list[str]]:
    """Every row's problems, and conflicts between the rows, of a timetable that would start on ``valid_from``.
    Writes nothing; rooms not yet created may carry negative ids."""
    errors: dict[Any, list[str]] = {}
    slots = []
    for index, row in enumerate(rows):
        key = row.key if row.key is not None else index
        try:
            _check_entry_fields(year=year, assignment=row.assignment, weekday=row.weekday, number=row.number,
                                room=row.room, week=row.week, valid_from=valid_from, valid_to=None)
        except ValidationError as error:
            errors.setdefault(key, []).extend(error.messages)
            continue
        slots.append(slot_of_assignment(row.assignment, key=key, weekday=row.weekday, number=row.number,
                                        week=row.week, valid_from=valid_from, valid_to=None, room=row.room))
    for key, messages in find_conflicts(slots, [], BellTimes.load(year)).items():
        errors.setdefault(key, []).extend(messages)
    return errors


@transaction.atomic
def replace_timetable(*, actor: User | None, year: AcademicYear, rows: list[NewEntry], valid_from: dt.date,
                      source: str = "") -> RegenerationReport:
    """Put a whole timetable in place from ``valid_from``: every entry active then ends the day before (or goes,
    if it had not started), the new rows start, and lessons from that date are regenerated. All or nothing:
    a conflict in any row refuses the whole timetable with every row's problem."""
    if not year.start <= valid_from <= year.end:
        raise ValidationError({"valid_from": f"Дата начала действия вне учебного года {year}."})
    errors = check_timetable_rows(year=year, rows=rows, valid_from=valid_from)
    if errors:
        raise TimetableRowsError(errors)
    current = TimetableEntry.objects.filter(year=year).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    ended = current.filter(valid_from__lt=valid_from).update(valid_to=valid_from - dt.timedelta(days=1))
    removed, _ = current.filter(valid_from__gte=valid_from).delete()
    TimetableEntry.objects.bulk_create([
        TimetableEntry(school=year.school, year=year, assignment=row.assignment, weekday=row.weekday,
                       number=row.number, room=row.room, week=row.week, valid_from=valid_from)
        for row in rows
    ])
    record(actor=actor, verb=Verb.TIMETABLE_REPLACE, target=year, school=year.school,
           after={"from": str(valid_from), "entries": len(rows), "ended": ended, "removed": removed,
                  "source": source})
    return regenerate_lessons(actor=actor, year=year, start=valid_from)


class TimetableRowsError(ValidationError):
    """Per-row problems of a timetable put in place at once: ``row_errors[key] = [messages]``."""

    def __init__(self, row_errors: dict[Any, list[str]]):
        self.row_errors = row_errors
        super().__init__([f"{key}: {m}" for key, messages in row_errors.items() for m in messages])


def _entry_snapshot(entry: TimetableEntry) -> dict:
    return {"assignment": entry.assignment_id, "weekday": entry.weekday, "number": entry.number,
            "room": entry.room_id, "week": entry.week, "valid_from": str(entry.valid_from),
            "valid_to": str(entry.valid_to) if entry.valid_to else None}


# --- lessons from the timetable ------------------------------------------------------------------------------


def planned_lessons(year: AcademicYear, start: dt.date, end: dt.date,
                    assignment_ids: set[int] | None = None) -> dict[tuple[int, dt.date, int], TimetableEntry]:
    """What the timetable says should happen between two dates, keyed by (assignment, date, number).
    Holidays and vacations of the lesson's grade produce nothing. Two queries."""
    entries = TimetableEntry.objects.filter(year=year, valid_from__lte=end).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=start)).select_related(
        "assignment__group__school_class")
    if assignment_ids is not None:
        entries = entries.filter(assignment_id__in=assignment_ids)
    by_weekday: dict[int, list[TimetableEntry]] = {}
    for entry in entries:
        by_weekday.setdefault(entry.weekday, []).append(entry)
    holidays = HolidayCalendar.for_year(year)
    planned: dict[tuple[int, dt.date, int], TimetableEntry] = {}
    for day in dates_between(max(start, year.start), min(end, year.end)):
        todays = by_weekday.get(day.isoweekday())
        if not todays:
            continue
        parity = week_parity(year, day)
        for entry in todays:
            if entry.valid_from > day or (entry.valid_to is not None and entry.valid_to < day):
                continue
            if not parity_matches(entry.week, parity):
                continue
            if holidays.holiday_for(day, grade_of_group(entry.assignment.group)):
                continue
            planned[(entry.assignment_id, day, entry.number)] = entry
    return planned


def regenerate_lessons(*, actor: User | None, year: AcademicYear, start: dt.date, end: dt.date | None = None,
                       assignment_ids: set[int] | None = None) -> RegenerationReport:
    """Make the lessons between ``start`` and ``end`` (the year's end by default) match the timetable.

    Lessons that match stay (their room and planned teacher follow the timetable); missing ones are created;
    lessons no longer in the timetable are deleted unless they hold data — those are kept and reported.
    Ad-hoc lessons (extra, moved) are never touched. Called inside the service that changed the timetable.
    """
    start = max(start, year.start)
    end = min(end or year.end, year.end)
    report = RegenerationReport()
    if start > end:
        return report
    planned = planned_lessons(year, start, end, assignment_ids)
    teachers = dict(TeachingAssignment.objects.filter(
        pk__in={key[0] for key in planned}).values_list("pk", "teacher_id"))
    existing = Lesson.objects.filter(school=year.school, date__gte=start, date__lte=end)
    if assignment_ids is not None:
        existing = existing.filter(assignment_id__in=assignment_ids)
    substituted = set(Substitution.objects.filter(lesson__in=existing).values_list("lesson_id", flat=True))
    to_update: list[Lesson] = []
    orphans: list[int] = []
    taken: set[tuple[int, dt.date, int]] = set()
    for lesson in existing.only("id", "assignment_id", "date", "number", "kind", "entry_id", "room_id",
                                "planned_teacher_id", "actual_teacher_id", "cancelled"):
        key = (lesson.assignment_id, lesson.date, lesson.number)
        taken.add(key)
        if lesson.kind != LessonKind.REGULAR:
            if key in planned:
                report.skipped.append(f"{lesson.date:%d.%m.%Y}, {lesson.number}-й урок: на это время уже "
                                      f"стоит дополнительный или перенесённый урок")
            continue
        entry = planned.get(key)
        if entry is None:
            orphans.append(lesson.pk)
            continue
        teacher_id = teachers[lesson.assignment_id]
        changed = False
        if lesson.entry_id != entry.pk or lesson.room_id != entry.room_id or lesson.planned_teacher_id != teacher_id:
            lesson.entry_id, lesson.room_id, lesson.planned_teacher_id = entry.pk, entry.room_id, teacher_id
            changed = True
        # A substituted lesson keeps its substitute; a cancelled one (moved elsewhere) stays cancelled.
        if lesson.pk not in substituted and not lesson.cancelled and lesson.actual_teacher_id != teacher_id:
            lesson.actual_teacher_id = teacher_id
            changed = True
        if changed:
            to_update.append(lesson)
    if to_update:
        Lesson.objects.bulk_update(to_update, ["entry", "room", "planned_teacher", "actual_teacher"], batch_size=500)
        report.updated = len(to_update)
    if orphans:
        keep: set[int] = set()
        for chunk in queries.chunks(orphans, 500):
            chunk_qs = Lesson.objects.filter(pk__in=chunk)
            keep |= set(lessons_with_data(chunk_qs).values_list("pk", flat=True))
            keep |= set(chunk_qs.filter(cancelled=True).values_list("pk", flat=True))
        doomed = [pk for pk in orphans if pk not in keep]
        for chunk in queries.chunks(doomed, 500):
            Lesson.objects.filter(pk__in=chunk).delete()
        report.deleted = len(doomed)
        if keep:
            report.kept = list(Lesson.objects.filter(pk__in=keep).select_related(
                "assignment__group", "assignment__subject").order_by("date", "number"))
    report.created = queries.insert_lessons(year.school_id, [
        (day, number, assignment_id, entry.pk, entry.room_id, teachers[assignment_id])
        for (assignment_id, day, number), entry in planned.items()
        if (assignment_id, day, number) not in taken
    ])
    if report.created or report.updated or report.deleted or report.kept:
        record(actor=actor, verb=Verb.LESSONS_REGENERATE, target=year, school=year.school,
               after={"from": str(start), "to": str(end), "created": report.created, "updated": report.updated,
                      "deleted": report.deleted, "kept": [lesson.pk for lesson in report.kept]})
    return report


# --- ad-hoc lessons ---------------------------------------------------------------------------------------------


def _lesson_slot_conflicts(slot: Slot, day: dt.date, school: School, year: AcademicYear,
                           exclude: frozenset[int] | set[int] = frozenset()) -> list[str]:
    others = Lesson.objects.filter(school=school, date=day, cancelled=False).exclude(pk__in=exclude).select_related(
        *LESSON_RELATED)
    bells = BellTimes.load(year, day, day)
    problems = find_conflicts([slot], [slot_of_lesson(o) for o in others], bells)
    return problems.get(slot.key, [])


def _check_lesson_day(year: AcademicYear, assignment: TeachingAssignment, day: dt.date, number: int) -> None:
    if not year.start <= day <= year.end:
        raise ValidationError({"date": f"Дата {day:%d.%m.%Y} вне учебного года {year}."})
    if not 0 <= number <= MAX_LESSON_NUMBER:
        raise ValidationError({"number": f"Номер урока — от 0 до {MAX_LESSON_NUMBER}."})
    holiday = HolidayCalendar.for_year(year).holiday_for(day, grade_of_group(assignment.group))
    if holiday:
        raise ValidationError({"date": f"{day:%d.%m.%Y} — {holiday}, уроков нет."})
    if Lesson.objects.filter(assignment=assignment, date=day, number=number).exists():
        raise ValidationError({"number": f"У этой группы по этому предмету уже есть {number}-й урок "
                                         f"{day:%d.%m.%Y}."})


@transaction.atomic
def add_lesson(*, actor: User, assignment: TeachingAssignment, date: dt.date, number: int, room: Room | None = None,
               note: str = "") -> Lesson:
    """An extra lesson outside the weekly timetable (добавочный урок, консультация)."""
    year = assignment.year
    _check_lesson_day(year, assignment, date, number)
    if room is not None and room.school_id != assignment.school_id:
        raise ValidationError({"room": "Кабинет другой школы."})
    slot = slot_of_assignment(assignment, key="new", weekday=date.isoweekday(), number=number,
                              week=WeekParity.EVERY, valid_from=date, valid_to=date, room=room, date=date)
    problems = _lesson_slot_conflicts(slot, date, assignment.school, year)
    if problems:
        raise ValidationError({"number": problems})
    lesson = Lesson.objects.create(
        school=assignment.school, date=date, number=number, assignment=assignment, room=room,
        planned_teacher=assignment.teacher, actual_teacher=assignment.teacher, kind=LessonKind.EXTRA,
        note=note.strip(), created_by=actor if getattr(actor, "pk", None) else None,
    )
    record(actor=actor, verb=Verb.LESSON_ADD, target=lesson,
           after={"assignment": assignment.pk, "date": str(date), "number": number, "note": note})
    return lesson


@transaction.atomic
def move_lesson(*, actor: User, lesson: Lesson, date: dt.date, number: int, room: Room | None = None,
                note: str = "") -> Lesson:
    """Move a lesson to another date or time: the original is cancelled, a moved lesson takes its place."""
    lesson = Lesson.objects.select_for_update(of=("self",)).select_related("assignment__group__school_class",
                                                                "assignment__subject").get(pk=lesson.pk)
    if lesson.cancelled:
        raise ValidationError({"date": "Урок уже отменён или перенесён."})
    if lessons_with_data(Lesson.objects.filter(pk=lesson.pk)).exists():
        raise ValidationError({"date": "На уроке уже есть записи (тема, отметки, посещаемость или замещение) — "
                                       "перенести его нельзя."})
    if (date, number) == (lesson.date, lesson.number):
        raise ValidationError({"date": "Укажите другую дату или другой номер урока."})
    assignment = lesson.assignment
    year = assignment.year
    _check_lesson_day(year, assignment, date, number)
    room = room if room is not None else lesson.room
    slot = slot_of_assignment(assignment, key="new", weekday=date.isoweekday(), number=number,
                              week=WeekParity.EVERY, valid_from=date, valid_to=date, room=room, date=date)
    problems = _lesson_slot_conflicts(slot, date, lesson.school, year, exclude={lesson.pk})
    if problems:
        raise ValidationError({"number": problems})
    moved = Lesson.objects.create(
        school=lesson.school, date=date, number=number, assignment=assignment, room=room,
        planned_teacher=lesson.planned_teacher, actual_teacher=lesson.planned_teacher, kind=LessonKind.MOVED,
        moved_from=lesson, note=note.strip() or f"перенесён с {lesson.date:%d.%m.%Y}, {lesson.number}-й урок",
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    lesson.cancelled = True
    lesson.note = f"перенесён на {date:%d.%m.%Y}, {number}-й урок"
    lesson.save(update_fields=["cancelled", "note", "updated_at"])
    record(actor=actor, verb=Verb.LESSON_MOVE, target=lesson,
           before={"date": str(lesson.date), "number": lesson.number},
           after={"date": str(date), "number": number, "moved_lesson": moved.pk})
    return moved


@transaction.atomic
def remove_lesson(*, actor: User, lesson: Lesson) -> None:
    """Remove an ad-hoc lesson that holds no data (a moved lesson's original comes back)."""
    if lesson.kind == LessonKind.REGULAR:
        raise ValidationError({"lesson": "Урок по расписанию убирается изменением расписания или отменой "
                                         "через замещение."})
    if lessons_with_data(Lesson.objects.filter(pk=lesson.pk)).exists():
        raise ValidationError({"lesson": "На уроке уже есть записи — удалить его нельзя."})
    if lesson.moved_from_id:
        Lesson.objects.filter(pk=lesson.moved_from_id).update(cancelled=False, note="")
    record(actor=actor, verb=Verb.LESSON_REMOVE, target=lesson,
           before={"assignment": lesson.assignment_id, "date": str(lesson.date), "number": lesson.number,
                   "kind": lesson.kind})
    lesson.delete()


# --- substitutions ------------------------------------------------------------------------------------------------


SUBSTITUTION_REASONS = ["болезнь", "курсы повышения квалификации", "командировка", "учебный отпуск",
                        "административный отпуск", "семейные обстоятельства", "вакансия"]


@transaction.atomic
def record_substitution(*, actor: User | None, lesson: Lesson, kind: str, reason: str,
                        substitute: StaffMember | None = None, note: str = "") -> Substitution:
    """The deputy records who took a lesson, or that it was merged with another teacher's lesson or cancelled.

    The lesson's ``actual_teacher`` becomes the substitute, who may then fill its journal. Recording again
    replaces the earlier record for the lesson.
    """
    lesson = Lesson.objects.select_for_update(of=("self",)).select_related(
        "assignment__group__school_class", "assignment__subject", "assignment__year", "planned_teacher",
        "room").get(pk=lesson.pk)
    reason = reason.strip()
    if kind not in SubstitutionKind.values:
        raise ValidationError({"kind": "Выберите вид замещения: замена, объединение или отмена урока."})
    if not reason:
        raise ValidationError({"reason": "Укажите причину (например, болезнь, курсы, командировка)."})
    existing = Substitution.objects.filter(lesson=lesson).first()
    if existing is None and lesson.cancelled:
        raise ValidationError({"lesson": "Урок перенесён — замещение для него не записывается."})
    merged_with = None
    if kind == SubstitutionKind.CANCEL:
        substitute = None
        if lessons_with_data(Lesson.objects.filter(pk=lesson.pk), include_substitution=False).exists():
            raise ValidationError({"kind": "На уроке уже есть записи (тема, отметки или посещаемость) — "
                                           "отменить его нельзя."})
    else:
        if substitute is None:
            raise ValidationError({"substitute": "Выберите заменяющего учителя."})
        if substitute.school_id != lesson.school_id or not substitute.is_active:
            raise ValidationError({"substitute": "Заменяющий учитель должен работать в этой школе."})
        if substitute.pk == lesson.planned_teacher_id:
            raise ValidationError({"substitute": "Заменяющий учитель совпадает с учителем по расписанию."})
        busy = _teacher_lesson_at(substitute, lesson)
        if kind == SubstitutionKind.REPLACE and busy is not None:
            raise ValidationError({"substitute": f"{substitute.short_name} в это время ведёт урок: "
                                                 f"{busy.assignment.group.name}, {busy.assignment.subject.name}. "
                                                 f"Выберите другого учителя или «объединение групп»."})
        if kind == SubstitutionKind.MERGE:
            if busy is None:
                raise ValidationError({"substitute": f"У {substitute.short_name} нет урока в это время — "
                                                     f"объединять не с чем; выберите «замена учителя»."})
            merged_with = busy
    before = None
    if existing is not None:
        before = {"kind": existing.kind, "substitute": existing.substitute_id, "reason": existing.reason}
        substitution = existing
    else:
        substitution = Substitution(school=lesson.school, lesson=lesson, date=lesson.date,
                                    absent_teacher=lesson.planned_teacher,
                                    created_by=actor if getattr(actor, "pk", None) else None)
    substitution.kind, substitution.substitute, substitution.merged_with = kind, substitute, merged_with
    substitution.reason, substitution.note = reason, note.strip()
    substitution.save()
    lesson.actual_teacher = substitute or lesson.planned_teacher
    lesson.cancelled = kind == SubstitutionKind.CANCEL
    lesson.save(update_fields=["actual_teacher", "cancelled", "updated_at"])
    record(actor=actor, verb=Verb.SUBSTITUTION_RECORD, target=substitution, before=before,
           after={"lesson": lesson.pk, "date": str(lesson.date), "kind": kind,
                  "absent": lesson.planned_teacher_id, "substitute": getattr(substitute, "pk", None),
                  "reason": reason})
    return substitution


def _teacher_lesson_at(teacher: StaffMember, lesson: Lesson) -> Lesson | None:
    """The teacher's own (not cancelled) lesson overlapping ``lesson`` in time, if any."""
    year = lesson.assignment.year
    candidates = Lesson.objects.filter(school=lesson.school, date=lesson.date, actual_teacher=teacher,
                                       cancelled=False).exclude(pk=lesson.pk).select_related(*LESSON_RELATED)
    me = slot_of_lesson(lesson)
    bells = BellTimes.load(year, lesson.date, lesson.date)
    return next((other for other in candidates if same_time(me, slot_of_lesson(other), bells)), None)


@transaction.atomic
def remove_substitution(*, actor: User, substitution: Substitution) -> Lesson:
    """Undo a substitution: the planned teacher is again the one who taught."""
    lesson = substitution.lesson
    record(actor=actor, verb=Verb.SUBSTITUTION_REMOVE, target=substitution,
           before={"lesson": lesson.pk, "kind": substitution.kind, "substitute": substitution.substitute_id,
                   "reason": substitution.reason})
    substitution.delete()
    lesson.actual_teacher = lesson.planned_teacher
    lesson.cancelled = False
    lesson.save(update_fields=["actual_teacher", "cancelled", "updated_at"])
    return lesson
