"""Builders for journal tests and benchmarks: lessons through the timetable's services, marks in bulk.

``build_grid_dataset()`` makes the benchmark grid (30 students × 60 lessons, about 1,800 marks) that
``make bench`` measures (``journal_grid``, ``mark_save``, ``mark_column_save``).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from zhurnal.school import testing as school_testing
from zhurnal.school.models import (
    AcademicYear,
    Position,
    ReportingPeriod,
    School,
    SchoolClass,
    StaffMember,
    Student,
    TeachingAssignment,
)
from zhurnal.school.selectors import periods_for_grade
from zhurnal.timetable import services as timetable_services
from zhurnal.timetable.models import Lesson

from . import services
from .models import Attendance, Mark, WorkType


def make_lessons(assignment: TeachingAssignment, count: int | None = None, *, start: dt.date | None = None,
                 until: dt.date | None = None, numbers: tuple[int, ...] = (1,),
                 weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)) -> list[Lesson]:
    """``count`` lessons (or every school day up to ``until``) of the assignment from ``start`` (the year's start
    by default), at the given lesson numbers each day, made by the timetable's ``add_lesson`` (holidays are
    skipped)."""
    day = start or assignment.year.start
    lessons: list[Lesson] = []
    last = min(until or assignment.year.end, assignment.year.end)
    while count is None or len(lessons) < count:
        if day > last:
            if count is None:
                break
            raise ValueError(f"only {len(lessons)} lessons fit into the year")
        if day.isoweekday() in weekdays:
            for number in numbers:
                if count is not None and len(lessons) >= count:
                    break
                try:
                    lessons.append(timetable_services.add_lesson(actor=None, assignment=assignment, date=day,
                                                                 number=number))
                except ValidationError:
                    break  # a holiday or a taken slot: the next day
        day += dt.timedelta(days=1)
    return lessons


def work_type(school: School, name: str) -> WorkType:
    return WorkType.objects.get(school=school, name=name)


def put_marks(rows: list[tuple[Lesson, Student, str]], *, work_type_id: int, author: Any = None) -> list[Mark]:
    """Marks straight into the table (``value`` like «5», «4-»): for large data sets, not for behaviour tests."""
    marks = []
    positions: dict[tuple[int, int], int] = {}
    for lesson, student, text in rows:
        value, modifier = (text[:-1], text[-1]) if text[-1] in "+-" else (text, "")
        position = positions.get((lesson.pk, student.pk), 0)
        positions[(lesson.pk, student.pk)] = position + 1
        marks.append(Mark(school_id=lesson.school_id, lesson=lesson, student=student, value=value,
                          modifier=modifier, work_type_id=work_type_id, author=author, position=position))
    return Mark.objects.bulk_create(marks, batch_size=1000)


@dataclass
class GridDataset:
    school: School
    year: AcademicYear
    school_class: SchoolClass
    teacher: StaffMember
    teacher_user: Any
    assignment: TeachingAssignment
    period: ReportingPeriod
    lessons: list[Lesson]
    students: list[Student]
    marks: int = 0
    extra: dict = field(default_factory=dict)


def build_grid_dataset(*, students: int = 30, lessons: int = 60, seed: int = 5, grade: int = 10,
                       year_start: dt.date = dt.date(2026, 9, 1)) -> GridDataset:
    """A class of ``students`` with one subject of ``lessons`` lessons in the first period, about one mark per
    student per lesson (some lessons with two marks, some absences) — the grid the benchmarks render.

    Grade 10 learns by half-years, so 60 lessons (one a school day) fit into the first period."""
    rng = random.Random(seed)
    school = school_testing.make_school("Школа для замеров", slug=f"bench-{uuid.uuid4().hex[:10]}")
    year = school_testing.make_year(school, start=year_start)
    services.ensure_journal_setup(school=school)
    teacher = school_testing.make_staff(school, "Замерова", [Position.TEACHER],
                                      username=f"bench-teacher-{school.pk}")
    school_class = school_testing.make_class(year, grade, "А")
    subject = school_testing.make_subject(school, "Алгебра")
    assignment = school_testing.make_assignment(teacher, subject, school_testing.class_group(school_class), hours="5")
    pupils = [school_testing.make_student(school_class, f"Ученик{n:02d}", first_name="Пётр") for n in range(students)]
    period = periods_for_grade(year, grade).first()
    made = make_lessons(assignment, lessons, start=period.start)
    default = WorkType.objects.get(school=school, is_default=True)
    rows = []
    absences = []
    for index, lesson in enumerate(made):
        for pupil in pupils:
            roll = rng.random()
            if roll < 0.05:
                absences.append(Attendance(school=school, lesson=lesson, student=pupil, code="н"))
                continue
            rows.append((lesson, pupil, rng.choice(["5", "4", "4", "3", "5", "4-", "3+", "2"])))
            if index % 10 == 0 and roll > 0.6:
                rows.append((lesson, pupil, rng.choice(["5", "4", "3"])))
    put_marks(rows, work_type_id=default.pk)
    Attendance.objects.bulk_create(absences, batch_size=1000)
    return GridDataset(school=school, year=year, school_class=school_class, teacher=teacher,
                       teacher_user=teacher.user, assignment=assignment, period=period, lessons=made,
                       students=pupils, marks=len(rows))
