"""Who may see and hand out access credentials, and whose login history.

The journal administrator handles everyone in his school (staff, students, guardians); a class teacher
handles the students of his classes and their guardians; the director and deputies read the access
pages but issue nothing. Views fetch through a scoper (not visible → 404), then check a predicate (→ 403).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from zhurnal.accounts.models import User
from zhurnal.accounts.permissions import school_manages_login

from ..models import Guardian, GuardianLink, SchoolClass, StaffMember, Student
from ..permissions import school_rows
from ..roles import Role, SchoolRoles
from ..selectors import enrollments_on

Person = StaffMember | Student | Guardian



def can_view_access(roles: SchoolRoles) -> bool:
    """The «Доступ» pages: the administration and class teachers."""
    return roles.is_school_reader or bool(roles.led_class_ids)


def can_issue_codes(roles: SchoolRoles) -> bool:
    """Who hands out codes (the menu's «Доступ»): the administrator and class teachers."""
    return roles.has(Role.JOURNAL_ADMIN) or bool(roles.led_class_ids)


def access_classes_visible_to(roles: SchoolRoles) -> QuerySet[SchoolClass]:
    classes = school_rows(roles, SchoolClass)
    if roles.is_school_reader:
        return classes
    return classes.filter(pk__in=roles.led_class_ids)


def can_issue_codes_in_class(roles: SchoolRoles, school_class: SchoolClass) -> bool:
    if school_class.school_id != getattr(roles.school, "pk", None):
        return False
    return roles.has(Role.JOURNAL_ADMIN) or school_class.pk in roles.led_class_ids


def can_manage_staff_access(roles: SchoolRoles) -> bool:
    return roles.has(Role.JOURNAL_ADMIN)


def can_edit_security_settings(roles: SchoolRoles) -> bool:
    return roles.has(Role.JOURNAL_ADMIN)


def can_read_access_log(roles: SchoolRoles) -> bool:
    """The access log of personal data: the journal administrator and the director."""
    return roles.has(Role.JOURNAL_ADMIN, Role.DIRECTOR)


def _students_of_led_classes(roles: SchoolRoles, on) -> QuerySet:
    return enrollments_on(on).filter(school_class_id__in=roles.led_class_ids).values("student_id")


def can_issue_code_for(roles: SchoolRoles, person: Person, on) -> bool:
    """Administrator: anyone of his school. Class teacher: students of his classes on ``on`` and their guardians,
    unless the login also belongs to a member of staff."""
    if person.school_id != getattr(roles.school, "pk", None):
        return False
    if person.user is not None and not school_manages_login(roles.school, person.user):
        return False  # a login shared with another school (or a site operator's): the regional operator's job
    if roles.has(Role.JOURNAL_ADMIN):
        return True
    if not roles.led_class_ids or isinstance(person, StaffMember):
        return False
    if person.user_id is not None and StaffMember.objects.filter(user_id=person.user_id).exists():
        return False  # a colleague's login (a teacher who is also a parent): only the administrator resets it
    students = _students_of_led_classes(roles, on)
    if isinstance(person, Student):
        return Student.objects.filter(pk=person.pk, pk__in=students).exists()
    return GuardianLink.objects.filter(guardian=person, student_id__in=students).exists()


def can_edit_guardian_link(roles: SchoolRoles, link: GuardianLink, on) -> bool:
    """The family's choice of paper or electronic information: the administrator or the class teacher."""
    if link.school_id != getattr(roles.school, "pk", None):
        return False
    if roles.has(Role.JOURNAL_ADMIN):
        return True
    return bool(roles.led_class_ids) and enrollments_on(on).filter(
        student_id=link.student_id, school_class_id__in=roles.led_class_ids).exists()


def guardian_links_visible_to(roles: SchoolRoles, on) -> QuerySet[GuardianLink]:
    links = school_rows(roles, GuardianLink)
    if roles.is_school_reader:
        return links
    if not roles.led_class_ids:
        return links.none()
    return links.filter(student_id__in=_students_of_led_classes(roles, on))


def people_visible_to(roles: SchoolRoles, on) -> QuerySet[User]:
    """Whose access card and login history one may read: the administration — anyone with a login in the
    school; a class teacher — the students of his classes and their guardians."""
    if roles.school is None:
        return User.objects.none()
    school = roles.school
    if roles.is_school_reader:
        return User.objects.filter(
            Q(staff_roles__school=school) | Q(student_roles__school=school) | Q(guardian_roles__school=school)
        ).distinct()
    if not roles.led_class_ids:
        return User.objects.none()
    students = _students_of_led_classes(roles, on)
    return User.objects.filter(
        Q(student_roles__pk__in=students) | Q(guardian_roles__links__student_id__in=students)
    ).distinct()


def can_reset_two_factor(roles: SchoolRoles, user: User) -> bool:
    """Only the administrator resets someone's second factor (a lost phone), and only of a login wholly his
    school's."""
    return roles.has(Role.JOURNAL_ADMIN) and school_manages_login(roles.school, user)


def can_read_login_history(roles: SchoolRoles, user: User) -> bool:
    """The login history of someone the reader may see (``people_visible_to``), if the login is wholly the
    school's: another school's people's logins and addresses are not this school's to read."""
    return school_manages_login(roles.school, user)
