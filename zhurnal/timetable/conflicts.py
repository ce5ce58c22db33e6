"""A teacher, a room or a group in two places at once: one checker for the timetable, imports and lessons.

Everything is compared as ``Slot``s — plain values — so a whole imported timetable is checked against itself
and against what is already in the database without a query per row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from zhurnal.school.models import GroupKind

from .calendar import BellTimes, overlap, parities_overlap
from .models import WEEKDAY_NAMES, Lesson, TimetableEntry, WeekParity

FAR_FUTURE = dt.date(9999, 12, 31)


@dataclass(frozen=True)
class Slot:
    key: Any
    weekday: int
    number: int
    week: int
    valid_from: dt.date
    valid_to: dt.date | None
    teacher_id: int
    teacher_name: str
    room_id: int | None
    room_name: str
    group_id: int
    group_name: str
    group_kind: str
    class_id: int | None
    shift: int
    subject_name: str
    date: dt.date | None = None

    @property
    def label(self) -> str:
        return f"{self.group_name}, {self.subject_name} ({self.teacher_name})"

    @property
    def when(self) -> str:
        if self.date is not None:
            return f"{self.date:%d.%m.%Y}, {self.number}-й урок"
        week = "" if self.week == WeekParity.EVERY else f", {WeekParity(self.week).label}"
        return f"{WEEKDAY_NAMES[self.weekday]}, {self.number}-й урок{week}"


def slot_of_assignment(assignment, *, key: Any, weekday: int, number: int, week: int, valid_from: dt.date,
                       valid_to: dt.date | None, room, date: dt.date | None = None,
                       teacher=None) -> Slot:
    group = assignment.group
    school_class = group.school_class
    teacher = teacher or assignment.teacher
    return Slot(
        key=key, weekday=weekday, number=number, week=week, valid_from=valid_from, valid_to=valid_to,
        teacher_id=teacher.pk, teacher_name=teacher.short_name,
        room_id=room.pk if room is not None else None, room_name=room.name if room is not None else "",
        group_id=group.pk, group_name=group.name, group_kind=group.kind,
        class_id=school_class.pk if school_class is not None else None,
        shift=school_class.shift if school_class is not None else 1,
        subject_name=assignment.subject.name, date=date,
    )


def slot_of_entry(entry: TimetableEntry) -> Slot:
    return slot_of_assignment(entry.assignment, key=entry.pk, weekday=entry.weekday, number=entry.number,
                              week=entry.week, valid_from=entry.valid_from, valid_to=entry.valid_to, room=entry.room)


def slot_of_lesson(lesson: Lesson) -> Slot:
    return slot_of_assignment(lesson.assignment, key=lesson.pk, weekday=lesson.date.isoweekday(),
                              number=lesson.number, week=WeekParity.EVERY, valid_from=lesson.date,
                              valid_to=lesson.date, room=lesson.room, date=lesson.date, teacher=lesson.actual_teacher)


ENTRY_RELATED = ("assignment__group__school_class", "assignment__teacher", "assignment__subject", "room")
LESSON_RELATED = ("assignment__group__school_class", "assignment__subject", "actual_teacher", "room")


def same_time(a: Slot, b: Slot, bells: BellTimes) -> bool:
    if a.weekday != b.weekday:
        return False
    if a.valid_from > (b.valid_to or FAR_FUTURE) or b.valid_from > (a.valid_to or FAR_FUTURE):
        return False
    if not parities_overlap(a.week, b.week):
        return False
    if a.shift == b.shift:
        return a.number == b.number
    times_a = bells.times(a.date, a.shift, a.number)
    times_b = bells.times(b.date, b.shift, b.number)
    if times_a is None or times_b is None:
        return a.number == b.number
    return overlap(times_a, times_b)


def _groups_clash(a: Slot, b: Slot) -> bool:
    if a.group_id == b.group_id:
        return True
    # A whole class cannot be at a lesson while one of its subgroups is at another; two subgroups can.
    return (a.class_id is not None and a.class_id == b.class_id
            and GroupKind.CLASS in (a.group_kind, b.group_kind))


def clash_messages(a: Slot, b: Slot, bells: BellTimes) -> list[str]:
    """Why ``a`` cannot stand beside ``b`` (empty when they can)."""
    if not same_time(a, b, bells):
        return []
    messages = []
    if a.teacher_id == b.teacher_id:
        messages.append(f"Учитель {a.teacher_name} в это время ({b.when}) уже ведёт урок: {b.label}.")
    if a.room_id is not None and a.room_id == b.room_id:
        messages.append(f"Кабинет {a.room_name} в это время ({b.when}) занят: {b.label}.")
    if _groups_clash(a, b):
        messages.append(f"У группы «{a.group_name}» в это время ({b.when}) уже есть урок: {b.label}.")
    return messages


def find_conflicts(candidates: list[Slot], existing: Iterable[Slot], bells: BellTimes) -> dict[Any, list[str]]:
    """Conflicts of each candidate with what exists and with the candidates before it, keyed by candidate key."""
    by_weekday: dict[int, list[Slot]] = defaultdict(list)
    for slot in existing:
        by_weekday[slot.weekday].append(slot)
    problems: dict[Any, list[str]] = {}
    for candidate in candidates:
        messages: list[str] = []
        for other in by_weekday[candidate.weekday]:
            for message in clash_messages(candidate, other, bells):
                if message not in messages:
                    messages.append(message)
        if messages:
            problems[candidate.key] = messages
        by_weekday[candidate.weekday].append(candidate)
    return problems
