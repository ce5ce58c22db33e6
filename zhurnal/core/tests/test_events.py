"""Events reach their subscribers once the write commits, never after a rollback."""

from __future__ import annotations

import pytest
from django.db import transaction

from zhurnal.core import events


@pytest.fixture
def received():
    got: list[events.Event] = []
    events.subscribe("test.happened", got.append)
    yield got
    events.unsubscribe("test.happened", got.append)


@pytest.mark.django_db(transaction=True)
def test_an_event_is_delivered_after_commit_and_not_after_a_rollback(received):
    with transaction.atomic():
        events.publish("test.happened", school_id=1, actor_id=7, mark_id=3)
        assert received == []  # not yet: the write may still roll back
    assert [(e.kind, e.school_id, e.actor_id, e.data) for e in received] == [("test.happened", 1, 7, {"mark_id": 3})]
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish("test.happened", school_id=1, actor_id=7, mark_id=4)
        raise RuntimeError
    assert len(received) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_does_not_hide_the_event_from_the_others(received):
    def broken(event):
        raise ValueError("bug")

    events.subscribe("test.happened", broken)
    try:
        events.publish("test.happened", school_id=1, actor_id=None)
    finally:
        events.unsubscribe("test.happened", broken)
    assert len(received) == 1


def test_subscribing_twice_delivers_once(received):
    events.subscribe("test.happened", received.append)
    assert events.subscribers("test.happened").count(received.append) == 1
