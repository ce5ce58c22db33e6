"""Values from the address and from forms, parsed in one place: nothing a visitor types gives a server error.

Every view reads query and form values through these helpers instead of ``int()``, ``isdigit()`` or
``date.fromisoformat``:

- ``parse_id`` / ``id_param`` — an id is 1–18 ASCII digits, positive and within a 64-bit integer («²», «١٢»,
  a 5,000-digit number, «-1», «1.0» are not ids: ``None``, or 404 where the id is required);
- ``parse_date`` / ``date_param`` — ДД.ММ.ГГГГ or ГГГГ-ММ-ДД; a date outside the school's years (a year around each
  of its academic years, ``register_date_bounds``) answers 400 with a Russian message instead of overflowing;
- ``text_param`` — text without NUL and other control characters (PostgreSQL refuses NUL in text), cut to a length;
- ``choice_param`` — one of the allowed values, else the default;
- ``IdConverter`` — the ``<id:pk>`` path converter: ids in URLs with the same bound (registered by ``CoreConfig``).

Bad input answers through Django's exceptions, so the styled Russian pages of ``core.errors`` show it:
``BadRequest`` → 400, ``Http404`` → 404.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, Literal, overload

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404

MAX_ID = 2**63 - 1
ID_DIGITS = 18  # every 18-digit number fits a 64-bit integer
ID_PATTERN = re.compile(rf"[0-9]{{1,{ID_DIGITS}}}")
ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
RU_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
# Outside any school: dates a journal can hold at all.
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2200, 12, 31)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BadValue(BadRequest):
    """A value the page cannot use; the message (Russian) is shown on the 400 page."""


# --- ids --------------------------------------------------------------------------------------------------------


def parse_id(value: Any) -> int | None:
    """A positive id of at most 18 ASCII digits, else ``None``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= MAX_ID else None
    text = str(value or "").strip()
    if not ID_PATTERN.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def require_id(value: Any) -> int:
    """An id that must be there: ``Http404`` when it is missing or not an id."""
    number = parse_id(value)
    if number is None:
        raise Http404
    return number


@overload
def id_param(data: Any, name: str, *, required: Literal[True]) -> int: ...
@overload
def id_param(data: Any, name: str, *, required: bool = False) -> int | None: ...
def id_param(data: Any, name: str, *, required: bool = False) -> int | None:
    """``data[name]`` (a QueryDict: ``request.GET`` / ``request.POST``) as an id; ``None`` when absent or not an id,
    ``Http404`` then when ``required``."""
    value = data.get(name) if data is not None else None
    return require_id(value) if required else parse_id(value)


def id_list(values: Iterable[Any]) -> list[int]:
    """The ids among ``values`` (``request.POST.getlist("people")``), in order, each once; the rest dropped."""
    found = (parse_id(value) for value in values)
    return list(dict.fromkeys(number for number in found if number is not None))


def parse_int(value: Any, *, minimum: int = 0, maximum: int = 10**6) -> int | None:
    """A small whole number (a page, a day of the week, a limit): ASCII digits within [minimum, maximum], else
    ``None``."""
    text = str(value or "").strip()
    if not re.fullmatch(r"-?[0-9]{1,9}", text):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def parse_decimal(value: Any) -> Decimal | None:
    """A number typed with a comma or a point («4,5», «0.25»): finite, at most 12 digits; else ``None`` (NaN,
    Infinity, «1e999999» are not numbers a school types)."""
    text = str(value or "").strip().replace(",", ".")
    if not re.fullmatch(r"-?[0-9]{1,8}(?:\.[0-9]{1,4})?", text):
        return None
    return Decimal(text)


@overload
def int_param(data: Any, name: str, *, default: int, minimum: int = 0, maximum: int = 10**6) -> int: ...
@overload
def int_param(data: Any, name: str, *, default: None = None, minimum: int = 0, maximum: int = 10**6) -> int | None: ...
def int_param(data: Any, name: str, *, default: int | None = None, minimum: int = 0, maximum: int = 10**6) \
        -> int | None:
    """``parse_int`` of ``data[name]``, else ``default``."""
    number = parse_int(data.get(name) if data is not None else None, minimum=minimum, maximum=maximum)
    return default if number is None else number


class IdConverter:
    """``<id:pk>``: an id in a path, 1–18 digits (a longer number is no page: 404)."""

    regex = rf"[0-9]{{1,{ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= MAX_ID:
            raise ValueError(value)
        return number

    def to_url(self, value: Any) -> str:
        return str(value)  # as Django's own converters: the pattern checks what comes out


# --- dates ------------------------------------------------------------------------------------------------------

_bounds: list[Callable[[Any], tuple[dt.date, dt.date] | None]] = []


def register_date_bounds(provider: Callable[[Any], tuple[dt.date, dt.date] | None]) -> None:
    """How a higher app (school) tells which dates a request may name: ``provider(request)`` → (first, last)."""
    if provider not in _bounds:
        _bounds.append(provider)


