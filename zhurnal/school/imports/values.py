"""Reading the file (through core.spreadsheets) and parsing one value: dates, classes, positions, contacts; the file's and a value's errors."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from zhurnal.core import spreadsheets

from ..models import (
    Gender,
    Position,
)

MAX_ROWS = 5000


class ImportFileError(Exception):
    """The file as a whole cannot be imported (too large, empty, not a spreadsheet, columns missing)."""


class CellError(Exception):
    """One value is wrong; the message says what is expected."""


def fold(text: str) -> str:
    """Compare people's names and words the way a person would: case, «ё» and extra spaces do not matter."""
    return " ".join(text.casefold().replace("ё", "е").split())


def normalize_header(text: str) -> str:
    return re.sub(r"[^0-9a-zа-я]", "", str(text).casefold().replace("ё", "е"))


def cell_text(value: Any) -> str:
    """A cell as one line of text: ``core.spreadsheets.cell_text`` (numbers, dates, the formula guard) with every
    run of spaces and line breaks made one space."""
    return " ".join(spreadsheets.cell_text(value).split()) if not isinstance(value, str) else " ".join(value.split())


def phone_key(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    if len(digits) == 10 and digits[0] == "9":
        digits = "7" + digits
    return digits


def too_large_message(filename: str) -> str:
    return (f"Файл «{filename}» больше {spreadsheets.size_limit_text()}: такой файл не загружается. Списки класса, сотрудников "
            f"и представителей занимают намного меньше — удалите лишние листы, столбцы и картинки или разделите "
            f"список на части.")


# --- reading the file: core.spreadsheets, reported as this module's file errors ----------------------------

Row = tuple[int, list[str]]


def read_table(data: bytes, filename: str) -> list[Row]:
    """Non-empty rows of the first sheet (XLSX) or of a CSV file, each with its number in the spreadsheet."""
    if len(data) > settings.ZHURNAL_MAX_IMPORT_BYTES:
        raise ImportFileError(too_large_message(filename))
    try:
        # Room above the list's limit for headers and notes: a longer list gets prepare()'s own message.
        table = spreadsheets.read_table(data, filename, max_rows=MAX_ROWS * 2)
    except spreadsheets.SpreadsheetError as exc:
        raise ImportFileError(str(exc)) from exc
    return [(row.number, row.cells) for row in table if not row.is_empty]


# --- parsing one value ------------------------------------------------------------------------------------

RU_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{2,4})(?:\s*г\.?)?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
GENDERS = {
    "м": Gender.MALE, "муж": Gender.MALE, "мужской": Gender.MALE, "m": Gender.MALE, "male": Gender.MALE,
    "ж": Gender.FEMALE, "жен": Gender.FEMALE, "женский": Gender.FEMALE, "f": Gender.FEMALE, "female": Gender.FEMALE,
}
GENDER_LETTERS: dict[str, str] = {Gender.MALE: "м", Gender.FEMALE: "ж"}
CLASS_RE = re.compile(r"(\d{1,2})\s*[-–—]?\s*([^\W\d_]{1,4})")
LATIN_LOOKALIKES = str.maketrans("ABEKMHOPCTXY", "АВЕКМНОРСТХУ")


def _position_names() -> dict[str, str]:
    names = {_position_key(str(label)): value for value, label in Position.choices}
    aliases = {
        "заместитель директора по увр": Position.DEPUTY, "заместитель директора по вр": Position.DEPUTY,
        "заместитель директора по учебно воспитательной работе": Position.DEPUTY,
        "заместитель директора по воспитательной работе": Position.DEPUTY,
        "зам директора": Position.DEPUTY, "завуч": Position.DEPUTY,
        "администратор": Position.JOURNAL_ADMIN, "администратор электронного журнала": Position.JOURNAL_ADMIN,
        "учитель предметник": Position.TEACHER, "педагог": Position.TEACHER,
        "психолог": Position.PSYCHOLOGIST, "делопроизводитель": Position.CLERK, "секретарь": Position.CLERK,
        "руководитель предметно цикловой комиссии": Position.REVIEWER,
        "педагог библиотекарь": Position.LIBRARIAN,
    }
    names.update({_position_key(k): v for k, v in aliases.items()})
    return names


