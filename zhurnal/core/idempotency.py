"""Idempotency keys: a write a client may retry (a mark from the grid, the offline queue, the API) carries a key;
the first time the write runs it remembers its result under the key, and a retry gets that result and writes
nothing. Any service can use it, inside its own transaction:

    request = idempotency.fingerprint(text, base)   # what was asked: a retry asks exactly the same
    if (done := idempotency.replay(key, school_id=..., verb="mark", scope={"mark": mark.pk},
                                   request=request)) is not None:
        return done
    ...  # the write
    idempotency.remember(key, school_id=..., actor=actor, verb="mark", result={"mark": mark.pk}, request=request)

A key is one write: used again for another write (another verb, another lesson or cell in ``scope``, another body
in ``request``) it is refused with ``KeyReused`` — the views answer 409 — and never replays the first write's
result as if the second had been saved. Two writes racing with one key (neither committed when the other read
the keys) meet at the key's unique index: the second is refused the same way (``remember`` and
``is_key_collision``), not with a server error.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .models import WriteKey

KEY_REUSED = ("Этот ключ запроса уже использован для другой записи: ничего не сохранено. Обновите страницу и "
              "введите значение снова.")
# Kept in a key's result: the fingerprint of the request that used the key first.
REQUEST = "_request"


class KeyReused(ValidationError):
    """A key already used (or being used) for another write: a conflict (409), not bad input."""

    def __init__(self) -> None:
        super().__init__({"key": KEY_REUSED})


def parse_key(value: str | None) -> uuid.UUID | None:
    """An idempotency key from a request; a malformed one is refused rather than ignored."""
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError as error:
        raise ValidationError({"key": "Неверный ключ запроса."}) from error


def fingerprint(*parts: Any) -> str:
    """A short digest of what a request asked for (its values in a fixed order): a retry's is the same."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=str).encode()).hexdigest()[:32]


def replay(key: uuid.UUID | str | None, *, school_id: int, verb: str, scope: dict,
           request: str | None = None) -> dict | None:
    """The first result of the write this key was used for, or ``None`` when the key is new (or absent)."""
    if key is None:
        return None
    row = WriteKey.objects.filter(key=key).first()
    if row is None:
        return None
    return replayed_result(row, school_id=school_id, verb=verb, scope=scope, request=request)


def replayed_result(row: WriteKey, *, school_id: int, verb: str, scope: dict, request: str | None = None) -> dict:
    """The first result of a retried write — if the key was used for this very write (its school, its verb, the
    ``scope`` values of its result and, when both are known, the same ``request``); a key used for another write
    is refused (``KeyReused``)."""
    result = row.result if isinstance(row.result, dict) else {}
    first_request = result.get(REQUEST)
    if (row.school_id != school_id or row.verb != verb or any(result.get(k) != v for k, v in scope.items())
            or (request is not None and first_request is not None and first_request != request)):
        raise KeyReused
    return {name: value for name, value in result.items() if name != REQUEST}


def stored_result(result: dict, request: str | None = None) -> dict:
    """What is kept under a key: the write's result and the fingerprint of its request."""
    return {**result, REQUEST: request} if request is not None else result


def remember(key: uuid.UUID | str | None, *, school_id: int, actor: AbstractBaseUser | None, verb: str, result: dict,
             request: str | None = None) -> None:
    """Keep the write's result under its key (nothing without a key). A key another write took meanwhile (not yet
    committed when ``replay`` looked) refuses this write: ``KeyReused``, and the caller's transaction rolls back."""
    if key is None:
        return
    try:
        with transaction.atomic():  # a savepoint: the unique index's refusal must not break the transaction
            WriteKey.objects.create(school_id=school_id, key=key, actor_id=actor.pk if actor is not None else None,
                                    verb=verb, result=stored_result(result, request))
    except IntegrityError as error:
        if is_key_collision(error):
            raise KeyReused from error
        raise


def is_key_collision(error: IntegrityError) -> bool:
    """The database refused a second row with an idempotency key already taken: the key is the table's only unique
    column besides the id (PostgreSQL names the table in the error's details, SQLite in its message)."""
    table = WriteKey._meta.db_table
    table_name = getattr(getattr(error.__cause__, "diag", None), "table_name", None)
    if table_name:
        return table_name == table
    return f"{table}.key" in str(error)
