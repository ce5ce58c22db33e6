"""The school's grading rules in force on a date, as a ``grading.Policy`` — no writes; two queries for a school
id, none for a ``School`` instance whose rules are cached (until its stamp changes, see ``core.stamps``).

The diary and reports call ``policy_for(school, on)`` and then the functions of ``grading``; the journal does
the same, so a family reads exactly the average and the suggestion the teacher sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from zhurnal.core import stamps
from zhurnal.school.models import School

from .grading import Policy
from .models import GradingPolicy, WorkType

# The usual local act of a Russian school; a new school starts with these and edits them.
DEFAULT_WORK_TYPES: list[tuple[str, str, str, bool]] = [
    # name, short name, weight, is control
    ("Ответ на уроке", "отв", "1", False),
    ("Самостоятельная работа", "с/р", "1.5", False),
    ("Домашняя работа", "д/р", "1", False),
    ("Проверочная работа", "пр/р", "1.5", False),
    ("Практическая работа", "пр", "1.5", False),
    ("Лабораторная работа", "л/р", "1.5", False),
    ("Тест", "тест", "1", False),
    ("Диктант", "дикт", "2", True),
    ("Сочинение", "соч", "2", True),
    ("Контрольная работа", "к/р", "2", True),
]


def policy_from_row(row: GradingPolicy | None, work_types: Iterable[WorkType]) -> Policy:
    """A ``Policy`` from a stored version (``None`` = built-in defaults, before the school saved any)."""
    work_types = list(work_types)
    control = frozenset(w.pk for w in work_types if w.is_control)
    if row is None:
        return Policy(control_types=control)
    weights = {int(k): Decimal(str(v)) for k, v in (row.weights or {}).items()}
    return Policy(
        allow_modifiers=row.allow_modifiers,
        marks_without_separator=row.marks_without_separator,
        modifier_value=Decimal(row.modifier_value),
        excluded_codes=frozenset(row.excluded_codes or ()),
        weights=weights,
        control_types=control,
        threshold_2=Decimal(row.threshold_2),
        threshold_3=Decimal(row.threshold_3),
        threshold_4=Decimal(row.threshold_4),
        threshold_5=Decimal(row.threshold_5),
        min_marks=row.min_marks,
        two_blocks_five=row.two_blocks_five,
        grades_without_marks=frozenset({1, *(int(g) for g in (row.grades_without_marks or ()))}),
        close_after_days=row.close_after_days,
        edit_window_days=row.edit_window_days,
        year_ties_up=row.year_ties_up,
        valid_from=row.valid_from,
        version_id=row.pk,
    )


def _cached_rules(school: School) -> tuple[list[GradingPolicy], list[WorkType]]:
    """Every version of the rules (newest first) and every work type of the school, cached per stamp."""
    return stamps.cached(school, "grading-rules", "", lambda: (
        list(GradingPolicy.objects.filter(school=school).order_by("-valid_from")),
        list(WorkType.objects.filter(school=school).order_by("ordering", "name")),
    ))


def _version_on(rows: list[GradingPolicy], on: dt.date) -> GradingPolicy | None:
    return next((row for row in rows if row.valid_from <= on), None)  # rows are newest first


def policy_row_for(school: School | int, on: dt.date) -> GradingPolicy | None:
    if isinstance(school, School):
        return _version_on(_cached_rules(school)[0], on)
    return GradingPolicy.objects.filter(school_id=school, valid_from__lte=on).order_by("-valid_from").first()


def work_types_of(school: School | int) -> list[WorkType]:
    """The school's work types in their order (inactive ones included: old marks keep theirs)."""
    if isinstance(school, School):
        return _cached_rules(school)[1]
    return list(WorkType.objects.filter(school_id=school).order_by("ordering", "name"))


def rules_on(school: School | int, on: dt.date) -> tuple[Policy, list[WorkType]]:
    """The rules in force on ``on`` and the school's work types — for a ``School`` one read of its cache."""
    if isinstance(school, School):
        rows, work_types = _cached_rules(school)
        return policy_from_row(_version_on(rows, on), work_types), work_types
    work_types = work_types_of(school)
    return policy_from_row(policy_row_for(school, on), work_types), work_types


def policy_for(school: School | int, on: dt.date, *, work_types: Iterable[WorkType] | None = None) -> Policy:
    """The rules in force on ``on``: the latest version whose ``valid_from`` is not after it."""
    if isinstance(school, School):
        rows, all_types = _cached_rules(school)  # one cache read for both
        return policy_from_row(_version_on(rows, on), all_types if work_types is None else work_types)
    if work_types is None:
        work_types = work_types_of(school)
    return policy_from_row(policy_row_for(school, on), work_types)
