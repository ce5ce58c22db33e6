"""Idempotency keys: a write a client may retry (a mark from the grid, the offline queue, the API) carries a key;
the first time the write runs it remembers its result under the key, and a retry gets that result and writes
nothing. Any service can use it, inside its own transaction:

    if (done := idempotency.replay(key, school_id=..., verb="mark", scope={"mark": mark.pk})) is not None:
        return done
    ...  # the write
    idempotency.remember(key, school_id=..., actor=actor, verb="mark", result={"mark": mark.pk})
"""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError

from .models import WriteKey

KEY_REUSED = "Этот ключ запроса уже использован для другой записи."


def parse_key(value: str | None) -> uuid.UUID | None:
    """An idempotency key from a request; a malformed one is refused rather than ignored."""
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError as error:
        raise ValidationError({"key": "Неверный ключ запроса."}) from error


def replay(key: uuid.UUID | str | None, *, school_id: int, verb: str, scope: dict) -> dict | None:
    """The first result of the write this key was used for, or ``None`` when the key is new (or absent)."""
    if key is None:
        return None
    row = WriteKey.objects.filter(key=key).first()
    if row is None:
        return None
    return replayed_result(row, school_id=school_id, verb=verb, scope=scope)


def replayed_result(row: WriteKey, *, school_id: int, verb: str, scope: dict) -> dict:
    """The first result of a retried write — if the key was used for this very write (its school, its verb and
    the ``scope`` values of its result); a key used for another write is refused."""
    if row.school_id != school_id or row.verb != verb or any(row.result.get(k) != v for k, v in scope.items()):
        raise ValidationError({"key": KEY_REUSED})
    return row.result


def remember(key: uuid.UUID | str | None, *, school_id: int, actor: AbstractBaseUser | None, verb: str, result: dict) -> None:
    """Keep the write's result under its key (nothing without a key)."""
    if key is not None:
        WriteKey.objects.create(school_id=school_id, key=key, actor_id=actor.pk if actor is not None else None,
                                verb=verb, result=result)
