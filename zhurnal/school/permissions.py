"""Who may see and change the school's structure and its people.

Predicates answer "may he do X to this"; scopers return what he may see at all.
Views fetch through a scoper (not visible → 404), then check a predicate (not allowed → 403).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from .models import (
    Enrollment,
    Group,
    GroupMembership,
    Movement,
    SchoolClass,
    StaffMember,
    Student,
    TeachingAssignment,
)
from .roles import Role, SchoolRoles

M = TypeVar("M", bound=Model)

STRUCTURE_EDITORS = frozenset({Role.JOURNAL_ADMIN})
PEOPLE_READERS = frozenset({Role.JOURNAL_ADMIN, Role.DIRECTOR, Role.DEPUTY, Role.CLERK})


def school_rows(roles: SchoolRoles, model: type[M]) -> QuerySet[M]:
    """The active school's rows of ``model``, none without a school: what every scoper narrows down."""
    if roles.school is None:
        return model._default_manager.none()
    return model._default_manager.filter(school=roles.school)


def teaches(roles: SchoolRoles) -> bool:
    """A teacher's own pages: his groups, his day, his journals."""
    return roles.has(Role.TEACHER)


def leads_a_class(roles: SchoolRoles) -> bool:
    """A class teacher's pages of his class."""
    return bool(roles.led_class_ids)


def is_guardian(roles: SchoolRoles) -> bool:
    return roles.has(Role.GUARDIAN)


def is_student(roles: SchoolRoles) -> bool:
    return roles.student is not None


def can_read_people(roles: SchoolRoles) -> bool:
    """The lists of classes, students, staff and movement."""
    return roles.has(*PEOPLE_READERS)


def can_view_setup(roles: SchoolRoles) -> bool:
    """The set-up screens (year, periods, subjects, staff, assignments) — the administration reads them."""
    return roles.has(*PEOPLE_READERS)


def can_manage_structure(roles: SchoolRoles) -> bool:
    return roles.has(*STRUCTURE_EDITORS)


def can_import(roles: SchoolRoles) -> bool:
    return roles.has(Role.JOURNAL_ADMIN, Role.CLERK)


def classes_for_class_teacher_pages(roles: SchoolRoles) -> QuerySet[SchoolClass]:
    """The class teacher's pages of a class (the summary, the attendance week, the diaries' use, acknowledgements,
    paper reports): the class teacher his classes; the administration every class."""
    if roles.staff is None:
        return SchoolClass.objects.none()
    classes = school_rows(roles, SchoolClass)
    if roles.is_school_reader:
        return classes
    return classes.filter(pk__in=sorted(roles.led_class_ids))


def _people_rows(roles: SchoolRoles, model: type[M], others_see: Callable[[], Q]) -> QuerySet[M]:
    """The school's rows of ``model`` for those who read its people (``PEOPLE_READERS``); for anyone else the rows
    matching ``others_see()``."""
    rows = school_rows(roles, model)
    if roles.school is None or roles.has(*PEOPLE_READERS):
        return rows
    return rows.filter(others_see())


def classes_visible_to(roles: SchoolRoles) -> QuerySet[SchoolClass]:
    """Besides the administration: a class teacher his classes, a teacher the classes of his groups."""
    return _people_rows(roles, SchoolClass, lambda: Q(pk__in=roles.led_class_ids) | Q(
        pk__in=Group.objects.filter(pk__in=roles.taught_group_ids).values("school_class_id")))


def groups_visible_to(roles: SchoolRoles) -> QuerySet[Group]:
    """Besides the administration: a teacher his groups, a class teacher the groups of his classes."""
    return _people_rows(roles, Group, lambda: Q(pk__in=roles.taught_group_ids)
                        | Q(school_class_id__in=roles.led_class_ids))


def students_visible_to(roles: SchoolRoles) -> QuerySet[Student]:
    """Administration: the whole school; class teacher: his classes; teacher: his groups; family: own."""
    return _people_rows(roles, Student, lambda: _students_seen_by(roles))


def _students_seen_by(roles: SchoolRoles) -> Q:
    visible = Q(pk__in=roles.child_ids)
    if roles.student is not None:
        visible |= Q(pk=roles.student.pk)
    if roles.led_class_ids or roles.taught_group_ids:
        class_ids = set(roles.led_class_ids)
        class_ids |= set(
            Group.objects.filter(pk__in=roles.taught_group_ids, kind="class").values_list("school_class_id", flat=True)
        )
        visible |= Q(pk__in=Enrollment.objects.filter(school_class_id__in=class_ids).values("student_id"))
        visible |= Q(pk__in=GroupMembership.objects.filter(group_id__in=roles.taught_group_ids).values("student_id"))
    return visible


def can_edit_student(roles: SchoolRoles, student: Student) -> bool:
    """Personal data: the administrator, or the class teacher of a class the student is (or was) in this year."""
    if student.school_id != getattr(roles.school, "pk", None):
        return False
    if roles.has(Role.JOURNAL_ADMIN):
        return True
    if roles.led_class_ids:
        return Enrollment.objects.filter(student=student, school_class_id__in=roles.led_class_ids).exists()
    return False


def can_edit_class(roles: SchoolRoles, school_class: SchoolClass) -> bool:
    return school_class.school_id == getattr(roles.school, "pk", None) and can_manage_structure(roles)


def can_record_movement(roles: SchoolRoles) -> bool:
    return roles.has(Role.JOURNAL_ADMIN)


def staff_visible_to(roles: SchoolRoles) -> QuerySet[StaffMember]:
    if roles.school is None or not roles.is_member:
        return StaffMember.objects.none()
    return StaffMember.objects.filter(school=roles.school)


def assignments_visible_to(roles: SchoolRoles) -> QuerySet[TeachingAssignment]:
    """Besides the administration: a teacher his own, a class teacher those of his classes."""
    return _people_rows(roles, TeachingAssignment, lambda: Q(teacher=roles.staff)
                        | Q(group__school_class_id__in=roles.led_class_ids))


def movements_visible_to(roles: SchoolRoles) -> QuerySet[Movement]:
    if roles.school is None or not roles.has(*PEOPLE_READERS):
        return Movement.objects.none()
    return Movement.objects.filter(school=roles.school)


def setup_rows(roles: SchoolRoles, model: type[M]) -> QuerySet[M]:
    """Rows of the active school the set-up screens may open (years, periods, subjects, groups, staff, guardians…):
    the administration reads them all; anyone else, or another school's row, sees nothing (404)."""
    rows = school_rows(roles, model)
    return rows if can_view_setup(roles) else rows.none()
