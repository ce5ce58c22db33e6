"""The notifications' e-mails: one piece of news, or a digest of a person's held news. Sent through Django's mail
backend (``EMAIL_*`` settings: the school's SMTP server; the demo writes files under ``VAR_DIR``).

Each worker thread keeps its SMTP connection open for the e-mails that follow (``send``): a provider's
handshake — TCP, TLS, login — costs a few round trips across the Internet, which every e-mail would pay again
(measured with ``python -m bench.mail_throughput --smtp-delay``; figures in docs/notifications.md).
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import threading
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

from .models import Notification

log = logging.getLogger("zhurnal.notifications")

CHECK_AFTER_IDLE = 10.0  # seconds: a connection unused longer is asked (NOOP) whether the server still holds it
_held = threading.local()  # this thread's open SMTP connection: (its settings, the backend, when last used)


def _smtp_settings() -> tuple | None:
    """What the connection depends on, or None when the backend is not SMTP (files, memory: nothing to keep)."""
    if settings.EMAIL_BACKEND != "django.core.mail.backends.smtp.EmailBackend":
        return None
    return (settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD,
            settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL, settings.EMAIL_TIMEOUT)


def close_connection() -> None:
    """Close this thread's SMTP connection, if it holds one (a worker thread that stops; a settings change)."""
    held = getattr(_held, "connection", None)
    _held.connection = None
    if held is not None:
        with contextlib.suppress(OSError, smtplib.SMTPException):  # the server has gone already
            held[1].close()


def _connection(wanted: tuple):
    """This thread's open connection to the server ``wanted`` names: the one held if it is still alive, else a
    new one."""
    held = getattr(_held, "connection", None)
    if held is not None and held[0] != wanted:
        close_connection()
        held = None
    if held is not None and time.monotonic() - held[2] > CHECK_AFTER_IDLE:
        try:
            alive = held[1].connection is not None and held[1].connection.noop()[0] == 250
        except (OSError, smtplib.SMTPException):
            alive = False
        if not alive:
            close_connection()
            held = None
    if held is None:
        backend = get_connection(fail_silently=False)
        backend.open()
        held = (wanted, backend, time.monotonic())
        _held.connection = held
    return held[1]


def send(message: EmailMessage) -> None:
    """Send one e-mail through this thread's SMTP connection (opened by the first e-mail, reused by the next). The
    server may have closed a connection held (its idle timeout, its limit of e-mails per connection): then the
    e-mail goes through a new one; an error of a new connection is the job's (the queue retries it). As with the
    queue's retry, a connection lost after the server took the message but before its answer came would send it
    twice (SMTP's own window: RFC 1047)."""
    wanted = _smtp_settings()
    if wanted is None:
        message.send()
        return
    for attempt in (1, 2):
        before = getattr(_held, "connection", None)
        backend = _connection(wanted)
        reused = before is not None and before[1] is backend
        try:
            backend.send_messages([message])
        except (smtplib.SMTPServerDisconnected, ConnectionError) as error:
            close_connection()
            if not reused or attempt == 2:
                raise
            log.info("SMTP connection closed by the server (%s): the e-mail goes through a new one", error)
            continue
        except BaseException:
            close_connection()
            raise
        _held.connection = (wanted, backend, time.monotonic())
        return


SIGNATURE = ("\n\n—\nЭлектронный журнал. Что и когда присылать, можно изменить в настройках уведомлений: {url}\n")


def absolute(path: str) -> str:
    return f"{settings.ZHURNAL_SITE_URL.rstrip('/')}{path}" if path.startswith("/") else path


def _settings_url() -> str:
    from django.urls import reverse

    return absolute(reverse("notifications:settings"))


def send_notification(notification: Notification, *, to: str) -> None:
    lines = [notification.title]
    if notification.body:
        lines += ["", notification.body]
    if notification.url:
        lines += ["", f"Подробнее: {absolute(notification.url)}"]
    body = "\n".join(lines) + SIGNATURE.format(url=_settings_url())
    send(EmailMessage(subject=notification.title[:200], body=body, to=[to],
                      headers={"Auto-Submitted": "auto-generated"}))


def latest_of_each(notifications: Iterable[Notification]) -> list[Notification]:
    """One line per thing: of the notifications of the same thing (a mark changed after its window closed), the
    latest; the others in their order."""
    kept: dict[str, Notification] = {}
    for notification in sorted(notifications, key=lambda n: (n.updated_at, n.pk)):
        kept[notification.group_key or f"#{notification.pk}"] = notification
    return sorted(kept.values(), key=lambda n: (n.student.last_name if n.student else "", n.updated_at, n.pk))


def send_digest(notifications: list[Notification], *, to: str) -> None:
    lines: list[str] = []
    current_student = None
    items = latest_of_each(notifications)
    for notification in items:
        if notification.student_id != current_student and notification.student is not None:
            lines += ["", f"{notification.student.last_name} {notification.student.first_name}"]
        current_student = notification.student_id
        local = timezone.localtime(notification.updated_at)
        lines.append(f"— {local:%d.%m %H:%M} {notification.title}")
        if notification.body:
            lines.append(f"  {notification.body}")
    today = timezone.localdate()
    subject = f"Сводка уведомлений за {today:%d.%m.%Y}: {len(items)}"
    body = "\n".join([f"Что нового в электронном журнале ({len(items)}):", *lines]) + SIGNATURE.format(
        url=_settings_url())
    send(EmailMessage(subject=subject, body=body, to=[to], headers={"Auto-Submitted": "auto-generated"}))


def outgoing_description() -> str:
    """Where this installation's e-mail goes, in words (``zhurnal demo`` prints it)."""
    backend = settings.EMAIL_BACKEND
    if backend.endswith("filebased.EmailBackend"):
        return f"Письма не уходят с компьютера: они записываются в файлы в папке {settings.EMAIL_FILE_PATH}"
    if backend.endswith("console.EmailBackend"):
        return "Письма не уходят с компьютера: они выводятся в консоль сервера"
    if backend.endswith(("locmem.EmailBackend", "dummy.EmailBackend")):
        return "Письма не отправляются (они остаются в памяти процесса)"
    return f"Письма уходят на SMTP-сервер {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
