"""The demo school's timetable: bells, rooms, a conflict-free week for every class, lessons, substitutions.

``build_demo_timetable`` takes a school whose classes, subgroups and teaching assignments (with weekly hours)
already exist and puts a timetable in place through the services: ``replace_timetable`` checks every
conflict and makes the year's lessons in bulk; substitutions go through ``record_substitution``.

The week is made by a small randomised greedy scheduler: each class's lessons fill its days from the first
lesson on, evenly over five days; two subgroups of a class learn a split subject at the same time in
different rooms; a teacher is never in two places. Clubs, electives and the extended-day group come after
the last lesson.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from zhurnal.accounts.models import User
from zhurnal.school.models import AcademicYear, GroupKind, School, StaffMember, TeachingAssignment

from . import services
from .calendar import BellTimes
from .models import Lesson, Room, Substitution, SubstitutionKind
from .selectors import free_teachers
from .services import NewEntry

DAYS = (1, 2, 3, 4, 5)
LAST_LESSON = 7
FIRST_SHIFT = ("1 08:30-09:15\n2 09:25-10:10\n3 10:25-11:10\n4 11:25-12:10\n5 12:20-13:05\n6 13:15-14:00\n"
               "7 14:10-14:55\n8 15:15-16:00\n9 16:10-16:55\n10 17:05-17:50")
SECOND_SHIFT = "1 14:00-14:45\n2 14:55-15:40\n3 15:55-16:40\n4 16:55-17:40\n5 17:50-18:35\n6 18:45-19:30"
SHORT_DAY = ("1 08:30-09:00\n2 09:10-09:40\n3 09:50-10:20\n4 10:30-11:00\n5 11:10-11:40\n6 11:50-12:20\n"
             "7 12:30-13:00\n8 13:10-13:40\n9 13:50-14:20\n10 14:30-15:00")

# Subject-name fragments → the rooms their lessons go to when one is free (else the class's own room).
SUBJECT_ROOMS = {
    "физическая культура": ["Спортзал", "Малый спортзал", "Зал ритмики"],
    "информатика": ["Информатика-1", "Информатика-2"],
    "химия": ["Кабинет химии"],
    "физика": ["Кабинет физики"],
    "музыка": ["Кабинет музыки"],
    "труд": ["Мастерская"],
    "иностранный язык": ["301", "302", "303", "304", "305", "306"],
    "английский": ["301", "302", "303", "304", "305", "306"],
}
CROSS_ROOMS = {"робототехника": "Информатика-1", "хор": "Актовый зал", "шахмат": "Библиотека",
               "продлённого": "Игровая комната"}
SPARE_ROOMS = ["401", "402", "403", "404", "405", "406"]
REASONS = ["болезнь", "курсы повышения квалификации", "болезнь", "командировка", "семейные обстоятельства"]


class DemoTimetableError(Exception):
    """No conflict-free week could be made for the school (far more hours than a five-day week holds)."""


@dataclass(eq=False)
class Unit:
    """Lessons that happen together: one assignment, or the two subgroups of a split subject."""

    class_id: int
    assignments: list[TeachingAssignment]
    subject_id: int
    teacher_ids: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        self.teacher_ids = frozenset(a.teacher_id for a in self.assignments)


@dataclass
class DemoTimetable:
    rows: int = 0
    lessons: int = 0
    substitutions: list[Substitution] = field(default_factory=list)
    rooms: dict[str, Room] = field(default_factory=dict)


def build_demo_timetable(*, school: School, year: AcademicYear, today: dt.date, rng: random.Random,
                         actor: User | None = None, featured_teacher: StaffMember | None = None) -> DemoTimetable:
    """Bells, rooms, the weekly timetable from 1 September, the year's lessons and a few substitutions up to
    ``today``. ``featured_teacher`` (the demo's teacher persona) takes one substitution on ``today``."""
    result = DemoTimetable()
    _bells(year, actor)
    assignments = list(TeachingAssignment.objects.filter(year=year).select_related(
        "teacher", "subject", "group__school_class").order_by("pk"))
    classes = sorted({a.group.school_class for a in assignments if a.group.school_class is not None},
                     key=lambda c: (c.grade, c.letter))
    result.rooms = _rooms(school, classes, actor)
    placed = _schedule_week(assignments, rng)
    rows = _with_rooms(placed, result.rooms)
    services.replace_timetable(actor=actor, year=year, rows=rows, valid_from=year.start, source="демонстрационные данные")
    result.rows = len(rows)
    result.lessons = Lesson.objects.filter(school=school).count()
    result.substitutions = _substitutions(school, year, today, rng, actor, featured_teacher)
    return result


def _bells(year: AcademicYear, actor: User | None) -> None:
    services.save_bell_schedule(actor=actor, year=year, name="Основное, 1 смена", shift=1, is_main=True,
                                bells=FIRST_SHIFT)
    services.save_bell_schedule(actor=actor, year=year, name="Основное, 2 смена", shift=2, is_main=True,
                                bells=SECOND_SHIFT)
    short = services.save_bell_schedule(actor=actor, year=year, name="Сокращённые уроки, 1 смена", shift=1,
                                        is_main=False, bells=SHORT_DAY)
    # The last day before the autumn vacation and the eve of 8 March are shortened.
    for day, note in ((dt.date(year.start.year, 10, 24), "последний день четверти"),
                      (dt.date(year.start.year + 1, 3, 7), "предпраздничный день")):
        if year.start <= day <= year.end and day.isoweekday() <= 5:
            services.set_special_bell_day(actor=actor, schedule=short, date=day, note=note)


def _rooms(school: School, classes: list, actor: User | None) -> dict[str, Room]:
    rooms: dict[str, Room] = {}

    def add(name: str, title: str = "", capacity: int | None = None) -> None:
        if name not in rooms:
            rooms[name] = services.save_room(actor=actor, school=school, name=name, title=title, capacity=capacity)

    primary = [c for c in classes if c.grade <= 4]
    upper = [c for c in classes if c.grade > 4]
    for n, school_class in enumerate(primary, start=1):
        add(f"{100 + n}", f"кабинет начальных классов ({school_class.name})", 28)
    for n in range(1, len(upper) + 1):
        add(f"{200 + n}", "учебный кабинет", 30)
    titles = {"Спортзал": "большой спортивный зал", "Малый спортзал": "малый спортивный зал",
              "Зал ритмики": "зал ритмики и хореографии", "Информатика-1": "кабинет информатики",
              "Информатика-2": "кабинет информатики", "Кабинет химии": "лаборатория",
              "Кабинет физики": "лаборатория", "Кабинет музыки": "", "Мастерская": "мастерская (труд)"}
    for names in SUBJECT_ROOMS.values():
        for name in names:
            add(name, titles.get(name, "кабинет иностранного языка"), 15 if name[0].isdigit() else 30)
    for name in (*CROSS_ROOMS.values(), *SPARE_ROOMS):
        add(name, "" if not name[0].isdigit() else "учебный кабинет", 30)
    return rooms


# --- the week -------------------------------------------------------------------------------------------------


def _units(assignments: list[TeachingAssignment]) -> dict[int, list[Unit]]:
    """Per class: one unit per weekly hour; two subgroups of a subject with two teachers learn in parallel."""
    by_class: dict[int, list[Unit]] = defaultdict(list)
    split: dict[tuple[int, int], list[TeachingAssignment]] = defaultdict(list)
    for assignment in assignments:
        group = assignment.group
        if group.school_class_id is None:
            continue
        if group.kind == GroupKind.SUBGROUP:
            split[(group.school_class_id, assignment.subject_id)].append(assignment)
        else:
            by_class[group.school_class_id] += [Unit(group.school_class_id, [assignment], assignment.subject_id)
                                                for _ in range(int(Decimal(assignment.hours_per_week)))]
    for (class_id, subject_id), halves in split.items():
        hours = [int(Decimal(a.hours_per_week)) for a in halves]
        if len(halves) == 2 and len({a.teacher_id for a in halves}) == 2 and hours[0] == hours[1]:
            by_class[class_id] += [Unit(class_id, halves, subject_id) for _ in range(hours[0])]
        else:
            for assignment, count in zip(halves, hours, strict=True):
                by_class[class_id] += [Unit(class_id, [assignment], subject_id) for _ in range(count)]
    return by_class


def _schedule_week(assignments: list[TeachingAssignment], rng: random.Random,
                   attempts: int = 12) -> list[tuple[TeachingAssignment, int, int]]:
    """The best of several randomised attempts: fewest windows in the classes' days."""
    units = _units(assignments)
    best: tuple[int, list] | None = None
    for _ in range(attempts):
        placed = _try_week(units, rng)
        if placed is None:
            continue
        windows = _windows(placed)
        if best is None or windows < best[0]:
            best = (windows, placed)
        if windows <= 2:
            break
    if best is None:
        raise DemoTimetableError("Не удалось составить расписание без накладок.")
    return best[1] + _cross_groups(assignments, best[1])


def _windows(placed: list[tuple[TeachingAssignment, int, int]]) -> int:
    days: dict[tuple[int | None, int], set[int]] = defaultdict(set)
    for assignment, day, number in placed:
        days[(assignment.group.school_class_id, day)].add(number)
    return sum(max(numbers) - len(numbers) for numbers in days.values())


def _try_week(units: dict[int, list[Unit]], rng: random.Random) -> list[tuple[TeachingAssignment, int, int]] | None:
    """Fill the week lesson by lesson for all classes at once, as a deputy does on a wall chart: at each
    (day, lesson) every class that still has lessons that day gets the unit whose teachers are free and
    hardest to place elsewhere; whatever is left goes to any free slot."""
    remaining = {class_id: list(class_units) for class_id, class_units in units.items()}
    demand: dict[int, int] = defaultdict(int)  # a teacher's lessons still to place
    for class_units in units.values():
        for unit in class_units:
            for teacher_id in unit.teacher_ids:
                demand[teacher_id] += 1
    quota = {class_id: _day_quota(len(class_units), rng) for class_id, class_units in units.items()}
    teacher_busy: set[tuple[int, int, int]] = set()
    class_busy: set[tuple[int, int, int]] = set()
    subjects_of_day: dict[tuple[int, int], set[int]] = defaultdict(set)
    placed: list[tuple[TeachingAssignment, int, int]] = []

    def place(unit: Unit, day: int, number: int) -> None:
        remaining[unit.class_id].remove(unit)
        class_busy.add((unit.class_id, day, number))
        subjects_of_day[(unit.class_id, day)].add(unit.subject_id)
        for assignment in unit.assignments:
            teacher_busy.add((assignment.teacher_id, day, number))
            demand[assignment.teacher_id] -= 1
            placed.append((assignment, day, number))

    def free(unit: Unit, day: int, number: int) -> bool:
        return all((t, day, number) not in teacher_busy for t in unit.teacher_ids)

    def day_load(class_id: int, day: int) -> int:
        return sum(1 for n in range(1, LAST_LESSON + 1) if (class_id, day, n) in class_busy)

    for day in DAYS:
        for number in range(1, LAST_LESSON + 1):
            classes = [c for c in remaining if remaining[c] and number <= quota[c][day]]
            rng.shuffle(classes)
            for class_id in classes:
                options = [u for u in remaining[class_id] if free(u, day, number)]
                if not options:
                    continue
                fresh = [u for u in options if u.subject_id not in subjects_of_day[(class_id, day)]]
                pool = fresh or options
                unit = max(pool, key=lambda u: (sum(demand[t] for t in u.teacher_ids), rng.random()))
                place(unit, day, number)
    # Leftovers: the first free lesson of the lightest day where the teachers are free.
    for class_id, class_units in remaining.items():
        for unit in list(class_units):
            slots = [(day_load(class_id, day), number, day) for day in DAYS for number in range(1, LAST_LESSON + 1)
                     if (class_id, day, number) not in class_busy and free(unit, day, number)]
            if not slots:
                return None
            _, number, day = min(slots)
            place(unit, day, number)
    return placed


def _day_quota(hours: int, rng: random.Random) -> dict[int, int]:
    days = list(DAYS)
    rng.shuffle(days)
    return {day: hours // len(DAYS) + (1 if i < hours % len(DAYS) else 0) for i, day in enumerate(days)}


def _cross_groups(assignments: list[TeachingAssignment],
                  placed: list[tuple[TeachingAssignment, int, int]]) -> list[tuple[TeachingAssignment, int, int]]:
    """Clubs, electives and the extended-day group: after the last lesson, when their teacher is free."""
    teacher_busy = {(a.teacher_id, day, number) for a, day, number in placed}
    out: list[tuple[TeachingAssignment, int, int]] = []
    for assignment in assignments:
        if assignment.group.school_class_id is not None:
            continue
        hours = int(Decimal(assignment.hours_per_week))
        per_day = max(1, -(-hours // len(DAYS)))
        # Clubs start after the 7th lesson; the extended-day group takes the afternoon from the 6th.
        slots = [(day, number) for number in range(min(LAST_LESSON + 1, 11 - per_day), 11) for day in DAYS]
        for day, number in slots:
            if hours == 0:
                break
            if (assignment.teacher_id, day, number) in teacher_busy:
                continue
            if sum(1 for a, d, _ in out if a.pk == assignment.pk and d == day) >= per_day:
                continue
            teacher_busy.add((assignment.teacher_id, day, number))
            out.append((assignment, day, number))
            hours -= 1
    return out


def _with_rooms(placed: list[tuple[TeachingAssignment, int, int]], rooms: dict[str, Room]) -> list[NewEntry]:
    """Subject rooms when free, else the class's own room; the second subgroup takes a spare room."""
    classes = sorted({a.group.school_class for a, _, _ in placed if a.group.school_class is not None},
                     key=lambda c: (c.grade, c.letter))
    numbered = sorted((r for n, r in rooms.items() if n.isdigit()), key=lambda r: int(r.name))
    primary = iter(r for r in numbered if 100 < int(r.name) < 200)
    upper = iter(r for r in numbered if 200 < int(r.name) < 300)
    home = {c.pk: next(primary if c.grade <= 4 else upper) for c in classes}
    taken: set[tuple[str, int, int]] = set()
    rows = []
    for assignment, day, number in sorted(placed, key=lambda p: (p[1], p[2], p[0].pk)):
        subject = assignment.subject.name.lower()
        preferred = [name for fragment, names in SUBJECT_ROOMS.items() if fragment in subject for name in names]
        preferred += [name for fragment, name in CROSS_ROOMS.items() if fragment in subject
                      or fragment in assignment.group.name.lower()]
        school_class = assignment.group.school_class
        if school_class is not None:
            preferred.append(home[school_class.pk].name)
        preferred += SPARE_ROOMS
        name = next(n for n in preferred if (n, day, number) not in taken)
        taken.add((name, day, number))
        rows.append(NewEntry(assignment=assignment, weekday=day, number=number, room=rooms[name]))
    return rows


# --- substitutions -----------------------------------------------------------------------------------------------


def _substitutions(school: School, year: AcademicYear, today: dt.date, rng: random.Random, actor: User | None,
                   featured_teacher: StaffMember | None) -> list[Substitution]:
    """A few absences of the last weeks, each day's lessons of the absent teacher replaced, merged or cancelled."""
    recorded: list[Substitution] = []
    school_days = sorted(set(Lesson.objects.filter(school=school, date__lt=today, date__gte=today - dt.timedelta(
        days=35)).values_list("date", flat=True)))
    if not school_days:
        return recorded
    teachers = list(StaffMember.objects.filter(school=school, planned_lessons__date__in=school_days).distinct()
                    .order_by("pk"))
    if featured_teacher is not None:
        teachers = [t for t in teachers if t.pk != featured_teacher.pk]
    for day in sorted(rng.sample(school_days, min(4, len(school_days)))):
        absent = rng.choice(teachers)
        reason = rng.choice(REASONS)
        recorded += _cover_day(school, year, absent, day, reason, rng, actor, allow_cancel=True)
    if featured_teacher is not None:
        recorded += _feature(school, year, today, featured_teacher, rng, actor)
    return recorded


def _cover_day(school, year, absent: StaffMember, day: dt.date, reason: str, rng: random.Random, actor: User | None,
               allow_cancel: bool = False, only_by: StaffMember | None = None) -> list[Substitution]:
    lessons = list(Lesson.objects.filter(school=school, date=day, planned_teacher=absent, cancelled=False)
                   .select_related("assignment__group__school_class", "assignment__subject", "room")
                   .order_by("number"))
    bells = BellTimes.load(year, day, day)
    same_subject = set(TeachingAssignment.objects.filter(
        year=year, subject_id__in={lesson.assignment.subject_id for lesson in lessons}).values_list(
        "teacher_id", flat=True))
    done = []
    for index, lesson in enumerate(lessons):
        if Substitution.objects.filter(lesson=lesson).exists():
            continue
        staff, busy = free_teachers(school, lesson, bells)
        free = [s for s in staff if s.pk not in busy and s.pk != absent.pk and (only_by is None or s.pk == only_by.pk)]
        free.sort(key=lambda s: (s.pk not in same_subject, rng.random()))
        if allow_cancel and index == len(lessons) - 1 and len(lessons) > 2:
            done.append(services.record_substitution(actor=actor, lesson=lesson, kind=SubstitutionKind.CANCEL,
                                                     reason=reason, note="последний урок, обучающиеся отпущены"))
        elif free:
            done.append(services.record_substitution(actor=actor, lesson=lesson, kind=SubstitutionKind.REPLACE,
                                                     substitute=free[0], reason=reason))
    return done


def _feature(school, year, today: dt.date, teacher: StaffMember, rng: random.Random, actor: User | None) -> list[Substitution]:
    """The teacher persona takes one lesson of a colleague today (or on the next school day)."""
    upcoming = Lesson.objects.filter(school=school, date__gte=today, cancelled=False).exclude(
        planned_teacher=teacher).order_by("date").values_list("date", flat=True).first()
    if upcoming is None:
        return []
    bells = BellTimes.load(year, upcoming, upcoming)
    for lesson in Lesson.objects.filter(school=school, date=upcoming, cancelled=False).exclude(
            planned_teacher=teacher).select_related("assignment__group__school_class", "assignment__subject",
                                                    "actual_teacher", "room").order_by("number", "pk"):
        _, busy = free_teachers(school, lesson, bells)
        if teacher.pk not in busy and not Substitution.objects.filter(lesson=lesson).exists():
            return [services.record_substitution(actor=actor, lesson=lesson, kind=SubstitutionKind.REPLACE,
                                                 substitute=teacher, reason="болезнь")]
    return []
