"""Who may see and change КТП and the topics lessons take from it.

The teacher of an assignment edits the plan his group works by (and the plans he made); he changes the topics
of his own lessons through the plan. The director and the deputy read every plan and the school's programme
coverage; the journal administrator reads plans. Everyone else sees nothing (404).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from zhurnal.school.models import TeachingAssignment
from zhurnal.school.roles import Role, SchoolRoles
from zhurnal.timetable.models import Lesson

from .models import PlannedTopic, PlanSection, ThematicPlan


def can_use_planning(roles: SchoolRoles) -> bool:
    return roles.is_school_reader or (roles.staff is not None and roles.has(Role.TEACHER))


def works_with_plans(roles: SchoolRoles) -> bool:
    """Whose work the КТП pages are (the menu's «КТП»): teachers and the journal administrator."""
    return roles.has(Role.TEACHER, Role.JOURNAL_ADMIN)


def can_read_coverage(roles: SchoolRoles) -> bool:
    """The school's programme coverage page: which assignments are behind and by how much."""
    return roles.leads_school


def plans_visible_to(roles: SchoolRoles) -> QuerySet[ThematicPlan]:
    if roles.school is None:
        return ThematicPlan.objects.none()
    plans = ThematicPlan.objects.filter(school=roles.school)
    if roles.is_school_reader:
        return plans
    if roles.staff is None or not roles.has(Role.TEACHER):
        return ThematicPlan.objects.none()
    staff = roles.staff
    return plans.filter(Q(owner=staff) | Q(pk__in=ThematicPlan.objects.filter(uses__assignment__teacher=staff)))


def assignments_visible_to(roles: SchoolRoles) -> QuerySet[TeachingAssignment]:
    """Assignments whose plan and lesson topics the user may see."""
    if roles.school is None:
        return TeachingAssignment.objects.none()
    assignments = TeachingAssignment.objects.filter(school=roles.school)
    if roles.is_school_reader:
        return assignments
    if roles.staff is None or not roles.has(Role.TEACHER):
        return TeachingAssignment.objects.none()
    return assignments.filter(teacher=roles.staff)


def lessons_visible_to(roles: SchoolRoles) -> QuerySet[Lesson]:
    return Lesson.objects.filter(assignment__in=assignments_visible_to(roles))


def topics_visible_to(roles: SchoolRoles) -> QuerySet[PlannedTopic]:
    return PlannedTopic.objects.filter(plan__in=plans_visible_to(roles))


def sections_visible_to(roles: SchoolRoles) -> QuerySet[PlanSection]:
    return PlanSection.objects.filter(plan__in=plans_visible_to(roles))


def can_edit_plan(roles: SchoolRoles, plan: ThematicPlan) -> bool:
    """The plan's author, or the teacher of a group that works by it."""
    staff = roles.staff
    if staff is None or plan.school_id != roles.school_id or not roles.has(Role.TEACHER):
        return False
    return plan.owner_id == staff.pk or plan.uses.filter(assignment__teacher=staff).exists()


def can_edit_topics(roles: SchoolRoles, assignment: TeachingAssignment) -> bool:
    """Fill and reshape the lesson topics of an assignment from its plan: its own teacher."""
    staff = roles.staff
    return (staff is not None and assignment.school_id == roles.school_id and assignment.teacher_id == staff.pk
            and roles.has(Role.TEACHER))
