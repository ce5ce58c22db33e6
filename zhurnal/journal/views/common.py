"""What the journal's views share: scoped fetching of lessons and assignments, error replies for the script."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse

from zhurnal.core import idempotency
from zhurnal.core.view_helpers import (  # noqa: F401 - re-exported
    flash_outcome,
    own_path,
    parse_date,
    require,
    school_row,
    school_view,
    scoped,
)
from zhurnal.school.selectors import assignment_of

from .. import permissions

# With the school: its stamp versions the cached rules and periods (zhurnal.core.stamps).
LESSON_RELATED = ("school", "assignment__school", "assignment__group__school_class", "assignment__subject",
                  "assignment__teacher", "assignment__year", "actual_teacher", "planned_teacher",
                  "record__control_type")


def visible_lesson(request, pk: int):
    """The lesson if the user may see it (else 404)."""
    return scoped(permissions.lessons_visible_to(request.roles).select_related(*LESSON_RELATED), pk=pk)


def visible_assignment(request, pk: int):
    """The assignment (with its school, group, class, subject, teacher and year) if the user may read its
    journal, else 404 — from the per-school cache, checked without a query."""
    roles = request.roles
    assignment = assignment_of(roles.school, pk) if roles.school is not None else None
    if assignment is None or not permissions.can_read_assignment(roles, assignment):
        raise Http404
    return assignment


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def error_messages(error: ValidationError) -> list[str]:
    return list(error.messages)


def json_error(error: ValidationError) -> JsonResponse:
    """400 for bad input; 409 when the save may go on once the teacher answers (a reason for a late correction) or
    collides with another write (an idempotency key already used for another one)."""
    fields = set(getattr(error, "message_dict", {}) or {})
    need_reason = fields == {"reason"}
    conflict = need_reason or isinstance(error, idempotency.KeyReused)
    return JsonResponse({"ok": False, "error": " ".join(error.messages), "need_reason": need_reason},
                        status=409 if conflict else 400)
