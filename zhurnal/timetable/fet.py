"""FET, the free timetabling program: export our school as a ``.fet`` input file, read back what FET made.

FET (Debian package ``fet``; ``fet-cl`` on the command line) writes, under ``timetables/<name>/``:
``<name>_data_and_timetable.fet`` — the input data with every placed activity locked by
``ConstraintActivityPreferredStartingTime`` (day, hour) and ``ConstraintActivityPreferredRoom`` — and
``<name>_activities.xml`` (activity id → day, hour, room), which needs the input ``.fet`` beside it for the
activities' teachers, subjects and students. FET's GUI can also export ``<name>_timetable.csv``.
Every reader returns ``SourceRow``s that ``imports.py`` maps onto our classes, groups, subjects, teachers
and rooms.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET  # noqa: S405 - guarded by _parse_xml (no DTD, no entities)
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape

from zhurnal.school.models import AcademicYear, Group, GroupKind, SchoolClass, TeachingAssignment

from .models import Room, WeekParity

WEEKDAY_WORDS = {
    1: ("понедельник", "пн", "monday", "mon", "mo"),
    2: ("вторник", "вт", "tuesday", "tue", "tu"),
    3: ("среда", "ср", "wednesday", "wed", "we"),
    4: ("четверг", "чт", "thursday", "thu", "th"),
    5: ("пятница", "пт", "friday", "fri", "fr"),
    6: ("суббота", "сб", "saturday", "sat", "sa"),
    7: ("воскресенье", "вс", "sunday", "sun", "su"),
}


class SourceError(ValueError):
    """The file itself cannot be read (not a row problem)."""


@dataclass
class SourceRow:
    """One lesson of a week as a source file states it, before it is mapped onto the school."""

    ref: str
    group: str
    subject: str
    teacher: str
    weekday: int | None
    number: int | None
    room: str = ""
    week: int = WeekParity.EVERY
    errors: list[str] = field(default_factory=list)


def weekday_from_text(text: str) -> int | None:
    word = text.strip().lower().rstrip(".")
    if word.isdigit() and 1 <= int(word) <= 7:
        return int(word)
    word = re.sub(r"[\s\d_\-]+$", "", word)  # «Понедельник 1», «Mon-2» in two-week layouts
    for number, words in WEEKDAY_WORDS.items():
        if word in words or (len(word) >= 3 and words[0].startswith(word)):
            return number
    return None


def number_from_text(text: str) -> int | None:
    match = re.match(r"\s*(\d{1,2})", text)
    return int(match.group(1)) if match else None


def _parse_xml(data: bytes) -> ET.Element:
    head = data[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in data.upper():
        raise SourceError("Файл содержит объявления DTD или сущностей — такие XML-файлы не принимаются.")
    try:
        return ET.fromstring(data)  # noqa: S314 - DTDs and entities refused above
    except ET.ParseError as error:
        raise SourceError(f"Файл не является корректным XML ({error}).") from None


def _text(element: ET.Element | None, tag: str) -> str:
    found = element.find(tag) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


@dataclass
class FetData:
    days: list[str]
    hours: list[str]
    activities: dict[str, dict]

    def weekday_and_week(self, day_name: str) -> tuple[int | None, int]:
        """Map a FET day onto a weekday; 10- or 12-day FET weeks are two-week rotations (1st half, 2nd half)."""
        names = self.days
        two_weeks = len(names) in (10, 12) and day_name in names
        position = names.index(day_name) + 1 if day_name in names else None
        week = WeekParity.EVERY
        if two_weeks and position is not None:
            half = len(names) // 2
            week = WeekParity.FIRST if position <= half else WeekParity.SECOND
            by_position = (position - 1) % half + 1
            return weekday_from_text(day_name) or by_position, week
        by_name = weekday_from_text(day_name)
        if by_name is not None:
            return by_name, week
        return (position if position is not None and position <= 7 else None), week

    def lesson_number(self, hour_name: str, offset: int = 0) -> int | None:
        """Hour names that are all numbers are lesson numbers (a timetable may start at 0); else their order."""
        if hour_name not in self.hours:
            base = number_from_text(hour_name)
            return base + offset if base is not None else None
        if all(re.fullmatch(r"\s*\d{1,2}\s*", h) for h in self.hours):
            return int(hour_name) + offset
        return self.hours.index(hour_name) + 1 + offset


def read_fet_data(data: bytes) -> tuple[FetData, ET.Element]:
    root = _parse_xml(data)
    if root.tag != "fet":
        raise SourceError("Это не файл FET (.fet): корневой элемент должен быть <fet>.")
    days = [_text(d, "Name") for d in root.findall("./Days_List/Day")]
    hours = [_text(h, "Name") for h in root.findall("./Hours_List/Hour")]
    activities = {}
    for activity in root.findall("./Activities_List/Activity"):
        activity_id = _text(activity, "Id")
        activities[activity_id] = {
            "teachers": [(t.text or "").strip() for t in activity.findall("Teacher")],
            "subject": _text(activity, "Subject"),
            "students": [(s.text or "").strip() for s in activity.findall("Students")],
            "duration": int(_text(activity, "Duration") or 1),
            "active": _text(activity, "Active").lower() != "false",
        }
    if not days or not hours:
        raise SourceError("В файле FET нет списка дней или часов (Days_List, Hours_List).")
    return FetData(days=days, hours=hours, activities=activities), root


def _rows_for_activity(fet: FetData, activity_id: str, day: str, hour: str, room: str) -> list[SourceRow]:
    activity = fet.activities.get(activity_id)
    ref = f"активность FET № {activity_id}"
    if activity is None:
        return [SourceRow(ref=ref, group="", subject="", teacher="", weekday=None, number=None,
                          errors=["Активность не найдена в исходном файле .fet — загрузите тот .fet, "
                                  "из которого FET составил расписание."])]
    if not activity["active"]:
        return []
    errors = []
    if len(activity["students"]) != 1:
        errors.append("У активности не одна группа обучающихся, а "
                      f"{len(activity['students'])} ({', '.join(activity['students']) or 'ни одной'}); "
                      "урок нескольких классов заведите как сводную группу.")
    if len(activity["teachers"]) > 1:
        errors.append(f"У активности несколько учителей ({', '.join(activity['teachers'])}); "
                      "в журнале у урока один учитель — разделите активность по подгруппам.")
    if not day or not hour:
        errors.append("Активность не размещена в расписании FET (нет дня и часа).")
    weekday, week = fet.weekday_and_week(day) if day else (None, WeekParity.EVERY)
    if day and weekday is None:
        errors.append(f"День «{day}» не распознан.")
    rows = []
    for offset in range(max(activity["duration"], 1)):
        number = fet.lesson_number(hour, offset) if hour else None
        if hour and number is None:
            errors.append(f"Час «{hour}» не распознан.")
        rows.append(SourceRow(
            ref=ref if activity["duration"] == 1 else f"{ref}, час {offset + 1}",
            group=(activity["students"] or [""])[0], subject=activity["subject"],
            teacher=(activity["teachers"] or [""])[0], weekday=weekday, number=number, room=room, week=week,
            errors=list(errors),
        ))
    return rows


def rows_from_data_and_timetable(data: bytes) -> list[SourceRow]:
    """``<name>_data_and_timetable.fet``: placements are the locked starting-time and room constraints."""
    fet, root = read_fet_data(data)
    times: dict[str, tuple[str, str]] = {}
    for constraint in root.iter("ConstraintActivityPreferredStartingTime"):
        if _text(constraint, "Active").lower() == "false":
            continue
        times[_text(constraint, "Activity_Id")] = (_text(constraint, "Preferred_Day"),
                                                   _text(constraint, "Preferred_Hour"))
    rooms: dict[str, str] = {}
    for constraint in root.iter("ConstraintActivityPreferredRoom"):
        if _text(constraint, "Active").lower() == "false":
            continue
        rooms[_text(constraint, "Activity_Id")] = _text(constraint, "Room")
    if not times:
        raise SourceError("В файле FET нет размещённых уроков: загрузите файл <имя>_data_and_timetable.fet, "
                          "который FET пишет после составления расписания.")
    rows: list[SourceRow] = []
    for activity_id in sorted(fet.activities, key=_numeric):
        day, hour = times.get(activity_id, ("", ""))
        rows += _rows_for_activity(fet, activity_id, day, hour, rooms.get(activity_id, ""))
    return rows


def rows_from_activities_xml(activities_xml: bytes, fet_input: bytes) -> list[SourceRow]:
    """``<name>_activities.xml`` (id → day, hour, room) with the ``.fet`` it was made from."""
    root = _parse_xml(activities_xml)
    if root.tag != "Activities_Timetable":
        raise SourceError("Ожидался файл <имя>_activities.xml из FET (корневой элемент <Activities_Timetable>).")
    fet, _ = read_fet_data(fet_input)
    rows: list[SourceRow] = []
    for activity in root.findall("Activity"):
        rows += _rows_for_activity(fet, _text(activity, "Id"), _text(activity, "Day"), _text(activity, "Hour"),
                                   _text(activity, "Room"))
    return rows


FET_CSV_COLUMNS = ["Activity Id", "Day", "Hour", "Students Sets", "Subject", "Teachers", "Activity Tags", "Room"]


def is_fet_csv(header: list[str]) -> bool:
    return {"Activity Id", "Day", "Hour", "Students Sets", "Subject", "Teachers"} <= {h.strip() for h in header}


def rows_from_fet_csv(text: str) -> list[SourceRow]:
    """FET's «Export → CSV» ``<name>_timetable.csv``: one line per activity and hour."""
    reader = csv.DictReader(io.StringIO(text))
    rows: list[SourceRow] = []
    for line_no, record in enumerate(reader, start=2):
        record = {(k or "").strip(): (v or "").strip() for k, v in record.items()}
        errors = []
        students = [s for s in record.get("Students Sets", "").split("+") if s]
        teachers = [t for t in record.get("Teachers", "").split("+") if t]
        if len(students) != 1:
            errors.append("В строке не одна группа обучающихся; урок нескольких классов заведите как сводную группу.")
        if len(teachers) > 1:
            errors.append("В строке несколько учителей; в журнале у урока один учитель.")
        weekday = weekday_from_text(record.get("Day", ""))
        if weekday is None:
            errors.append(f"День «{record.get('Day', '')}» не распознан.")
        number = number_from_text(record.get("Hour", ""))
        if number is None:
            errors.append(f"Час «{record.get('Hour', '')}» не распознан (ожидается номер урока).")
        rows.append(SourceRow(ref=f"строка {line_no}", group=(students or [""])[0], subject=record.get("Subject", ""),
                              teacher=(teachers or [""])[0], weekday=weekday, number=number,
                              room=record.get("Room", ""), errors=errors))
    return rows


