"""The backups page: the copies on each destination, the restore drills, the schedule (journal administrator)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zhurnal.core.view_helpers import require, school_view

from . import permissions, selectors, services
from .forms import BackupScheduleForm


@school_view
def backups(request: HttpRequest) -> HttpResponse:
    roles = request.roles  # type: ignore[attr-defined]
    if not permissions.backups_exist_for(roles):
        raise Http404
    require(permissions.can_view_backups(roles))
    can_edit = permissions.can_edit_backup_schedule(roles)
    status = selectors.backup_status()
    form = BackupScheduleForm.for_policy(status.policy)
    if request.method == "POST":
        require(can_edit)
        form = BackupScheduleForm(request.POST)
        if form.is_valid():
            try:
                services.save_backup_schedule(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, "Расписание резервного копирования сохранено.")
                return redirect("ops:backups")
    return render(request, "ops/backups.html", {"status": status, "form": form, "can_edit": can_edit})
