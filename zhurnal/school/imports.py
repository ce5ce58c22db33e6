"""Imports of class lists, staff and guardians from XLSX and CSV: read, check every row, apply all or nothing.

``read_table`` turns the uploaded bytes into numbered rows (numbers as the user sees them in the spreadsheet),
``prepare`` matches the header and checks every row against the school — classes, students and guardians are
loaded once, never per row — and ``apply_import`` writes every row through the school's services in one
transaction. While any row is wrong nothing is written.

Between the preview and the confirmation the uploaded file is kept server-side (``store_upload``), under a random
token bound to the user and the school, and expires after ``UPLOAD_TTL``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import secrets
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from zhurnal.audit.services import record
from zhurnal.core import spreadsheets
from zhurnal.core.dates import today as school_today
from zhurnal.core.templatetags.zhurnal import plural

from . import services
from .models import (
    AcademicYear,
    Enrollment,
    Gender,
    Guardian,
    GuardianLink,
    Position,
    School,
    SchoolClass,
    StaffMember,
    Student,
)

STUDENTS = "students"
STAFF = "staff"
GUARDIANS = "guardians"

MAX_ROWS = 5000
# An .xlsx is a zip archive; a small file that unpacks to gigabytes is refused before openpyxl sees it.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
UPLOAD_TTL = dt.timedelta(hours=2)
UPLOAD_DIR = "imports"
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32,64}")


class ImportFileError(Exception):
    """The file as a whole cannot be imported (too large, empty, not a spreadsheet, columns missing)."""


class CellError(Exception):
    """One value is wrong; the message says what is expected."""


# --- the three formats ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    required: bool = False
    kind: str = "text"
    aliases: tuple[str, ...] = ()
    example: str = ""
    accepts: str = ""
    max_length: int | None = None


@dataclass(frozen=True)
class FullName:
    """A single «ФИО» column that may stand in for the three name columns."""

    key: str
    title: str
    parts: tuple[str, str, str]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Format:
    kind: str
    title: str
    summary: str
    columns: tuple[Column, ...]
    full_names: tuple[FullName, ...] = ()
    always_shown: tuple[str, ...] = ()
    needs_year: bool = True

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def header_keys(self) -> dict[str, str]:
        """Normalised header text → column key, with every alias."""
        keys: dict[str, str] = {}
        for item in (*self.columns, *self.full_names):
            for text in (item.title, *item.aliases):
                keys[normalize_header(text)] = item.key
        return keys


def _name_columns(owner: str = "", required: bool = True, examples: tuple[str, str, str] = ("", "", ""),
                  aliases: tuple[str, ...] = ()) -> tuple[Column, ...]:
    suffix = f" {owner}" if owner else ""
    return (
        Column(f"{'student_' if owner else ''}last_name", f"Фамилия{suffix}", required=required,
               aliases=tuple(f"фамилия {a}" for a in aliases), example=examples[0], max_length=100),
        Column(f"{'student_' if owner else ''}first_name", f"Имя{suffix}", required=required,
               aliases=tuple(f"имя {a}" for a in aliases), example=examples[1], max_length=100),
        Column(f"{'student_' if owner else ''}patronymic", f"Отчество{suffix}",
               aliases=tuple(f"отчество {a}" for a in aliases), example=examples[2], accepts="если есть",
               max_length=100),
    )


EMAIL = Column("email", "Эл. почта", kind="email", max_length=254,
               aliases=("электронная почта", "адрес электронной почты", "email", "e-mail", "почта"))
PHONE = Column("phone", "Телефон", kind="phone", max_length=40, accepts="например, +7 900 123-45-67",
               aliases=("тел", "номер телефона", "мобильный телефон", "контактный телефон"))

STUDENT_FORMAT = Format(
    kind=STUDENTS,
    title="Списки классов",
    summary="Обучающиеся с датой рождения, полом и классом; каждый зачисляется в свой класс.",
    columns=(
        *_name_columns(examples=("Иванов", "Иван", "Сергеевич"), aliases=("ученика", "обучающегося")),
        Column("birth_date", "Дата рождения", required=True, kind="date", example="15.03.2015",
               accepts="ДД.ММ.ГГГГ (или дата Excel)", aliases=("дата рожд", "др")),
        Column("gender", "Пол", required=True, kind="gender", example="м", accepts="м или ж (также «муж», «жен»)"),
        Column("school_class", "Класс", required=True, kind="class", example="5А",
               accepts="параллель и литера: 5А, «5 А», «5-а»; класс должен быть создан в учебном году"),
        Column("enrolled_on", "Дата зачисления", kind="date", example="01.09.2026",
               accepts="ДД.ММ.ГГГГ; если пусто — начало учебного года", aliases=("зачислен с", "дата прибытия")),
        Column("order_number", "Номер приказа", example="45-у", max_length=40,
               accepts="если пусто — номер приказа, указанный при загрузке",
               aliases=("приказ", "номер приказа о зачислении", "№ приказа", "приказ о зачислении")),
        Column("address", "Адрес", example="г. Тула, ул. Ленина, д. 1, кв. 2", max_length=300,
               aliases=("адрес проживания", "адрес места жительства", "адрес регистрации")),
        Column("document", "Документ", example="свидетельство о рождении II-БО № 123456", max_length=120,
               accepts="вид, серия и номер документа",
               aliases=("документ (вид, серия, номер)", "документ удостоверяющий личность")),
        Column("snils", "СНИЛС", kind="snils", example="112-233-445 95", accepts="11 цифр, например 112-233-445 95",
               max_length=14),
        PHONE,
        EMAIL,
    ),
    full_names=(FullName("full_name", "ФИО", ("last_name", "first_name", "patronymic"),
                         aliases=("фамилия имя отчество", "фио ученика", "фио обучающегося")),),
    always_shown=("enrolled_on", "order_number"),
)

STAFF_FORMAT = Format(
    kind=STAFF,
    title="Сотрудники",
    summary="Учителя и администрация с должностями и контактами.",
    columns=(
        *_name_columns(examples=("Смирнова", "Ольга", "Викторовна"), aliases=("сотрудника",)),
        Column("positions", "Должности", required=True, kind="positions", example="учитель, администратор ЭЖ",
               accepts="через запятую: " + ", ".join(str(label) for label in Position.labels),
               aliases=("должность",)),
        Column("email", "Эл. почта", kind="email", max_length=254, example="smirnova@school.example",
               aliases=EMAIL.aliases),
        Column("phone", "Телефон", kind="phone", max_length=40, example="+7 900 765-43-21",
               accepts=PHONE.accepts, aliases=PHONE.aliases),
    ),
    full_names=(FullName("full_name", "ФИО", ("last_name", "first_name", "patronymic"),
                         aliases=("фамилия имя отчество", "фио сотрудника")),),
    needs_year=False,
)

GUARDIAN_FORMAT = Format(
    kind=GUARDIANS,
    title="Законные представители",
    summary="Родители и опекуны, каждый — со своим ребёнком; у родителя двоих детей — две строки.",
    columns=(
        *_name_columns(examples=("Иванова", "Мария", "Петровна"), aliases=("представителя", "родителя")),
        Column("phone", "Телефон", kind="phone", max_length=40, example="+7 900 111-22-33", accepts=PHONE.accepts,
               aliases=PHONE.aliases),
        Column("email", "Эл. почта", kind="email", max_length=254, example="ivanova@mail.example",
               aliases=EMAIL.aliases),
        Column("relation", "Кем приходится", example="мать", max_length=40,
               accepts="мать, отец, опекун…", aliases=("степень родства", "родство", "кем приходится ученику")),
        *_name_columns("ученика", examples=("Иванов", "Иван", "Сергеевич"), aliases=("обучающегося", "ребенка")),
        Column("student_birth_date", "Дата рождения ученика", kind="date", example="15.03.2015",
               accepts="ДД.ММ.ГГГГ; нужна, если в школе есть полные тёзки",
               aliases=("дата рождения обучающегося", "дата рождения ребенка")),
        Column("school_class", "Класс", kind="class", example="5А",
               accepts="класс ученика в учебном году, например 5А"),
    ),
    full_names=(
        FullName("full_name", "ФИО", ("last_name", "first_name", "patronymic"),
                 aliases=("фамилия имя отчество", "фио представителя", "фио родителя")),
        FullName("student_full_name", "ФИО ученика", ("student_last_name", "student_first_name",
                                                       "student_patronymic"),
                 aliases=("фио обучающегося", "фио ребенка")),
    ),
)

FORMATS: dict[str, Format] = {f.kind: f for f in (STUDENT_FORMAT, STAFF_FORMAT, GUARDIAN_FORMAT)}


# --- small normalisations ---------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Compare people's names and words the way a person would: case, «ё» and extra spaces do not matter."""
    return " ".join(text.casefold().replace("ё", "е").split())


