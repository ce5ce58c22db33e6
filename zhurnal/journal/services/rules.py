"""Writes of the grading rules: the school's policy versions and work types."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zhurnal.accounts.models import User
from zhurnal.audit.services import record
from zhurnal.audit.verbs import Verb
from zhurnal.core.dates import today as school_today
from zhurnal.school.models import School
from zhurnal.school.services import name_taken

from .. import grading
from ..models import (
    GradingPolicy,
    WorkType,
)
from ..policies import DEFAULT_WORK_TYPES, policy_row_for
from .common import _actor


@transaction.atomic
def ensure_journal_setup(*, school: School, actor: User | None = None, valid_from: dt.date | None = None) -> bool:
    """Give a school the usual work types and a first version of the grading rules, once. Returns True if made."""
    if WorkType.objects.filter(school=school).exists():
        return False
    work_types = []
    for ordering, (name, short_name, _weight, is_control) in enumerate(DEFAULT_WORK_TYPES):
        work_types.append(WorkType.objects.create(school=school, name=name, short_name=short_name,
                                                  is_control=is_control, is_default=ordering == 0,
                                                  ordering=ordering))
    weights = {str(w.pk): weight for w, (_, _, weight, _) in zip(work_types, DEFAULT_WORK_TYPES, strict=True)}
    first_year = school.years.order_by("start").values_list("start", flat=True).first()
    start = valid_from or first_year or dt.date(2000, 1, 1)
    if not GradingPolicy.objects.filter(school=school).exists():
        policy = GradingPolicy.objects.create(school=school, valid_from=start, weights=weights,
                                              created_by=_actor(actor), note="Исходные правила")
        record(actor=actor, verb=Verb.GRADING_CREATE, target=policy, after=_policy_snapshot(policy))
    record(actor=actor, verb=Verb.WORKTYPES_CREATE, target=school, school=school,
           after=[w.name for w in work_types])
    return True


POLICY_FIELDS = ["allow_modifiers", "marks_without_separator", "modifier_value", "excluded_codes", "weights", "threshold_2", "threshold_3",
                 "threshold_4", "threshold_5", "min_marks", "two_blocks_five", "grades_without_marks",
                 "close_after_days", "edit_window_days", "year_ties_up", "note"]


def _policy_snapshot(policy: GradingPolicy) -> dict:
    out: dict[str, Any] = {"valid_from": str(policy.valid_from)}
    for name in POLICY_FIELDS:
        value = getattr(policy, name)
        out[name] = str(value) if isinstance(value, Decimal) else value
    return out


@transaction.atomic
def save_grading_policy(
    *, actor: User, school: School, valid_from: dt.date, weights: dict[int, Decimal], allow_modifiers: bool = True,
    marks_without_separator: bool = False,
    modifier_value: Decimal = Decimal(0), excluded_codes: list[str] | tuple[str, ...] = tuple(grading.CODE_VALUES),
    thresholds: tuple[Decimal, Decimal, Decimal, Decimal] = (Decimal("1.5"), Decimal("2.5"), Decimal("3.5"),
                                                             Decimal("4.5")),
    min_marks: int = 3, two_blocks_five: bool = False, grades_without_marks: list[int] | tuple[int, ...] = (1,),
    close_after_days: int = 5, edit_window_days: int | None = None, year_ties_up: bool = True, note: str = "",
    today: dt.date | None = None,
) -> GradingPolicy:
    """A new version of the rules in force from ``valid_from`` (a version for the same date is replaced).

    Versions that already took effect are never edited, and final marks already set keep their value: a change
    can only start today or later.
    """
    today = today or school_today()
    if valid_from < today:
        raise ValidationError({"valid_from": "Новые правила вступают в силу не раньше сегодняшнего дня: "
                                             "прошедшие итоговые отметки не пересчитываются."})
    t2, t3, t4, t5 = (Decimal(t) for t in thresholds)
    if not (1 <= t2 < t3 < t4 < t5 <= 5):
        raise ValidationError({"thresholds": "Пороги должны возрастать: «2» < «3» < «4» < «5», от 1 до 5."})
    if not Decimal(0) <= Decimal(modifier_value) < 1:
        raise ValidationError({"modifier_value": "Вес «+»/«−» — от 0 до 0,99."})
    unknown = set(excluded_codes) - set(grading.CODE_VALUES)
    if unknown:
        raise ValidationError({"excluded_codes": f"Неизвестные обозначения: {', '.join(sorted(unknown))}."})
    grades = sorted({1, *(int(g) for g in grades_without_marks)})
    if any(not 1 <= g <= 11 for g in grades):
        raise ValidationError({"grades_without_marks": "Параллели — от 1 до 11."})
    if not 0 <= min_marks <= 20:
        raise ValidationError({"min_marks": "Минимум отметок — от 0 до 20."})
    if not 0 <= close_after_days <= 60:
        raise ValidationError({"close_after_days": "Период закрывается через 0–60 дней после окончания."})
    if edit_window_days is not None and not 0 <= edit_window_days <= 365:
        raise ValidationError({"edit_window_days": "Окно исправлений — от 0 до 365 дней или без ограничения."})
    own = set(WorkType.objects.filter(school=school).values_list("pk", flat=True))
    clean_weights: dict[str, str] = {}
    for work_type_id, weight in weights.items():
        if int(work_type_id) not in own:
            raise ValidationError({"weights": "Вид работы из другой школы."})
        try:
            weight = Decimal(weight)
        except (InvalidOperation, TypeError) as error:
            raise ValidationError({"weights": "Вес — число от 0 до 10."}) from error
        if not Decimal(0) <= weight <= 10:
            raise ValidationError({"weights": "Вес — число от 0 до 10."})
        clean_weights[str(int(work_type_id))] = str(weight.normalize())
    policy = GradingPolicy.objects.filter(school=school, valid_from=valid_from).first()
    before = _policy_snapshot(policy) if policy is not None else None
    policy = policy or GradingPolicy(school=school, valid_from=valid_from)
    policy.allow_modifiers = allow_modifiers
    policy.marks_without_separator = marks_without_separator
    policy.modifier_value = Decimal(modifier_value)
    policy.excluded_codes = sorted(set(excluded_codes))
    policy.weights = clean_weights
    policy.threshold_2, policy.threshold_3, policy.threshold_4, policy.threshold_5 = t2, t3, t4, t5
    policy.min_marks = min_marks
    policy.two_blocks_five = two_blocks_five
    policy.grades_without_marks = grades
    policy.close_after_days = close_after_days
    policy.edit_window_days = edit_window_days
    policy.year_ties_up = year_ties_up
    policy.note = note.strip()
    policy.created_by = _actor(actor)
    policy.full_clean()
    policy.save()
    record(actor=actor, verb=Verb.GRADING_UPDATE if before else Verb.GRADING_CREATE, target=policy, before=before,
           after=_policy_snapshot(policy))
    return policy


@transaction.atomic
def save_work_type(
    *, actor: User, school: School, name: str, short_name: str = "", is_control: bool = False,
    is_default: bool = False, is_active: bool = True, ordering: int | None = None, work_type: WorkType | None = None,
    weight: Decimal | None = None, today: dt.date | None = None,
) -> WorkType:
    """Add or change a work type. A weight given for a new type is written into a version of the rules from today."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Укажите название вида работы."})
    if name_taken(WorkType.objects.filter(school=school), name, excluding=work_type):
        raise ValidationError({"name": f"Вид работы «{name}» уже есть."})
    if is_default and not is_active:
        raise ValidationError({"is_default": "Вид работы по умолчанию должен использоваться."})
    is_new = work_type is None
    before = None if work_type is None else {"name": work_type.name, "short_name": work_type.short_name,
                                  "is_control": work_type.is_control, "is_default": work_type.is_default,
                                  "is_active": work_type.is_active}
    if is_default:
        defaults = WorkType.objects.filter(school=school, is_default=True)
        if work_type is not None:
            defaults = defaults.exclude(pk=work_type.pk)
        defaults.update(is_default=False)
    work_type = work_type or WorkType(school=school)
    work_type.name, work_type.short_name = name, short_name.strip()[:12]
    work_type.is_control, work_type.is_default, work_type.is_active = is_control, is_default, is_active
    if ordering is not None:
        work_type.ordering = ordering
    elif is_new:
        last = WorkType.objects.filter(school=school).order_by("-ordering").values_list("ordering", flat=True).first()
        work_type.ordering = (last or 0) + 1
    work_type.full_clean()
    work_type.save()
    record(actor=actor, verb=Verb.WORKTYPE_CREATE if is_new else Verb.WORKTYPE_UPDATE, target=work_type, before=before,
           after={"name": work_type.name, "short_name": work_type.short_name, "is_control": is_control,
                  "is_default": is_default, "is_active": is_active})
    if weight is not None:
        today = today or school_today()
        current = policy_row_for(school, today)
        weights = {int(k): Decimal(v) for k, v in ((current.weights if current else {}) or {}).items()}
        weights[work_type.pk] = Decimal(weight)
        kwargs = _policy_kwargs(current) if current is not None else {}
        save_grading_policy(actor=actor, school=school, valid_from=today, weights=weights, today=today, **kwargs)
    return work_type


def _policy_kwargs(policy: GradingPolicy) -> dict[str, Any]:
    return {
        "allow_modifiers": policy.allow_modifiers, "marks_without_separator": policy.marks_without_separator,
        "modifier_value": policy.modifier_value,
        "excluded_codes": policy.excluded_codes,
        "thresholds": (policy.threshold_2, policy.threshold_3, policy.threshold_4, policy.threshold_5),
        "min_marks": policy.min_marks, "two_blocks_five": policy.two_blocks_five,
        "grades_without_marks": policy.grades_without_marks, "close_after_days": policy.close_after_days,
        "edit_window_days": policy.edit_window_days, "year_ties_up": policy.year_ties_up, "note": policy.note,
    }
