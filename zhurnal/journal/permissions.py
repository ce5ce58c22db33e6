"""Who may read and fill the journal.

Lessons: ``zhurnal.timetable.permissions`` decides who sees a lesson and who edits it (the assignment's teacher
and the substitute recorded for it). Here: who reads an assignment's grid, who sets final marks, who sets the
reasons of absences (the class teacher), who reopens closed periods and reads the control page (the deputy and
the director), who edits the grading rules. Locks (closed periods, the edit window) are domain rules checked
by the services for everybody who writes.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from zhurnal.school.models import SchoolClass, Student, TeachingAssignment
from zhurnal.school.roles import Role, SchoolRoles
from zhurnal.school.selectors import group_members, students_in_class
from zhurnal.timetable import permissions as lesson_permissions
from zhurnal.timetable.models import Lesson

RULE_EDITORS = frozenset({Role.DIRECTOR, Role.JOURNAL_ADMIN})


def assignments_visible_to(roles: SchoolRoles) -> QuerySet[TeachingAssignment]:
    """Grids a user may read: the administration all; a teacher his own; a class teacher every subject of his
    classes (whole class and subgroups)."""
    if roles.school is None or roles.staff is None:
        return TeachingAssignment.objects.none()
    assignments = TeachingAssignment.objects.filter(school=roles.school)
    if roles.is_school_reader:
        return assignments
    return assignments.filter(Q(teacher=roles.staff) | Q(group__school_class_id__in=roles.led_class_ids))


def can_read_assignment(roles: SchoolRoles, assignment: TeachingAssignment) -> bool:
    """``assignments_visible_to`` for one assignment at hand (with its group), without a query; a test holds the
    two to the same answer for every persona."""
    if roles.school is None or roles.staff is None or assignment.school_id != roles.school.pk:
        return False
    return (roles.is_school_reader or assignment.teacher_id == roles.staff.pk
            or assignment.group.school_class_id in roles.led_class_ids)


def can_fill_assignment(roles: SchoolRoles, assignment: TeachingAssignment) -> bool:
    """Marks in the grid and final marks: the teacher of the assignment."""
    return (roles.staff is not None and assignment.school_id == roles.school_id
            and assignment.teacher_id == roles.staff.pk)


def lessons_visible_to(roles: SchoolRoles) -> QuerySet[Lesson]:
    return lesson_permissions.lessons_visible_to(roles)


def can_see_lesson(roles: SchoolRoles, lesson: Lesson) -> bool:
    return lesson_permissions.can_see_lesson(roles, lesson)


def can_edit_lesson(roles: SchoolRoles, lesson: Lesson) -> bool:
    """Topic, homework, marks, attendance of one lesson: its teacher or the substitute who took it."""
    return lesson_permissions.can_edit_lesson(roles, lesson)


def can_set_absence_reasons(roles: SchoolRoles, school_class: SchoolClass) -> bool:
    """The class teacher sets reasons (б, уп) and corrects his class's absences."""
    return school_class.school_id == roles.school_id and school_class.pk in roles.led_class_ids


def can_reopen_period(roles: SchoolRoles) -> bool:
    return roles.leads_school


def can_view_control(roles: SchoolRoles) -> bool:
    return roles.leads_school


def can_edit_grading_rules(roles: SchoolRoles) -> bool:
    return roles.has(*RULE_EDITORS)


def can_view_grading_rules(roles: SchoolRoles) -> bool:
    return roles.staff is not None and roles.school is not None


def can_read_student_cell(roles: SchoolRoles, lesson: Lesson, student: Student) -> bool:
    """A cell's history: whoever may see the lesson and is staff (families read the diary, not the log). The pupil
    comes through ``lesson_students``."""
    return roles.staff is not None and lesson.school_id == roles.school_id and student.school_id == lesson.school_id


# --- pupils named in a request's body or query: scoped like objects in the URL ------------------------------------


def lesson_students(lesson: Lesson) -> QuerySet[Student]:
    """The pupils a lesson's cells, individual homework and history may name: the members of its group on its
    date. Any other pupil id (another class's, another group's) is not found (404), so that a lesson one may open
    never tells another pupil's name."""
    return group_members(lesson.assignment.group, lesson.date)


def absence_reason_students(school_class: SchoolClass, on) -> QuerySet[Student]:
    """The pupils whose absences on ``on`` the class teacher of ``school_class`` explains: his class list on that
    day (``can_set_absence_reasons`` says whether he is its class teacher)."""
    return students_in_class(school_class, on)
