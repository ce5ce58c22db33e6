"""Who may see and change КТП and the topics lessons take from it.

The teacher of an assignment edits the plan his group works by (and the plans he made); he changes the topics
of his own lessons through the plan. The director and the deputy read every plan and the school's programme
coverage; the journal administrator reads plans. Everyone else sees nothing (404).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from zhurnal.school.models import StaffMember, TeachingAssignment
from zhurnal.school.permissions import school_rows
from zhurnal.school.roles import Role, SchoolRoles
from zhurnal.timetable.models import Lesson

from .models import PlannedTopic, PlanSection, ThematicPlan

M = TypeVar("M", bound=Model)


def can_use_planning(roles: SchoolRoles) -> bool:
    return roles.is_school_reader or (roles.staff is not None and roles.has(Role.TEACHER))


def works_with_plans(roles: SchoolRoles) -> bool:
    """Whose work the КТП pages are (the menu's «КТП»): teachers and the journal administrator."""
    return roles.has(Role.TEACHER, Role.JOURNAL_ADMIN)


def can_read_coverage(roles: SchoolRoles) -> bool:
    """The school's programme coverage page: which assignments are behind and by how much."""
    return roles.leads_school


def _own_or_all(roles: SchoolRoles, model: type[M], own: Callable[[StaffMember], Q]) -> QuerySet[M]:
    """The school's rows for those who read the whole school, a teacher's ``own`` rows for him, else nothing."""
    rows = school_rows(roles, model)
    if roles.is_school_reader:
        return rows
    if roles.staff is None or not roles.has(Role.TEACHER):
        return rows.none()
    return rows.filter(own(roles.staff))


def plans_visible_to(roles: SchoolRoles) -> QuerySet[ThematicPlan]:
    """Plans a teacher made, and those his groups work by."""
    return _own_or_all(roles, ThematicPlan, lambda staff: Q(owner=staff) | Q(
        pk__in=ThematicPlan.objects.filter(uses__assignment__teacher=staff)))


def assignments_visible_to(roles: SchoolRoles) -> QuerySet[TeachingAssignment]:
    """Assignments whose plan and lesson topics the user may see."""
    return _own_or_all(roles, TeachingAssignment, lambda staff: Q(teacher=staff))


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
