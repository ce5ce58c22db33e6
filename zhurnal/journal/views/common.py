"""What the journal's views share: scoped fetching of lessons and assignments, error replies for the script."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import JsonResponse

from zhurnal.school.views.common import parse_date, require, school_view, scoped  # noqa: F401 - re-exported

from .. import permissions

# With the school: its stamp versions the cached rules and periods (zhurnal.school.stamps).
LESSON_RELATED = ("school", "assignment__school", "assignment__group__school_class", "assignment__subject",
                  "assignment__teacher", "assignment__year", "actual_teacher", "planned_teacher",
                  "record__control_type")
ASSIGNMENT_RELATED = ("school", "group__school_class", "subject", "teacher", "year")


def visible_lesson(request, pk: int, related: tuple[str, ...] = LESSON_RELATED, *, for_update: bool = False):
    """The lesson if the user may see it (else 404). Writes of cells pass ``services.LOCKED_LESSON_RELATED``:
    what the save needs, and no more joins than that; ``for_update`` locks its row (inside a transaction: the
    cell saves read and lock it once, see ``services.save_cells(locked=True)``)."""
    lessons = permissions.lessons_visible_to(request.roles).select_related(*related)
    if for_update:
        lessons = lessons.select_for_update(of=("self",))
    return scoped(lessons, pk=pk)


def visible_assignment(request, pk: int):
    return scoped(permissions.assignments_visible_to(request.roles).select_related(*ASSIGNMENT_RELATED), pk=pk)


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def error_messages(error: ValidationError) -> list[str]:
    return list(error.messages)


def json_error(error: ValidationError) -> JsonResponse:
    fields = set(getattr(error, "message_dict", {}) or {})
    need_reason = fields == {"reason"}
    return JsonResponse({"ok": False, "error": " ".join(error.messages), "need_reason": need_reason},
                        status=409 if need_reason else 400)
