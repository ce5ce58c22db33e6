"""What families and staff are told about: the kinds of notification, each with its default mode.

One place for the list: the settings pages, the school's defaults, the fan-out and the digest read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import models


class Mode(models.TextChoices):
    IMMEDIATELY = "now", "сразу"
    DAILY = "daily", "в ежедневной сводке"
    WEEKLY = "weekly", "в еженедельной сводке"
    NEVER = "never", "не присылать"


class Audience(models.TextChoices):
    FAMILY = "family", "обучающиеся и родители"
    EVERYONE = "everyone", "все"


@dataclass(frozen=True)
class Kind:
    code: str
    label: str  # as the settings page lists it
    default: str  # a Mode
    audience: str  # who may choose it: families only (journal news about a child) or everyone
    replaceable: bool = False  # a change of the same thing within ``replace_window()`` replaces its notification


MARK = "mark"
ATTENDANCE = "attendance"
FINAL = "final"
HOMEWORK = "homework"
MESSAGE = "message"
ANNOUNCEMENT = "announcement"
LOW_AVERAGE = "low_average"
ABSENCES = "absences"
FORECAST = "forecast"
REPORT = "report"


def replace_window() -> dt.timedelta:
    """A mark (or an absence) corrected within this time (10 minutes) replaces its notification: the teacher fixed
    a slip. Its e-mail leaves when the window closes, with the corrected mark."""
    return dt.timedelta(seconds=settings.ZHURNAL_NOTIFY_REPLACE_SECONDS)

KINDS: dict[str, Kind] = {kind.code: kind for kind in (
    Kind(MARK, "Новые, изменённые и удалённые отметки", Mode.IMMEDIATELY, Audience.FAMILY, True),
    Kind(ATTENDANCE, "Пропуски и опоздания", Mode.IMMEDIATELY, Audience.FAMILY, True),
    Kind(FINAL, "Итоговые отметки", Mode.IMMEDIATELY, Audience.FAMILY),
    Kind(HOMEWORK, "Домашние задания", Mode.DAILY, Audience.FAMILY),
    Kind(LOW_AVERAGE, "Средний балл по предмету ниже порога", Mode.IMMEDIATELY, Audience.FAMILY),
    Kind(ABSENCES, "Пропуски без уважительной причины: достигнут порог", Mode.IMMEDIATELY, Audience.FAMILY),
    Kind(FORECAST, "Прогноз «2» за период", Mode.IMMEDIATELY, Audience.FAMILY),
    Kind(MESSAGE, "Новые сообщения", Mode.IMMEDIATELY, Audience.EVERYONE),
    Kind(ANNOUNCEMENT, "Объявления", Mode.IMMEDIATELY, Audience.EVERYONE),
    Kind(REPORT, "Отчёт готов", Mode.IMMEDIATELY, Audience.EVERYONE),
)}

KIND_CHOICES = [(kind.code, kind.label) for kind in KINDS.values()]


def kinds_for(*, family: bool) -> list[Kind]:
    """The kinds a person may set: journal news about a child for pupils and parents, the rest for everyone."""
    return [kind for kind in KINDS.values() if kind.audience == Audience.EVERYONE or family]
