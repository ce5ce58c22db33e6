"""Writes of final marks, and the reopening of a closed period."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhurnal.accounts.models import User
from zhurnal.audit.services import record
from zhurnal.audit.verbs import Verb
from zhurnal.core import events
from zhurnal.core.dates import today as school_today
from zhurnal.school.models import ReportingPeriod, Student, TeachingAssignment

from .. import grading, locks, selectors
from ..models import (
    FinalKind,
    FinalMark,
    PeriodReopening,
)
from ..policies import policy_for, policy_row_for
from .common import _actor

MAX_REOPEN_DAYS = 30


@transaction.atomic
def set_final_mark(
    *, actor: User, assignment: TeachingAssignment, student: Student, period: ReportingPeriod | None, value: str,
    reason: str = "", today: dt.date | None = None,
) -> FinalMark | None:
    """Set (or, with an empty value, remove) a student's final mark for a period or, with ``period=None``, the year.

    The suggestion is computed by the rules in force; a mark a whole point or more from it, or «н/а» where a
    mark was suggested, is flagged to the deputy and needs the teacher's reason. A closed period refuses.
    """
    today = today or school_today()
    assignment = (TeachingAssignment.objects.select_for_update(of=("self",))
                  .select_related("group__school_class", "subject", "year").get(pk=assignment.pk))
    value = grading.normalize_text(value)
    if value and value not in grading.FINAL_VALUES:
        raise ValidationError({"value": f"«{value}» — не итоговая отметка. Допустимо: 5, 4, 3, 2, 1, зч, нз, н/а, "
                                        "осв."})
    grade = selectors.assignment_grade(assignment)
    periods = selectors.assignment_periods(assignment, grade)
    if period is not None and period.pk not in {p.pk for p in periods}:
        raise ValidationError({"period": "Период не относится к этой параллели."})
    lock_period = period or (periods[-1] if periods else None)
    policy_on = selectors.period_policy_date(lock_period, today) if lock_period is not None else today
    policy_row = policy_row_for(assignment.school_id, policy_on)
    policy = policy_for(assignment.school_id, policy_on)
    if not selectors.marks_allowed_for(assignment, grade, policy):
        raise ValidationError({"value": "Для этого предмета и класса итоговые отметки не выставляются."})
    lock = locks.period_lock(lock_period, policy=policy, today=today,
                             reopened_until=locks.reopened_until(assignment, lock_period, policy=policy, today=today))
    if lock.closed:
        raise ValidationError({"value": lock.message})
    span_start = period.start if period else (periods[0].start if periods else assignment.year.start)
    span_end = period.end if period else (periods[-1].end if periods else assignment.year.end)
    if student.pk not in selectors.member_spans(assignment.group, span_start, span_end):
        raise ValidationError({"student": f"{student.short_name} не учился в группе «{assignment.group}» "
                                          "в этом периоде."})
    if period is not None and today < period.start:
        raise ValidationError({"period": f"Период «{period.name}» ещё не начался."})
    kind = FinalKind.PERIOD if period is not None else FinalKind.YEAR
    existing = FinalMark.objects.filter(assignment=assignment, student=student, kind=kind, period=period).first()
    before = _final_snapshot(existing)
    if not value:
        if existing is None:
            return None
        record(actor=actor, verb=Verb.FINAL_CLEAR, target=existing, before=before, after=None, reason=reason.strip())
        existing.delete()
        _publish_final(actor, assignment, student, period, span_end, before=before, after=None)
        return None
    if period is not None:
        suggestion = grading.suggest_final_mark(selectors.student_period_marks(assignment, student, period),
                                                policy=policy)
    else:
        rows = {r.student.pk: r for r in selectors.year_final_rows(assignment, periods, policy=policy)}
        suggestion = rows[student.pk].suggestion
    flagged = grading.deviates(value, suggestion.value)
    reason = reason.strip()
    if flagged and not reason:
        raise ValidationError({"reason": f"{student.short_name}: отметка «{value}» расходится с предложенной "
                                         f"«{suggestion.value}» на балл и больше — укажите обоснование."})
    final = existing or FinalMark(school_id=assignment.school_id, assignment=assignment, student=student, kind=kind,
                                  period=period)
    if existing is not None and existing.value == value and existing.reason == reason:
        return existing
    final.value = value
    final.suggested = suggestion.value or ""
    final.average = suggestion.average
    final.policy = policy_row
    final.flagged = flagged
    final.reason = reason
    final.set_by = _actor(actor)
    final.set_at = timezone.now()
    final.save()
    record(actor=actor, verb=Verb.FINAL_SET, target=final, before=before, after=_final_snapshot(final), reason=reason)
    _publish_final(actor, assignment, student, period, span_end, before=before, after=_final_snapshot(final))
    return final


def _publish_final(actor: User | None, assignment: TeachingAssignment, student: Student, period: ReportingPeriod | None,
                   period_end: dt.date, *, before: dict | None, after: dict | None) -> None:
    """``journal.final_mark_set``: what the families are told (when their diary shows it, from ``period_end``)."""
    author = _actor(actor)
    events.publish("journal.final_mark_set", school_id=assignment.school_id,
                   actor_id=author.pk if author is not None else None, assignment_id=assignment.pk,
                   student_id=student.pk, period_id=period.pk if period is not None else None,
                   period_name=period.name if period is not None else "год", period_end=period_end.isoformat(),
                   before=(before or {}).get("value", ""), after=(after or {}).get("value", ""))


def _final_snapshot(final: FinalMark | None) -> dict | None:
    if final is None:
        return None
    return {"student": final.student_id, "assignment": final.assignment_id, "period": final.period_id,
            "kind": final.kind, "value": final.value, "suggested": final.suggested,
            "average": str(final.average) if final.average is not None else None, "flagged": final.flagged}


@transaction.atomic
def set_final_marks(
    *, actor: User, assignment: TeachingAssignment, period: ReportingPeriod | None,
    values: dict[int, tuple[str, str]], today: dt.date | None = None,
) -> int:
    """A whole column of final marks, all or nothing: student id → (value, reason). Returns how many changed."""
    students = {s.pk: s for s in Student.objects.filter(pk__in=list(values), school_id=assignment.school_id)}
    errors: list[str] = []
    changed = 0
    kind = FinalKind.PERIOD if period is not None else FinalKind.YEAR
    current = {f.student_id: (f.value, f.reason) for f in FinalMark.objects.filter(assignment=assignment, kind=kind,
                                                                                   period=period)}
    for student_id, (value, reason) in values.items():
        student = students.get(student_id)
        if student is None:
            errors.append("Обучающийся не найден.")
            continue
        old = current.get(student_id, ("", ""))
        if (grading.normalize_text(value), reason.strip()) == (old[0], old[1]) or (not value.strip() and not old[0]):
            continue
        try:
            set_final_mark(actor=actor, assignment=assignment, student=student, period=period, value=value,
                           reason=reason, today=today)
            changed += 1
        except ValidationError as error:
            errors.extend(f"{student.short_name}: {m}" if not m.startswith(student.short_name) else m
                          for m in error.messages)
    if errors:
        raise ValidationError(errors)
    return changed


# --- locks ----------------------------------------------------------------------------------------------------------------


@transaction.atomic
def reopen_period(
    *, actor: User, assignment: TeachingAssignment, period: ReportingPeriod, until: dt.date, reason: str,
    today: dt.date | None = None,
) -> PeriodReopening:
    """The deputy opens one assignment's closed period for corrections until ``until`` (at most 30 days)."""
    today = today or school_today()
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Укажите причину открытия периода."})
    if period.school_id != assignment.school_id or period.period_set.year_id != assignment.year_id:
        raise ValidationError({"period": "Период не относится к учебному году этой нагрузки."})
    if until < today:
        raise ValidationError({"until": "Дата окончания не может быть в прошлом."})
    if until > today + dt.timedelta(days=MAX_REOPEN_DAYS):
        raise ValidationError({"until": f"Период открывается не больше чем на {MAX_REOPEN_DAYS} дней."})
    reopening = PeriodReopening.objects.create(school_id=assignment.school_id, assignment=assignment, period=period,
                                               until=until, reason=reason, created_by=_actor(actor))
    record(actor=actor, verb=Verb.JOURNAL_PERIOD_REOPEN, target=reopening, reason=reason,
           after={"assignment": assignment.pk, "period": period.pk, "until": str(until)})
    return reopening
