"""The task queue: background work for every app, on Huey.

One computer keeps its queue in a local SQLite file (``SqliteHuey``'s storage) and ``zhurnal serve`` works it off
in a child process; a region keeps it in Redis (``RedisHuey``'s storage) with ``zhurnal worker`` on several
machines. ``settings.ZHURNAL_QUEUE_URL`` chooses: ``sqlite:///path``, ``redis://host:port/db``, ``memory`` (a
queue inside the process, for tests that run a worker in threads) or ``immediate`` (each task runs at once where
it is queued: the tests' default).

Apps register their jobs here, from their ``AppConfig.ready`` (by importing their ``tasks`` module), through
``task`` and ``periodic_task``; they queue them after their transaction commits with ``enqueue_on_commit``, so a
rolled-back write queues nothing. A job that talks to the outside world (an e-mail, a push) wraps that one
delivery in ``run_once(key, …)`` with a key per recipient × event, so a retried or twice-queued job never sends
twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar
from urllib.parse import unquote, urlparse
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone
from huey import Huey, crontab
from huey.api import TaskWrapper
from huey.consumer import Consumer
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

log = logging.getLogger("zhurnal.tasks")

P = ParamSpec("P")
R = TypeVar("R")

__all__ = ["crontab", "enqueue_on_commit", "periodic_task", "queue", "run_once", "task"]

# Retries with back-off unless a task says otherwise: 30 s, 1 min, 2 min, 4 min, 8 min, 16 min.
DEFAULT_RETRIES = 6
DEFAULT_RETRY_DELAY = 30
DEFAULT_RETRY_BACKOFF = 2.0
CLAIM_LEASE = dt.timedelta(minutes=15)  # a claim older than this whose job never finished (a crash) may be retaken


class QueueError(Exception):
    pass


def storage_for(url: str, name: str = "zhurnal") -> tuple[type, dict[str, Any], bool]:
    """The Huey storage class, its arguments and the immediate flag for a queue URL."""
    if url == "immediate":
        return MemoryStorage, {}, True
    if url == "memory":
        return MemoryStorage, {}, False
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if not path:
            raise QueueError(f"ZHURNAL_QUEUE_URL: no file in {url!r}")
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        return SqliteStorage, {"filename": path}, False
    if parsed.scheme in {"redis", "rediss", "unix"}:
        return RedisStorage, {"url": url}, False
    raise QueueError(f"ZHURNAL_QUEUE_URL: unsupported queue {url!r} (sqlite:///…, redis://…, memory, immediate)")


def _make_queue() -> Huey:
    storage_class, kwargs, immediate = storage_for(settings.ZHURNAL_QUEUE_URL)
    # utc: the schedule and the retries count in UTC; periodic jobs are matched in the school's time by
    # ``periodic_task``. No results kept: nobody waits for a job's return value.
    return Huey("zhurnal", results=False, utc=True, immediate=immediate, immediate_use_memory=False,
                storage_class=storage_class, **kwargs)


queue: Huey = _make_queue()


def use_queue(url: str, name: str = "zhurnal") -> None:
    """Point the queue at another storage (the tests' workers; the registered tasks stay)."""
    storage_class, kwargs, immediate = storage_for(url)
    queue.storage.close()
    queue.name = name
    queue.storage_class = storage_class
    queue.storage_kwargs = kwargs
    queue._immediate = immediate
    queue.storage = queue.get_storage(**kwargs)


def is_local_queue() -> bool:
    """The queue lives on this computer (a SQLite file): ``zhurnal serve`` must work it off itself."""
    return isinstance(queue.storage, SqliteStorage)


def _with_connections(func: Callable[P, R]) -> Callable[P, R]:
    """A job runs in a worker thread: it starts and ends with the database connections Django would use for a
    request (a connection that died or outlived ``CONN_MAX_AGE`` is replaced)."""

    @wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if not queue.immediate:
            close_old_connections()
        try:
            return func(*args, **kwargs)
        finally:
            if not queue.immediate:
                close_old_connections()

    return run


def task(*, name: str, retries: int = DEFAULT_RETRIES, retry_delay: int = DEFAULT_RETRY_DELAY,
         retry_backoff: float = DEFAULT_RETRY_BACKOFF, priority: int | None = None) -> Callable[[Callable], TaskWrapper]:
    """Register a job. ``name`` is how the queue knows it (``"<app>.<job>"``): the worker finds it by this name,
    so renaming it strands what is queued. Failures are retried ``retries`` times, the delay multiplied by
    ``retry_backoff`` each time."""

    def register(func: Callable) -> TaskWrapper:
        return _remember(name, queue.task(retries=retries, retry_delay=retry_delay, retry_backoff=retry_backoff,
                                          priority=priority, name=name)(_with_connections(func)))

    return register


def periodic_task(schedule: Callable[[dt.datetime], bool], *, name: str, retries: int = 2,
                  retry_delay: int = 60) -> Callable[[Callable], TaskWrapper]:
    """Register a job that runs on a schedule: ``schedule`` is ``crontab(...)`` read in the school's time
    (``settings.TIME_ZONE``). Each slot of the schedule runs once even when several workers' schedulers queue
    it (a region): the run claims ``periodic:<name>:<minute>`` first."""
    zone = ZoneInfo(settings.TIME_ZONE)

    def local_schedule(timestamp: dt.datetime) -> bool:
        return schedule(timestamp.replace(tzinfo=dt.UTC).astimezone(zone).replace(tzinfo=None))

    def register(func: Callable) -> TaskWrapper:
        @wraps(func)
        def run_slot() -> None:
            run_once(f"periodic:{name}:{latest_slot(local_schedule):%Y%m%d%H%M}", func)

        return _remember(name, queue.periodic_task(local_schedule, retries=retries, retry_delay=retry_delay,
                                                   name=name)(_with_connections(run_slot)))

    return register


def latest_slot(schedule: Callable[[dt.datetime], bool], now: dt.datetime | None = None) -> dt.datetime:
    """The last minute (naive UTC, as Huey counts) at or before ``now`` that ``schedule`` matches, within a
    week: the slot a late run of a periodic job belongs to, whichever worker runs it and whenever."""
    minute = (now or dt.datetime.now(dt.UTC).replace(tzinfo=None)).replace(second=0, microsecond=0)
    for _ in range(7 * 24 * 60):
        if schedule(minute):
            return minute
        minute -= dt.timedelta(minutes=1)
    return (now or dt.datetime.now(dt.UTC).replace(tzinfo=None)).replace(second=0, microsecond=0)


def enqueue_on_commit(job: TaskWrapper, /, *args: Any, **kwargs: Any) -> None:
    """Queue ``job(*args, **kwargs)`` once the current transaction commits (at once outside one); a rolled-back
    transaction queues nothing. Arguments are plain values (ids, strings): the job reads the rows itself."""
    transaction.on_commit(lambda: job(*args, **kwargs))


def schedule_on_commit(job: TaskWrapper, /, *args: Any, eta: dt.datetime, **kwargs: Any) -> None:
    """As ``enqueue_on_commit``, the job to run at ``eta`` (aware) or later."""
    transaction.on_commit(lambda: job.schedule(args=args, kwargs=kwargs, eta=eta))


_registered: dict[str, TaskWrapper] = {}


def _remember(name: str, wrapper: TaskWrapper) -> TaskWrapper:
    if name in _registered:
        raise QueueError(f"a job named {name!r} is registered already")
    _registered[name] = wrapper
    return wrapper


def registered_tasks() -> list[str]:
    return sorted(_registered)


def registered(name: str) -> TaskWrapper:
    return _registered[name]


def unregister(name: str) -> None:
    """Forget a job (tests that register one of their own)."""
    _registered.pop(name).unregister()


# --- at most once -------------------------------------------------------------------------------------------------

def _claim(key: str) -> bool:
    from zhurnal.core.models import TaskKey

    now = timezone.now()
    try:
        with transaction.atomic():
            TaskKey.objects.create(key=key, claimed_at=now)
        return True
    except IntegrityError:
        # Taken: done, running now, or left by a worker that died mid-job (then its lease has run out).
        return TaskKey.objects.filter(key=key, state=TaskKey.State.RUNNING,
                                      claimed_at__lt=now - CLAIM_LEASE).update(claimed_at=now) == 1


def run_once(key: str, action: Callable[[], object]) -> bool:
    """Run ``action`` unless a run with ``key`` finished or is under way; True when it ran now. The claim is
    committed before the action (so a second worker sees it), marked done after; an action that raises gives its
    claim back and the exception goes on (the queue retries it). Not inside a transaction: the claim must be
    visible to others while the action runs."""
    from zhurnal.core.models import TaskKey

    if len(key) > 200:
        raise QueueError(f"task key longer than 200 characters: {key[:60]}…")
    if transaction.get_connection().in_atomic_block and not settings.TESTING:
        raise QueueError("run_once inside a transaction: the claim would not be seen by other workers")
    if not _claim(key):
        log.info("job %s already done or under way: skipped", key)
        return False
    try:
        action()
    except BaseException:
        TaskKey.objects.filter(key=key, state=TaskKey.State.RUNNING).delete()
        raise
    TaskKey.objects.filter(key=key).update(state=TaskKey.State.DONE, done_at=timezone.now())
    return True


def was_done(key: str) -> bool:
    from zhurnal.core.models import TaskKey

    return TaskKey.objects.filter(key=key, state=TaskKey.State.DONE).exists()


@periodic_task(crontab(hour="3", minute="40"), name="core.purge_task_keys")
def purge_task_keys() -> None:
    """Forget finished once-only jobs after 90 days (their events are long past any retry)."""
    from zhurnal.core.models import TaskKey

    TaskKey.objects.filter(done_at__lt=timezone.now() - dt.timedelta(days=90)).delete()


@queue.on_shutdown(name="close_database_connections")
def _close_connections() -> None:
    """A worker thread that stops closes its database connections (a test database can then be dropped)."""
    from django.db import connections

    connections.close_all()


@task(name="core.ping", retries=0)
def ping(token: str) -> None:
    """A liveness check: the worker writes the token back into the queue's storage (``pong:<token>``)."""
    queue.put(f"pong:{token}", time.time())


# --- the worker ---------------------------------------------------------------------------------------------------

def make_consumer(*, workers: int | None = None, periodic: bool = True) -> Consumer:
    """Huey's consumer with thread workers: jobs wait on SMTP and push services, not on the processor."""
    return queue.create_consumer(workers=workers or settings.ZHURNAL_QUEUE_WORKERS, worker_type="thread",
                                 periodic=periodic, initial_delay=0.05, backoff=1.5, max_delay=1.0,
                                 check_worker_health=True, health_check_interval=10, flush_locks=True)


@contextmanager
def running_worker(*, workers: int = 2, periodic: bool = False) -> Iterator[Consumer]:
    """A worker in threads of this process for as long as the block runs (tests, benchmarks): the same consumer
    ``zhurnal worker`` runs, without its signal handlers."""
    if queue.immediate:
        raise QueueError("running_worker with the immediate queue: point it at a real queue first (use_queue)")
    consumer = make_consumer(workers=workers, periodic=periodic)
    consumer.scheduler.start()
    for _, thread in consumer.worker_threads:
        thread.start()
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)


