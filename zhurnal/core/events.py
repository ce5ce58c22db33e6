"""Domain events: what happened in the school, for whoever needs to know (notifications, reminders, reports).

The app where something happens publishes an event inside its write's transaction; subscribers (registered from
their ``AppConfig.ready``) are called once that transaction commits, so a rolled-back write tells nobody. A
subscriber must be quick: it records what it needs or queues a job (``core.tasks``); it never sends mail itself.

The publisher knows nothing of its subscribers (the journal does not import messaging): that keeps the apps
layered one way. Event kinds are dotted names, ``"<app>.<what>"``: ``"journal.mark_saved"``,
``"messaging.message_sent"``…; ``data`` holds plain values (ids, strings, dates), never model instances, because
subscribers may hand it to the task queue.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

log = logging.getLogger("zhurnal.events")

__all__ = ["Event", "muted", "publish", "subscribe", "subscribers"]

_muted: ContextVar[bool] = ContextVar("zhurnal_events_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Publish nothing while the block runs: history written after the fact (the demo school's past months)
    is nobody's news."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


@dataclass(frozen=True)
class Event:
    kind: str
    school_id: int
    actor_id: int | None  # the user whose action it was (nobody is notified of his own action); None: the system
    data: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Event], None]

_subscribers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(kind: str, handler: Handler) -> None:
    """Call ``handler(event)`` after each committed ``kind`` event (``"*"``: every event). Registering the same
    handler twice is a no-op (``ready`` may run twice in tests)."""
    if handler not in _subscribers[kind]:
        _subscribers[kind].append(handler)


def unsubscribe(kind: str, handler: Handler) -> None:
    """Forget a handler (tests that subscribe one of their own)."""
    if handler in _subscribers.get(kind, []):
        _subscribers[kind].remove(handler)


def subscribers(kind: str) -> list[Handler]:
    return [*_subscribers.get(kind, []), *_subscribers.get("*", [])]


def publish(kind: str, *, school_id: int, actor_id: int | None, **data: Any) -> Event:
    """Announce ``kind`` once the current transaction commits (at once outside one). A failing subscriber is
    logged and does not stop the others: the write it follows has committed already."""
    event = Event(kind=kind, school_id=school_id, actor_id=actor_id, data=data)
    handlers = subscribers(kind)
    if handlers and not _muted.get():
        transaction.on_commit(lambda: _deliver(event, handlers))
    return event


def _deliver(event: Event, handlers: list[Handler]) -> None:
    for handler in handlers:
        try:
            handler(event)
        except Exception:  # noqa: BLE001 - one subscriber's bug must not hide the event from the others
            log.exception("event %s: subscriber %r failed", event.kind, handler)