def date_bounds(request: Any = None) -> tuple[dt.date, dt.date]:
    if request is not None:
        for provider in _bounds:
            found = provider(request)
            if found is not None:
                return max(found[0], DATE_MIN), min(found[1], DATE_MAX)
    return DATE_MIN, DATE_MAX


def parse_date(value: Any) -> dt.date | None:
    """ДД.ММ.ГГГГ or ГГГГ-ММ-ДД (ASCII digits) between 1900 and 2200, else ``None``."""
    found = _calendar_date(value)
    return found if found is not None and DATE_MIN <= found <= DATE_MAX else None


def _calendar_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if iso := ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in iso.groups())
    elif ru := RU_DATE.fullmatch(text):
        day, month, year = (int(part) for part in ru.groups())
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def date_param(data: Any, name: str, *, request: Any = None, default: dt.date | None = None,
               label: str = "Дата") -> dt.date | None:
    """``data[name]`` as a date within the school's years (``request`` given) — ``default`` when absent or not a
    date; a real date far outside answers 400 with a Russian message."""
    raw = str((data.get(name) if data is not None else None) or "").strip()
    if not raw:
        return default
    found = _calendar_date(raw)
    if found is None:
        if _looks_like_date(raw):
            raise BadValue(f"{label} «{raw[:20]}» — не дата: укажите её как ДД.ММ.ГГГГ.")
        return default
    return within_bounds(found, request=request, label=label)


def month_param(data: Any, name: str, *, request: Any = None, default: dt.date | None = None,
                label: str = "Месяц") -> dt.date | None:
    """``data[name]`` as ГГГГ-ММ (or a date in it): the month's first day, within the school's years."""
    raw = str((data.get(name) if data is not None else None) or "").strip()
    found = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})", raw)
    if found is None:
        day = parse_date(raw)
        return within_bounds(day.replace(day=1), request=request, label=label) if day else default
    year, month = (int(part) for part in found.groups())
    if not 1 <= month <= 12:
        return default
    return within_bounds(dt.date(year, month, 1), request=request, label=label)


# Dates this close to today are always fine: no need to ask the school for its years (no query on usual pages).
NEAR = dt.timedelta(days=3 * 366)


def within_bounds(day: dt.date, *, request: Any = None, label: str = "Дата") -> dt.date:
    from .dates import today

    if abs(day - today()) <= NEAR:
        return day
    first, last = date_bounds(request)
    if not first <= day <= last:
        raise BadValue(f"{label} {day:%d.%m.%Y} — вне учебных лет школы ({first:%d.%m.%Y} — {last:%d.%m.%Y}).")
    return day


def _looks_like_date(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9]+-[0-9]+-[0-9]+|[0-9]+\.[0-9]+\.[0-9]+", text))


class DateField(forms.DateField):
    """A form's date: ДД.ММ.ГГГГ or the browser's ГГГГ-ММ-ДД, between 1900 and 2200 (a date the school's
    calendar can count from without overflowing), with Russian messages."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {"invalid": "Введите дату в виде ДД.ММ.ГГГГ.", "required": "Укажите дату."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d.%m.%Y"])
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        found = super().to_python(value)
        if found is not None and not DATE_MIN <= found <= DATE_MAX:
            raise ValidationError(f"Дата {found:%d.%m.%Y} — вне допустимых ({DATE_MIN:%Y}–{DATE_MAX:%Y} гг.).",
                                  code="invalid")
        return found


# --- NUL anywhere in the address or a plain form ---------------------------------------------------------------


class NulGuardMiddleware:
    """A NUL character in the query or in a plain (urlencoded) form answers 400: PostgreSQL refuses NUL in text, and
    no person types one. Multipart forms go through Django forms, whose text fields refuse NUL themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET) or (
                request.method == "POST" and request.content_type == "application/x-www-form-urlencoded"
                and _has_nul(request.POST)):
            from .errors import render_error

            return render_error(request, 400, detail="В адресе страницы или в форме есть недопустимый символ "
                                                     "(NUL). Вернитесь назад и отправьте форму заново.")
        return self.get_response(request)


def _has_nul(data: Any) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


# --- text and choices -------------------------------------------------------------------------------------------


def clean_text(value: Any, *, max_length: int = 1000) -> str:
    """Text without NUL and other control characters (tabs and line breaks kept), trimmed and cut."""
    return CONTROL.sub("", str(value or "")).strip()[:max_length]


def text_param(data: Any, name: str, *, max_length: int = 200, default: str = "") -> str:
    value = data.get(name) if data is not None else None
    return clean_text(value, max_length=max_length) if value is not None else default


def choice_param(data: Any, name: str, choices: Iterable[str], *, default: str = "") -> str:
    value = clean_text(data.get(name) if data is not None else None, max_length=100)
    return value if value in set(choices) else default