def normalize_header(text: str) -> str:
    return re.sub(r"[^0-9a-zа-я]", "", str(text).casefold().replace("ё", "е"))


def cell_text(value: Any) -> str:
    """A cell as the text the user sees, spaces collapsed; Excel's numbers without a trailing «.0»."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y") if value.time() == dt.time() else value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    text = " ".join(str(value).replace("\xa0", " ").split())
    # A leading apostrophe marks text in spreadsheets (and our exports protect formulas with it).
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]
    return text


def phone_key(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    if len(digits) == 10 and digits[0] == "9":
        digits = "7" + digits
    return digits


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def size_limit_text() -> str:
    return f"{settings.ZHURNAL_MAX_IMPORT_BYTES / (1024 * 1024):g} МБ"


def too_large_message(filename: str) -> str:
    return (f"Файл «{filename}» больше {size_limit_text()}: такой файл не загружается. Списки класса, сотрудников "
            f"и представителей занимают намного меньше — удалите лишние листы, столбцы и картинки или разделите "
            f"список на части.")


# --- reading the file -------------------------------------------------------------------------------------

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BINARY_MAGICS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf", b"BM", b"II*\x00",
                 b"MM\x00*", b"MZ", b"\x7fELF")
SAVE_AS_HINT = "Сохраните список в Excel как «Книга Excel (.xlsx)» или «CSV (разделители — точка с запятой)»."

Row = tuple[int, list[Any]]


def read_table(data: bytes, filename: str) -> list[Row]:
    """Non-empty rows of the first sheet (XLSX) or of a CSV file, each with its number in the spreadsheet."""
    if len(data) > settings.ZHURNAL_MAX_IMPORT_BYTES:
        raise ImportFileError(too_large_message(filename))
    if not data.strip():
        raise ImportFileError(f"Файл «{filename}» пустой: в нём нет ни одной строки.")
    lowered = filename.lower()
    if data.startswith(ZIP_MAGIC):
        rows = _read_xlsx(data, filename)
    elif data.startswith(OLE_MAGIC):
        raise ImportFileError(f"Файл «{filename}» — книга старого формата Excel 97–2003 (.xls), она не читается. "
                              + SAVE_AS_HINT)
    elif lowered.endswith((".xlsx", ".xlsm")) or _looks_binary(data):
        raise ImportFileError(f"Файл «{filename}» не является таблицей Excel (.xlsx) или CSV. " + SAVE_AS_HINT)
    else:
        rows = _read_csv(data, filename)
    rows = [(number, cells) for number, cells in rows if any(cell_text(c) for c in cells)]
    if not rows:
        raise ImportFileError(f"Файл «{filename}» пустой: в нём нет ни одной заполненной строки.")
    return rows


def _looks_binary(data: bytes) -> bool:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return data.startswith(BINARY_MAGICS) or b"\x00" in data[:8192]


def _read_xlsx(data: bytes, filename: str) -> list[Row]:
    import openpyxl

    not_a_workbook = ImportFileError(f"Файл «{filename}» не является таблицей Excel (.xlsx) или CSV, "
                                     f"или он повреждён. " + SAVE_AS_HINT)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise not_a_workbook from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(f"Файл «{filename}» после распаковки занимает больше "
                              f"{MAX_UNPACKED_BYTES // (1024 * 1024)} МБ — это не похоже на список. "
                              "Удалите лишние листы и картинки.")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged or foreign zip fails inside openpyxl in many different ways
        raise not_a_workbook from exc
    try:
        if not workbook.worksheets:
            raise ImportFileError(f"В книге «{filename}» нет ни одного листа с таблицей.")
        sheet = workbook.worksheets[0]
        rows: list[Row] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((number, list(values)))
            if len(rows) > MAX_ROWS * 2:
                break
        return rows
    except ImportFileError:
        raise
    except Exception as exc:
        raise not_a_workbook from exc
    finally:
        workbook.close()


def decode_text(data: bytes, filename: str) -> str:
    """The shared decoding of Russian spreadsheets' CSV, reported as this module's file error."""
    try:
        return spreadsheets.decode_text(data, filename)
    except spreadsheets.SpreadsheetError as exc:
        raise ImportFileError(str(exc)) from exc


def _read_csv(data: bytes, filename: str) -> list[Row]:
    text = decode_text(data, filename)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=spreadsheets.sniff_delimiter(text))
    rows: list[Row] = []
    try:
        for number, values in enumerate(reader, start=1):
            rows.append((number, values))
            if len(rows) > MAX_ROWS * 2:
                break
    except csv.Error as exc:
        raise ImportFileError(f"Файл «{filename}» не читается как CSV (строка {reader.line_num}): "
                              f"проверьте кавычки. " + SAVE_AS_HINT) from exc
    return rows


# --- parsing one value ------------------------------------------------------------------------------------

RU_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{2,4})(?:\s*г\.?)?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
GENDERS = {
    "м": Gender.MALE, "муж": Gender.MALE, "мужской": Gender.MALE, "m": Gender.MALE, "male": Gender.MALE,
    "ж": Gender.FEMALE, "жен": Gender.FEMALE, "женский": Gender.FEMALE, "f": Gender.FEMALE, "female": Gender.FEMALE,
}
GENDER_LETTERS = {Gender.MALE: "м", Gender.FEMALE: "ж"}
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


# --- the plan: every row checked, nothing written --------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class PlannedRow:
    number: int
    raw: dict[str, str]
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    note: str = ""
    skip: bool = False
    cells: list[tuple[str, str]] = field(default_factory=list)
    invalid: set[str] = field(default_factory=set)

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))


@dataclass
class Plan:
    format: Format
    school: School
    year: AcademicYear | None
    filename: str
    header_row: int
    columns: list[Column]
    ignored: list[str]
    rows: list[PlannedRow]

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def to_import(self) -> list[PlannedRow]:
        return [row for row in self.rows if not row.skip]

    @property
    def rows_with_errors(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    def summary(self) -> str:
        count = len(self.to_import)
        skipped = len(self.rows) - count
        if self.format.kind == STUDENTS:
            classes = sorted({row.values["school_class"] for row in self.to_import
                              if isinstance(row.values.get("school_class"), SchoolClass)},
                             key=lambda c: (c.grade, c.letter))
            text = (f"{plural(count, 'обучающийся,обучающихся,обучающихся')} в "
                    f"{'класс' if len(classes) == 1 else 'классы'} {', '.join(c.name for c in classes)}")
        elif self.format.kind == STAFF:
            text = plural(count, "сотрудник,сотрудника,сотрудников")
        else:
            new = len({row.values.get("guardian_key") for row in self.to_import
                       if row.values.get("guardian_id") is None})
            text = (f"{plural(count, 'связь,связи,связей')} «представитель — ученик», "
                    f"из них новых представителей: {new}")
        if skipped:
            text += f"; уже есть и будут пропущены: {skipped}"
        return text


@dataclass
class Options:
    year: AcademicYear | None = None
    default_order: str = ""


def prepare(*, kind: str, data: bytes, filename: str, school: School, options: Options | None = None) -> Plan:
    """Read the file and check every row against the school. Raises ``ImportFileError`` for file-level problems."""
    fmt = FORMATS[kind]
    options = options or Options()
    if fmt.needs_year and options.year is None:
        raise ImportFileError("В школе ещё нет учебного года: создайте его, затем загружайте списки.")
    table = read_table(data, filename)
    header_index, mapping, ignored = _match_header(fmt, table)
    header_row = table[header_index][0]
    body = table[header_index + 1:]
    if not body:
        raise ImportFileError(f"В файле «{filename}» только заголовки столбцов (строка {header_row}) и нет ни одной "
                              "строки с данными.")
    if len(body) > MAX_ROWS:
        raise ImportFileError(f"В файле «{filename}» больше {MAX_ROWS} строк. Разделите список на несколько файлов.")
    present = set(mapping.values())
    covered = present | {part for name in fmt.full_names if name.key in present for part in name.parts}
    columns = [c for c in fmt.columns if c.key in covered or c.key in fmt.always_shown]
    rows = [_parse_row(fmt, number, cells, mapping, covered) for number, cells in body]
    plan = Plan(format=fmt, school=school, year=options.year if fmt.needs_year else None, filename=filename,
                header_row=header_row, columns=columns, ignored=ignored, rows=rows)
    CHECKS[kind](plan, options)
    for row in plan.rows:
        row.cells = [(column.title, _display(row, column)) for column in plan.columns]
    return plan


def _match_header(fmt: Format, table: list[Row]) -> tuple[int, dict[int, str], list[str]]:
    """The header is the first row naming at least two known columns (title rows above it are skipped)."""
    keys = fmt.header_keys()
    header_index = 0
    for index, (_, cells) in enumerate(table[:20]):
        if sum(1 for cell in cells if normalize_header(cell_text(cell)) in keys) >= 2:
            header_index = index
            break
    number, cells = table[header_index]
    mapping: dict[int, str] = {}
    seen: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        title = cell_text(cell)
        if not title:
            continue
        key = keys.get(normalize_header(title))
        if key is None:
            ignored.append(title)
            continue
        if key in seen:
            raise ImportFileError(f"Столбец «{title}» встречается дважды (столбцы {column_letter(seen[key])} и "
                                  f"{column_letter(index)} в строке {number}). Оставьте один.")
        seen[key] = index
        mapping[index] = key
    present = set(mapping.values())
    covered = present | {part for name in fmt.full_names if name.key in present for part in name.parts}
    missing = [c.title for c in fmt.required if c.key not in covered]
    if missing:
        found = ", ".join(f"«{cell_text(c)}»" for c in cells if cell_text(c)) or "ничего"
        raise ImportFileError(
            "В файле нет обязательных столбцов: " + ", ".join(f"«{m}»" for m in missing) + ". "
            f"Первая строка таблицы должна содержать заголовки столбцов (в строке {number} найдено: {found}). "
            "Скачайте шаблон, чтобы увидеть правильные заголовки."
        )
    return header_index, mapping, ignored


def _parse_row(fmt: Format, number: int, cells: list[Any], mapping: dict[int, str], covered: set[str]) -> PlannedRow:
    given = {key: cells[index] if index < len(cells) else None for index, key in mapping.items()}
    raw = {key: cell_text(value) for key, value in given.items()}
    for name in fmt.full_names:
        words = raw.get(name.key, "").split()
        if not words:
            continue
        split = {name.parts[0]: words[0], name.parts[1]: words[1] if len(words) > 1 else "",
                 name.parts[2]: " ".join(words[2:])}
        for part, text in split.items():
            if not raw.get(part):
                raw[part] = given[part] = text
    row = PlannedRow(number=number, raw=raw, values={})
    for column in fmt.columns:
        if column.key not in covered:
            continue
        text = raw.get(column.key, "")
        if not text:
            if column.required:
                row.fail(column.title, "не заполнено.")
            row.values[column.key] = None if column.kind in ("date", "class", "gender", "positions") else ""
            continue
        if column.max_length and len(text) > column.max_length:
            row.fail(column.title, f"слишком длинно: не больше {column.max_length} символов (сейчас {len(text)}).")
            row.invalid.add(column.key)
            continue
        try:
            row.values[column.key] = PARSERS[column.kind](given[column.key])
        except CellError as exc:
            row.fail(column.title, str(exc))
            row.invalid.add(column.key)
    return row


def _display(row: PlannedRow, column: Column) -> str:
    value = row.values.get(column.key)
    if value is None or value == "":
        return row.raw.get(column.key, "")
    if isinstance(value, SchoolClass):
        return value.name
    if isinstance(value, tuple):
        return f"{value[0]}{value[1]}"
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if column.kind == "gender":
        return GENDER_LETTERS[value]
    if column.kind == "positions":
        return ", ".join(str(Position(p).label) for p in value)
    return str(value)


def person_key(last_name: str, first_name: str, patronymic: str, *rest: Any) -> tuple:
    return (fold(last_name), fold(first_name), fold(patronymic or ""), *rest)


def _load_classes(year: AcademicYear) -> dict[tuple[int, str], SchoolClass]:
    classes = SchoolClass.objects.filter(year=year).select_related("year", "school")
    return {(c.grade, c.letter.upper()): c for c in classes}


def _resolve_class(row: PlannedRow, classes: dict[tuple[int, str], SchoolClass], year: AcademicYear) -> None:
    wanted = row.values.get("school_class")
    if wanted is None:
        return
    school_class = classes.get(wanted)
    if school_class is None:
        row.fail("Класс", f"класса {wanted[0]}{wanted[1]} нет в {year} учебном году. Создайте его в настройке "
                          "или исправьте файл.")
        row.values["school_class"] = None
    else:
        row.values["school_class"] = school_class


def _check_students(plan: Plan, options: Options) -> None:
    year = plan.year
    assert year is not None
    classes = _load_classes(year)
    existing = {
        person_key(last, first, patronymic, birth)
        for last, first, patronymic, birth in Student.objects.filter(school=plan.school).values_list(
            "last_name", "first_name", "patronymic", "birth_date")
    }
    seen: dict[tuple, int] = {}
    today = school_today()
    for row in plan.rows:
        values = row.values
        _resolve_class(row, classes, year)
        if values.get("enrolled_on") is None and "enrolled_on" not in row.invalid:
            values["enrolled_on"] = year.start
        enrolled_on = values.get("enrolled_on")
        if enrolled_on is not None and not year.start <= enrolled_on <= year.end:
            row.fail("Дата зачисления", f"{enrolled_on:%d.%m.%Y} — вне {year} учебного года "
                                        f"({year.start:%d.%m.%Y}–{year.end:%d.%m.%Y}).")
        if not values.get("order_number") and "order_number" not in row.invalid:
            if options.default_order.strip():
                values["order_number"] = options.default_order.strip()
            else:
                row.fail("Номер приказа", "не указан: заполните столбец или укажите номер приказа при загрузке.")
        birth = values.get("birth_date")
        problem = services.birth_date_problem(birth, today=today) if birth is not None else None
        if problem:
            row.fail("Дата рождения", problem)
        if birth is None or not values.get("last_name") or not values.get("first_name"):
            continue
        key = person_key(values["last_name"], values["first_name"], values.get("patronymic", ""), birth)
        who = f"{values['last_name']} {values['first_name']} {values.get('patronymic') or ''}".strip()
        if key in seen:
            row.fail("Фамилия", f"{who}, {birth:%d.%m.%Y} г. р., уже есть в этом файле (строка {seen[key]}).")
        elif key in existing:
            row.fail("Фамилия", f"{who}, {birth:%d.%m.%Y} г. р., уже есть в школе. Перевод и прибытие "
                                "оформляются в «Движении».")
        else:
            seen[key] = row.number


def _check_staff(plan: Plan, options: Options) -> None:
    existing = {
        person_key(*names)
        for names in StaffMember.objects.filter(school=plan.school).values_list("last_name", "first_name",
                                                                                "patronymic")
    }
    seen: dict[tuple, int] = {}
    for row in plan.rows:
        values = row.values
        if not values.get("last_name") or not values.get("first_name"):
            continue
        key = person_key(values["last_name"], values["first_name"], values.get("patronymic", ""))
        who = f"{values['last_name']} {values['first_name']} {values.get('patronymic') or ''}".strip()
        if key in seen:
            row.fail("Фамилия", f"{who} уже есть в этом файле (строка {seen[key]}).")
        elif key in existing:
            row.fail("Фамилия", f"сотрудник {who} уже есть в школе.")
        else:
            seen[key] = row.number


def _check_guardians(plan: Plan, options: Options) -> None:
    year = plan.year
    assert year is not None
    school = plan.school
    classes = _load_classes(year)
    students: dict[tuple, list[tuple[int, str, dt.date]]] = {}
    for pk, last, first, patronymic, birth in Student.objects.filter(school=school).values_list(
            "pk", "last_name", "first_name", "patronymic", "birth_date"):
        students.setdefault((fold(last), fold(first)), []).append((pk, fold(patronymic), birth))
    classes_of: dict[int, set[int]] = {}
    for student_id, class_id in Enrollment.objects.filter(school=school, school_class__year=year).values_list(
            "student_id", "school_class_id"):
        classes_of.setdefault(student_id, set()).add(class_id)
    guardians: dict[tuple, int] = {}
    for pk, last, first, patronymic, phone in Guardian.objects.filter(school=school).order_by("pk").values_list(
            "pk", "last_name", "first_name", "patronymic", "phone"):
        guardians.setdefault(person_key(last, first, patronymic, phone_key(phone)), pk)
    links = set(GuardianLink.objects.filter(school=school).values_list("guardian_id", "student_id"))
    first_row_of_guardian: dict[tuple, int] = {}
    seen_pairs: dict[tuple, int] = {}

    for row in plan.rows:
        values = row.values
        _resolve_class(row, classes, year)
        student_id = _find_student(row, students, classes_of)
        if not values.get("last_name") or not values.get("first_name"):
            continue
        key = person_key(values["last_name"], values["first_name"], values.get("patronymic", ""),
                         phone_key(values.get("phone") or ""))
        values["guardian_key"] = key
        values["guardian_id"] = guardians.get(key)
        if student_id is None:
            continue
        pair = (key, student_id)
        if pair in seen_pairs:
            row.fail("Фамилия", f"эта пара «представитель — ученик» уже есть в этом файле (строка "
                                f"{seen_pairs[pair]}).")
            continue
        seen_pairs[pair] = row.number
        if values["guardian_id"] is not None:
            if (values["guardian_id"], student_id) in links:
                row.skip = True
                row.note = "уже указан представителем этого ученика — строка будет пропущена"
            else:
                row.note = "представитель уже есть в школе — будет привязан к ученику"
        elif key in first_row_of_guardian:
            row.note = f"тот же представитель, что в строке {first_row_of_guardian[key]}"
        else:
            first_row_of_guardian[key] = row.number
            row.note = "новый представитель"


def _find_student(row: PlannedRow, students: dict[tuple, list[tuple[int, str, dt.date]]],
                  classes_of: dict[int, set[int]]) -> int | None:
    values = row.values
    last, first = values.get("student_last_name"), values.get("student_first_name")
    if not last or not first:
        return None
    candidates = students.get((fold(last), fold(first)), [])
    patronymic = fold(values.get("student_patronymic") or "")
    if patronymic:
        candidates = [c for c in candidates if c[1] == patronymic]
    birth = values.get("student_birth_date")
    if birth is not None:
        candidates = [c for c in candidates if c[2] == birth]
    school_class = values.get("school_class")
    if isinstance(school_class, SchoolClass):
        in_class = [c for c in candidates if school_class.pk in classes_of.get(c[0], set())]
        if candidates and not in_class:
            row.fail("Класс", f"ученик {last} {first} не учится в классе {school_class.name}.")
            return None
        candidates = in_class
    who = " ".join(p for p in (last, first, values.get("student_patronymic")) if p)
    if birth is not None:
        who += f", {birth:%d.%m.%Y} г. р."
    if not candidates:
        row.fail("Фамилия ученика", f"ученик {who} не найден в школе. Сначала загрузите список класса.")
        return None
    if len(candidates) > 1:
        row.fail("Фамилия ученика", f"в школе несколько учеников {who}: укажите дату рождения ученика и класс.")
        return None
    values["student_id"] = candidates[0][0]
    return candidates[0][0]


CHECKS: dict[str, Callable[[Plan, Options], None]] = {
    STUDENTS: _check_students, STAFF: _check_staff, GUARDIANS: _check_guardians,
}


# --- applying: one transaction, through the services --------------------------------------------------------


@dataclass
class ImportResult:
    kind: str
    created: int
    skipped: int
    classes: list[SchoolClass] = field(default_factory=list)


def _row_failed(row: PlannedRow, exc: ValidationError) -> ValidationError:
    return ValidationError(f"Строка {row.number}: {' '.join(exc.messages)} Ничего не загружено.")


@transaction.atomic
def apply_import(*, actor: Any, plan: Plan) -> ImportResult:
    """Write every row of a checked plan through the school's services — all rows or none."""
    if not plan.ok:
        raise ValidationError(f"В файле есть ошибки ({len(plan.errors)}): ничего не загружено. Исправьте файл и "
                              "загрузите его снова.")
    result = APPLIERS[plan.format.kind](actor, plan)
    record(actor=actor, verb=f"import.{plan.format.kind}", target=plan.school, school=plan.school,
           after={"file": plan.filename, "created": result.created, "skipped": result.skipped})
    return result


