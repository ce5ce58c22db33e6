"""The deputy's control page and the school's grading rules."""

from __future__ import annotations

import re
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhurnal.core import params
from zhurnal.core.dates import today as school_today

from .. import grading, permissions, selectors, services
from ..models import WorkType
from ..policies import policy_row_for, work_types_of
from .common import error_messages, require, school_view, scoped


@school_view
def control(request):
    """The deputy's control page lives with the reports (``reports:control``: filters, the complete lists)."""
    require(permissions.can_view_control(request.roles))
    return redirect("reports:control")


def _decimal(value: str, field: str, label: str) -> Decimal:
    number = params.parse_decimal(value)
    if number is None:
        raise ValidationError({field: f"{label}: нужно число, например 4,5."})
    return number


def _int(value: str, field: str, label: str, *, blank: bool = False) -> int | None:
    value = (value or "").strip()
    if not value and blank:
        return None
    if not re.fullmatch(r"[0-9]{1,6}", value):
        raise ValidationError({field: f"{label}: нужно целое число."})
    return int(value)


@school_view
def rules(request):
    roles = request.roles
    require(permissions.can_view_grading_rules(roles))
    school = roles.school
    today = school_today()
    work_types = list(work_types_of(school))
    current = policy_row_for(school, today)
    errors: list[str] = []
    if request.method == "POST":
        require(permissions.can_edit_grading_rules(roles))
        post = request.POST
        try:
            if not work_types:
                services.ensure_journal_setup(school=school, actor=request.user)
                messages.success(request, "Созданы стандартные виды работ и правила оценивания.")
                return redirect("journal:rules")
            valid_from = params.parse_date(post.get("valid_from", ""))
            if valid_from is None:
                raise ValidationError({"valid_from": "Укажите дату, с которой действуют правила."})
            weights = {w.pk: _decimal(post.get(f"weight-{w.pk}", "1"), "weights", f"Вес «{w.name}»")
                       for w in work_types}
            services.save_grading_policy(
                actor=request.user, school=school, valid_from=valid_from, weights=weights,
                allow_modifiers=post.get("allow_modifiers") == "on",
                marks_without_separator=post.get("marks_without_separator") == "on",
                modifier_value=_decimal(post.get("modifier_value", "0"), "modifier_value", "Вес «+»/«−»"),
                excluded_codes=[c for c in grading.CODE_VALUES if post.get(f"excluded-{c}") == "on"],
                thresholds=tuple(_decimal(post.get(f"threshold_{n}", ""), "thresholds", f"Порог «{n}»")
                                 for n in (2, 3, 4, 5)),
                min_marks=_int(post.get("min_marks", ""), "min_marks", "Минимум отметок"),
                two_blocks_five=post.get("two_blocks_five") == "on",
                grades_without_marks=[g for g in range(1, 12) if post.get(f"grade-{g}") == "on"],
                close_after_days=_int(post.get("close_after_days", ""), "close_after_days", "Закрытие периода"),
                edit_window_days=_int(post.get("edit_window_days", ""), "edit_window_days", "Окно исправлений",
                                      blank=True),
                year_ties_up=post.get("year_ties_up") == "on", note=post.get("note", ""), today=today,
            )
        except ValidationError as error:
            errors = error_messages(error)
        else:
            messages.success(request, f"Правила оценивания сохранены; действуют с {valid_from:%d.%m.%Y}.")
            return redirect("journal:rules")
    weights = {int(k): v for k, v in ((current.weights if current else {}) or {}).items()}
    for work_type in work_types:
        work_type.weight = weights.get(work_type.pk, "1")
    return render(request, "journal/rules.html", {
        "current": current, "versions": selectors.policy_versions(school), "work_types": work_types,
        "can_edit": permissions.can_edit_grading_rules(roles), "errors": errors, "today": today,
        "codes": grading.CODE_VALUES, "grades": range(1, 12),
        "excluded": set(current.excluded_codes) if current else set(grading.CODE_VALUES),
        "no_mark_grades": set(current.grades_without_marks) if current else {1},
    })


@school_view
@require_POST
def work_type_save(request):
    require(permissions.can_edit_grading_rules(request.roles))
    school = request.roles.school
    pk = request.POST.get("pk", "")
    work_type = scoped(WorkType.objects.filter(school=school), pk=params.require_id(pk)) if pk else None
    post = request.POST
    try:
        weight = None
        if work_type is None:
            weight = _decimal(post.get("weight", "1") or "1", "weight", "Вес")
        services.save_work_type(
            actor=request.user, school=school, name=post.get("name", ""), short_name=post.get("short_name", ""),
            is_control=post.get("is_control") == "on", is_default=post.get("is_default") == "on",
            is_active=post.get("is_active") == "on" if work_type is not None else True, work_type=work_type, weight=weight,
        )
    except ValidationError as error:
        for message in error_messages(error):
            messages.error(request, message)
    else:
        messages.success(request, "Вид работы сохранён.")
    return redirect("journal:rules")
