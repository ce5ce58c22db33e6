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


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on this computer (aiosmtpd) that Django's SMTP backend sends to for the test:
    ``smtp_server.messages`` holds what arrived (``email.message.EmailMessage``), in order."""
    import socket
    import threading
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []
            self.connections = 0  # the clients' greetings (EHLO): one per connection
            self.sessions = []  # the server's side of each connection (``drop`` closes them)
            self.lock = threading.Lock()

        async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 - aiosmtpd's hook
            session.host_name = hostname
            with self.lock:
                self.connections += 1
                self.sessions.append(server)
            return responses

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            message = message_from_bytes(envelope.content, policy=policy.default)
            with self.lock:
                self.messages.append(message)
            return "250 OK"

        def drop(self):
            """The server closes every connection (its idle timeout, a restart)."""
            import time

            with self.lock:
                sessions, self.sessions = self.sessions, []
            for server in sessions:
                if server.transport is not None:
                    controller.loop.call_soon_threadsafe(server.transport.close)
            time.sleep(0.2)

        def to(self, address: str) -> list:
            with self.lock:
                return [m for m in self.messages if address in m["To"]]

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        from zhurnal.notifications import mail

        mail.close_connection()  # this thread's connection, kept open between e-mails, to the server that stops
        controller.stop()
