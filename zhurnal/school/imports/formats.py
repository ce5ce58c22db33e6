"""The three import formats (students, staff, guardians): their columns, and the file-level errors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..models import (
    Position,
)
from .values import normalize_header

STUDENTS = "students"
STAFF = "staff"
GUARDIANS = "guardians"


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
        items: list[Column | FullName] = [*self.columns, *self.full_names]
        for item in items:
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

# Class lists as schools export them carry the parents: «ФИО матери», «Телефон матери», «ФИО отца»… (or one
# «ФИО родителя»). Each parent found becomes a guardian linked to the pupil; the same parent of two pupils (same
# name and phone) is one person.
PARENTS = (("mother", "мать", ("матери", "мамы")), ("father", "отец", ("отца", "папы")),
           ("parent", "", ("родителя", "законного представителя", "представителя", "родителя 1")))


def _parent_columns() -> tuple[Column, ...]:
    columns: list[Column] = []
    for key, _relation, owners in PARENTS:
        title = owners[0]
        columns += [
            Column(f"{key}_name", f"ФИО {title}", max_length=200, accepts="фамилия, имя, отчество", aliases=tuple(
                       a for o in owners for a in (f"фио {o}", f"{o} фио", f"фамилия имя отчество {o}"))
                   + (("мать",) if key == "mother" else ("отец",) if key == "father" else ())),
            Column(f"{key}_phone", f"Телефон {title}", kind="phone", max_length=40, accepts=PHONE.accepts,
                   aliases=tuple(a for o in owners for a in (f"тел {o}", f"телефон {o}", f"мобильный телефон {o}",
                                                             f"контактный телефон {o}"))),
            Column(f"{key}_email", f"Эл. почта {title}", kind="email", max_length=254, aliases=tuple(
                a for o in owners for a in (f"электронная почта {o}", f"email {o}", f"e-mail {o}",
                                            f"почта {o}"))),
        ]
    return tuple(columns)


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
        *_parent_columns(),
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


def all_formats() -> Iterable[Format]:
    return FORMATS.values()