def wait_until_idle(timeout: float = 30.0) -> None:
    """Block until nothing is queued or due in the next second (tests, benchmarks)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if queue.pending_count() == 0 and not _due_soon() and not queue._tasks_in_flight:
            time.sleep(0.2)  # a job just taken from the queue may not be in flight yet
            if queue.pending_count() == 0 and not queue._tasks_in_flight:
                return
        time.sleep(0.05)
    raise QueueError(f"the queue did not empty within {timeout} s ({queue.pending_count()} waiting)")


def _due_soon() -> bool:
    horizon = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=1)
    return any(job.eta is None or job.eta <= horizon for job in queue.scheduled())


def spawn_worker_process() -> subprocess.Popen:
    """``zhurnal worker`` as a child of this server process; it exits by itself when its parent goes."""
    command = [sys.executable, "-m", "zhurnal.core.cli", "worker", "--parent-pid", str(os.getpid())]
    return subprocess.Popen(command, env=os.environ.copy())  # noqa: S603 - our own interpreter and module


def stop_worker_process(process: subprocess.Popen, timeout: float = 20.0) -> None:
    """Let the worker finish the jobs in hand (SIGINT: Huey's graceful stop), then make sure it is gone."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def watch_parent(parent_pid: int) -> None:
    """Stop this worker (gracefully, as Ctrl+C would) once the server that started it is gone."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        log.warning("the server (pid %s) is gone: the worker stops", parent_pid)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
