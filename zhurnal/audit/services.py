"""The append-only audit log. Every service calls ``record`` inside its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models

from zhurnal.core import sql

from .models import AuditEntry
from .verbs import Verb

# The client address of the current request, set by middleware, so services need not pass it around.
current_address: ContextVar[str | None] = ContextVar("current_address", default=None)


def record(
    *,
    actor: AbstractBaseUser | None,
    verb: Verb,
    target: models.Model,
    school: Any = None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEntry:
    if school is None:
        school = getattr(target, "school", None)
    return AuditEntry.objects.create(
        school=school,
        actor_id=actor.pk if actor is not None else None,
        verb=verb.value,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        before=before,
        after=after,
        reason=reason,
        address=current_address.get(),
    )


def history_of(target: models.Model):
    return (
        AuditEntry.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
        .select_related("actor")
        .order_by("created_at", "id")
    )


def record_many(
    *,
    actor: AbstractBaseUser | None,
    verb: Verb,
    school: Any,
    changes: Sequence[tuple[models.Model, Any, Any]],
    reason: str = "",
) -> None:
    """One entry per changed object — ``(target, before, after)`` — written at once, for a service that changes
    many rows in one go (lesson topics filled from a plan) or often (every journal cell save): in plain
    statements (``core.sql.insert_rows``), which cost a third of ``bulk_create``."""
    actor_id = actor.pk if actor is not None else None
    school_id = getattr(school, "pk", school)
    address = current_address.get()
    sql.insert_rows(AuditEntry, [
        {"school_id": school_id, "actor_id": actor_id, "verb": verb.value, "target_type": target._meta.label_lower,
         "target_id": str(target.pk), "before": before, "after": after, "reason": reason, "address": address}
        for target, before, after in changes
    ])
