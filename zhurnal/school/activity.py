"""How families use the diary, as the diary counts it — for the apps above the school that report on it.

The diary owns the rule (who opened it how often; a family «checks» at ``CHECKS_PER_WEEK`` views a week) and
registers its reader here from its ``AppConfig.ready`` (``register_diary_activity``); the reports read it through
``diary_activity`` without importing the diary (apps of one layer do not import each other).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from .models import AcademicYear, SchoolClass


class ClassDiaryActivity(Protocol):
    """One class's week as the diary counts it."""

    school_class: SchoolClass
    students: int
    families: int  # students with a guardian who has access and reads electronically
    families_checking: int
    students_with_access: int
    students_checking: int
    paper: int


Reader = Callable[[AcademicYear, dt.date], Sequence[Any]]
_reader: list[tuple[Reader, int]] = []


def register_diary_activity(reader: Reader, *, checks_per_week: int) -> None:
    """The diary's weekly activity per class of a year (``reader(year, monday)``) and its threshold."""
    _reader[:] = [(reader, checks_per_week)]


def diary_activity(year: AcademicYear, monday: dt.date) -> Sequence[ClassDiaryActivity]:
    if not _reader:
        raise RuntimeError("the diary has not registered its activity reader")
    return _reader[0][0](year, monday)


def checks_per_week() -> int:
    if not _reader:
        raise RuntimeError("the diary has not registered its activity reader")
    return _reader[0][1]
