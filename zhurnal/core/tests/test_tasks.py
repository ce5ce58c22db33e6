"""The task queue: jobs queued after commit, worked off by the real worker (Redis on the PostgreSQL leg, the local
SQLite file on the SQLite leg), retried with back-off, and never run twice for one key."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import transaction

from zhurnal.core import tasks
from zhurnal.core.models import TaskKey

calls: list[tuple[str, float]] = []
lock = threading.Lock()


def note(label: str) -> None:
    with lock:
        calls.append((label, time.monotonic()))


@tasks.task(name="tests.core.deliver")
def deliver(recipient: int, event: str) -> None:
    tasks.run_once(f"tests:{event}:{recipient}", lambda: note(f"{event}→{recipient}"))


failures_left = {"n": 0}


@tasks.task(name="tests.core.flaky", retries=3, retry_delay=1, retry_backoff=2.0)
def flaky(event: str) -> None:
    def send() -> None:
        note(f"attempt {event}")
        if failures_left["n"] > 0:
            failures_left["n"] -= 1
            raise ConnectionError("the mail server hung up")
        note(f"sent {event}")

    tasks.run_once(f"tests:flaky:{event}", send)


@pytest.fixture(autouse=True)
def _clean():
    calls.clear()
    failures_left["n"] = 0
    yield
    calls.clear()


def labels() -> list[str]:
    with lock:
        return [label for label, _ in calls]


@pytest.mark.django_db(transaction=True)
def test_a_job_is_queued_only_when_the_transaction_commits(real_queue):
    from django.db import connection
    from huey.storage import RedisStorage, SqliteStorage

    # The real storage of each deployment: Redis beside PostgreSQL (a region), the SQLite file beside SQLite.
    assert isinstance(real_queue.storage, RedisStorage if connection.vendor == "postgresql" else SqliteStorage)
    with transaction.atomic():
        tasks.enqueue_on_commit(deliver, 1, "rolled-back")
        transaction.set_rollback(True)
    assert tasks.queue.pending_count() == 0
    with transaction.atomic():
        tasks.enqueue_on_commit(deliver, 1, "kept")
        assert tasks.queue.pending_count() == 0  # not before the commit
    assert tasks.queue.pending_count() == 1
    with tasks.running_worker(workers=2):
        tasks.wait_until_idle()
    assert labels() == ["kept→1"]


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_each_recipient_and_event_once_however_often_it_is_queued(real_queue):
    for _ in range(3):
        for recipient in (1, 2, 3):
            deliver(recipient, "mark-7")
    with tasks.running_worker(workers=3):
        tasks.wait_until_idle()
    assert sorted(labels()) == ["mark-7→1", "mark-7→2", "mark-7→3"]
    assert TaskKey.objects.filter(key__startswith="tests:mark-7:", state=TaskKey.State.DONE).count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_is_retried_with_growing_delays_and_sends_once(real_queue):
    failures_left["n"] = 2
    flaky("report-1")
    with tasks.running_worker(workers=2):
        tasks.wait_until_idle(timeout=30)
        deadline = time.monotonic() + 20
        while "sent report-1" not in labels() and time.monotonic() < deadline:
            time.sleep(0.1)
        tasks.wait_until_idle(timeout=30)
    assert labels().count("sent report-1") == 1
    attempts = [moment for label, moment in calls if label == "attempt report-1"]
    assert len(attempts) == 3
    first_wait, second_wait = attempts[1] - attempts[0], attempts[2] - attempts[1]
    assert first_wait >= 0.9 and second_wait >= 1.8  # 1 s, then 2 s (back-off × 2)
    assert tasks.was_done("tests:flaky:report-1")
    flaky("report-1")  # the same event queued again later: nothing more is sent
    with tasks.running_worker(workers=1):
        tasks.wait_until_idle()
    assert labels().count("sent report-1") == 1


@pytest.mark.django_db
def test_a_failed_run_gives_its_claim_back_and_a_stale_claim_may_be_retaken():
    def boom() -> None:
        raise RuntimeError("SMTP down")

    with pytest.raises(RuntimeError):
        tasks.run_once("tests:claim", boom)
    assert not TaskKey.objects.filter(key="tests:claim").exists()
    assert tasks.run_once("tests:claim", lambda: None) is True
    assert tasks.run_once("tests:claim", lambda: None) is False

    TaskKey.objects.create(key="tests:crashed", claimed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    TaskKey.objects.create(key="tests:busy", claimed_at=dt.datetime.now(dt.UTC))
    assert tasks.run_once("tests:crashed", lambda: None) is True  # its worker died long ago
    assert tasks.run_once("tests:busy", lambda: None) is False  # another worker is on it now


def test_periodic_jobs_are_matched_in_the_schools_time_and_run_once_per_slot():
    job = tasks.registered("core.purge_task_keys").task_class()
    assert job.validate_datetime(dt.datetime(2026, 12, 7, 0, 40))  # 03:40 in Moscow is 00:40 UTC
    assert not job.validate_datetime(dt.datetime(2026, 12, 7, 3, 40))
    # A run late by twenty minutes (a backlog) belongs to the same slot, whoever runs it.
    assert tasks.latest_slot(job.validate_datetime, dt.datetime(2026, 12, 7, 1, 0, 30)) \
        == dt.datetime(2026, 12, 7, 0, 40)


@pytest.mark.django_db(transaction=True)
def test_a_periodic_slot_queued_by_two_schedulers_runs_once(real_queue):
    runs: list[int] = []

    @tasks.periodic_task(tasks.crontab(minute="*"), name="tests.core.every_minute")
    def every_minute() -> None:
        runs.append(1)

    try:
        every_minute()  # two workers' schedulers in a region queue the same minute's run
        every_minute()
        with tasks.running_worker(workers=2):
            tasks.wait_until_idle()
        assert len(runs) == 1
    finally:
        tasks.unregister("tests.core.every_minute")


def test_the_queue_is_chosen_by_its_url(tmp_path):
    assert tasks.storage_for("immediate")[2] is True
    storage, kwargs, immediate = tasks.storage_for(f"sqlite:///{tmp_path}/q/queue.sqlite3")
    assert storage.__name__ == "SqliteStorage" and kwargs["filename"].endswith("q/queue.sqlite3")
    assert (tmp_path / "q").is_dir() and not immediate
    assert tasks.storage_for("redis://127.0.0.1:6379/2")[0].__name__ == "RedisStorage"
    with pytest.raises(tasks.QueueError, match="ZHURNAL_QUEUE_URL"):
        tasks.storage_for("amqp://127.0.0.1")


def test_tests_run_jobs_immediately_and_serve_starts_no_worker_then(settings):
    from zhurnal.core.management.commands.serve import Command

    assert tasks.queue.immediate  # the tests' default: no job waits in a queue nobody reads
    assert Command._wants_worker(None) is False
    assert Command._wants_worker("yes") is False


def test_serve_starts_a_worker_for_the_local_queue_only(tmp_path, settings):
    from zhurnal.core.management.commands.serve import Command

    try:
        tasks.use_queue(f"sqlite:///{tmp_path}/queue.sqlite3")
        assert Command._wants_worker(None) is True
        assert Command._wants_worker("no") is False
        settings.ZHURNAL_SERVE_WORKER = "0"
        assert Command._wants_worker(None) is False
        tasks.use_queue("memory")  # a region's Redis would be the same: not local
        settings.ZHURNAL_SERVE_WORKER = ""
        assert Command._wants_worker(None) is False
        assert Command._wants_worker("yes") is True
    finally:
        tasks.use_queue("immediate")


def test_every_registered_job_has_a_dotted_name():
    names = tasks.registered_tasks()
    assert "core.purge_task_keys" in names
    assert all("." in name for name in names)


def test_the_worker_process_started_by_serve_works_off_the_local_queue_and_stops_with_it(tmp_path):
    """`zhurnal worker --parent-pid` as `zhurnal serve` starts it: it works off a job queued in the SQLite file
    and exits once its parent is gone."""
    import os
    import subprocess
    import sys

    queue_url = f"sqlite:///{tmp_path}/queue.sqlite3"
    env = {**os.environ, "ZHURNAL_QUEUE_URL": queue_url, "ZHURNAL_VAR_DIR": str(tmp_path),
           "DEBUG": "1", "ZHURNAL_TESTING": ""}
    env.pop("DATABASE_URL", None)
    script = (
        "import os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-m', 'zhurnal.core.cli', 'worker', '--parent-pid', "
        "str(os.getpid())])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    tasks.use_queue(queue_url)
    try:
        tasks.ping("serve-child")
        parent = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
        try:
            child_pid = int(parent.stdout.readline())
            deadline = time.monotonic() + 60
            while tasks.queue.get("pong:serve-child", peek=True) is None and time.monotonic() < deadline:
                time.sleep(0.2)
            assert tasks.queue.get("pong:serve-child", peek=True) is not None, "the worker never answered"
        finally:
            parent.kill()
            parent.wait()
    finally:
        tasks.use_queue("immediate")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(child_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.kill(child_pid, 9)
        pytest.fail("the worker outlived the server that started it")