def _numeric(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (10**9, value)


# --- export: our school as FET input ------------------------------------------------------------------------


FET_DAYS = ["Понедельник", "Вторник", "Среда", "Четверг", "Пятница", "Суббота"]


def _tag(name: str, value: object) -> str:
    return f"<{name}>{escape(str(value))}</{name}>"


def export_fet(year: AcademicYear, *, days: int = 5, hours: int = 7) -> bytes:
    """A FET input file with our classes (years) and their subgroups (groups), teachers, subjects, rooms and one
    activity per weekly hour of every teaching assignment. The administrator adds constraints in FET, lets it
    generate, and imports ``<name>_data_and_timetable.fet`` back."""
    school = year.school
    assignments = list(
        TeachingAssignment.objects.filter(year=year)
        .select_related("teacher", "subject", "group__school_class")
        .order_by("group__school_class__grade", "group__school_class__letter", "group__name", "subject__name")
    )
    classes = list(SchoolClass.objects.filter(year=year).order_by("grade", "letter"))
    groups = list(Group.objects.filter(year=year).exclude(kind=GroupKind.CLASS).order_by("name"))
    rooms = list(Room.objects.filter(school=school, is_active=True).order_by("name"))
    teachers = sorted({a.teacher for a in assignments}, key=lambda t: t.full_name)
    subjects = sorted({a.subject for a in assignments}, key=lambda s: s.name)

    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<fet version="6.8.5">', "<Mode>Official</Mode>",
           _tag("Institution_Name", school.name), _tag("Comments", f"Выгрузка из журнала, {year} учебный год")]
    out.append(f"<Days_List><Number_of_Days>{days}</Number_of_Days>")
    out += [f"<Day>{_tag('Name', name)}</Day>" for name in FET_DAYS[:days]]
    out.append("</Days_List>")
    out.append(f"<Hours_List><Number_of_Hours>{hours}</Number_of_Hours>")
    out += [f"<Hour>{_tag('Name', n)}</Hour>" for n in range(1, hours + 1)]
    out.append("</Hours_List>")
    out.append("<Subjects_List>")
    out += [f"<Subject>{_tag('Name', s.name)}<Comments></Comments></Subject>" for s in subjects]
    out.append("</Subjects_List><Activity_Tags_List></Activity_Tags_List><Teachers_List>")
    out += [f"<Teacher>{_tag('Name', t.full_name)}<Target_Number_of_Hours>0</Target_Number_of_Hours>"
            f"<Qualified_Subjects></Qualified_Subjects><Comments></Comments></Teacher>" for t in teachers]
    out.append("</Teachers_List><Students_List>")
    for school_class in classes:
        out.append(f"<Year>{_tag('Name', school_class.name)}<Number_of_Students>0</Number_of_Students>"
                   f"<Comments></Comments>")
        for group in groups:
            if group.school_class_id == school_class.pk:
                out.append(f"<Group>{_tag('Name', group.name)}<Number_of_Students>0</Number_of_Students>"
                           f"<Comments></Comments></Group>")
        out.append("</Year>")
    for group in groups:
        if group.school_class_id is None:
            out.append(f"<Year>{_tag('Name', group.name)}<Number_of_Students>0</Number_of_Students>"
                       f"<Comments></Comments></Year>")
    out.append("</Students_List><Activities_List>")
    activity_id = 0
    for assignment in assignments:
        weekly = int(Decimal(assignment.hours_per_week))
        group_id = activity_id + 1
        for _ in range(weekly):
            activity_id += 1
            out.append(
                "<Activity>" + _tag("Teacher", assignment.teacher.full_name) + _tag("Subject", assignment.subject.name)
                + _tag("Students", assignment.group.name) + "<Duration>1</Duration>"
                + _tag("Total_Duration", weekly) + _tag("Id", activity_id)
                + _tag("Activity_Group_Id", group_id if weekly > 1 else 0)
                + "<Active>true</Active><Comments></Comments></Activity>"
            )
    out.append("</Activities_List><Buildings_List></Buildings_List><Rooms_List>")
    out += [f"<Room>{_tag('Name', r.name)}<Building></Building>{_tag('Capacity', r.capacity or 30)}"
            f"<Virtual>false</Virtual><Comments></Comments></Room>" for r in rooms]
    out.append("</Rooms_List><Time_Constraints_List>")
    out.append("<ConstraintBasicCompulsoryTime><Weight_Percentage>100</Weight_Percentage><Active>true</Active>"
               "<Comments></Comments></ConstraintBasicCompulsoryTime>")
    out.append("</Time_Constraints_List><Space_Constraints_List>")
    out.append("<ConstraintBasicCompulsorySpace><Weight_Percentage>100</Weight_Percentage><Active>true</Active>"
               "<Comments></Comments></ConstraintBasicCompulsorySpace>")
    if rooms:
        for subject in subjects:
            out.append("<ConstraintSubjectPreferredRooms><Weight_Percentage>100</Weight_Percentage>"
                       + _tag("Subject", subject.name) + _tag("Number_of_Preferred_Rooms", len(rooms))
                       + "".join(_tag("Preferred_Room", r.name) for r in rooms)
                       + "<Active>true</Active><Comments></Comments></ConstraintSubjectPreferredRooms>")
    out.append("</Space_Constraints_List></fet>")
    return "\n".join(out).encode("utf-8")
