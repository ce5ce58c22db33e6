"""What every journal write shares: the lesson's context, its locks and the rules of a closed period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from zhurnal.accounts.models import User
from zhurnal.school.models import ReportingPeriod
from zhurnal.school.roles import SchoolRoles
from zhurnal.school.selectors import assignment_of
from zhurnal.timetable.models import Lesson

from .. import grading, locks, permissions, queries, selectors
from ..models import (
    WorkType,
)
from ..policies import rules_on

UNSET: Any = object()


def _actor(actor: User | None) -> User | None:
    """The user to store as the author of a row: nobody for the system (the demo, an import without a user)."""
    return actor if actor is not None and actor.pk else None


@dataclass
class LessonContext:
    lesson: Lesson
    grade: int | None
    period: ReportingPeriod | None
    policy: grading.Policy
    marks_allowed: bool
    late: bool
    work_types: list[WorkType]  # the school's


def _lesson_context(lesson: Lesson, *, today: dt.date) -> LessonContext:
    assignment = lesson.assignment
    grade = selectors.assignment_grade(assignment)
    period = locks.period_of(selectors.assignment_periods(assignment, grade), lesson.date)
    policy_date = selectors.period_policy_date(period, today) if period is not None else lesson.date
    policy, work_types = rules_on(lesson.school, policy_date)
    return LessonContext(lesson=lesson, grade=grade, period=period, policy=policy,
                         marks_allowed=selectors.marks_allowed_for(assignment, grade, policy),
                         late=locks.is_late(lesson.date, policy=policy, today=today), work_types=work_types)


def _period_lock(context: LessonContext, *, today: dt.date) -> locks.LockState:
    return locks.period_lock(context.period, policy=context.policy, today=today,
                             reopened_until=locks.reopened_until(context.lesson.assignment_id, context.period,
                                                               policy=context.policy, today=today))


def closed_period_message(lesson: Lesson, today: dt.date) -> str | None:
    """Why nothing may be written into this lesson now — its period is closed (the message a teacher's edit gets)
    — or None. Registered with the КТП (``planning.sequence.register_topic_guard``): a fill from the plan is
    refused where a teacher's edit would be."""
    lock = _period_lock(_lesson_context(lesson, today=today), today=today)
    return lock.message if lock.closed else None


def _require_open(context: LessonContext, *, today: dt.date, reason: str, reason_when_late: bool = True) -> str:
    """Refuse changes to a closed period; demand a reason after the edit window (for what is a correction of the
    record: marks, absences, topic, homework). Returns the cleaned reason."""
    lesson = context.lesson
    if lesson.cancelled:
        raise ValidationError({"lesson": "Урок отменён: записи в журнал по нему не вносятся."})
    lock = _period_lock(context, today=today)
    if lock.closed:
        raise ValidationError({"lesson": lock.message})
    reason = (reason or "").strip()
    context.late = locks.is_late_correction(lesson.date, policy=context.policy, today=today, lock=lock)
    # A closed period reopened by the deputy: every change in it is a late correction.
    if lock.period is not None and lock.reopened_until is not None and reason_when_late and not reason:
        raise ValidationError({"reason": f"Период «{lock.period.name}» закрыт и открыт только для исправлений: "
                                         "укажите причину исправления."})
    if context.late and reason_when_late and not reason:
        raise ValidationError({"reason": f"Прошло больше {context.policy.edit_window_days} дн. после урока "
                                         f"{lesson.date:%d.%m.%Y}: это позднее исправление — укажите причину."})
    return reason


NOT_GIVEN = {  # what is not given without marks: (at a lesson, by the school's choice for a grade)
    "marks": ("отметки не ставятся", "школа не ставит отметки"),
    "homework": ("домашние задания не задаются", "домашние задания не задаются"),
}


def _not_given_message(context: LessonContext, what: Literal["marks", "homework"]) -> str:
    """Why the lesson takes no marks (or homework): a subject without marks, the 1st grade, or a grade the school
    does not mark (``selectors.marks_allowed_for``)."""
    at_lesson, by_school = NOT_GIVEN[what]
    subject = context.lesson.assignment.subject
    if subject.without_marks:
        return f"«{subject}» — безотметочный предмет: {at_lesson}."
    if context.grade == 1:
        return f"В 1-м классе {at_lesson}."
    return f"В {context.grade}-х классах {by_school}."


LOCKED_LESSON_RELATED = ("school", "assignment__school", "assignment__group__school_class", "assignment__subject",
                         "assignment__year")


def _locked_lesson(lesson: Lesson) -> Lesson:
    """Lock the lesson row and read it afresh: writes to one lesson's cells run one after another (PostgreSQL;
    SQLite writes are serialised by its IMMEDIATE transactions). The school and the assignment (with its group,
    class, subject and year) are taken from ``lesson`` when it was fetched with them (the views fetch them a
    moment before), so the lock reads one row."""
    fields = Lesson._meta
    if fields.get_field("school").is_cached(lesson) and fields.get_field("assignment").is_cached(lesson):
        fresh = queries.lock_lesson(lesson.pk, lesson.school_id)
        if fresh is None:
            raise Lesson.DoesNotExist
        if fresh.assignment_id == lesson.assignment_id:
            fresh.school, fresh.assignment = lesson.school, lesson.assignment
            return fresh
    return Lesson.objects.select_for_update(of=("self",)).select_related(*LOCKED_LESSON_RELATED).get(pk=lesson.pk)


BIGINT_MAX = 2**63 - 1  # ids from addresses are checked against it before plain SQL (SQLite refuses larger numbers)


def _lesson_to_write(roles: SchoolRoles, lesson_id: int) -> Lesson:
    """The lesson ``lesson_id`` locked for a write by ``roles``' user (as ``_locked_lesson``), with the active school
    and the cached assignment attached: the lock reads one row (``queries.lock_lesson``). Http404 if he may not see
    it, PermissionDenied if he may see it but not change it. Runs in the caller's transaction."""
    school = roles.school
    if school is None or not 0 < lesson_id <= BIGINT_MAX:  # an id beyond the column's range names no lesson
        raise Http404
    lesson = queries.lock_lesson(lesson_id, school.pk)
    assignment = assignment_of(school, lesson.assignment_id) if lesson is not None else None
    if lesson is None or assignment is None:  # no assignment of this school: only with inconsistent data
        raise Http404
    lesson.school, lesson.assignment = school, assignment
    if not permissions.can_see_lesson(roles, lesson):
        raise Http404
    if not permissions.can_edit_lesson(roles, lesson):
        raise PermissionDenied
    return lesson
