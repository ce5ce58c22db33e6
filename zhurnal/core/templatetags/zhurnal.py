from __future__ import annotations

import datetime as dt

from django import template

register = template.Library()

WEEKDAYS = ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"]
MONTHS_GENITIVE = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                   "октября", "ноября", "декабря"]


@register.filter
def ru_date(value: dt.date | None) -> str:
    """«22 ноября 2026»."""
    if not value:
        return ""
    return f"{value.day} {MONTHS_GENITIVE[value.month - 1]} {value.year}"


@register.filter
def ru_short(value: dt.date | None) -> str:
    """«22.11.2026»."""
    return value.strftime("%d.%m.%Y") if value else ""


@register.filter
def weekday(value: dt.date | None) -> str:
    return WEEKDAYS[value.weekday()] if value else ""


WEEKDAYS_SHORT = ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс")


@register.filter
def weekday_short(value: dt.date | None) -> str:
    """Пн, Вт, … Сб, Вс — as school timetables and journals write them."""
    return WEEKDAYS_SHORT[value.weekday()] if value else ""


@register.filter
def plural(number: int, forms: str) -> str:
    """``{{ n|plural:"ученик,ученика,учеников" }}`` → «21 ученик», «3 ученика», «11 учеников»."""
    one, few, many = forms.split(",")
    n = abs(int(number))
    if n % 10 == 1 and n % 100 != 11:
        word = one
    elif 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        word = few
    else:
        word = many
    return f"{number} {word}"


@register.filter
def index(sequence, position: int):
    """``items|index:2`` — an item of a list by its position (None beyond its end)."""
    try:
        return sequence[int(position)]
    except (IndexError, TypeError, ValueError):
        return None


@register.filter
def genitive(person) -> str:
    """«Котовой Г.А.»: a person's short name in the genitive case (``zhurnal.core.declension``)."""
    from zhurnal.core.declension import short_name_genitive

    return short_name_genitive(person) if person is not None else ""


@register.filter
def add_days(value: dt.date | None, days: int) -> dt.date | None:
    """``monday|add_days:5`` — the Saturday of that week."""
    return value + dt.timedelta(days=int(days)) if value else None
