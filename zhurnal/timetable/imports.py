"""Import a finished weekly timetable: from FET (``.fet``, ``_activities.xml``, FET's CSV) or our CSV template.

Reading gives ``SourceRow``s; ``preview`` maps them onto the school (classes, subgroups, subjects, teachers,
rooms, teaching assignments), checks every row and the whole week for conflicts and writes nothing;
``apply`` puts the timetable in place from a date through ``services.replace_timetable`` — all or nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from zhurnal.accounts.models import User
from zhurnal.core.spreadsheets import write_csv
from zhurnal.school.models import AcademicYear, Group, GroupKind, StaffMember, Subject, TeachingAssignment

from . import fet, services
from .models import MAX_LESSON_NUMBER, WEEKDAY_NAMES, Room, TimetableEntry, WeekParity
from .services import NewEntry, TimetableRowsError

CSV_COLUMNS = ["Класс или группа", "День недели", "Урок", "Предмет", "Учитель", "Кабинет", "Неделя"]
CSV_EXAMPLE = [
    ["5А", "понедельник", "1", "Математика", "Иванова Анна Петровна", "214", ""],
    ["5А англ. 1", "понедельник", "2", "Английский язык", "Петрова Б. В.", "301", ""],
    ["5А англ. 2", "понедельник", "2", "Английский язык", "Сидорова В. Г.", "302", ""],
    ["5А", "вторник", "3", "Музыка", "Смирнов Д. Е.", "Актовый зал", "1"],
]


def csv_template() -> bytes:
    """The documented template, UTF-8 with BOM and «;» so that a spreadsheet opens it as columns."""
    return write_csv([CSV_COLUMNS, *CSV_EXAMPLE])


def decode_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise fet.SourceError("Не удалось прочитать файл: сохраните его в кодировке UTF-8.")


def _week_from_text(text: str) -> int | None:
    word = text.strip().lower().replace("-я", "").replace("ая", "")
    if word in {"", "0", "каждая", "каждую", "все", "кажд"}:
        return WeekParity.EVERY
    if word in {"1", "i", "нечётн", "нечетн", "а", "a"}:
        return WeekParity.FIRST
    if word in {"2", "ii", "чётн", "четн", "б", "b"}:
        return WeekParity.SECOND
    return None


def rows_from_csv_template(text: str) -> list[fet.SourceRow]:
    sample = text[:2048]
    delimiter = max((";", ",", "\t"), key=sample.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    wanted = [c.lower() for c in CSV_COLUMNS]
    missing = [c for c in CSV_COLUMNS[:5] if c.lower() not in header]
    if missing:
        raise fet.SourceError(f"В первой строке нет столбцов: {', '.join(missing)}. "
                              f"Скачайте шаблон и заполните его.")
    index = {name: header.index(name) for name in wanted if name in header}
    rows = []
    for line_no, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue

        def get(column: str, values=values) -> str:
            i = index.get(column.lower())
            return values[i].strip() if i is not None and i < len(values) else ""

        errors = []
        weekday = fet.weekday_from_text(get("День недели"))
        if weekday is None:
            errors.append(f"День недели «{get('День недели')}» не распознан (пишите «понедельник» или «пн»).")
        number_text = get("Урок")
        number = int(number_text) if number_text.isdigit() else None
        if number is None or number > MAX_LESSON_NUMBER:
            errors.append(f"Номер урока «{number_text}» — нужно число от 0 до {MAX_LESSON_NUMBER}.")
            number = None
        week = _week_from_text(get("Неделя"))
        if week is None:
            errors.append(f"Неделя «{get('Неделя')}» — оставьте пустой (каждую неделю) или укажите 1 или 2.")
            week = WeekParity.EVERY
        rows.append(fet.SourceRow(ref=f"строка {line_no}", group=get("Класс или группа"), subject=get("Предмет"),
                                  teacher=get("Учитель"), weekday=weekday, number=number, room=get("Кабинет"),
                                  week=week, errors=errors))
    return rows


def read_source(filename: str, data: bytes, extra: tuple[str, bytes] | None = None) -> tuple[str, list[fet.SourceRow]]:
    """Recognise the file and read its rows: (a description of the source, rows)."""
    name = filename.lower()
    if name.endswith(".fet"):
        return "FET: " + filename, fet.rows_from_data_and_timetable(data)
    if name.endswith(".xml"):
        if extra is None or not extra[0].lower().endswith(".fet"):
            raise fet.SourceError("К файлу <имя>_activities.xml приложите исходный файл .fet, из которого FET "
                                  "составил расписание (или загрузите один файл <имя>_data_and_timetable.fet).")
        return "FET: " + filename, fet.rows_from_activities_xml(data, extra[1])
    if name.endswith(".csv") or name.endswith(".txt"):
        text = decode_text(data)
        first_line = next(csv.reader(io.StringIO(text.splitlines()[0] if text else "")), [])
        if fet.is_fet_csv(first_line):
            return "FET (CSV): " + filename, fet.rows_from_fet_csv(text)
        return "CSV: " + filename, rows_from_csv_template(text)
    raise fet.SourceError("Поддерживаются файлы FET (.fet, _activities.xml вместе с .fet, CSV из FET) и CSV по "
                          "шаблону.")


# --- mapping onto the school ------------------------------------------------------------------------------------


def _key(text: str) -> str:
    return re.sub(r"[\s.\-]+", "", text.lower().replace("ё", "е"))


@dataclass
class PreviewRow:
    ref: str
    source: fet.SourceRow
    assignment: TeachingAssignment | None = None
    room: Room | None = None
    new_room: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def entry(self, key: int) -> NewEntry | None:
        """The row as a timetable entry to put in place, once it maps onto the school without an error."""
        if not self.ok or self.assignment is None or self.source.weekday is None or self.source.number is None:
            return None
        return NewEntry(assignment=self.assignment, weekday=self.source.weekday, number=self.source.number,
                        room=self.room, week=self.source.week, key=key)

    @property
    def weekday_name(self) -> str:
        return WEEKDAY_NAMES.get(self.source.weekday or 0, "")

    @property
    def week_label(self) -> str:
        return "" if self.source.week == WeekParity.EVERY else WeekParity(self.source.week).label


@dataclass
class Preview:
    source: str
    valid_from: dt.date
    rows: list[PreviewRow]
    new_rooms: list[str]
    ending: int

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and self.error_count == 0


class SchoolDirectory:
    """Names of the year's classes, groups, subjects, teachers and rooms — five queries for any number of rows."""

    def __init__(self, year: AcademicYear):
        self.year = year
        groups = list(Group.objects.filter(year=year).select_related("school_class"))
        self.groups_by_name: dict[str, list[Group]] = defaultdict(list)
        for group in groups:
            self.groups_by_name[_key(group.name)].append(group)
            if group.kind == GroupKind.CLASS and group.school_class is not None:
                self.groups_by_name[_key(group.school_class.name)] = [group]
        for key, found in list(self.groups_by_name.items()):
            whole = [g for g in found if g.kind == GroupKind.CLASS]
            if whole:
                self.groups_by_name[key] = whole[:1]
        subjects = list(Subject.objects.filter(school=year.school))
        self.subjects: dict[str, Subject] = {_key(s.short_name): s for s in subjects if s.short_name}
        self.subjects.update({_key(s.name): s for s in subjects})
        self.assignments: dict[tuple[int, int, int], TeachingAssignment] = {}
        self.by_group_subject: dict[tuple[int, int], list[TeachingAssignment]] = defaultdict(list)
        for assignment in TeachingAssignment.objects.filter(year=year).select_related("teacher", "subject", "group"):
            self.assignments[(assignment.teacher_id, assignment.subject_id, assignment.group_id)] = assignment
            self.by_group_subject[(assignment.group_id, assignment.subject_id)].append(assignment)

        self.teachers: dict[str, list] = defaultdict(list)
        for teacher in StaffMember.objects.filter(school=year.school, is_active=True):
            keys = {_key(teacher.full_name), _key(teacher.short_name),
                    _key(f"{teacher.last_name} {teacher.first_name}")}
            for key in keys:
                self.teachers[key].append(teacher)
            self.teachers["surname:" + _key(teacher.last_name)].append(teacher)
        self.rooms = {_key(room.name): room for room in Room.objects.filter(school=year.school)}

    def group(self, name: str) -> tuple[Group | None, str]:
        found = self.groups_by_name.get(_key(name), [])
        if not name.strip():
            return None, "Не указан класс или группа."
        if not found:
            return None, f"Класс или группа «{name}» не найдены в {self.year} учебном году."
        if len(found) > 1:
            return None, f"Группа «{name}» есть в нескольких классах — укажите её точное название."
        return found[0], ""

    def subject(self, name: str) -> tuple[Subject | None, str]:
        subject = self.subjects.get(_key(name))
        if not name.strip():
            return None, "Не указан предмет."
        if subject is None:
            return None, f"Предмет «{name}» не найден в списке предметов школы."
        return subject, ""

    def teacher(self, name: str) -> tuple[StaffMember | None, str]:
        found = self.teachers.get(_key(name)) or self.teachers.get("surname:" + _key(name), [])
        if len(found) == 1:
            return found[0], ""
        if not found:
            return None, f"Учитель «{name}» не найден среди сотрудников школы."
        return None, f"Учителей «{name}» несколько — укажите фамилию, имя и отчество."


