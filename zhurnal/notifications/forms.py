"""Parsing of the settings pages' input, with Russian messages naming the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from zhurnal.core import params

from .kinds import Kind, Mode


def parse_time(value: str, label: str, field: str) -> dt.time:
    value = (value or "").strip()
    try:
        return dt.datetime.strptime(value, "%H:%M").time()  # noqa: DTZ007 - a time of day, no date
    except ValueError:
        raise ValidationError({field: f"{label}: нужно время в виде ЧЧ:ММ, например 21:00."}) from None


class Times(TypedDict):
    quiet_from: dt.time
    quiet_to: dt.time
    digest_time: dt.time


def parse_times(post) -> Times:
    """The quiet hours and the digest's time, as a person's and the school's settings pages ask for them."""
    return Times(quiet_from=parse_time(post.get("quiet_from", ""), "Тихие часы: начало", "quiet_from"),
                 quiet_to=parse_time(post.get("quiet_to", ""), "Тихие часы: конец", "quiet_to"),
                 digest_time=parse_time(post.get("digest_time", ""), "Время сводки", "digest_time"))


def parse_modes(post, kinds: list[Kind]) -> dict[str, str]:
    modes = {}
    for kind in kinds:
        value = post.get(f"mode_{kind.code}", "")
        if value not in Mode.values:
            raise ValidationError({f"mode_{kind.code}": f"«{kind.label}»: выберите, как присылать."})
        modes[kind.code] = value
    return modes


def parse_email(value: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError({"email": f"Адрес для уведомлений «{value}» — не адрес электронной почты."}) from None
    return value


def parse_weekday(value: str) -> int:
    day = params.parse_int(value, minimum=0, maximum=6)
    if day is None:
        raise ValidationError({"weekly_day": "День еженедельной сводки: выберите день недели."})
    return day


def parse_average(value: str) -> Decimal:
    number = params.parse_decimal(value)
    if number is None:
        raise ValidationError({"low_average_below": "Порог среднего балла: нужно число, например 3,00."})
    if not Decimal("1") <= number <= Decimal("5"):
        raise ValidationError({"low_average_below": "Порог среднего балла — от 1 до 5."})
    return number.quantize(Decimal("0.01"))


def parse_limit(value: str) -> int:
    limit = params.parse_int(value, minimum=1, maximum=200)
    if limit is None:
        raise ValidationError({"absences_limit": "Порог пропусков без уважительной причины: целое число от 1 до 200."})
    return limit
