"""Two saves of one cell at the same moment lose nothing: both land, one after the other, in the history.

PostgreSQL only: that is where several app servers write at once (SQLite serialises every writer anyway).
"""

import threading
import uuid

import pytest
from django.db import connection, connections

from zhurnal.core.models import WriteKey
from zhurnal.journal import selectors, services
from zhurnal.journal.models import Mark

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL"),
]


def run_together(*calls):
    """Run the calls in threads released at the same instant; return their results (or exceptions)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported to the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_concurrent_saves_of_one_cell_both_reach_the_history(journal):
    school = journal.school
    lesson = journal.open_lesson()
    student = school.students["student"]
    teacher = school.users["teacher"]
    for _ in range(5):
        results = run_together(
            lambda: services.save_cell(actor=teacher, lesson=lesson, student=student, text="5", key=uuid.uuid4()),
            lambda: services.save_cell(actor=teacher, lesson=lesson, student=student, text="3/4", key=uuid.uuid4()),
        )
        assert not any(isinstance(r, Exception) for r in results), results
        services.save_cell(actor=teacher, lesson=lesson, student=student, text="", key=uuid.uuid4())
    history = list(selectors.cell_history(lesson, student))
    # Each round: two saves and a clear, every one recorded, each starting from what the previous one left.
    assert len(history) >= 10
    for before, after in zip(history, history[1:], strict=False):
        assert after.before["cell"] == before.after["cell"]
    assert not Mark.objects.filter(lesson=lesson, student=student).exists()


def test_the_same_request_sent_twice_at_once_saves_once(journal):
    school = journal.school
    lesson = journal.open_lesson()
    student = school.students["student"]
    key = uuid.uuid4()

    def save():
        return services.save_cell(actor=school.users["teacher"], lesson=lesson, student=student, text="5/4",
                                  key=key)

    results = run_together(save, save, save)
    assert not any(isinstance(r, Exception) for r in results), results
    assert Mark.objects.filter(lesson=lesson, student=student).count() == 2
    assert sorted(r.replayed for r in results) == [False, True, True]
    assert WriteKey.objects.filter(key=key).count() == 1
    assert len(list(selectors.cell_history(lesson, student))) == 1
