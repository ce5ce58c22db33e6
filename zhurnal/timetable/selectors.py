"""Every read the timetable pages need, each in a fixed number of queries whatever the school's size.

Timetable grids are built from the lessons of the dates shown, so they show what really happens: holidays
are empty, substitutions and moved lessons appear as they are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from zhurnal.school.models import AcademicYear, Group, GroupKind, School, SchoolClass, StaffMember

from .calendar import BellTimes, HolidayCalendar, dates_between, monday_of
from .models import WEEKDAY_NAMES, Lesson, Room, Substitution, SubstitutionKind, TimetableEntry

LESSON_RELATED = ("assignment__subject", "assignment__group__school_class", "actual_teacher", "planned_teacher",
                  "room", "substitution__substitute")


def lessons_on(school_id: int, start: dt.date, end: dt.date) -> QuerySet[Lesson]:
    return (Lesson.objects.filter(school_id=school_id, date__gte=start, date__lte=end)
            .select_related(*LESSON_RELATED).order_by("date", "number", "assignment__group__name"))


def shift_of(lesson: Lesson) -> int:
    school_class = lesson.assignment.group.school_class
    return school_class.shift if school_class is not None else 1


def attach_times(lessons: list[Lesson], bells: BellTimes) -> list[Lesson]:
    """Give each lesson ``start`` and ``end`` from the bells of its shift on its date (None when unknown)."""
    for lesson in lessons:
        times = bells.times(lesson.date, shift_of(lesson), lesson.number)
        lesson.start, lesson.end = times if times else (None, None)
    return lessons


def by_time(lesson: Lesson) -> tuple:
    return (lesson.date, lesson.start or dt.time(23, 59), lesson.number, lesson.assignment.group.name)


def week_days(day: dt.date, *, with_sunday: bool = False) -> list[dt.date]:
    monday = monday_of(day)
    return [monday + dt.timedelta(days=i) for i in range(7 if with_sunday else 6)]


@dataclass
class GridRow:
    number: int
    times: tuple[dt.time, dt.time] | None
    cells: list[list[Lesson]]


@dataclass
class TimetableGrid:
    """A timetable of one class, teacher or room over some days: rows are lesson numbers, columns are dates."""

    title: str
    days: list[dt.date]
    rows: list[GridRow]
    holidays: dict[dt.date, str]
    lessons: list[Lesson]
    day_labels: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.lessons


def _grid(title: str, days: list[dt.date], lessons: list[Lesson], bells: BellTimes, holidays: dict[dt.date, str],
          shift: int | None) -> TimetableGrid:
    # Rows from the first lesson to the last one held (at least the usual six); Saturday only when used.
    used = {lesson.number for lesson in lessons}
    numbers = list(range(min(used | {1}), max(used | {6}) + 1))
    if len(days) > 1 and not any(lesson.date.isoweekday() == 6 for lesson in lessons):
        days = [day for day in days if day.isoweekday() != 6]
    index = {day: i for i, day in enumerate(days)}
    cells: dict[int, list[list[Lesson]]] = {n: [[] for _ in days] for n in numbers}
    for lesson in lessons:
        cells[lesson.number][index[lesson.date]].append(lesson)
    rows = [GridRow(number=n, times=bells.weekly(shift, n) if shift else None, cells=cells[n]) for n in numbers]
    return TimetableGrid(title=title, days=days, rows=rows, holidays=holidays, lessons=lessons,
                         day_labels=[WEEKDAY_NAMES[d.isoweekday()] for d in days])


def _holidays(year: AcademicYear | None, days: list[dt.date], grade: int | None) -> dict[dt.date, str]:
    if year is None:
        return {}
    calendar = HolidayCalendar.for_year(year)
    found = {}
    for day in days:
        name = calendar.holiday_for(day, grade) if grade else calendar.is_school_wide_holiday(day)
        if name:
            found[day] = name
    return found


def class_timetable(school_class: SchoolClass, days: list[dt.date]) -> TimetableGrid:
    """Lessons of the class's groups (whole class and subgroups) — four queries."""
    lessons = list(lessons_on(school_class.school_id, days[0], days[-1]).filter(
        assignment__group__school_class=school_class))
    bells = BellTimes.load(school_class.year, days[0], days[-1])
    attach_times(lessons, bells)
    return _grid(f"{school_class.name} класс", days, lessons, bells,
                 _holidays(school_class.year, days, school_class.grade), school_class.shift)


