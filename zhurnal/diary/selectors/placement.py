"""Where a student learns over a span of days: his classes and groups, and their assignments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zhurnal.core import stamps
from zhurnal.school.models import (
    AcademicYear,
    GroupKind,
    School,
    SchoolClass,
    Student,
    TeachingAssignment,
)
from zhurnal.school.selectors import assignment_of

from .. import queries


@dataclass(frozen=True)
class ClassStay:
    school_class: SchoolClass
    start: dt.date
    end: dt.date | None

    @property
    def school_class_id(self) -> int:
        return self.school_class.pk


@dataclass(frozen=True)
class GroupStay:
    group_id: int
    start: dt.date
    end: dt.date | None


@dataclass
class Placement:
    """The student's classes and groups over a span of dates — one query; answers "was he in the group of
    this lesson on its date?" without more."""

    enrollments: list[ClassStay]
    memberships: list[GroupStay]

    @property
    def class_ids(self) -> list[int]:
        return sorted({e.school_class_id for e in self.enrollments})

    @property
    def group_ids(self) -> list[int]:
        return sorted({m.group_id for m in self.memberships})

    def attends(self, *, group_kind: str, group_id: int, school_class_id: int | None, day: dt.date) -> bool:
        if group_kind == GroupKind.CLASS:
            return any(e.school_class_id == school_class_id and e.start <= day and (e.end is None or day <= e.end)
                       for e in self.enrollments)
        return any(m.group_id == group_id and m.start <= day and (m.end is None or day <= m.end)
                   for m in self.memberships)

    def class_on(self, day: dt.date) -> SchoolClass | None:
        for enrollment in self.enrollments:
            if enrollment.start <= day and (enrollment.end is None or day <= enrollment.end):
                return enrollment.school_class
        return None

    def latest_class(self, day: dt.date) -> SchoolClass | None:
        """The class on ``day``, else the nearest before it, else the first one."""
        current = self.class_on(day)
        if current is not None or not self.enrollments:
            return current
        before = [e for e in self.enrollments if e.start <= day]
        return (before[-1] if before else self.enrollments[0]).school_class


def group_assignments(place: Placement, school: School) -> list[queries.AssignmentRow]:
    """``queries.group_assignments`` of the student's classes and groups, cached per school stamp, in assignment
    order."""
    key = f"{','.join(map(str, place.class_ids))}/{','.join(map(str, place.group_ids))}"
    return stamps.cached(school, "diary:assignments", key, lambda: queries.group_assignments(
        school_id=school.pk, class_ids=place.class_ids, group_ids=place.group_ids))


def year_assignments(place: Placement, school: School, year_id: int, *,
                     subject_id: int | None = None) -> list[TeachingAssignment]:
    """The student's teaching assignments of a year (of one subject if given), each with its group, class,
    subject, teacher and year, in id order — from the school's cache, no query once cached."""
    rows = group_assignments(place, school)
    found = (assignment_of(school, row.assignment_id) for row in rows
             if subject_id is None or row.subject_id == subject_id)
    return [assignment for assignment in found if assignment is not None and assignment.year_id == year_id]


def placement(student: Student, start: dt.date, end: dt.date) -> Placement:
    classes, groups = queries.placement(student_id=student.pk, start=start, end=end)
    years: dict[int, AcademicYear] = {}
    stays = []
    for stay in classes:
        year = years.get(stay.year_id)
        if year is None:
            year = years[stay.year_id] = AcademicYear(id=stay.year_id, school_id=stay.school_id, name=stay.year_name,
                                                      start=stay.year_start, end=stay.year_end)
        school_class = SchoolClass(id=stay.school_class_id, school_id=stay.school_id, year=year, grade=stay.grade,
                                   letter=stay.letter, shift=stay.shift, class_teacher_id=stay.class_teacher_id)
        stays.append(ClassStay(school_class=school_class, start=stay.start, end=stay.end))
    return Placement(enrollments=stays,
                     memberships=[GroupStay(group_id=row.group_id, start=row.start, end=row.end) for row in groups])
