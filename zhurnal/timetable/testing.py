"""Builders for timetable tests: bells, rooms and weekly lessons made through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from zhurnal.school.models import AcademicYear, School, TeachingAssignment

from . import services
from .models import BellSchedule, Room, TimetableEntry, WeekParity

FIRST_SHIFT_BELLS = "1 08:30-09:15\n2 09:25-10:10\n3 10:30-11:15\n4 11:35-12:20\n5 12:30-13:15\n6 13:25-14:10\n" \
                    "7 14:20-15:05"
SECOND_SHIFT_BELLS = "1 13:30-14:15\n2 14:25-15:10\n3 15:20-16:05\n4 16:15-17:00\n5 17:10-17:55\n6 18:05-18:50"
SHORT_DAY_BELLS = "1 08:30-09:00\n2 09:10-09:40\n3 09:50-10:20\n4 10:30-11:00\n5 11:10-11:40\n6 11:50-12:20\n" \
                  "7 12:30-13:00"


def make_bells(year: AcademicYear) -> dict[str, BellSchedule]:
    return {
        "first": services.save_bell_schedule(actor=None, year=year, name="Основное, 1 смена", shift=1,
                                             is_main=True, bells=FIRST_SHIFT_BELLS),
        "second": services.save_bell_schedule(actor=None, year=year, name="Основное, 2 смена", shift=2,
                                              is_main=True, bells=SECOND_SHIFT_BELLS),
        "short": services.save_bell_schedule(actor=None, year=year, name="Сокращённый день", shift=1,
                                             is_main=False, bells=SHORT_DAY_BELLS),
    }


def make_room(school: School, name: str, title: str = "") -> Room:
    return services.save_room(actor=None, school=school, name=name, title=title)


def put(assignment: TeachingAssignment, weekday: int, number: int, room: Room | None = None,
        valid_from: dt.date | None = None, week: int = WeekParity.EVERY, **extra: Any) -> TimetableEntry:
    change = services.add_entry(actor=None, assignment=assignment, weekday=weekday, number=number, room=room,
                                week=week, valid_from=valid_from or assignment.year.start, **extra)
    return change.entry