def _position_key(text: str) -> str:
    return fold(re.sub(r"[.\-–]", " ", text))


POSITION_NAMES = _position_names()


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        if 1 <= value < 2958466:
            return from_excel(value).date()
    text = cell_text(value)
    if match := RU_DATE.fullmatch(text):
        day, month, year = match.groups()
        if len(year) != 4:
            raise CellError(f"«{text}»: укажите год четырьмя цифрами, например 15.03.2015.")
    elif match := ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    else:
        raise CellError(f"«{text}» — не дата; укажите дату как ДД.ММ.ГГГГ, например 15.03.2015.")
    try:
        parsed = dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise CellError(f"«{text}» — такой даты нет.") from exc
    if not 1900 <= parsed.year <= 2100:
        raise CellError(f"«{text}» — неправдоподобный год.")
    return parsed


def parse_gender(value: Any) -> str:
    text = cell_text(value)
    gender = GENDERS.get(fold(text).rstrip("."))
    if gender is None:
        raise CellError(f"«{text}» — укажите «м» или «ж».")
    return gender


def parse_class(value: Any) -> tuple[int, str]:
    text = cell_text(value)
    cleaned = re.sub(r"\s*(класс|кл\.?)\s*", " ", text, flags=re.IGNORECASE)
    cleaned = cleaned.replace("«", "").replace("»", "").replace('"', "").strip()
    match = CLASS_RE.fullmatch(cleaned)
    if match is None:
        raise CellError(f"«{text}» — не класс: укажите параллель и литеру, например 5А.")
    grade = int(match.group(1))
    if not 1 <= grade <= 11:
        raise CellError(f"«{text}»: параллель должна быть от 1 до 11.")
    return grade, match.group(2).upper().translate(LATIN_LOOKALIKES)


def parse_positions(value: Any) -> list[str]:
    text = cell_text(value)
    found: list[str] = []
    for part in re.split(r"[,;\n]", text):
        name = part.strip()
        if not name:
            continue
        position = POSITION_NAMES.get(_position_key(name))
        if position is None:
            if _position_key(name) == "классный руководитель":
                raise CellError("«классный руководитель» — не должность: классного руководителя назначают в "
                                "карточке класса. Укажите «учитель».")
            raise CellError(f"«{name}» — неизвестная должность. Возможные: "
                            + ", ".join(str(label) for label in Position.labels) + ".")
        if position not in found:
            found.append(position)
    if not found:
        raise CellError("укажите хотя бы одну должность.")
    return found


def parse_email(value: Any) -> str:
    text = cell_text(value)
    try:
        validate_email(text)
    except ValidationError as exc:
        raise CellError(f"«{text}» — не адрес электронной почты.") from exc
    return text


def parse_phone(value: Any) -> str:
    text = cell_text(value)
    if not 5 <= len(re.sub(r"\D", "", text)) <= 15 or re.search(r"[^\d\s()+\-–.,]", text.split("доб")[0]):
        raise CellError(f"«{text}» — не похоже на номер телефона.")
    return text


def parse_snils(value: Any) -> str:
    text = cell_text(value)
    digits = re.sub(r"\D", "", text)
    if len(digits) != 11:
        raise CellError(f"«{text}»: в СНИЛС 11 цифр, например 112-233-445 95.")
    if snils_checksum(digits[:9]) != digits[9:]:
        raise CellError(f"«{text}»: контрольное число СНИЛС не сходится — проверьте номер.")
    return f"{digits[0:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:11]}"


def snils_checksum(number: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(number, range(9, 0, -1), strict=True))
    while total > 101:
        total %= 101
    return "00" if total in (100, 101) else f"{total:02d}"


def parse_text(value: Any) -> str:
    return cell_text(value)


PARSERS: dict[str, Callable[[Any], Any]] = {
    "text": parse_text, "date": parse_date, "gender": parse_gender, "class": parse_class,
    "positions": parse_positions, "email": parse_email, "phone": parse_phone, "snils": parse_snils,
}