def _apply_students(actor: Any, plan: Plan) -> ImportResult:
    classes: dict[int, SchoolClass] = {}
    for row in plan.to_import:
        values = row.values
        try:
            student = services.save_student(
                actor=actor, school=plan.school, last_name=values["last_name"], first_name=values["first_name"],
                patronymic=values.get("patronymic") or "", birth_date=values["birth_date"],
                gender=values["gender"], address=values.get("address") or "",
                document=values.get("document") or "", snils=values.get("snils") or "",
                phone=values.get("phone") or "", email=values.get("email") or "",
            )
            services.enroll_student(actor=actor, student=student, school_class=values["school_class"],
                                    date=values["enrolled_on"], order_number=values["order_number"])
        except ValidationError as exc:
            raise _row_failed(row, exc) from exc
        classes[values["school_class"].pk] = values["school_class"]
    ordered = sorted(classes.values(), key=lambda c: (c.grade, c.letter))
    return ImportResult(kind=STUDENTS, created=len(plan.to_import), skipped=0, classes=ordered)


def _apply_staff(actor: Any, plan: Plan) -> ImportResult:
    for row in plan.to_import:
        values = row.values
        try:
            services.save_staff(
                actor=actor, school=plan.school, last_name=values["last_name"], first_name=values["first_name"],
                patronymic=values.get("patronymic") or "", positions=values["positions"],
                email=values.get("email") or "", phone=values.get("phone") or "",
            )
        except ValidationError as exc:
            raise _row_failed(row, exc) from exc
    return ImportResult(kind=STAFF, created=len(plan.to_import), skipped=0)


