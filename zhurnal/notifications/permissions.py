"""Who may do what with notifications: everyone reads and sets his own (a notification of another person does
not exist for him: 404); the school's defaults are read by the administration and changed by the director and
the journal administrator, as the school's other rules."""

from __future__ import annotations

from zhurnal.school.roles import Role, SchoolRoles


def has_own_settings(roles: SchoolRoles) -> bool:
    """«Уведомления» in the menu: every member of the school (staff, pupils, parents)."""
    return roles.is_member


def is_family(roles: SchoolRoles) -> bool:
    """A pupil or a parent: told about the journal (marks, absences, homework) too."""
    return roles.has(Role.STUDENT, Role.GUARDIAN)


def can_read_school_settings(roles: SchoolRoles) -> bool:
    return roles.staff is not None and roles.is_school_reader


def can_edit_school_settings(roles: SchoolRoles) -> bool:
    return roles.staff is not None and roles.has(Role.DIRECTOR, Role.JOURNAL_ADMIN)
