"""Who may see and change the backups.

The page belongs to the school that keeps this installation's copies (``selectors.keeps_backups``: on one computer
the school itself). Its journal administrator reads and sets the schedule; its director reads. For any other school
the page does not exist (404); for other people of the keeping school it is not theirs (403).
"""

from __future__ import annotations

from zhurnal.school.roles import Role, SchoolRoles

from .selectors import keeps_backups

READERS = frozenset({Role.JOURNAL_ADMIN, Role.DIRECTOR})


def backups_exist_for(roles: SchoolRoles) -> bool:
    """The page is there for this school at all (a member of a school that keeps the copies)."""
    return roles.school is not None and roles.is_member and keeps_backups(roles.school)


def can_view_backups(roles: SchoolRoles) -> bool:
    return roles.has(*READERS) and backups_exist_for(roles)  # the role first: the menu asks on every page


def can_edit_backup_schedule(roles: SchoolRoles) -> bool:
    return roles.has(Role.JOURNAL_ADMIN) and backups_exist_for(roles)