def _apply_guardians(actor: Any, plan: Plan) -> ImportResult:
    rows = plan.to_import
    students = Student.objects.select_related("school").in_bulk([row.values["student_id"] for row in rows])
    existing = Guardian.objects.select_related("school").in_bulk(
        [row.values["guardian_id"] for row in rows if row.values.get("guardian_id")])
    made: dict[tuple, Guardian] = {}
    for row in rows:
        values = row.values
        try:
            guardian = existing.get(values.get("guardian_id")) or made.get(values["guardian_key"])
            if guardian is None:
                guardian = services.save_guardian(
                    actor=actor, school=plan.school, last_name=values["last_name"], first_name=values["first_name"],
                    patronymic=values.get("patronymic") or "", phone=values.get("phone") or "",
                    email=values.get("email") or "",
                )
                made[values["guardian_key"]] = guardian
            services.link_guardian(actor=actor, student=students[values["student_id"]], guardian=guardian,
                                   relation=values.get("relation") or "")
        except ValidationError as exc:
            raise _row_failed(row, exc) from exc
    return ImportResult(kind=GUARDIANS, created=len(rows), skipped=len(plan.rows) - len(rows))


APPLIERS: dict[str, Callable[[Any, Plan], ImportResult]] = {
    STUDENTS: _apply_students, STAFF: _apply_staff, GUARDIANS: _apply_guardians,
}


