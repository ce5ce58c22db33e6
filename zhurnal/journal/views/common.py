"""What the journal's views share: scoped fetching of lessons and assignments, error replies for the script."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, JsonResponse

from zhurnal.core import idempotency
from zhurnal.core.sql import columns, fetch, model_rows, table
from zhurnal.core.view_helpers import (  # noqa: F401 - re-exported
    own_path,
    parse_date,
    require,
    school_row,
    school_view,
    scoped,
)
from zhurnal.school.selectors import assignment_of
from zhurnal.timetable.models import Lesson

from .. import permissions

# With the school: its stamp versions the cached rules and periods (zhurnal.core.stamps).
LESSON_RELATED = ("school", "assignment__school", "assignment__group__school_class", "assignment__subject",
                  "assignment__teacher", "assignment__year", "actual_teacher", "planned_teacher",
                  "record__control_type")


BIGINT_MAX = 2**63 - 1  # ids in addresses are checked against it before plain SQL (SQLite refuses larger numbers)


def visible_lesson(request, pk: int):
    """The lesson if the user may see it (else 404)."""
    return scoped(permissions.lessons_visible_to(request.roles).select_related(*LESSON_RELATED), pk=pk)


def locked_lesson(request, pk: int):
    """The lesson for a write, its row locked (inside a transaction: the cell saves read and lock it once, see
    ``services.save_cells(locked=True)``), with the active school and the cached assignment attached: the lock
    reads one row, no join, in plain SQL (``core.sql``) — the hottest write's largest cost through the ORM.
    404 if the user may not see it."""
    if not connection.in_atomic_block:
        raise RuntimeError("locked_lesson must run in a transaction: the row lock lasts until it ends")
    roles = request.roles
    if roles.school is None or not 0 < pk <= BIGINT_MAX:  # an id beyond the column's range names no lesson
        raise Http404
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""  # SQLite: the transaction locks
    rows = model_rows(Lesson, fetch(f"SELECT {columns(Lesson)} FROM {table(Lesson)} "  # noqa: S608
                                    f"WHERE id = %s AND school_id = %s{lock}", [pk, roles.school.pk]))
    if not rows:
        raise Http404
    lesson = rows[0]
    assignment = assignment_of(roles.school, lesson.assignment_id)
    if assignment is None:  # not of this school: only with inconsistent data
        raise Http404
    lesson.school, lesson.assignment = roles.school, assignment
    if not permissions.can_see_lesson(roles, lesson):
        raise Http404
    return lesson


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
