"""The deputy's control page and the school's grading rules."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhurnal.core import params
from zhurnal.core.dates import today as school_today

from .. import permissions, selectors, services
from ..forms import GradingRulesForm, WorkTypeForm
from ..models import WorkType
from ..policies import work_types_of
from .common import error_messages, flash_outcome, require, school_view, scoped


@school_view
def control(request):
    """The deputy's control page lives with the reports (``reports:control``: filters, the complete lists)."""
    require(permissions.can_view_control(request.roles))
    return redirect("reports:control")


@school_view
def rules(request):
    roles = request.roles
    require(permissions.can_view_grading_rules(roles))
    school, today = roles.school, school_today()
    work_types = list(work_types_of(school))
    form = GradingRulesForm(request.POST if request.method == "POST" else None, work_types=work_types)
    errors: list[str] = []
    if form.is_bound:
        require(permissions.can_edit_grading_rules(roles))
        if not work_types:
            services.ensure_journal_setup(school=school, actor=request.user)
            messages.success(request, "Созданы стандартные виды работ и правила оценивания.")
            return redirect("journal:rules")
        try:
            policy = services.save_grading_policy(actor=request.user, school=school, today=today, **form.policy())
        except ValidationError as error:
            errors = error_messages(error)
        else:
            messages.success(request, f"Правила оценивания сохранены; действуют с {policy.valid_from:%d.%m.%Y}.")
            return redirect("journal:rules")
    return render(request, "journal/rules.html", {
        **selectors.rules_page(school, work_types, today=today), "errors": errors,
        "can_edit": permissions.can_edit_grading_rules(roles), "today": today,
    })


@school_view
@require_POST
def work_type_save(request):
    require(permissions.can_edit_grading_rules(request.roles))
    school = request.roles.school
    pk = request.POST.get("pk", "")
    form = WorkTypeForm(request.POST, work_type=scoped(WorkType.objects.filter(school=school),
                                                       pk=params.require_id(pk)) if pk else None)
    with flash_outcome(request, "Вид работы сохранён."):
        services.save_work_type(actor=request.user, school=school, **form.work_type_values())
    return redirect("journal:rules")
