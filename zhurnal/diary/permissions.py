"""Who may open whose diary, and who reads the class's and the school's diary activity.

A guardian opens the diaries of his own children, a student his own. Staff open a student's diary read-only
where the school lets them know the student's progress: the class teacher of a class the student is (or was)
in, and the administration. Anyone else — a subject teacher, another class's teacher, another family — gets
404: the student does not exist for him.
"""

from __future__ import annotations

from zhurnal.school.models import Enrollment, Student
from zhurnal.school.roles import Role, SchoolRoles


def can_open_diary(roles: SchoolRoles, student: Student) -> bool:
    """The family's own children and the student himself, the administration, and the class teacher of a class
    the student is or was in — no query but for a class teacher (the enrollments of his classes)."""
    if roles.school is None or not roles.is_member or student.school_id != roles.school.pk:
        return False
    if roles.is_school_reader or is_family_of(roles, student):
        return True
    return bool(roles.led_class_ids) and Enrollment.objects.filter(
        school_class_id__in=sorted(roles.led_class_ids), student_id=student.pk).exists()


def is_family_of(roles: SchoolRoles, student: Student) -> bool:
    """The student himself or one of his guardians: the people whose views are counted and who get the feed."""
    if student.school_id != roles.school_id:
        return False
    return student.pk in roles.child_ids or (roles.student is not None and roles.student.pk == student.pk)


def is_guardian_of(roles: SchoolRoles, student: Student) -> bool:
    return student.school_id == roles.school_id and student.pk in roles.child_ids


def can_acknowledge_finals(roles: SchoolRoles, student: Student) -> bool:
    """«Ознакомлен» is the guardian's acknowledgement; the student and staff only read it."""
    return is_guardian_of(roles, student)


def can_manage_calendar(roles: SchoolRoles, student: Student) -> bool:
    """The private calendar link: for the student himself and his guardians, each with his own link."""
    return is_family_of(roles, student)


def has_diary(roles: SchoolRoles) -> bool:
    """A student's own diary, or a guardian's of his children."""
    return roles.has(Role.GUARDIAN, Role.STUDENT)


def oversees_diaries(roles: SchoolRoles) -> bool:
    """The administration that follows the families' use of the diary (the menu's «Дневники»)."""
    return roles.leads_school


def can_view_school_activity(roles: SchoolRoles) -> bool:
    """The school-wide weekly table of diary use: the deputy, the director and the journal administrator."""
    return roles.is_school_reader
