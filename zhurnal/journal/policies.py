"""The school's grading rules in force on a date, as a ``grading.Policy`` — two queries, no writes.

The diary and reports call ``policy_for(school, on)`` and then the functions of ``grading``; the journal does
the same, so a family reads exactly the average and the suggestion the teacher sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

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


def policy_row_for(school: School | int, on: dt.date) -> GradingPolicy | None:
    school_id = school if isinstance(school, int) else school.pk
    return GradingPolicy.objects.filter(school_id=school_id, valid_from__lte=on).order_by("-valid_from").first()


def policy_for(school: School | int, on: dt.date, *, work_types: Iterable[WorkType] | None = None) -> Policy:
    """The rules in force on ``on``: the latest version whose ``valid_from`` is not after it."""
    school_id = school if isinstance(school, int) else school.pk
    if work_types is None:
        work_types = WorkType.objects.filter(school_id=school_id)
    return policy_from_row(policy_row_for(school_id, on), work_types)
