"""A per-school cache of what every request reads and hardly anyone changes: a person's roles, the grading rules,
the reporting periods, the bells, and the rows pages reach by the id in their address (``cached_row``: a teaching
assignment with its group and subject, a student, a subject).

Each school row carries ``config_stamp``, a random token replaced whenever a watched model of that school is saved
or deleted (``watch`` connects the signals; a service that writes such rows with ``bulk_create`` or ``update`` calls
``bump`` itself). A cached value's key holds the stamp of the ``School`` instance it was asked for, so:

- every request loads its school afresh and so reads the current stamp: a change made by any process (another app
  server, a management command) is seen by the next request everywhere once committed — the cache needs no
  messages between processes;
- the new stamp is written when the transaction commits (once per school), so a rolled-back change writes none;
- tests that reuse row ids after a rollback get new schools with new stamps.

An instance loaded *before* a change keeps the old stamp; so that code holding one (a command, a test, a view
that reads after it writes, a transaction before its commit) never reads stale values in the process that made
the change, every change also advances this process's generation, which is part of every key. Another process's
instance held across a change is the one case left stale — requests load their school afresh, so only
long-running commands hold one; and every value expires after ``TIMEOUT`` anyway.
"""

from __future__ import annotations

import functools
import itertools
import threading
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
M = TypeVar("M", bound=Model)
_MISSING = object()
# A bound on staleness should a process die between a commit and its stamp write.
TIMEOUT = 600
_generation = itertools.count()
_current = [next(_generation)]  # advanced by every change made in this process
_local = threading.local()  # per thread (each has its own connection): the stamp writes awaiting its commit


def new_stamp() -> str:
    return uuid.uuid4().hex


def school_model() -> type[Model]:
    """The tenant model whose rows carry ``config_stamp`` (``settings.ZHURNAL_SCHOOL_MODEL``, as Django names
    its user model): core knows no domain app."""
    return apps.get_model(settings.ZHURNAL_SCHOOL_MODEL)


def bump(school: Any) -> None:
    """Everything cached for this school (an instance or an id) is out of date from now on: at once in this
    process, and in every process once the transaction commits (the new stamp is written then, once per school
    and transaction — an import of a thousand pupils must not rewrite the school row a thousand times, which in
    PostgreSQL would also make every deferred foreign-key check walk a thousand row versions)."""
    _current[0] = next(_generation)
    school_id = school if isinstance(school, int) else school.pk
    pending = _local.__dict__.setdefault("pending", {})
    scheduled = pending.get(school_id)
    if scheduled is not None and any(entry[1] is scheduled for entry in connection.run_on_commit):
        return

    def write() -> None:
        pending.pop(school_id, None)
        school_model()._default_manager.filter(pk=school_id).update(config_stamp=new_stamp())
        # Again at the commit: another thread of this process may have cached the old rows meanwhile (between the
        # change and its commit) under the generation the change began.
        _current[0] = next(_generation)

    pending[school_id] = write
    transaction.on_commit(write)


def cached(school: Any, name: str, key: Any, compute: Callable[[], T], *, keep_none: bool = True) -> T:
    """``compute()`` for this school, remembered until the school's stamp changes. ``school`` must be a ``School``
    instance (its stamp is the version); ``key`` tells apart the values of one ``name`` (a user, a date).
    ``keep_none=False``: a ``None`` is not remembered (lookups by ids from the address: anybody can ask for any id).
    The cache hands out a copy (Django's local-memory cache pickles values), so a caller may change what it gets."""
    cache_key = f"zhurnal:{name}:{school.pk}:{school.config_stamp}:{_current[0]}:{key}"
    value = cache.get(cache_key, _MISSING)
    if value is _MISSING:
        value = compute()
        if value is not None or keep_none:
            cache.set(cache_key, value, TIMEOUT)
    return value


def cached_row(school: Any, model: type[M], pk: int, *related: str) -> M | None:
    """The school's row ``pk`` of ``model`` with the ``related`` rows (``select_related`` paths), or ``None`` —
    cached like ``cached``: for the pages and saves that reach a row by the id in their address and would
    otherwise read it (with its joins) on every request. Only watched models, at every step of every path: a
    change to any of them replaces the stamp (a write that sends no signal — ``update``, ``bulk_create`` — must
    call ``bump``, as ``accounts.services.create_login`` does). A missing row (``None``) is not remembered."""
    _check_paths(model, related)
    return cached(school, f"row:{model._meta.label_lower}:{','.join(related)}", pk, lambda: (
        model._default_manager.filter(school=school, pk=pk).select_related(*related).first()), keep_none=False)


@functools.cache
def _check_paths(model: type[Model], related: tuple[str, ...]) -> None:
    """Every model along every path is watched (checked once per model and paths: ``watch`` runs at start-up)."""
    _check_watched(model)
    for path in related:
        current = model
        for name in path.split("__"):
            related_model = current._meta.get_field(name).related_model
            if not isinstance(related_model, type):
                raise ValueError(f"{path}: {name} of {current._meta.label} is not a relation")
            _check_watched(related_model)
            current = related_model


def _check_watched(model: type[Model]) -> None:
    if model not in _watched:
        raise ValueError(f"{model._meta.label} is not watched (stamps.watch): its cached rows could go stale")


def school_or_id(row: Any) -> Any:
    """The row's ``School`` when it was loaded with it (so its stamp is at hand for ``cached``), else its id —
    for functions that cache with an instance and query without one."""
    if row._meta.get_field("school").is_cached(row):
        return row.school
    return row.school_id


def _changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):  # fixtures loading
        return
    school_id = getattr(instance, "school_id", None)
    if school_id is None:
        return
    bump(school_id)


_watched: set[type] = set()


def watch(*models) -> None:
    """The registration an app calls (in its ``AppConfig.ready``) for the models whose rows this cache may hold:
    bump the school's stamp whenever one of them (each with a ``school`` foreign key) changes."""
    for model in models:
        _watched.add(model)
        post_save.connect(_changed, sender=model, dispatch_uid=f"stamps:save:{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"stamps:delete:{model._meta.label}")
