"""The plan: the header matched and every row checked against the school, nothing written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zhurnal.core.dates import today as school_today
from zhurnal.core.spreadsheets import column_letter
from zhurnal.core.templatetags.zhurnal import plural

from .. import services
from ..models import (
    AcademicYear,
    Enrollment,
    Guardian,
    GuardianLink,
    Position,
    School,
    SchoolClass,
    StaffMember,
    Student,
)
from .formats import FORMATS, GUARDIANS, PARENTS, STAFF, STUDENTS, Column, Format
from .values import (
    GENDER_LETTERS,
    MAX_ROWS,
    PARSERS,
    CellError,
    ImportFileError,
    Row,
    cell_text,
    fold,
    normalize_header,
    phone_key,
    read_table,
)


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
            specs = [spec for row in self.to_import for spec in row.values.get("parents", ())]
            if specs:
                new = len({spec.key for spec in specs if spec.guardian_id is None})
                text += (f"; родители и законные представители: {plural(len(specs), 'связь,связи,связей')}, "
                         f"из них новых людей: {new}")
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
    parents = ParentBook.load(plan.school)
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
        _check_parents(row, parents)
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


@dataclass
class ParentSpec:
    """A parent named in a class list's row: who, how to reach, and whom he is (new, the same as in another row,
    or already in the school)."""

    relation: str
    last_name: str
    first_name: str
    patronymic: str
    phone: str
    email: str
    key: tuple
    guardian_id: int | None = None
    first_row: int | None = None


@dataclass
class ParentBook:
    """The school's guardians and those met earlier in the file, by name and phone: the same parent of two pupils
    is one person. A row without a phone finds a parent by the name alone when only one has it."""

    by_key: dict[tuple, int]
    by_name: dict[tuple, list[int]]
    in_file: dict[tuple, int] = field(default_factory=dict)  # key → the first row that named him
    in_file_names: dict[tuple, list[tuple]] = field(default_factory=dict)

    @classmethod
    def load(cls, school: School) -> ParentBook:
        by_key: dict[tuple, int] = {}
        by_name: dict[tuple, list[int]] = {}
        for pk, last, first, patronymic, phone in Guardian.objects.filter(school=school).order_by("pk").values_list(
                "pk", "last_name", "first_name", "patronymic", "phone"):
            by_key.setdefault(person_key(last, first, patronymic, phone_key(phone)), pk)
            by_name.setdefault(person_key(last, first, patronymic), []).append(pk)
        return cls(by_key=by_key, by_name=by_name)

    def resolve(self, spec: ParentSpec, row_number: int) -> None:
        name = spec.key[:3]
        if not spec.phone:  # the name alone, when it names one person
            known = self.by_name.get(name, [])
            met = self.in_file_names.get(name, [])
            if len(met) == 1 and not known:
                spec.key = met[0]
            elif len(known) == 1 and not met:
                spec.guardian_id = known[0]
                return
        spec.guardian_id = self.by_key.get(spec.key)
        if spec.guardian_id is not None:
            return
        if spec.key in self.in_file:
            spec.first_row = self.in_file[spec.key]
        else:
            self.in_file[spec.key] = row_number
            self.in_file_names.setdefault(name, []).append(spec.key)


def _check_parents(row: PlannedRow, parents: ParentBook) -> None:
    """The parent columns of a class list: each parent named becomes a guardian of the pupil."""
    specs: list[ParentSpec] = []
    notes: list[str] = []
    for key, relation, _owners in PARENTS:
        full = (row.values.get(f"{key}_name") or "").strip()
        phone = row.values.get(f"{key}_phone") or ""
        email = row.values.get(f"{key}_email") or ""
        if not full:
            if phone or email:
                row.fail(f"ФИО {_owners[0]}", "не заполнено, а телефон или почта указаны.")
            continue
        words = full.split()
        if len(words) < 2:
            row.fail(f"ФИО {_owners[0]}", f"«{full}»: нужны хотя бы фамилия и имя.")
            continue
        last, first, patronymic = words[0], words[1], " ".join(words[2:])
        spec = ParentSpec(relation=relation, last_name=last, first_name=first, patronymic=patronymic, phone=phone,
                          email=email, key=person_key(last, first, patronymic, phone_key(phone)))
        parents.resolve(spec, row.number)
        specs.append(spec)
        who = relation or "представитель"
        if spec.guardian_id is not None:
            notes.append(f"{who} уже есть в школе — будет привязан(а)")
        elif spec.first_row is not None:
            notes.append(f"{who} — тот же человек, что в строке {spec.first_row}")
        else:
            notes.append(f"{who} — новый представитель")
    row.values["parents"] = specs
    if notes:
        row.note = "; ".join(notes)


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
    for enrolled_id, class_id in Enrollment.objects.filter(school=school, school_class__year=year).values_list(
            "student_id", "school_class_id"):
        classes_of.setdefault(enrolled_id, set()).add(class_id)
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
