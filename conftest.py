import os

os.environ.setdefault("ZHURNAL_TESTING", "1")

import pytest  # noqa: E402


@pytest.fixture
def small_school(db):
    from zhurnal.school.testing import build_small_school

    return build_small_school()


@pytest.fixture
def login(client):
    """``login("teacher")`` logs the test client in as a persona of ``small_school``."""

    def _login(username: str):
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.get(username=username))
        return client

    return _login


def real_queue_url(name: str) -> str:
    """The queue a test's real worker uses: Redis on the PostgreSQL leg (``ZHURNAL_TEST_REDIS_URL``, default
    database 1 of the local server), a SQLite file on the SQLite leg."""
    import tempfile

    from django.db import connection

    if connection.vendor == "postgresql":
        return os.environ.get("ZHURNAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
    return f"sqlite:///{tempfile.mkdtemp(prefix='zhurnal-queue-')}/{name}.sqlite3"


@pytest.fixture
def real_queue():
    """The task queue on real storage for one test, for ``tasks.running_worker()`` to work off (each test its
    own queue name, so parallel test processes sharing a Redis database never see each other's jobs); back to
    the immediate queue after."""
    import uuid

    from zhurnal.core import tasks

    name = f"test-{uuid.uuid4().hex[:12]}"
    tasks.use_queue(real_queue_url(name), name=name)
    try:
        yield tasks.queue
    finally:
        tasks.queue.flush()
        tasks.use_queue("immediate")
