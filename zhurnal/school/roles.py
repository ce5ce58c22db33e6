"""What a person may be in a school, derived from domain relations — never from flags.

position → director / deputy / journal_admin / clerk / reviewer; class teacher of a class;
teaching assignment → teacher; guardian link → guardian; a student record → student.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

from zhurnal.core import stamps
from zhurnal.core.sql import fetch, model_rows

from .models import (
    Guardian,
    GuardianLink,
    Position,
    School,
    SchoolClass,
    StaffMember,
    Student,
    TeachingAssignment,
)
from .queries import schools_query


class Role:
    JOURNAL_ADMIN = "journal_admin"
    DIRECTOR = "director"
    DEPUTY = "deputy"
    CLASS_TEACHER = "class_teacher"
    TEACHER = "teacher"
    CLERK = "clerk"
    REVIEWER = "reviewer"
    STUDENT = "student"
    GUARDIAN = "guardian"
    # An education department's specialist: aggregated figures of the department's schools (zhurnal.reports), never
    # a role inside a school.
    MUNICIPAL = "municipal"

    LABELS = {
        JOURNAL_ADMIN: "администратор ЭЖ",
        DIRECTOR: "директор",
        DEPUTY: "заместитель директора",
        CLASS_TEACHER: "классный руководитель",
        TEACHER: "учитель",
        CLERK: "документовед",
        REVIEWER: "руководитель ПЦК",
        STUDENT: "обучающийся",
        GUARDIAN: "родитель",
    }
    # Administration reads the whole school: the one definition (``SchoolRoles.is_school_reader``), every app asks it.
    SCHOOL_READERS = frozenset({JOURNAL_ADMIN, DIRECTOR, DEPUTY})
    # The school's leadership directs the teaching (``SchoolRoles.leads_school``): it controls the journal, reopens
    # periods, arranges substitutions and extra lessons for any teacher, follows coverage and the families' diaries.
    LEADERSHIP = frozenset({DIRECTOR, DEPUTY})


POSITION_ROLES = {
    Position.DIRECTOR: Role.DIRECTOR,
    Position.DEPUTY: Role.DEPUTY,
    Position.JOURNAL_ADMIN: Role.JOURNAL_ADMIN,
    Position.CLERK: Role.CLERK,
    Position.REVIEWER: Role.REVIEWER,
}


@dataclass
class SchoolRoles:
    """A user's standing in one school. Empty for anonymous users and strangers."""

    school: School | None
    user_id: int | None = None
    staff: StaffMember | None = None
    positions: frozenset[str] = frozenset()
    led_class_ids: frozenset[int] = frozenset()
    taught_group_ids: frozenset[int] = frozenset()
    student: Student | None = None
    guardian_ids: frozenset[int] = frozenset()
    child_ids: frozenset[int] = frozenset()
    roles: frozenset[str] = field(default_factory=frozenset)

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def is_school_reader(self) -> bool:
        return bool(self.roles & Role.SCHOOL_READERS)

    @property
    def leads_school(self) -> bool:
        return bool(self.roles & Role.LEADERSHIP)

    @property
    def school_id(self) -> int | None:
        return getattr(self.school, "pk", None)

    @property
    def is_member(self) -> bool:
        return bool(self.roles)

    @cached_property
    def ordered(self) -> list[str]:
        order = [Role.JOURNAL_ADMIN, Role.DIRECTOR, Role.DEPUTY, Role.CLASS_TEACHER, Role.TEACHER, Role.CLERK,
                 Role.REVIEWER, Role.GUARDIAN, Role.STUDENT]
        return [r for r in order if r in self.roles]

    @property
    def labels(self) -> list[str]:
        return [Role.LABELS[r] for r in self.ordered]


def roles_in(user, school: School | None) -> SchoolRoles:
    if school is None or user is None or not user.is_authenticated:
        return SchoolRoles(school=school)
    staff = StaffMember.objects.filter(school=school, user=user, is_active=True).first()
    positions: frozenset[str] = frozenset()
    led: frozenset[int] = frozenset()
    taught: frozenset[int] = frozenset()
    roles: set[str] = set()
    if staff is not None:
        positions = frozenset(staff.positions.values_list("position", flat=True))
        led = frozenset(SchoolClass.objects.filter(class_teacher=staff).values_list("pk", flat=True))
        taught = frozenset(TeachingAssignment.objects.filter(teacher=staff).values_list("group_id", flat=True))
        roles |= {POSITION_ROLES[Position(p)] for p in positions if p in POSITION_ROLES}
        if led:
            roles.add(Role.CLASS_TEACHER)
        if taught or Position.TEACHER in positions:
            roles.add(Role.TEACHER)
    student = Student.objects.filter(school=school, user=user).first()
    if student is not None:
        roles.add(Role.STUDENT)
    guardian_ids = frozenset(Guardian.objects.filter(school=school, user=user).values_list("pk", flat=True))
    child_ids: frozenset[int] = frozenset()
    if guardian_ids:
        child_ids = frozenset(
            GuardianLink.objects.filter(guardian_id__in=guardian_ids).values_list("student_id", flat=True)
        )
        roles.add(Role.GUARDIAN)
    return SchoolRoles(
        school=school, user_id=user.pk, staff=staff, positions=positions, led_class_ids=led,
        taught_group_ids=taught, student=student, guardian_ids=guardian_ids, child_ids=child_ids,
        roles=frozenset(roles),
    )


def cached_roles_in(user, school: School | None) -> SchoolRoles:
    """``roles_in`` remembered until the school's stamp changes (``zhurnal.core.stamps``): the five or six
    queries of a person's standing run once per change of the school's staff, classes or families, not on every
    request. ``school`` must have been loaded in this request (its stamp is the version read)."""
    if school is None or user is None or not user.is_authenticated:
        return SchoolRoles(school=school)
    roles = stamps.cached(school, "roles", user.pk, lambda: roles_in(user, school))
    return replace(roles, school=school)


def schools_of(user) -> list[School]:
    """Every school where the user holds any role, in a stable order. One plain query (``core.sql``): it runs on
    every page (the school switcher), and composing its three subqueries through the ORM cost more than running
    them. The user of a request comes with them: the authentication backends read them with him
    (``backends.UserRow``)."""
    if user is None or not user.is_authenticated:
        return []
    read_with_user = getattr(user, SCHOOL_ROWS, None)
    return model_rows(School, read_with_user if read_with_user is not None else fetch(*schools_query(user.pk)))


SCHOOL_ROWS = "_zhurnal_school_rows"  # a user's attribute: the rows of ``schools_query`` read with him
