"""Builders for tests: a small school made through the same services as the app.

``build_small_school()`` gives two classes (5А, 5Б) with students, guardians, a subject teacher,
a class teacher, the administration, and a second school — the personas of the access matrix.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from zhurnal.core.testing import PASSWORD, make_user, page_queries  # noqa: F401 - the tests' one import
from zhurnal.school import services
from zhurnal.school.models import (
    AcademicYear,
    Group,
    GroupKind,
    Guardian,
    Position,
    School,
    SchoolClass,
    StaffMember,
    Student,
    Subject,
    TeachingAssignment,
)

_counter = itertools.count(1)


def make_school(short_name: str = "Школа № 1", slug: str | None = None) -> School:
    return services.create_school(actor=None, name=f"МБОУ «{short_name}»", short_name=short_name,
                                  slug=slug or f"school-{next(_counter)}")


def make_year(school: School, start: dt.date = dt.date(2026, 9, 1)) -> AcademicYear:
    return services.create_academic_year(actor=None, school=school, start=start)


def make_staff(school: School, last_name: str, positions=(Position.TEACHER,), username: str | None = None,
               first_name: str = "Анна", patronymic: str = "Петровна") -> StaffMember:
    user = make_user(username, first_name=first_name, last_name=last_name) if username is not False else None
    return services.save_staff(actor=None, school=school, last_name=last_name, first_name=first_name,
                               patronymic=patronymic, positions=list(positions), user=user)


def make_class(year: AcademicYear, grade: int, letter: str, class_teacher: StaffMember | None = None) -> SchoolClass:
    return services.save_class(actor=None, year=year, grade=grade, letter=letter, class_teacher=class_teacher)


def make_student(school_class: SchoolClass, last_name: str | None = None, first_name: str = "Иван",
                 start: dt.date | None = None, username: str | None = None, gender: str = "m") -> Student:
    n = next(_counter)
    user = make_user(username) if username else None
    student = services.save_student(
        actor=None, school=school_class.school, last_name=last_name or f"Ученик{n}", first_name=first_name,
        patronymic="Сергеевич", birth_date=dt.date(2015, 1, 1) + dt.timedelta(days=n % 300), gender=gender,
    )
    if user is not None:
        student.user = user
        student.save(update_fields=["user"])
    services.enroll_student(actor=None, student=student, school_class=school_class,
                            date=start or school_class.year.start, order_number=f"{n}-у")
    return student


def make_guardian(student: Student, last_name: str | None = None, username: str | None = None,
                  relation: str = "мать") -> Guardian:
    user = make_user(username) if username else None
    guardian = services.save_guardian(actor=None, school=student.school, last_name=last_name or student.last_name,
                                      first_name="Мария", patronymic="Ивановна")
    if user is not None:
        guardian.user = user
        guardian.save(update_fields=["user"])
    services.link_guardian(actor=None, student=student, guardian=guardian, relation=relation)
    return guardian


def make_subject(school: School, name: str) -> Subject:
    return services.save_subject(actor=None, school=school, name=name)


def class_group(school_class: SchoolClass) -> Group:
    return Group.objects.get(school_class=school_class, kind=GroupKind.CLASS)


def make_assignment(teacher: StaffMember, subject: Subject, group: Group, hours: str = "3") -> TeachingAssignment:
    return services.save_assignment(actor=None, year=group.year, teacher=teacher, subject=subject, group=group,
                                    hours_per_week=Decimal(hours))


@dataclass
class SmallSchool:
    school: School
    year: AcademicYear
    class_5a: SchoolClass
    class_5b: SchoolClass
    math: Subject
    russian: Subject
    users: dict[str, Any] = field(default_factory=dict)
    students: dict[str, Student] = field(default_factory=dict)
    staff: dict[str, StaffMember] = field(default_factory=dict)
    other_school: School | None = None
    other_year: AcademicYear | None = None
    other_class: SchoolClass | None = None
    other_school_student: Student | None = None


def build_small_school(students_per_class: int = 3) -> SmallSchool:
    """Personas: admin, director, deputy, class_teacher (of 5А, teaches Russian in 5А), teacher (maths in 5А),
    other_teacher (maths in 5Б), student and other_student (5А / 5Б), guardian (of student), other_guardian
    (of other_student), other_school_admin (of a second school)."""
    school = make_school("Школа № 1", slug="school-1")
    year = make_year(school)
    admin = make_staff(school, "Админова", [Position.JOURNAL_ADMIN, Position.TEACHER], username="admin")
    director = make_staff(school, "Директорова", [Position.DIRECTOR], username="director")
    deputy = make_staff(school, "Завучева", [Position.DEPUTY], username="deputy")
    class_teacher = make_staff(school, "Классова", [Position.TEACHER], username="class_teacher")
    teacher = make_staff(school, "Учителева", [Position.TEACHER], username="teacher")
    other_teacher = make_staff(school, "Другова", [Position.TEACHER], username="other_teacher")
    class_5a = make_class(year, 5, "А", class_teacher)
    class_5b = make_class(year, 5, "Б", other_teacher)
    math = make_subject(school, "Математика")
    russian = make_subject(school, "Русский язык")
    make_assignment(teacher, math, class_group(class_5a))
    make_assignment(class_teacher, russian, class_group(class_5a))
    make_assignment(other_teacher, math, class_group(class_5b))
    student = make_student(class_5a, "Иванов", username="student")
    other_student = make_student(class_5b, "Петров", username="other_student")
    for _ in range(students_per_class - 1):
        make_student(class_5a)
        make_student(class_5b)
    guardian = make_guardian(student, username="guardian")
    other_guardian = make_guardian(other_student, username="other_guardian")

    other_school = make_school("Школа № 2", slug="school-2")
    other_year = make_year(other_school)
    other_admin = make_staff(other_school, "Чужова", [Position.JOURNAL_ADMIN], username="other_school_admin")
    other_class = make_class(other_year, 5, "А", other_admin)
    other_school_student = make_student(other_class, "Сидоров")

    users = {s.user.username: s.user for s in (admin, director, deputy, class_teacher, teacher, other_teacher,
                                               other_admin)}
    users.update(student=student.user, other_student=other_student.user, guardian=guardian.user,
                 other_guardian=other_guardian.user)
    return SmallSchool(
        school=school, year=year, class_5a=class_5a, class_5b=class_5b, math=math, russian=russian, users=users,
        students={"student": student, "other_student": other_student},
        staff={"admin": admin, "director": director, "deputy": deputy, "class_teacher": class_teacher,
               "teacher": teacher, "other_teacher": other_teacher, "other_school_admin": other_admin},
        other_school=other_school, other_year=other_year, other_class=other_class,
        other_school_student=other_school_student,
    )
