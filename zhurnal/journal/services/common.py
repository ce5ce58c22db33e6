"""What every journal write shares: the lesson's context, its locks and the rules of a closed period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from zhurnal.accounts.models import User
from zhurnal.school.models import ReportingPeriod
from zhurnal.timetable.models import Lesson

from .. import grading, locks, selectors
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


LOCKED_LESSON_RELATED = ("school", "assignment__school", "assignment__group__school_class", "assignment__subject",
                         "assignment__year")


def _locked_lesson(lesson: Lesson) -> Lesson:
    """Lock the lesson row and read it afresh: writes to one lesson's cells run one after another (PostgreSQL;
    SQLite writes are serialised by its IMMEDIATE transactions). The school and the assignment (with its group,
    class, subject and year) are taken from ``lesson`` when it was fetched with them (the views fetch them a
    moment before), so the lock reads one row."""
    locked = Lesson.objects.select_for_update(of=("self",))
    fields = Lesson._meta
    if fields.get_field("school").is_cached(lesson) and fields.get_field("assignment").is_cached(lesson):
        fresh = locked.get(pk=lesson.pk)
        if fresh.assignment_id == lesson.assignment_id and fresh.school_id == lesson.school_id:
            fresh.school, fresh.assignment = lesson.school, lesson.assignment
            return fresh
    return locked.select_related(*LOCKED_LESSON_RELATED).get(pk=lesson.pk)