def teacher_timetable(teacher: StaffMember, year: AcademicYear | None, days: list[dt.date]) -> TimetableGrid:
    """Lessons the teacher teaches or was due to teach (a substituted one shows who took it) — four queries."""
    lessons = list(lessons_on(teacher.school_id, days[0], days[-1]).filter(
        Q(actual_teacher=teacher) | Q(planned_teacher=teacher)))
    bells = BellTimes.load(year, days[0], days[-1])
    attach_times(lessons, bells)
    return _grid(teacher.full_name, days, lessons, bells, _holidays(year, days, None), None)


def room_timetable(room: Room, year: AcademicYear | None, days: list[dt.date]) -> TimetableGrid:
    lessons = list(lessons_on(room.school_id, days[0], days[-1]).filter(room=room, cancelled=False))
    bells = BellTimes.load(year, days[0], days[-1])
    attach_times(lessons, bells)
    return _grid(f"Кабинет {room.name}", days, lessons, bells, _holidays(year, days, None), None)


@dataclass
class DayRow:
    label: str
    school_class: SchoolClass | None
    group: Group | None
    cells: list[list[Lesson]]
    holiday: str | None = None


@dataclass
class SchoolDay:
    """The whole school on one date: a row per class (and per cross-class group with lessons)."""

    date: dt.date
    numbers: list[int]
    rows: list[DayRow]
    holiday: str | None
    lesson_count: int


def school_day(school: School, year: AcademicYear, day: dt.date) -> SchoolDay:
    """Five queries for 1 class or 40: classes, lessons, bells, special bell days, holidays."""
    classes = list(SchoolClass.objects.filter(year=year).order_by("grade", "letter"))
    lessons = list(lessons_on(school.pk, day, day))
    bells = BellTimes.load(year, day, day)
    attach_times(lessons, bells)
    holidays = HolidayCalendar.for_year(year)
    used = {lesson.number for lesson in lessons}
    numbers = list(range(min(used | {1}), max(used | {6}) + 1))
    position = {n: i for i, n in enumerate(numbers)}
    by_class: dict[int, list[list[Lesson]]] = {c.pk: [[] for _ in numbers] for c in classes}
    cross: dict[int, tuple[Group, list[list[Lesson]]]] = {}
    for lesson in lessons:
        group = lesson.assignment.group
        if group.school_class_id in by_class:
            by_class[group.school_class_id][position[lesson.number]].append(lesson)
        else:
            cross.setdefault(group.pk, (group, [[] for _ in numbers]))[1][position[lesson.number]].append(lesson)
    rows = [DayRow(label=c.name, school_class=c, group=None, cells=by_class[c.pk],
                   holiday=holidays.holiday_for(day, c.grade)) for c in classes]
    rows += [DayRow(label=g.name, school_class=None, group=g, cells=cells)
             for g, cells in sorted(cross.values(), key=lambda item: item[0].name)]
    return SchoolDay(date=day, numbers=numbers, rows=rows, holiday=holidays.is_school_wide_holiday(day),
                     lesson_count=len(lessons))


@dataclass
class TeacherDay:
    date: dt.date
    lessons: list[Lesson]
    handed_over: list[Lesson]
    holiday: str | None


def teacher_day(teacher: StaffMember, year: AcademicYear | None, day: dt.date) -> TeacherDay:
    """My lessons of the day with their bell times: my own and those I substitute, in time order. Lessons of
    mine that another teacher takes or that are cancelled are listed apart. Four queries."""
    lessons = list(lessons_on(teacher.school_id, day, day).filter(Q(actual_teacher=teacher) | Q(planned_teacher=teacher)))
    bells = BellTimes.load(year, day, day)
    attach_times(lessons, bells)
    lessons.sort(key=by_time)
    mine = [lesson for lesson in lessons if lesson.actual_teacher_id == teacher.pk and not lesson.cancelled]
    handed_over = [lesson for lesson in lessons if lesson not in mine]
    holiday = HolidayCalendar.for_year(year).is_school_wide_holiday(day) if year else None
    return TeacherDay(date=day, lessons=mine, handed_over=handed_over, holiday=holiday)


def lesson_detail(lesson: Lesson) -> Lesson:
    bells = BellTimes.load(lesson.assignment.year, lesson.date, lesson.date)
    attach_times([lesson], bells)
    return lesson


