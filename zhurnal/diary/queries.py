"""The diary's hand-written SQL: the week view's reads over the journal's and the timetable's tables (see
``zhurnal.core.sql``), and counting a family's views of the diary.

The week view is what every family opens several times a week, and it must answer in a few milliseconds with
a year of data behind it. Each read returns named rows (NamedTuples); ``selectors.diary_days`` turns them into
what the page shows. Only table names (from the models) and placeholder lists are formatted into the SQL text —
hence the ``noqa: S608`` marks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

from django.db import connection

from zhurnal.core.sql import any_of, as_date, date_param, fetch, in_list, table
from zhurnal.journal.models import (
    Attendance,
    HomeworkAttachment,
    IndividualHomework,
    LessonRecord,
    Mark,
    WorkType,
)
from zhurnal.school.models import (
    AcademicYear,
    Enrollment,
    Group,
    GroupKind,
    GroupMembership,
    SchoolClass,
    StaffMember,
    Subject,
    TeachingAssignment,
)
from zhurnal.timetable.models import Lesson, Room, Substitution

from .models import DiaryView, FeedVisit


class AssignmentRow(NamedTuple):
    """A teaching assignment of a group the student may be in, with what ``lessons`` labels its lessons with."""

    assignment_id: int
    subject_id: int
    subject: str
    group_kind: str
    group_id: int
    school_class_id: int | None  # None for a group across classes
    shift: int | None


class StaffName(NamedTuple):
    last: str
    first: str
    patronymic: str


NOBODY = StaffName("", "", "")


class LessonRow(NamedTuple):
    """A lesson with everything the diary shows of it."""

    pk: int
    date: dt.date
    number: int
    assignment_id: int
    assignment: AssignmentRow  # its subject, its group
    actual_teacher_id: int | None
    planned_teacher_id: int | None
    room: str | None
    topic: str
    cancelled: bool
    actual_teacher: StaffName
    planned_teacher: StaffName
    homework: str


class MarkRow(NamedTuple):
    """A mark of the student at a lesson shown."""

    lesson_id: int
    value: str
    modifier: str
    comment: str
    work_type: str  # its name
    is_control: bool


class FileRow(NamedTuple):
    """A file attached to the homework of a lesson."""

    pk: int
    lesson_id: int
    name: str
    size: int


class ClassStayRow(NamedTuple):
    """A stay of the student in a class, with the class and its academic year."""

    school_class_id: int
    start: dt.date
    end: dt.date | None
    grade: int
    letter: str
    shift: int
    school_id: int
    class_teacher_id: int | None
    year_id: int
    year_name: str
    year_start: dt.date
    year_end: dt.date


class GroupStayRow(NamedTuple):
    """A membership of the student in a group (not a whole class)."""

    group_id: int
    start: dt.date
    end: dt.date | None


def group_assignments(*, school_id: int, class_ids: list[int], group_ids: list[int]) -> list[AssignmentRow]:
    """The assignments of the whole-class groups of ``class_ids`` and of the groups ``group_ids``, in id order —
    what ``lessons`` needs to find and label lessons (cached per school by the selectors)."""
    of_classes, class_params = in_list("g.school_class_id", class_ids)
    of_groups, group_params = in_list("g.id", group_ids)
    sql = (
        "SELECT a.id, a.subject_id, s.name, g.kind, g.id, g.school_class_id, c.shift "  # noqa: S608
        f"FROM {table(TeachingAssignment)} a JOIN {table(Group)} g ON g.id = a.group_id "
        f"JOIN {table(Subject)} s ON s.id = a.subject_id "
        f"LEFT JOIN {table(SchoolClass)} c ON c.id = g.school_class_id "
        f"WHERE a.school_id = %s AND ((g.kind = %s AND {of_classes}) OR {of_groups}) ORDER BY a.id"
    )
    return list(map(AssignmentRow._make, fetch(sql, [school_id, GroupKind.CLASS, *class_params, *group_params])))


def school_names(*, school_id: int) -> tuple[dict[int, StaffName], dict[int, str]]:
    """Staff names and room names of a school, by id (cached per school)."""
    staff = {pk: StaffName(last, first, patronymic) for pk, last, first, patronymic in fetch(
        f"SELECT id, last_name, first_name, patronymic FROM {table(StaffMember)} WHERE school_id = %s",  # noqa: S608
        [school_id])}
    rooms = dict(fetch(f"SELECT id, name FROM {table(Room)} WHERE school_id = %s", [school_id]))  # noqa: S608
    return staff, rooms


_IN_TIME_ORDER = itemgetter(1, 2, 0)  # a LessonRow's date, number, pk


def lessons(*, school_id: int, assignments: list[AssignmentRow],
            names: tuple[dict[int, StaffName], dict[int, str]], start: dt.date, end: dt.date) -> list[LessonRow]:
    """Lessons of ``assignments`` between two dates with everything the diary shows of them, in time order — one
    table: subjects, groups, teachers and rooms come from ``assignments`` and ``names`` (joining them cost
    PostgreSQL more in planning and running than the lessons themselves), a lesson's substitution and due date
    from ``lesson_items`` (joined or looked up here for every lesson of the weeks around, they cost more than the
    lessons: few lessons have either)."""
    by_assignment = {row.assignment_id: row for row in assignments}
    of_assignments, params = in_list("l.assignment_id", list(by_assignment))
    sql = (
        "SELECT l.id, l.date, l.number, l.assignment_id, l.actual_teacher_id, l.planned_teacher_id, l.room_id, "  # noqa: S608
        f"l.topic, l.cancelled, l.homework FROM {table(Lesson)} l "
        f"WHERE l.school_id = %s AND {of_assignments} AND l.date >= %s AND l.date <= %s"
    )
    staff, rooms = names
    out = []
    for (pk, date, number, assignment_id, actual_id, planned_id, room_id, topic, cancelled,
         homework) in fetch(sql, [school_id, *params, date_param(start), date_param(end)]):
        out.append(LessonRow(pk, as_date(date), number, assignment_id, by_assignment[assignment_id], actual_id,
                             planned_id, rooms.get(room_id), topic, bool(cancelled), staff.get(actual_id, NOBODY),
                             staff.get(planned_id, NOBODY), homework))
    out.sort(key=_IN_TIME_ORDER)
    return out


@dataclass
class LessonItems:
    """What belongs to one student at the lessons a diary page shows."""

    marks: list[MarkRow]  # in cell order
    absences: dict[int, str]  # lesson id → code
    individual: dict[int, str]  # lesson id → the student's own homework
    files: list[FileRow]  # oldest first
    substitutions: dict[int, str] = field(default_factory=dict)  # lesson id → substitution kind (lessons shown)
    dues: dict[int, dt.date] = field(default_factory=dict)  # lesson id → the date its homework is due, when set
    new_marks: int = 0  # marks set or changed since the reader's last visit of the feed (``new_since``)


def lesson_items(*, school_id: int, student_id: int, shown_ids: list[int], window_ids: list[int],
                 new_since: tuple[int, dt.datetime] | None = None) -> LessonItems:
    """The student's marks and absences at the lessons shown and their substitutions; his individual homework,
    the files and the set due dates of the lessons around them — one query, by lesson (the indexes find them
    directly, however many marks the student has in the year). With ``new_since`` — (user id, floor) — the same
    query counts his marks set or changed after the floor and after that user's last visit of the marks feed
    (the week's «new marks»)."""
    of_marks, marks_params = any_of("m.lesson_id", shown_ids)
    of_absences, absences_params = any_of("a.lesson_id", shown_ids)
    of_substitutions, substitutions_params = any_of("s.lesson_id", shown_ids)
    of_individual, individual_params = any_of("h.lesson_id", window_ids)
    of_files, files_params = any_of("f.lesson_id", window_ids)
    of_records, records_params = any_of("r.lesson_id", window_ids)
    sql = (
        # kind, lesson, text, modifier, comment, work type, is control, number (position, size), id, created,
        # due. Files first, then marks: PostgreSQL resolves a union's column types pair by pair from the left, so
        # the first two branches must give every column a type (a NULL in both would become text).
        "SELECT 'f', f.lesson_id, f.name, NULL, NULL, NULL, NULL, f.size, f.id, f.created_at, "  # noqa: S608
        f"CAST(NULL AS DATE) FROM {table(HomeworkAttachment)} f WHERE {of_files} "
        "UNION ALL SELECT 'm', m.lesson_id, m.value, m.modifier, m.comment, w.name, w.is_control, m.position, m.id, "
        # The school on the marks lets PostgreSQL probe their (school, lesson, student) index lesson by lesson.
        f"NULL, NULL FROM {table(Mark)} m JOIN {table(WorkType)} w ON w.id = m.work_type_id "
        f"WHERE m.school_id = %s AND m.student_id = %s AND {of_marks} "
        "UNION ALL SELECT 'a', a.lesson_id, a.code, NULL, NULL, NULL, NULL, NULL, a.id, NULL, NULL "
        f"FROM {table(Attendance)} a WHERE a.student_id = %s AND {of_absences} "
        "UNION ALL SELECT 'h', h.lesson_id, h.text, NULL, NULL, NULL, NULL, NULL, h.id, NULL, NULL "
        f"FROM {table(IndividualHomework)} h WHERE h.student_id = %s AND {of_individual} "
        "UNION ALL SELECT 's', s.lesson_id, s.kind, NULL, NULL, NULL, NULL, NULL, s.id, NULL, NULL "
        f"FROM {table(Substitution)} s WHERE {of_substitutions} "
        "UNION ALL SELECT 'd', r.lesson_id, NULL, NULL, NULL, NULL, NULL, NULL, r.id, NULL, r.homework_due "
        f"FROM {table(LessonRecord)} r WHERE {of_records} AND r.homework_due IS NOT NULL"
    )
    params = [*files_params, school_id, student_id, *marks_params, student_id, *absences_params, student_id,
              *individual_params, *substitutions_params, *records_params]
    if new_since is not None:
        user_id, floor = new_since
        stamp = connection.ops.adapt_datetimefield_value(floor)
        # By the marks' (student, updated_at) index: the count reads the index alone.
        sql += (" UNION ALL SELECT 'n', NULL, NULL, NULL, NULL, NULL, NULL, COUNT(*), NULL, NULL, NULL "  # noqa: S608
                f"FROM {table(Mark)} m WHERE m.student_id = %s AND m.updated_at > %s "
                f"AND m.updated_at > COALESCE((SELECT v.seen_at FROM {table(FeedVisit)} v "
                "WHERE v.student_id = %s AND v.user_id = %s), %s)")
        params += [student_id, stamp, student_id, user_id, stamp]
    rows = fetch(sql, params)
    items = LessonItems(marks=[], absences={}, individual={}, files=[])
    marks: list[tuple[int, int, MarkRow]] = []
    files: list[tuple[str, int, FileRow]] = []
    for kind, lesson_id, text, modifier, comment, work_type, control, number, pk, created, due in rows:
        if kind == "n":
            items.new_marks = number
        elif kind == "s":
            items.substitutions[lesson_id] = text
        elif kind == "d":
            items.dues[lesson_id] = as_date(due)
        elif kind == "m":
            marks.append((number, pk, MarkRow(lesson_id, text, modifier, comment, work_type, bool(control))))
        elif kind == "a":
            items.absences[lesson_id] = text
        elif kind == "h":
            items.individual[lesson_id] = text
        else:
            files.append((str(created), pk, FileRow(pk, lesson_id, text, number)))
    # Sorted here rather than by the database: a sort of the union cost PostgreSQL more than reading it.
    items.marks = [mark for _, _, mark in sorted(marks, key=lambda m: m[:2])]
    items.files = [file for _, _, file in sorted(files, key=lambda f: f[:2])]
    return items


def placement(*, student_id: int, start: dt.date, end: dt.date) -> tuple[list[ClassStayRow], list[GroupStayRow]]:
    """The student's stays in classes (with the class and its year) and memberships of groups that overlap
    the span, oldest first — one query."""
    q = connection.ops.quote_name
    sql = (
        "SELECT 'c', e.school_class_id, e.start, e." + q("end") + ", c.grade, c.letter, c.shift, "  # noqa: S608
        "c.school_id, c.class_teacher_id, y.id, y.name, y.start, y." + q("end") + ", e.id "
        f"FROM {table(Enrollment)} e JOIN {table(SchoolClass)} c ON c.id = e.school_class_id "
        f"JOIN {table(AcademicYear)} y ON y.id = c.year_id "
        "WHERE e.student_id = %s AND e.start <= %s AND (e." + q("end") + " IS NULL OR e." + q("end") + " >= %s) "
        "UNION ALL "
        "SELECT 'g', m.group_id, m.start, m." + q("end") + ", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
        "NULL, m.id "
        f"FROM {table(GroupMembership)} m "
        "WHERE m.student_id = %s AND m.start <= %s AND (m." + q("end") + " IS NULL OR m." + q("end") + " >= %s) "
        "ORDER BY 1, 3, 14"
    )
    params = [student_id, date_param(end), date_param(start)] * 2
    classes, groups = [], []
    for (kind, place_id, stay_start, stay_end, grade, letter, shift, school_id, teacher_id, year_id, year_name,
         year_start, year_end, _) in fetch(sql, params):
        if kind == "c":
            classes.append(ClassStayRow(place_id, as_date(stay_start), as_date(stay_end), grade, letter, shift,
                                        school_id, teacher_id, year_id, year_name, as_date(year_start),
                                        as_date(year_end)))
        else:
            groups.append(GroupStayRow(place_id, as_date(stay_start), as_date(stay_end)))
    return classes, groups


def count_view(*, column: str, person: int, on: dt.date) -> bool:
    """One more view on ``on`` by the person (``column``: guardian_id or student_id) if he has a row for the day —
    plain SQL: on every page a family opens, the ORM's UPDATE cost double. False when there is none yet."""
    if column not in ("guardian_id", "student_id"):
        raise ValueError(f"not a viewer column: {column!r}")
    count = connection.ops.quote_name("count")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table(DiaryView)} SET {count} = {count} + 1 WHERE date = %s AND {column} = %s",  # noqa: S608
                       [date_param(on), person])
        return bool(cursor.rowcount)