def preview(year: AcademicYear, source: str, rows: list[fet.SourceRow], valid_from: dt.date) -> Preview:
    """Map and check every row; writes nothing."""
    directory = SchoolDirectory(year)
    result: list[PreviewRow] = []
    new_rooms: dict[str, Room] = {}
    for source_row in rows:
        row = PreviewRow(ref=source_row.ref, source=source_row, errors=list(source_row.errors))
        result.append(row)
        group, group_error = directory.group(source_row.group)
        subject, subject_error = directory.subject(source_row.subject)
        for message in (group_error, subject_error):
            if message:
                row.errors.append(message)
        if group is not None and subject is not None:
            if source_row.teacher.strip():
                teacher, teacher_error = directory.teacher(source_row.teacher)
                if teacher is None:
                    row.errors.append(teacher_error)
                else:
                    row.assignment = directory.assignments.get((teacher.pk, subject.pk, group.pk))
                    if row.assignment is None:
                        row.errors.append(f"Нет педагогической нагрузки «{teacher.short_name} — {subject.name} — "
                                          f"{group.name}»: назначьте её или исправьте строку.")
            else:
                candidates = directory.by_group_subject.get((group.pk, subject.pk), [])
                if len(candidates) == 1:
                    row.assignment = candidates[0]
                else:
                    row.errors.append("Не указан учитель, а по этому предмету в группе "
                                      + ("нет нагрузки." if not candidates else "несколько учителей."))
        room_name = source_row.room.strip()
        if room_name:
            row.room = directory.rooms.get(_key(room_name))
            if row.room is None:
                row.new_room = room_name
                if _key(room_name) not in new_rooms:
                    # A placeholder with a negative id so that the conflict check sees the room before it exists.
                    new_rooms[_key(room_name)] = Room(pk=-(len(new_rooms) + 1), school=year.school, name=room_name)
                row.room = new_rooms[_key(room_name)]
            elif not row.room.is_active:
                row.errors.append(f"Кабинет «{row.room.name}» отмечен как неиспользуемый.")
    checkable = [entry for i, row in enumerate(result) if (entry := row.entry(i)) is not None]
    for key, messages in services.check_timetable_rows(year=year, rows=checkable, valid_from=valid_from).items():
        result[key].errors.extend(messages)
    ending = TimetableEntry.objects.filter(year=year, valid_from__lte=year.end).exclude(
        valid_to__lt=valid_from).count()
    return Preview(source=source, valid_from=valid_from, rows=result,
                   new_rooms=[room.name for room in new_rooms.values()], ending=ending)


@transaction.atomic
def apply(*, actor: User, year: AcademicYear, source: str, rows: list[fet.SourceRow],
          valid_from: dt.date) -> tuple[Preview, services.RegenerationReport | None]:
    """Check again and put the timetable in place; nothing is written unless every row is right."""
    checked = preview(year, source, rows, valid_from)
    if not checked.ok:
        return checked, None
    created_rooms: dict[int, Room] = {}
    for row in checked.rows:
        if row.room is not None and row.room.pk is not None and row.room.pk < 0:
            if row.room.pk not in created_rooms:
                created_rooms[row.room.pk] = services.save_room(actor=actor, school=year.school, name=row.room.name)
            row.room = created_rooms[row.room.pk]
    entries = [entry for i, row in enumerate(checked.rows) if (entry := row.entry(i)) is not None]
    try:
        report = services.replace_timetable(actor=actor, year=year, rows=entries, valid_from=valid_from,
                                            source=source)
    except TimetableRowsError as error:
        for key, messages in error.row_errors.items():
            checked.rows[key].errors.extend(messages)
        transaction.set_rollback(True)
        return checked, None
    return checked, report
