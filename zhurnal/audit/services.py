"""The append-only audit log. Every service calls ``record`` inside its own transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.utils import timezone

from zhurnal.core import sql

from .models import AccessKind, AccessRecord, AuditEntry
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


def record_access(
    *, actor: AbstractBaseUser | AnonymousUser | None, school: Any, kind: str, what: str, rows: int | None = None,
    target: models.Model | None = None,
) -> AccessRecord:
    """A reading of personal data for the access log (152-ФЗ): a card opened, a list or file taken (``rows``: how
    many people or lines it holds)."""
    if kind not in AccessKind.values:
        raise ValueError(f"unknown access kind {kind!r}")
    return AccessRecord.objects.create(
        school_id=getattr(school, "pk", school), actor_id=actor.pk if actor is not None and actor.pk else None,
        at=timezone.now(), kind=kind, what=what[:300], rows=rows,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "", address=current_address.get(),
    )


def purge_access_log(*, now: dt.datetime | None = None) -> int:
    """Forget readings older than ``settings.ZHURNAL_ACCESS_LOG_DAYS``; returns how many were removed."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.ZHURNAL_ACCESS_LOG_DAYS)
    removed, _ = AccessRecord.objects.filter(at__lt=cutoff).delete()
    return removed
