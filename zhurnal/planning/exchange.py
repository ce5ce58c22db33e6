"""The КТП template: reading a plan from XLSX or CSV and writing it back in the same form.

The template (docs/planning.md) is one table with a header row:

    № | Раздел, тема урока | Часов | Вид контроля | Домашнее задание | Материалы

A section is a row with only its title (in XLSX usually merged across the row); a topic row has the topic,
its hours and optionally a lesson number («7» or «7–8» for a topic of two hours), a control kind, homework and
materials. Reading is tolerant of the usual spreadsheet habits: title lines above the header, empty rows,
columns in another order or with other names («Кол-во часов», «Тема урока», «Д/з»), extra columns (dates,
notes — ignored), a separate «Раздел» column, a topic cell merged down over several rows (one row per lesson),
«Раздел 1. …» rows that also carry the section's hours, and CSV in Windows-1251. Every problem is reported
with its row, column and what is wrong, and nothing is imported while any remains.

Writing gives the canonical form: the header in row 1, sections merged across, topics numbered by lesson.
Reading that file gives the same plan, and writing it again gives the same cells.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from zhurnal.core.spreadsheets import (
    OutRow,
    SheetRow,
    SpreadsheetError,
    column_letter,
    read_table,
    write_csv,
    write_xlsx,
)

from .models import CONTROL_LENGTH, MAX_TOPIC_HOURS, SECTION_LENGTH, TEXT_LENGTH, TITLE_LENGTH

HEADERS = ("№", "Раздел, тема урока", "Часов", "Вид контроля", "Домашнее задание", "Материалы")
KEYS = ("number", "title", "hours", "control", "homework", "materials")
COLUMN_NAMES = dict(zip(KEYS, HEADERS, strict=True)) | {"section": "Раздел"}
WIDTHS = (8, 60, 8, 22, 40, 30)
MAX_TOPICS = 1000
HEADER_SEARCH_ROWS = 15

TITLE_WORDS = re.compile(r"(?<![а-я])(тем[аыу]|раздел\w*|содержани\w*|наименовани\w*|названи\w*)(?![а-я])")
SECTION_WORDS = re.compile(r"^(раздел|глава|модуль|блок|часть)\b", re.IGNORECASE)
# «Итого», «Итого по разделу», «Всего часов: 34», «ИТОГО за год» — a totals row, checked against the sum of hours.
TOTAL_WORDS = re.compile(r"^\s*(итого|всего)\b", re.IGNORECASE)
TOTAL_OF_SECTION = re.compile(r"по\s+разделу|по\s+теме|по\s+модулю|по\s+главе", re.IGNORECASE)
TOTAL_OF_TERM = re.compile(r"четверт|полугод|триместр|семестр|месяц", re.IGNORECASE)
FIRST_NUMBER = re.compile(r"(\d{1,4})")
SINGLE_NUMBER = re.compile(r"^(\d{1,4})[.)]?$")
NUMBER_RANGE = re.compile(r"^(\d{1,4})\s*[-–—]\s*(\d{1,4})[.)]?$")
HOURS = re.compile(r"^(\d{1,4})(?:[.,]0+)?\s*(?:ч|час|часа|часов)?\.?$", re.IGNORECASE)
FRACTION = re.compile(r"^\d+[.,]\d+")


@dataclass
class SectionItem:
    title: str
    row: int | None = None
    kind: str = "section"


@dataclass
class TopicItem:
    title: str
    hours: int = 1
    control: str = ""
    homework: str = ""
    materials: str = ""
    row: int | None = None
    kind: str = "topic"


Item = SectionItem | TopicItem


@dataclass
class RowError:
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Строка {self.row}" if self.row else "Файл"
        if self.column:
            where += f", столбец {self.column}"
        return f"{where}: {self.message}"


@dataclass
class ParsedPlan:
    filename: str
    items: list[Item] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def topics(self) -> list[TopicItem]:
        return [item for item in self.items if isinstance(item, TopicItem)]

    @property
    def total_hours(self) -> int:
        return sum(topic.hours for topic in self.topics)

    @property
    def section_count(self) -> int:
        return sum(1 for item in self.items if isinstance(item, SectionItem))


def items_to_data(items: Iterable[Item]) -> list[dict]:
    return [asdict(item) for item in items]


def items_from_data(data: Iterable[dict]) -> list[Item]:
    items: list[Item] = []
    for entry in data:
        entry = dict(entry)
        kind = entry.pop("kind", "topic")
        items.append(SectionItem(**entry) if kind == "section" else TopicItem(**entry))
    return items


# A short plan in the template: the downloadable template and docs/samples/ktp-sample.* hold it.
SAMPLE_ITEMS: list[Item] = [
    SectionItem("Натуральные числа и нуль"),
    TopicItem("Ряд натуральных чисел. Десятичная запись натуральных чисел", 2, "", "§ 1, № 5, 7, 12",
              "Учебник, глава 1"),
    TopicItem("Сравнение натуральных чисел. Координатная прямая", 2, "", "§ 2, № 41, 45"),
    TopicItem("Сложение и вычитание натуральных чисел", 3, "Самостоятельная работа", "§ 3, № 78, 81"),
    TopicItem("Умножение и деление натуральных чисел", 3, "", "§ 4, № 120, 124\nПовторить таблицу умножения"),
    TopicItem("Степень с натуральным показателем", 1, "", "§ 5, № 151"),
    TopicItem("Контрольная работа № 1 «Натуральные числа»", 1, "Контрольная работа"),
    SectionItem("Наглядная геометрия. Линии на плоскости"),
    TopicItem("Точка, прямая, отрезок, луч", 1, "", "§ 6, № 170"),
    TopicItem("Ломаная. Длина отрезка, ломаной", 1, "Практическая работа", "§ 7, № 185", "Линейка, циркуль"),
    TopicItem("Угол. Виды углов. Измерение углов", 2, "", "§ 8, № 201, 204", "Транспортир"),
    SectionItem("Обыкновенные дроби"),
    TopicItem("Дробь. Основное свойство дроби", 2, "", "§ 9, № 230"),
    TopicItem("Сравнение дробей", 2, "Проверочная работа", "§ 10, № 262"),
]


# --- reading ----------------------------------------------------------------------------------------------


def normalize_header(text: str) -> str:
    return re.sub(r"[^0-9a-zа-я№#]", "", text.casefold().replace("ё", "е"))


def column_key(text: str) -> str | None:
    """Which template column a header names, or None for a column the plan does not use."""
    name = normalize_header(text)
    if not name:
        return None
    if name in {"№", "#", "n", "no", "нп", "пп"} or name.startswith(("№", "номер")):
        return "number"
    if name in {"раздел", "разделы", "модуль", "глава", "блок", "названиераздела", "разделпрограммы"}:
        return "section"
    if "час" in name or name in {"колво", "количество", "кол"}:
        return "hours"
    if "домашн" in name or name in {"дз", "задание", "заданиенадом"}:
        return "homework"
    if "контрол" in name or "видработ" in name or "оценива" in name:
        return "control"
    if "материал" in name or "ресурс" in name or name in {"эор", "цор", "оборудование"}:
        return "materials"
    if TITLE_WORDS.search(text.casefold().replace("ё", "е")):
        return "title"
    return None


def parse_plan_file(data: bytes, filename: str) -> ParsedPlan:
    """Read a plan from an uploaded file. Problems are collected in ``errors``; nothing raises for bad rows."""
    result = ParsedPlan(filename=filename)
    try:
        rows = read_table(data, filename)
    except SpreadsheetError as exc:
        result.errors.append(RowError(None, "", str(exc)))
        return result
    return parse_rows(rows, result)


def _find_header(rows: list[SheetRow]) -> tuple[int, dict[str, int], dict[int, str]] | None:
    """The index of the header row, the column of each known key, and the header texts of every column."""
    candidates = []
    seen = 0
    for index, row in enumerate(rows):
        if row.is_empty:
            continue
        seen += 1
        if seen > HEADER_SEARCH_ROWS:
            break
        columns: dict[str, int] = {}
        for column, text in enumerate(row.cells):
            key = column_key(text) if text else None
            if key and key not in columns:
                columns[key] = column
        if "title" in columns:
            found = index, columns, {c: t for c, t in enumerate(row.cells) if t}
            if len(columns) >= 2:
                return found  # a title line above the table names at most one "column"
            candidates.append(found)
    return candidates[0] if candidates else None


def parse_rows(rows: list[SheetRow], result: ParsedPlan) -> ParsedPlan:
    found = _find_header(rows)
    if found is None:
        result.errors.append(RowError(None, "", "Не найдена строка заголовков таблицы: нужен столбец «Раздел, тема "
                                                "урока» (или «Тема урока»), а также «Часов». Скачайте шаблон КТП "
                                                "и сравните."))
        return result
    header_index, columns, header_texts = found
    ignored = [text for column, text in sorted(header_texts.items()) if column not in columns.values()]
    if ignored:
        result.warnings.append("Не используются столбцы: " + ", ".join(f"«{t}»" for t in ignored) + ".")
    if "hours" not in columns:
        result.warnings.append("В таблице нет столбца «Часов»: каждая тема считается за один урок "
                               "(или по номерам вида «7–8»).")

    def name(key: str) -> str:
        column = columns[key]
        return f"{column_letter(column)} «{header_texts.get(column, COLUMN_NAMES[key])}»"

    parser = _RowParser(result=result, columns=columns, name=name)
    for row in rows[header_index + 1:]:
        parser.feed(row)
    parser.finish()
    return result


@dataclass
class _RowParser:
    result: ParsedPlan
    columns: dict[str, int]
    name: Callable[[str], str]
    numbers: dict[str, int] = field(default_factory=dict)  # number label → row
    section: SectionItem | None = None
    section_hours: dict[int, tuple[int, int]] = field(default_factory=dict)  # id(section) → (declared, row)
    section_column_title: str = ""
    last_topic: TopicItem | None = None
    plan_totals: list[tuple[int, int]] = field(default_factory=list)  # («Итого» hours, row)

    def error(self, row: int, key: str, message: str) -> None:
        column = self.name(key) if key in self.columns else ""
        self.result.errors.append(RowError(row, column, message))

    def get(self, row: SheetRow, key: str) -> str:
        return row.cell(self.columns.get(key))

    def feed(self, row: SheetRow) -> None:
        if row.is_empty:
            return
        if self._is_total_row(row):
            self._total_row(row)
            return
        if "section" in self.columns:
            self._section_column(row)
            if row.filled == [self.columns["section"]]:
                return
        if self._is_section_row(row):
            self._start_section(row)
            return
        self._topic_row(row)

    # totals: «Итого» is a check, never a topic

    def _is_total_row(self, row: SheetRow) -> bool:
        filled = row.filled
        return bool(filled) and any(TOTAL_WORDS.match(row.cells[index]) for index in filled[:2])

    def _total_row(self, row: SheetRow) -> None:
        label = next(row.cells[index] for index in row.filled[:2] if TOTAL_WORDS.match(row.cells[index]))
        hours_text = self.get(row, "hours")
        declared = _parse_hours(hours_text) if hours_text else None
        if declared is None:
            numbers = [FIRST_NUMBER.search(row.cells[index]) for index in row.filled]
            found = [int(match.group(1)) for match in numbers if match]
            declared = found[-1] if found else None
        if declared is None:
            self.result.warnings.append(f"Строка {row.number} «{label}»: число часов не найдено, итог не проверен.")
            return
        if TOTAL_OF_TERM.search(label):
            self.result.warnings.append(f"Строка {row.number} «{label}» — итог за часть года: не проверяется.")
            return
        if TOTAL_OF_SECTION.search(label) and self.section is not None:
            self.section_hours.setdefault(id(self.section), (declared, row.number))
            return
        self.plan_totals.append((declared, row.number))

    # sections

    def _section_column(self, row: SheetRow) -> None:
        column = self.columns["section"]
        text = row.cell(column)
        if not text or column in row.continued or text == self.section_column_title:
            return
        self.section_column_title = text
        self._add_section(text, row.number)

    def _is_section_row(self, row: SheetRow) -> bool:
        filled = row.filled
        title_column = self.columns["title"]
        if title_column in row.continued:
            return False
        number = self.get(row, "number")
        first = row.cells[filled[0]]
        if SECTION_WORDS.match(first) and (not number or number == first):
            return True
        if len(filled) == 1 and not _is_number(first):
            if row.merged_across:
                return True
            return "hours" in self.columns or "number" in self.columns
        return bool(row.merged_across and filled[0] in row.merged_across and not _is_number(first)
                    and (not number or number == first))

    def _start_section(self, row: SheetRow) -> None:
        filled = row.filled
        title = row.cells[filled[0]]
        hours_text = self.get(row, "hours")
        declared = None
        if hours_text and filled[0] != self.columns.get("hours"):
            declared = _parse_hours(hours_text)
            if declared is None:
                self.error(row.number, "hours", f"«{hours_text}» — не число часов раздела.")
        section = self._add_section(title, row.number)
        if section is not None and declared is not None:
            self.section_hours[id(section)] = (declared, row.number)

    def _add_section(self, title: str, row_number: int) -> SectionItem | None:
        if len(title) > SECTION_LENGTH:
            self.result.errors.append(RowError(row_number, "", f"название раздела длиннее {SECTION_LENGTH} "
                                                               "знаков."))
            return None
        self.section = SectionItem(title=title, row=row_number)
        self.result.items.append(self.section)
        self.last_topic = None
        return self.section

    # topics

    def _topic_row(self, row: SheetRow) -> None:
        title = self.get(row, "title")
        title_continues = self.columns["title"] in row.continued and not title
        number = self.get(row, "number")
        lesson_span = self._check_number(row, number)
        hours = self._hours(row, number, lesson_span, continuing=title_continues)
        if title_continues:
            if self.last_topic is None:
                self.error(row.number, "title", "объединённая ячейка темы не относится ни к одной теме выше.")
                return
            if hours is not None:
                self.last_topic.hours += hours
                self._check_topic_hours(self.last_topic, row.number)
            self._fill_missing(self.last_topic, row)
            return
        if not title:
            self.error(row.number, "title", "не указана тема урока.")
            return
        if len(title) > TITLE_LENGTH:
            self.error(row.number, "title", f"тема длиннее {TITLE_LENGTH} знаков.")
            return
        topic = TopicItem(title=title, hours=hours or 1, row=row.number)
        for key, limit in (("control", CONTROL_LENGTH), ("homework", TEXT_LENGTH), ("materials", TEXT_LENGTH)):
            text = self.get(row, key)
            if len(text) > limit:
                self.error(row.number, key, f"текст длиннее {limit} знаков.")
            setattr(topic, key, text[:limit])
        if hours is None:
            return
        self._check_topic_hours(topic, row.number)
        self.result.items.append(topic)
        self.last_topic = topic

    def _fill_missing(self, topic: TopicItem, row: SheetRow) -> None:
        for key in ("control", "homework", "materials"):
            text = self.get(row, key)
            if text and not getattr(topic, key):
                setattr(topic, key, text)

    def _check_topic_hours(self, topic: TopicItem, row_number: int) -> None:
        if topic.hours > MAX_TOPIC_HOURS:
            self.error(row_number, "hours", f"на одну тему не больше {MAX_TOPIC_HOURS} часов; разбейте тему.")

    def _check_number(self, row: SheetRow, number: str) -> int | None:
        """Check a number («7», «7.», «1.2», or a range of lessons «7–8»); for a range, the lessons it spans.

        A single number may count topics or lessons, so only a range is compared with the hours."""
        if not number:
            return None
        label = re.sub(r"\s*[-–—]\s*", "–", number.rstrip(".)"))
        earlier = self.numbers.get(label)
        if earlier is not None:
            self.error(row.number, "number", f"номер «{number}» уже есть в строке {earlier}.")
            return None
        self.numbers[label] = row.number
        span = NUMBER_RANGE.match(number)
        if not span:
            return None
        first, last = int(span.group(1)), int(span.group(2))
        if last < first:
            self.error(row.number, "number", f"в номере «{number}» начало больше конца.")
            return None
        return last - first + 1

    def _hours(self, row: SheetRow, number: str, span: int | None, *, continuing: bool) -> int | None:
        """The hours of a topic row; for a row continuing a topic merged down, the hours it adds (0 when the
        hours cell is merged down too: the anchor row already counted them)."""
        if "hours" not in self.columns:
            return span or 1
        text = self.get(row, "hours")
        if not text:
            if continuing:
                return 0 if self.columns["hours"] in row.continued else span or 1
            self.error(row.number, "hours", "не указано количество часов.")
            return None
        hours = _parse_hours(text)
        if hours is None:
            if FRACTION.match(text):
                self.error(row.number, "hours", f"«{text}» — дробное число часов; укажите целое число уроков.")
            else:
                self.error(row.number, "hours", f"«{text}» — не число часов; укажите целое число уроков.")
            return None
        if hours < 1:
            self.error(row.number, "hours", "количество часов должно быть не меньше 1.")
            return None
        if span is not None and span != hours:
            self.error(row.number, "hours", f"номер «{number}» — это {_lessons(span)}, а часов указано {hours}.")
            return None
        return hours

    def finish(self) -> None:
        totals: dict[int, int] = {}
        current: SectionItem | None = None
        for item in self.result.items:
            if isinstance(item, SectionItem):
                current = item
            elif current is not None:
                totals[id(current)] = totals.get(id(current), 0) + item.hours
        for item in self.result.items:
            if isinstance(item, SectionItem) and id(item) in self.section_hours:
                declared, row_number = self.section_hours[id(item)]
                actual = totals.get(id(item), 0)
                if declared != actual:
                    self.error(row_number, "hours", f"у раздела «{item.title}» указано {declared} ч, "
                                                    f"а сумма часов его тем — {actual} ч.")
        topics = self.result.topics
        total = sum(topic.hours for topic in topics)
        for declared, row_number in self.plan_totals[-1:]:  # the last «Итого» is the plan's
            if declared != total:
                self.result.errors.append(RowError(row_number, "", f"в строке «Итого» указано {declared} ч, "
                                                                   f"а сумма часов тем — {total} ч."))
        if not topics and not self.result.errors:
            self.result.errors.append(RowError(None, "", "В файле нет ни одной темы урока."))
        if len(topics) > MAX_TOPICS:
            self.result.errors.append(RowError(None, "", f"В плане больше {MAX_TOPICS} тем — это не похоже на "
                                                         "КТП одного предмета."))


def _is_number(text: str) -> bool:
    return bool(SINGLE_NUMBER.match(text) or NUMBER_RANGE.match(text) or HOURS.match(text))


def _parse_hours(text: str) -> int | None:
    match = HOURS.match(text.strip())
    return int(match.group(1)) if match else None


def _lessons(count: int) -> str:
    if count % 10 == 1 and count % 100 != 11:
        return f"{count} урок"
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return f"{count} урока"
    return f"{count} уроков"


# --- writing ----------------------------------------------------------------------------------------------


def lesson_label(first: int, hours: int) -> int | str:
    return first if hours == 1 else f"{first}–{first + hours - 1}"


def template_rows(items: Iterable[Item]) -> list[tuple[list, bool]]:
    """The plan as rows of the template: (values, is_section). Topics are numbered by lesson."""
    rows: list[tuple[list, bool]] = []
    lesson = 1
    for item in items:
        if isinstance(item, SectionItem):
            rows.append(([item.title, "", "", "", "", ""], True))
        else:
            rows.append(([lesson_label(lesson, item.hours), item.title, item.hours, item.control, item.homework,
                          item.materials], False))
            lesson += item.hours
    return rows


def to_xlsx(items: Iterable[Item], *, sheet_title: str = "КТП") -> bytes:
    out = [OutRow(values=HEADERS, bold=True)]
    for values, is_section in template_rows(items):
        out.append(OutRow(values=values, bold=is_section, merge_to=len(HEADERS) if is_section else None))
    return write_xlsx(out, sheet_title=sheet_title, widths=WIDTHS)


def to_csv(items: Iterable[Item]) -> bytes:
    return write_csv([list(HEADERS)] + [values for values, _ in template_rows(items)])