# --- the uploaded file between preview and confirmation ------------------------------------------------------


class UploadMissing(Exception):
    """No such upload (already imported, cancelled, or never made)."""


class UploadExpired(UploadMissing):
    """The upload is older than ``UPLOAD_TTL``."""


class UploadForeign(Exception):
    """The token belongs to another user or school."""


@dataclass
class StoredUpload:
    token: str
    kind: str
    filename: str
    data: bytes
    year_id: int | None
    default_order: str
    created: dt.datetime


def _paths(token: str) -> tuple[str, str]:
    if not TOKEN_RE.fullmatch(token):
        raise UploadMissing(token)
    return f"{UPLOAD_DIR}/{token}.json", f"{UPLOAD_DIR}/{token}.data"


def store_upload(*, data: bytes, filename: str, kind: str, user_id: int, school_id: int,
                 year_id: int | None = None, default_order: str = "") -> str:
    """Keep the uploaded bytes server-side and return the random token that names them."""
    sweep_expired_uploads()
    token = secrets.token_urlsafe(32)
    meta_path, data_path = _paths(token)
    meta = {"kind": kind, "filename": filename, "user": user_id, "school": school_id, "year": year_id,
            "order": default_order, "created": timezone.now().isoformat()}
    default_storage.save(data_path, ContentFile(data))
    default_storage.save(meta_path, ContentFile(json.dumps(meta).encode()))
    return token