def entries_on(scope: Q, on: dt.date) -> list[TimetableEntry]:
    """The weekly timetable of a class or group valid on a date (what the administrator edits) — one query."""
    return list(
        TimetableEntry.objects.filter(scope, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("assignment__subject", "assignment__teacher", "assignment__group", "room")
        .order_by("weekday", "number", "assignment__group__name")
    )


def upcoming_entries(scope: Q, on: dt.date) -> list[TimetableEntry]:
    """Entries that start after ``on`` (a timetable already planned from a later date)."""
    return list(
        TimetableEntry.objects.filter(scope, valid_from__gt=on)
        .select_related("assignment__subject", "assignment__teacher", "assignment__group", "room")
        .order_by("valid_from", "weekday", "number")
    )


# --- substitutions and the working-time sheet ---------------------------------------------------------------


def substitution_log(school: School, start: dt.date, end: dt.date) -> list[Substitution]:
    """Журнал замещения уроков between two dates — one query."""
    return list(
        Substitution.objects.filter(school=school, date__gte=start, date__lte=end)
        .select_related("lesson__assignment__subject", "lesson__assignment__group", "absent_teacher",
                        "substitute", "created_by")
        .order_by("date", "lesson__number", "lesson__assignment__group__name")
    )


@dataclass
class TimesheetRow:
    teacher: StaffMember
    per_day: list[int]
    substitutions: int
    total: int


@dataclass
class Timesheet:
    """Табель учёта рабочего времени: lessons taught per teacher per day of a month (substitutions included,
    cancelled lessons excluded)."""

    month: dt.date
    days: list[dt.date]
    rows: list[TimesheetRow]
    day_totals: list[int]
    total: int
    substitutions: int
    until: dt.date | None = None

    @property
    def partial(self) -> bool:
        """The month is not over yet: only lessons up to ``until`` are counted."""
        return self.until is not None and self.until < self.days[-1]


def month_days(month: dt.date) -> list[dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return list(dates_between(first, following - dt.timedelta(days=1)))


def timesheet(school: School, month: dt.date, until: dt.date | None = None) -> Timesheet:
    """Two queries: the counts grouped by teacher and date, and the teachers. Lessons after ``until`` (today)
    have not been taught yet and are not counted."""
    days = month_days(month)
    last = min(days[-1], until) if until is not None else days[-1]
    counts = (
        Lesson.objects.filter(school=school, date__gte=days[0], date__lte=last, cancelled=False)
        .values("actual_teacher_id", "date")
        .annotate(lessons=Count("id"),
                  substituted=Count("id", filter=Q(substitution__isnull=False)
                                    & ~Q(substitution__kind=SubstitutionKind.CANCEL)))
        .order_by()
    )
    per_teacher: dict[int, dict[dt.date, int]] = defaultdict(dict)
    subs: dict[int, int] = defaultdict(int)
    for row in counts:
        per_teacher[row["actual_teacher_id"]][row["date"]] = row["lessons"]
        subs[row["actual_teacher_id"]] += row["substituted"]
    teachers = StaffMember.objects.filter(pk__in=list(per_teacher)).order_by("last_name", "first_name", "patronymic")
    rows = []
    for teacher in teachers:
        per_day = [per_teacher[teacher.pk].get(day, 0) for day in days]
        rows.append(TimesheetRow(teacher=teacher, per_day=per_day, substitutions=subs[teacher.pk],
                                 total=sum(per_day)))
    day_totals = [sum(row.per_day[i] for row in rows) for i in range(len(days))]
    return Timesheet(month=days[0], days=days, rows=rows, day_totals=day_totals, total=sum(day_totals),
                     substitutions=sum(subs.values()), until=until)


def free_teachers(school: School, lesson: Lesson, bells: BellTimes) -> tuple[list[StaffMember], set[int]]:
    """Active staff of the school, and the ids of those busy at the lesson's time — two queries."""
    staff = list(StaffMember.objects.filter(school=school, is_active=True).order_by("last_name", "first_name"))
    same_day = Lesson.objects.filter(school=school, date=lesson.date, cancelled=False).exclude(pk=lesson.pk)
    busy: set[int] = set()
    mine = bells.times(lesson.date, shift_of(lesson), lesson.number)
    for other_id, number, class_shift in same_day.values_list("actual_teacher_id", "number",
                                                              "assignment__group__school_class__shift"):
        theirs = bells.times(lesson.date, class_shift or 1, number)
        if (mine and theirs and mine[0] < theirs[1] and theirs[0] < mine[1]) or (
                (not mine or not theirs) and number == lesson.number):
            busy.add(other_id)
    return staff, busy


def groups_kind_label(group: Group) -> str:
    return "" if group.kind == GroupKind.CLASS else group.name
