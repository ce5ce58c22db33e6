"""Who may see and change the timetable, lessons and substitutions.

A teacher edits the lessons of his own teaching assignments; a substitute edits exactly the lessons recorded
as substituted by him (the lesson's ``actual_teacher``) — never another teacher's lessons. The deputy and the
director read everything and manage the timetable and substitutions; the journal administrator manages
bells, rooms, the timetable and imports. Families and students read their own class's and groups' lessons.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from zhurnal.core.dates import today as school_today
from zhurnal.school.models import (
    Enrollment,
    Group,
    GroupKind,
    GroupMembership,
    SchoolClass,
    StaffMember,
    TeachingAssignment,
)
from zhurnal.school.permissions import school_rows
from zhurnal.school.roles import Role, SchoolRoles
from zhurnal.school.selectors import active_on

from .models import Lesson, LessonKind, Room

SETUP_MANAGERS = frozenset({Role.JOURNAL_ADMIN})


def can_view_timetables(roles: SchoolRoles) -> bool:
    """Every member of the school sees timetables (what, is scoped per role)."""
    return roles.is_member


def can_manage_timetable(roles: SchoolRoles) -> bool:
    return roles.is_school_reader  # the administration runs the timetable


def can_manage_bells_and_rooms(roles: SchoolRoles) -> bool:
    return roles.has(*SETUP_MANAGERS)


def can_import_timetable(roles: SchoolRoles) -> bool:
    return roles.has(*SETUP_MANAGERS)


def can_manage_substitutions(roles: SchoolRoles) -> bool:
    return roles.leads_school


def can_read_staff_reports(roles: SchoolRoles) -> bool:
    """The substitution log and the working-time sheet."""
    return roles.is_school_reader


def is_staff(roles: SchoolRoles) -> bool:
    return roles.staff is not None


def can_edit_lesson(roles: SchoolRoles, lesson: Lesson) -> bool:
    """Topic, homework, marks, attendance: the lesson's assigned teacher, or the substitute recorded for it."""
    if roles.staff is None or lesson.school_id != roles.school_id or lesson.cancelled:
        return False
    return roles.staff.pk in (lesson.assignment.teacher_id, lesson.actual_teacher_id)


def can_add_lesson(roles: SchoolRoles, assignment: TeachingAssignment) -> bool:
    """An extra or moved lesson: the teacher of the assignment, or the administration that runs the timetable."""
    if assignment.school_id != roles.school_id:
        return False
    if roles.leads_school:
        return True
    return roles.staff is not None and assignment.teacher_id == roles.staff.pk


def can_move_lesson(roles: SchoolRoles, lesson: Lesson) -> bool:
    return (lesson.kind == LessonKind.REGULAR or lesson.kind == LessonKind.MOVED) and not lesson.cancelled and \
        can_add_lesson(roles, lesson.assignment)


def assignments_for_adhoc_lessons(roles: SchoolRoles) -> QuerySet[TeachingAssignment]:
    assignments = school_rows(roles, TeachingAssignment)
    if roles.leads_school:
        return assignments
    if roles.staff is None:
        return assignments.none()
    return assignments.filter(teacher=roles.staff)


def _family_group_ids(roles: SchoolRoles) -> QuerySet:
    """Groups of the user's own student record and children, today: whole classes and memberships."""
    student_ids = set(roles.child_ids)
    if roles.student is not None:
        student_ids.add(roles.student.pk)
    on = school_today()
    class_ids = Enrollment.objects.filter(active_on(on), student_id__in=student_ids).values("school_class_id")
    member_of = GroupMembership.objects.filter(active_on(on), student_id__in=student_ids).values("group_id")
    return Group.objects.filter(
        Q(school_class_id__in=class_ids, kind=GroupKind.CLASS) | Q(pk__in=member_of)).values("pk")


def family_class_ids(roles: SchoolRoles) -> QuerySet:
    student_ids = set(roles.child_ids)
    if roles.student is not None:
        student_ids.add(roles.student.pk)
    return Enrollment.objects.filter(active_on(school_today()), student_id__in=student_ids).values(
        "school_class_id")


def lessons_visible_to(roles: SchoolRoles) -> QuerySet[Lesson]:
    """Administration: every lesson of the school. Teacher: lessons of his assignments and groups, and those
    he substitutes. Class teacher: every lesson of his classes. Student, guardian: their classes' and groups'."""
    if roles.school is None or not roles.is_member:
        return Lesson.objects.none()
    lessons = Lesson.objects.filter(school=roles.school)
    if roles.is_school_reader:
        return lessons
    visible = Q(pk__in=[])
    if roles.staff is not None:
        visible |= (Q(assignment__teacher=roles.staff) | Q(actual_teacher=roles.staff)
                    | Q(planned_teacher=roles.staff) | Q(assignment__group_id__in=roles.taught_group_ids))
    if roles.led_class_ids:
        visible |= Q(assignment__group__school_class_id__in=roles.led_class_ids)
    if roles.student is not None or roles.child_ids:
        visible |= Q(assignment__group_id__in=_family_group_ids(roles))
    return lessons.filter(visible)


def can_see_lesson(roles: SchoolRoles, lesson: Lesson) -> bool:
    """``lessons_visible_to`` for one lesson at hand (with its assignment and group): no query but for a family
    (its groups today); a test holds the two to the same answer for every persona."""
    if roles.school is None or not roles.is_member or lesson.school_id != roles.school.pk:
        return False
    if roles.is_school_reader:
        return True
    assignment = lesson.assignment
    staff = roles.staff
    if staff is not None and (staff.pk in (assignment.teacher_id, lesson.actual_teacher_id, lesson.planned_teacher_id)
                              or assignment.group_id in roles.taught_group_ids):
        return True
    if assignment.group.school_class_id in roles.led_class_ids:
        return True
    if roles.student is not None or roles.child_ids:
        return _family_group_ids(roles).filter(pk=assignment.group_id).exists()
    return False


def classes_with_visible_timetable(roles: SchoolRoles) -> QuerySet[SchoolClass]:
    """Staff read every class's timetable (to plan and substitute); families read their own class's."""
    if roles.school is None or not roles.is_member:
        return SchoolClass.objects.none()
    classes = SchoolClass.objects.filter(school=roles.school)
    if roles.staff is not None:
        return classes
    return classes.filter(pk__in=family_class_ids(roles))


def teachers_with_visible_timetable(roles: SchoolRoles) -> QuerySet[StaffMember]:
    if roles.school is None or roles.staff is None:
        return StaffMember.objects.none()
    return StaffMember.objects.filter(school=roles.school)


def rooms_visible_to(roles: SchoolRoles) -> QuerySet[Room]:
    if roles.school is None or roles.staff is None:
        return Room.objects.none()
    return Room.objects.filter(school=roles.school)
