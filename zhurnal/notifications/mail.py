"""The notifications' e-mails: one piece of news, or a digest of a person's held news. Sent through Django's mail
backend (``EMAIL_*`` settings: the school's SMTP server; the demo writes files under ``VAR_DIR``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from .models import Notification

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
    EmailMessage(subject=notification.title[:200], body=body, to=[to],
                 headers={"Auto-Submitted": "auto-generated"}).send()


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
    EmailMessage(subject=subject, body=body, to=[to], headers={"Auto-Submitted": "auto-generated"}).send()


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
