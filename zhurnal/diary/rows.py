"""The week view's reads as plain SQL over the journal's and the timetable's tables (see ``zhurnal.core.sql``).

The week view is what every family opens several times a week, and it must answer in a few milliseconds with
a year of data behind it. They return plain tuples; ``selectors.diary_days`` turns them into what the page
shows. Only table names (from the models) and placeholder lists are formatted into the SQL text — hence the
``noqa: S608`` marks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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

from .models import FeedVisit

# The columns of ``lessons``, in order.
LESSON_COLUMNS = ("pk", "date", "number", "assignment_id", "subject_id", "subject", "group_kind", "group_id",
                  "school_class_id", "shift", "actual_teacher_id", "planned_teacher_id", "room", "topic",
                  "cancelled", "substitution_kind", "actual_last", "actual_first", "actual_patronymic",
                  "planned_last", "planned_first", "planned_patronymic", "homework", "homework_due")


def lessons(*, school_id: int, class_ids: list[int], group_ids: list[int], start: dt.date,
            end: dt.date) -> list[tuple]:
    """Lessons of the whole-class groups of ``class_ids`` and of the groups ``group_ids`` between two dates,
    with everything the diary shows of them (``LESSON_COLUMNS``), in time order."""
    of_classes, class_params = in_list("g.school_class_id", class_ids)
    of_groups, group_params = in_list("g.id", group_ids)
    sql = (
        "SELECT l.id, l.date, l.number, l.assignment_id, a.subject_id, s.name, g.kind, g.id, g.school_class_id, "  # noqa: S608
        "c.shift, l.actual_teacher_id, l.planned_teacher_id, r.name, l.topic, l.cancelled, sub.kind, "
        "t1.last_name, t1.first_name, t1.patronymic, t2.last_name, t2.first_name, t2.patronymic, "
        "l.homework, rec.homework_due "
        # The student's groups first, then their assignments, then the lessons of those (by the index on school,
        # assignment and date): CROSS JOIN keeps that order in SQLite, whose planner otherwise read every lesson
        # of the school in the window (5 ms against 2 in a 600-pupil school).
        f"FROM {table(Group)} g "
        f"JOIN {table(TeachingAssignment)} a ON a.group_id = g.id "
        f"CROSS JOIN {table(Lesson)} l "
        f"JOIN {table(Subject)} s ON s.id = a.subject_id "
        f"LEFT JOIN {table(SchoolClass)} c ON c.id = g.school_class_id "
        f"JOIN {table(StaffMember)} t1 ON t1.id = l.actual_teacher_id "
        f"JOIN {table(StaffMember)} t2 ON t2.id = l.planned_teacher_id "
        f"LEFT JOIN {table(Room)} r ON r.id = l.room_id "
        f"LEFT JOIN {table(Substitution)} sub ON sub.lesson_id = l.id "
        f"LEFT JOIN {table(LessonRecord)} rec ON rec.lesson_id = l.id "
        "WHERE l.school_id = %s AND l.assignment_id = a.id AND l.date >= %s AND l.date <= %s "
        f"AND ((g.kind = %s AND {of_classes}) OR {of_groups}) "
        "ORDER BY l.date, l.number, l.id"
    )
    params = [school_id, date_param(start), date_param(end), GroupKind.CLASS, *class_params, *group_params]
    out = []
    for row in fetch(sql, params):
        row = list(row)
        row[1] = as_date(row[1])
        row[14] = bool(row[14])
        row[23] = as_date(row[23])
        out.append(tuple(row))
    return out


@dataclass
class LessonItems:
    """What belongs to one student at the lessons a diary page shows."""

    marks: list[tuple]  # (lesson id, value, modifier, comment, work type name, is control), in cell order
    absences: dict[int, str]  # lesson id → code
    individual: dict[int, str]  # lesson id → the student's own homework
    files: list[tuple[int, int, str, int]]  # (file id, lesson id, name, size), oldest first


def lesson_items(*, student_id: int, shown_ids: list[int], window_ids: list[int]) -> LessonItems:
    """The student's marks and absences at the lessons shown, his individual homework and the files of the
    lessons around them — one query, by lesson (the index finds them directly, however many marks the student
    has in the year)."""
    of_marks, marks_params = any_of("m.lesson_id", shown_ids)
    of_absences, absences_params = any_of("a.lesson_id", shown_ids)
    of_individual, individual_params = any_of("h.lesson_id", window_ids)
    of_files, files_params = any_of("f.lesson_id", window_ids)
    sql = (
        # kind, lesson, text, modifier, comment, work type, is control, number (position, size), id, created.
        # Files first, then marks: PostgreSQL types a column of the union from its first non-NULL value.
        "SELECT 'f', f.lesson_id, f.name, NULL, NULL, NULL, NULL, f.size, f.id, f.created_at "  # noqa: S608
        f"FROM {table(HomeworkAttachment)} f WHERE {of_files} "
        "UNION ALL SELECT 'm', m.lesson_id, m.value, m.modifier, m.comment, w.name, w.is_control, m.position, m.id, "
        f"NULL FROM {table(Mark)} m JOIN {table(WorkType)} w ON w.id = m.work_type_id "
        f"WHERE m.student_id = %s AND {of_marks} "
        "UNION ALL SELECT 'a', a.lesson_id, a.code, NULL, NULL, NULL, NULL, NULL, a.id, NULL "
        f"FROM {table(Attendance)} a WHERE a.student_id = %s AND {of_absences} "
        "UNION ALL SELECT 'h', h.lesson_id, h.text, NULL, NULL, NULL, NULL, NULL, h.id, NULL "
        f"FROM {table(IndividualHomework)} h WHERE h.student_id = %s AND {of_individual}"
    )
    rows = fetch(sql, [*files_params, student_id, *marks_params, student_id, *absences_params, student_id,
                       *individual_params])
    items = LessonItems(marks=[], absences={}, individual={}, files=[])
    marks, files = [], []
    for kind, lesson_id, text, modifier, comment, work_type, control, number, pk, created in rows:
        if kind == "m":
            marks.append((number, pk, (lesson_id, text, modifier, comment, work_type, bool(control))))
        elif kind == "a":
            items.absences[lesson_id] = text
        elif kind == "h":
            items.individual[lesson_id] = text
        else:
            files.append((str(created), pk, (pk, lesson_id, text, number)))
    # Sorted here rather than by the database: a sort of the union cost PostgreSQL more than reading it.
    items.marks = [mark for _, _, mark in sorted(marks, key=lambda m: m[:2])]
    items.files = [file for _, _, file in sorted(files, key=lambda f: f[:2])]
    return items


def new_marks_count(*, student_id: int, user_id: int, floor: dt.datetime) -> int:
    """Marks set or changed after ``floor`` and after the person's last visit of the feed (if any)."""
    stamp = connection.ops.adapt_datetimefield_value(floor)
    sql = (
        f"SELECT COUNT(*) FROM {table(Mark)} m WHERE m.student_id = %s AND m.updated_at > %s "  # noqa: S608
        f"AND m.updated_at > COALESCE((SELECT v.seen_at FROM {table(FeedVisit)} v "
        "WHERE v.student_id = %s AND v.user_id = %s), %s)"
    )
    return fetch(sql, [student_id, stamp, student_id, user_id, stamp])[0][0]


def placement(*, student_id: int, start: dt.date, end: dt.date) -> tuple[list[tuple], list[tuple]]:
    """The student's stays in classes (with the class and its year) and memberships of groups that overlap
    the span, oldest first — one query.

    Classes: (class id, start, end, grade, letter, shift, school id, class teacher id, year id, year name,
    year start, year end). Groups: (group id, start, end)."""
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
    for row in fetch(sql, params):
        if row[0] == "c":
            classes.append((row[1], as_date(row[2]), as_date(row[3]), row[4], row[5], row[6], row[7], row[8], row[9],
                            row[10], as_date(row[11]), as_date(row[12])))
        else:
            groups.append((row[1], as_date(row[2]), as_date(row[3])))
    return classes, groups
