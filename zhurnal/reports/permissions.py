"""Who reads which report: the same answers as the pages each report summarises.

- class reports (attendance, the class teacher's reports, summary sheets, report cards, the year's printed
  journal): the class teacher his classes, the administration every class (``school.permissions``'s
  ``classes_for_class_teacher_pages``, the class teacher's pages' own scoper);
- a subject teacher's reports: his own assignments (``journal.permissions.assignments_visible_to`` narrowed to
  his own: a class teacher reads the others' grids of his class through the class reports);
- school reports: the administration (director, deputy, journal administrator); the control of journal filling
  the director and the deputy, as the control page;
- the municipal view: officials of an education department, aggregated figures of its schools only.
Not visible → 404, visible but not allowed → 403 (the views call ``require``).
"""

from __future__ import annotations

from django.db.models import QuerySet

from zhurnal.journal import permissions as journal_permissions
from zhurnal.school.models import School, SchoolClass, TeachingAssignment
from zhurnal.school.permissions import classes_for_class_teacher_pages
from zhurnal.school.roles import Role, SchoolRoles

from .models import Department


def classes_for_reports(roles: SchoolRoles) -> QuerySet[SchoolClass]:
    return classes_for_class_teacher_pages(roles)


def can_read_class_reports(roles: SchoolRoles) -> bool:
    return roles.staff is not None and (roles.is_school_reader or bool(roles.led_class_ids))


def own_assignments(roles: SchoolRoles) -> QuerySet[TeachingAssignment]:
    """A subject teacher's reports: his own assignments (the administration: every assignment of the school)."""
    if roles.school is None or roles.staff is None:
        return TeachingAssignment.objects.none()
    assignments = TeachingAssignment.objects.filter(school=roles.school)
    if roles.is_school_reader:
        return assignments
    return assignments.filter(teacher=roles.staff)


def can_read_teacher_reports(roles: SchoolRoles) -> bool:
    return roles.staff is not None and (roles.has(Role.TEACHER) or roles.is_school_reader)


def can_read_school_reports(roles: SchoolRoles) -> bool:
    return roles.staff is not None and roles.is_school_reader


def can_read_control(roles: SchoolRoles) -> bool:
    return journal_permissions.can_view_control(roles)


def can_edit_report_settings(roles: SchoolRoles) -> bool:
    return roles.staff is not None and roles.has(Role.DIRECTOR, Role.JOURNAL_ADMIN)


def reads_any_report(roles: SchoolRoles) -> bool:
    """«Отчёты» in the menu: whoever may read one of them."""
    return (can_read_class_reports(roles) or can_read_teacher_reports(roles) or can_read_school_reports(roles)
            or can_read_control(roles))


def departments_of(user) -> QuerySet[Department]:
    if user is None or not user.is_authenticated:
        return Department.objects.none()
    return Department.objects.filter(officials__user=user).distinct()


def is_municipal(user) -> bool:
    return departments_of(user).exists()


def schools_for_municipal(user) -> QuerySet[School]:
    return School.objects.filter(departments__officials__user=user).distinct().order_by("short_name")
