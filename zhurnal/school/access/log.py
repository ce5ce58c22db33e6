"""The access log of personal data (152-ФЗ), as the views of every app write to it: a card opened, a list or file
of people taken. The record itself is ``audit.services.record_access``; who reads the log is
``permissions.can_read_access_log``."""

from __future__ import annotations

from django.db.models import Model

from zhurnal.audit.models import AccessKind
from zhurnal.audit.services import record_access

__all__ = ["AccessKind", "note_reading"]


def note_reading(request, kind: str, what: str, *, rows: int | None = None, target: Model | None = None) -> None:
    """Record that the signed-in person read personal data in the active school."""
    school = getattr(request.roles, "school", None)
    if school is None:
        return
    record_access(actor=request.user, school=school, kind=kind, what=what, rows=rows, target=target)
