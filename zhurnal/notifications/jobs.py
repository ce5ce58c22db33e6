"""The notifications' background work on the task queue (``zhurnal.core.tasks``).

An event's subscriber (``on_event``, in the request, after its commit) only queues ``dispatch``; the worker then
turns the event into each person's news (``fanout``), records it (``services.record_news``: once per person ×
event, ``run_once``) and delivers it: ``deliver`` sends one e-mail or push once, at its due time, or holds it for
the digest in the person's quiet hours; ``send_digests`` sends each person's held news in one e-mail.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from functools import partial
from itertools import groupby

from django.db import transaction
from django.utils import timezone

from zhurnal.core import tasks
from zhurnal.core.events import Event
from zhurnal.core.tasks import crontab, periodic_task, run_once, task

from . import mail, push, selectors
from .kinds import Mode
from .models import Channel, Delivery, DeliveryStatus

log = logging.getLogger("zhurnal.notifications")

EVENTS = ("journal.cells_saved", "journal.final_mark_set", "journal.homework_set", "messaging.message_sent",
          "messaging.announcement_published", "messaging.request_created", "reports.file_ready")


def on_event(event: Event) -> None:
    """The subscriber (after the write's commit, in its request): queue the fan-out, nothing more."""
    dispatch(event.kind, event.school_id, event.actor_id, event.data, uuid.uuid4().hex)


@task(name="notifications.dispatch")
def dispatch(kind: str, school_id: int, actor_id: int | None, data: dict, key: str) -> None:
    """Turn one event into each person's news and record it — once per person even if this job runs again."""
    from . import fanout
    from .services import record_news

    event = Event(kind=kind, school_id=school_id, actor_id=actor_id, data=data)
    if kind == "journal.final_mark_set":
        visible = fanout.final_visible_on(event)
        if timezone.localdate() < visible:  # families see it from that day on: so does its news
            eta = dt.datetime.combine(visible, dt.time(8, 0), tzinfo=selectors.zone())
            dispatch.schedule(args=(kind, school_id, actor_id, data, key), eta=eta)
            return
    for news in fanout.news_for(event, key):
        run_once(f"notif:{key}:{news.user_id}:{news.kind}:{news.group_key}"[:200],
                 partial(record_news, news=news))


def schedule_delivery(delivery: Delivery) -> None:
    """Queue ``deliver`` for its due time once the transaction that made (or moved) it commits."""
    if delivery.due_at <= timezone.now():
        tasks.enqueue_on_commit(deliver, delivery.pk)
    else:
        tasks.schedule_on_commit(deliver, delivery.pk, eta=delivery.due_at)


@task(name="notifications.deliver")
def deliver(delivery_id: int) -> None:
    """Send one delivery, once (a retried or twice-queued job sends nothing more); in the person's quiet hours a
    notification that is not urgent waits for his daily digest instead."""
    delivery = (Delivery.objects.select_related("notification", "notification__student", "user")
                .filter(pk=delivery_id).first())
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return
    now = timezone.now()
    if delivery.due_at > now + dt.timedelta(seconds=1):
        return  # moved later: its own job comes then
    notification = delivery.notification
    if notification.hidden:
        _set(delivery, DeliveryStatus.SKIPPED, note="исправлено на прежнее")
        return
    prefs = selectors.preferences(delivery.user, notification.school_id)
    if prefs.in_quiet_hours(now) and not notification.urgent:
        if delivery.channel == Channel.EMAIL:
            _set(delivery, DeliveryStatus.HELD, due_at=prefs.next_digest(Mode.DAILY, now), note="тихие часы")
        else:
            _set(delivery, DeliveryStatus.SKIPPED, note="тихие часы: в ежедневной сводке по почте")
        return
    if delivery.channel == Channel.EMAIL:
        if not prefs.by_email or not prefs.email:
            _set(delivery, DeliveryStatus.SKIPPED, note="почта отключена")
            return
        run_once(f"notif:email:{delivery.pk}", lambda: mail.send_notification(notification, to=prefs.email))
    else:
        version = int(notification.updated_at.timestamp() * 1000)
        push.send_to_user(notification, key=f"notif:push:{delivery.pk}:{version}")
    _set(delivery, DeliveryStatus.SENT, sent_at=timezone.now())


@tasks.queue.on_shutdown(name="notifications.close_smtp_connection")
def _close_smtp_connection() -> None:
    """A worker thread that stops closes the SMTP connection it kept open between e-mails (``mail.send``)."""
    mail.close_connection()


def _set(delivery: Delivery, status: str, **fields) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(status=status, **fields)


@periodic_task(crontab(minute="*/5"), name="notifications.send_digests")
def send_digests() -> None:
    send_due_digests()


def send_due_digests(now: dt.datetime | None = None) -> int:
    """Each person's news held for a digest now due, in one e-mail per person (the latest state of each thing
    changed several times). How many e-mails went."""
    now = now or timezone.now()
    due = list(Delivery.objects.filter(channel=Channel.EMAIL, status=DeliveryStatus.HELD, due_at__lte=now)
               .select_related("notification", "notification__student", "user").order_by("user_id", "pk"))
    sent = 0
    for user_id, rows in groupby(due, key=lambda d: d.user_id):
        deliveries = list(rows)
        hidden = [d.pk for d in deliveries if d.notification.hidden]
        if hidden:
            Delivery.objects.filter(pk__in=hidden).update(status=DeliveryStatus.SKIPPED, note="исправлено на прежнее")
        deliveries = [d for d in deliveries if not d.notification.hidden]
        if not deliveries:
            continue
        user = deliveries[0].user
        prefs = selectors.preferences(user, deliveries[0].notification.school_id)
        ids = [d.pk for d in deliveries]
        if prefs.by_email and prefs.email:
            key = f"notif:digest:{user_id}:{ids[0]}:{ids[-1]}:{len(ids)}"
            if run_once(key, partial(mail.send_digest, [d.notification for d in deliveries], to=prefs.email)):
                sent += 1
            with transaction.atomic():
                Delivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.SENT, sent_at=timezone.now())
        else:
            Delivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.SKIPPED, note="почта отключена")
    return sent