def load_upload(*, token: str, user_id: int, school_id: int, kind: str) -> StoredUpload:
    meta_path, data_path = _paths(token)
    try:
        with default_storage.open(meta_path) as handle:
            meta = json.loads(handle.read())
        with default_storage.open(data_path) as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError, KeyError) as exc:
        raise UploadMissing(token) from exc
    if meta.get("user") != user_id or meta.get("school") != school_id or meta.get("kind") != kind:
        raise UploadForeign(token)
    created = dt.datetime.fromisoformat(meta["created"])
    if timezone.now() - created > UPLOAD_TTL:
        discard_upload(token)
        raise UploadExpired(token)
    return StoredUpload(token=token, kind=meta["kind"], filename=meta["filename"], data=data, year_id=meta["year"],
                        default_order=meta["order"], created=created)


def discard_upload(token: str) -> None:
    for path in _paths(token):
        default_storage.delete(path)


def sweep_expired_uploads() -> None:
    try:
        _, names = default_storage.listdir(UPLOAD_DIR)
    except FileNotFoundError:
        return
    now = timezone.now()
    for name in names:
        token, _, suffix = name.rpartition(".")
        if suffix != "json" or not TOKEN_RE.fullmatch(token):
            continue
        try:
            with default_storage.open(f"{UPLOAD_DIR}/{name}") as handle:
                created = dt.datetime.fromisoformat(json.loads(handle.read())["created"])
        except (FileNotFoundError, ValueError, KeyError):
            continue
        if now - created > UPLOAD_TTL:
            discard_upload(token)


def all_formats() -> Iterable[Format]:
    return FORMATS.values()
