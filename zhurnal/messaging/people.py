"""Who is who in a school today, read once for the mail's rule and for an announcement's readers: staff with their
positions, classes with their class teachers, pupils in their classes and groups, parents of each pupil, who
teaches which group. Only people with a login count: mail and announcements are read in the application.

A fixed number of queries, whatever the size of the school."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from zhurnal.core.dates import today as school_today
from zhurnal.school.models import (
    Enrollment,
    GroupKind,
    GroupMembership,
    GuardianLink,
    Position,
    SchoolClass,
    StaffMember,
    StaffPosition,
    TeachingAssignment,
)
from zhurnal.school.models import Group as SchoolGroup
from zhurnal.school.selectors import active_on, current_year

ADMINISTRATION_POSITIONS = frozenset({Position.DIRECTOR, Position.DEPUTY, Position.JOURNAL_ADMIN})


def _name(last: str, first: str, patronymic: str) -> str:
    return " ".join(p for p in (last, first, patronymic) if p)


@dataclass
class Person:
    user_id: int
    name: str
    last_name: str = ""
    first_name: str = ""
    patronymic: str = ""


@dataclass
class Pupil:
    student_id: int
    user_id: int | None  # a pupil may have no login (his parents read for him)
    class_id: int
    name: str
    last_name: str = ""
    first_name: str = ""
    patronymic: str = ""


@dataclass
class SchoolPeople:
    school_id: int
    staff: dict[int, Person] = field(default_factory=dict)  # staff id → person (with a login)
    staff_by_user: dict[int, int] = field(default_factory=dict)  # user id → staff id
    positions: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))  # staff id → positions
    classes: dict[int, str] = field(default_factory=dict)  # class id → «5А»
    class_grade: dict[int, int] = field(default_factory=dict)
    class_teacher: dict[int, int] = field(default_factory=dict)  # class id → staff id
    groups: dict[int, str] = field(default_factory=dict)  # group id → name
    group_class: dict[int, int | None] = field(default_factory=dict)
    group_members: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))  # group id → student ids
    group_teachers: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))  # group id → staff ids
    teacher_subjects: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    pupils: dict[int, Pupil] = field(default_factory=dict)  # student id → pupil (enrolled today)
    class_pupils: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    guardians: dict[int, Person] = field(default_factory=dict)  # guardian id → person (with a login)
    guardians_of: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))  # student → guardian ids
    children_of: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))  # guardian → student ids

    def administration(self) -> set[int]:
        return {sid for sid, pos in self.positions.items() if pos & ADMINISTRATION_POSITIONS and sid in self.staff}

    def teachers_of_pupil(self, student_id: int) -> set[int]:
        """Staff ids who teach the pupil (any of his groups) or lead his class."""
        found: set[int] = set()
        for group_id, members in self.group_members.items():
            if student_id in members:
                found |= self.group_teachers.get(group_id, set())
        class_id = self.pupils[student_id].class_id if student_id in self.pupils else None
        if class_id in self.class_teacher:
            found.add(self.class_teacher[class_id])
        return found & set(self.staff)

    def pupils_of_teacher(self, staff_id: int) -> set[int]:
        found: set[int] = set()
        for group_id, teachers in self.group_teachers.items():
            if staff_id in teachers:
                found |= self.group_members.get(group_id, set())
        return found

    def teachers_of_class(self, class_id: int) -> set[int]:
        found = {t for g, ts in self.group_teachers.items() if self.group_class.get(g) == class_id for t in ts}
        if class_id in self.class_teacher:
            found.add(self.class_teacher[class_id])
        return found & set(self.staff)

    def pupil_label(self, student_id: int) -> str:
        pupil = self.pupils[student_id]
        return f"{pupil.last_name} {pupil.first_name}, {self.classes.get(pupil.class_id, '')}".strip(", ")

    def staff_label(self, staff_id: int) -> str:
        positions = self.positions.get(staff_id, set())
        labels = [Position(p).label for p in (Position.DIRECTOR, Position.DEPUTY, Position.JOURNAL_ADMIN)
                  if p in positions]
        led = [self.classes[c] for c, t in self.class_teacher.items() if t == staff_id and c in self.classes]
        if led:
            labels.append(f"классный руководитель {', '.join(sorted(led))}")
        subjects = sorted(self.teacher_subjects.get(staff_id, set()))
        if subjects:
            labels.append(f"учитель ({', '.join(subjects)})")
        return "; ".join(labels) or "сотрудник"


def school_people(school, today: dt.date | None = None) -> SchoolPeople:
    """Everyone of the school's current year who has a login, and how they are related."""
    today = today or school_today()
    people = SchoolPeople(school_id=school.pk)
    for row in StaffMember.objects.filter(school=school, is_active=True, user__isnull=False).values(
            "pk", "user_id", "last_name", "first_name", "patronymic"):
        people.staff[row["pk"]] = Person(row["user_id"], _name(row["last_name"], row["first_name"], row["patronymic"]),
                                         row["last_name"], row["first_name"], row["patronymic"])
        people.staff_by_user[row["user_id"]] = row["pk"]
    for staff_id, position in StaffPosition.objects.filter(school=school).values_list("staff_id", "position"):
        people.positions[staff_id].add(position)
    year = current_year(school, today)
    if year is None:
        return people
    for pk, grade, letter, teacher_id in SchoolClass.objects.filter(year=year).values_list(
            "pk", "grade", "letter", "class_teacher_id"):
        people.classes[pk] = f"{grade}{letter}"
        people.class_grade[pk] = grade
        if teacher_id is not None:
            people.class_teacher[pk] = teacher_id
    for pupil in Enrollment.objects.filter(active_on(today), school_class__year=year).values(
            "student_id", "school_class_id", "student__user_id", "student__last_name", "student__first_name",
            "student__patronymic"):
        people.pupils[pupil["student_id"]] = Pupil(
            user_id=pupil["student__user_id"], student_id=pupil["student_id"], class_id=pupil["school_class_id"],
            name=_name(pupil["student__last_name"], pupil["student__first_name"], pupil["student__patronymic"]),
            last_name=pupil["student__last_name"], first_name=pupil["student__first_name"],
            patronymic=pupil["student__patronymic"])
        people.class_pupils[pupil["school_class_id"]].add(pupil["student_id"])
    for pk, kind, name, class_id in SchoolGroup.objects.filter(year=year).values_list(
            "pk", "kind", "name", "school_class_id"):
        people.groups[pk] = name
        people.group_class[pk] = class_id
        if kind == GroupKind.CLASS and class_id is not None:
            people.group_members[pk] = people.class_pupils[class_id]
    for group_id, student_id in GroupMembership.objects.filter(active_on(today), group__year=year).exclude(
            group__kind=GroupKind.CLASS).values_list("group_id", "student_id"):
        if student_id in people.pupils:
            people.group_members[group_id].add(student_id)
    for teacher_id, group_id, subject in TeachingAssignment.objects.filter(year=year).values_list(
            "teacher_id", "group_id", "subject__name"):
        people.group_teachers[group_id].add(teacher_id)
        people.teacher_subjects[teacher_id].add(subject)
    for link in GuardianLink.objects.filter(school=school, guardian__user__isnull=False,
                                           student_id__in=Enrollment.objects.filter(
                                               active_on(today), school_class__year=year).values("student_id")).values(
            "student_id", "guardian_id", "guardian__user_id", "guardian__last_name", "guardian__first_name",
            "guardian__patronymic"):
        people.guardians[link["guardian_id"]] = Person(
            link["guardian__user_id"],
            _name(link["guardian__last_name"], link["guardian__first_name"], link["guardian__patronymic"]),
            link["guardian__last_name"], link["guardian__first_name"], link["guardian__patronymic"])
        people.guardians_of[link["student_id"]].add(link["guardian_id"])
        people.children_of[link["guardian_id"]].add(link["student_id"])
    return people
