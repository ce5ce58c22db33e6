"""Every write of notifications: a piece of news recorded for a person (and how it leaves the application), the
settings, read marks and push subscriptions.

``record_news`` is the fan-out's single door: it applies the person's mode for the kind, replaces a notification of
the same thing within its window (a corrected mark) and schedules the deliveries once its transaction commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhurnal.accounts.models import User
from zhurnal.audit.services import record
from zhurnal.audit.verbs import Verb
from zhurnal.school.models import School

from . import selectors
from .kinds import KINDS, Mode, replace_window
from .models import (
    Channel,
    Delivery,
    DeliveryStatus,
    KindSetting,
    Notification,
    NotificationSettings,
    PushSubscription,
    SchoolKindDefault,
    SchoolNotificationSettings,
)


@dataclass
class News:
    """One piece of news for one person, as the fan-out made it from an event."""

    kind: str
    school_id: int
    user_id: int
    title: str
    body: str = ""
    url: str = ""
    student_id: int | None = None
    group_key: str = ""  # the same thing changed again within the kind's window replaces it
    before: Any = None  # the thing as it was before the first change (for a replaced one: nothing changed at all?)
    after: Any = None
    urgent: bool = False  # the event itself is urgent (an announcement marked so), whatever the kind's default
    # The title of a change from ``before`` to ``after``: a replacing notification tells the change from the
    # first state to the latest («3 → 5», not «4 → 5» after a slip corrected).
    describe: Callable[[Any, Any], str] | None = None
    at: dt.datetime | None = None  # when the thing changed (events of one thing may be read out of order)


@transaction.atomic
def record_news(*, news: News, now: dt.datetime | None = None) -> Notification | None:
    """Record ``news`` for its person: None when he chose never to be told of its kind (a correction that
    brings the thing back to what it was hides its notification). Deliveries are scheduled on commit."""
    from django.contrib.auth import get_user_model

    from .jobs import schedule_delivery

    now = now or timezone.now()
    # One person's news one after another: two workers never both make the first notification of one thing.
    user = get_user_model().objects.select_for_update().get(pk=news.user_id)
    prefs = selectors.preferences(user, news.school_id)
    mode = prefs.mode(news.kind)
    if mode == Mode.NEVER:
        return None
    at = news.at or now
    replaceable = bool(news.group_key) and KINDS[news.kind].replaceable
    if replaceable:
        window = replace_window()
        earlier = (Notification.objects.select_for_update()
                   .filter(user_id=user.pk, group_key=news.group_key, replace_until__gte=at,
                           created_at__lte=at + window)
                   .order_by("-pk").first())
        if earlier is not None:
            return _replace(earlier, news, at=at, now=now)
    notification = Notification.objects.create(
        school_id=news.school_id, user_id=user.pk, kind=news.kind, student_id=news.student_id, title=news.title[:300],
        body=news.body, url=news.url[:500], group_key=news.group_key,
        replace_until=at + replace_window() if replaceable else None,
        state={"before": news.before, "before_at": at.isoformat(), "after": news.after,
               "after_at": at.isoformat()} if news.group_key else {},
        urgent=news.urgent or prefs.urgent.get(news.kind, False), created_at=at if replaceable else now,
        updated_at=now)
    deliveries = []
    if prefs.by_email and prefs.email:
        if mode == Mode.IMMEDIATELY:
            # Sent when nothing can replace it any more: the e-mail tells the corrected mark, not the slip.
            due = notification.replace_until or now
            deliveries.append(Delivery(notification=notification, user_id=user.pk, channel=Channel.EMAIL,
                                       status=DeliveryStatus.PENDING, due_at=due))
        else:
            deliveries.append(Delivery(notification=notification, user_id=user.pk, channel=Channel.EMAIL,
                                       status=DeliveryStatus.HELD, due_at=prefs.next_digest(mode, now)))
    if mode == Mode.IMMEDIATELY and prefs.by_push and selectors.has_push(user.pk):
        # A push of the same thing replaces the earlier one on the device (its tag): sent at once.
        deliveries.append(Delivery(notification=notification, user_id=user.pk, channel=Channel.PUSH,
                                   status=DeliveryStatus.PENDING, due_at=now))
    Delivery.objects.bulk_create(deliveries)
    for delivery in Delivery.objects.filter(notification=notification, status=DeliveryStatus.PENDING):
        schedule_delivery(delivery)
    return notification


def _replace(earlier: Notification, news: News, *, at: dt.datetime, now: dt.datetime) -> Notification:
    """Fold a change of the same thing into its notification: the state before the earliest change and after
    the latest (by when each happened, whatever order the events came in); corrected back to what it was, it is
    hidden."""
    from .jobs import schedule_delivery

    state = dict(earlier.state)
    if at.isoformat() < state.get("before_at", ""):
        state["before"], state["before_at"] = news.before, at.isoformat()
    if at.isoformat() >= state.get("after_at", ""):
        state["after"], state["after_at"] = news.after, at.isoformat()
    before, after = state["before"], state["after"]
    title = news.describe(before, after) if news.describe is not None else news.title
    earlier.title, earlier.body, earlier.url = title[:300], news.body, news.url[:500]
    earlier.state, earlier.hidden = state, before == after
    earlier.updated_at, earlier.read_at = now, None
    earlier.save(update_fields=["title", "body", "url", "state", "hidden", "updated_at", "read_at"])
    # A push already shown is replaced on the device (same tag); an e-mail waits for the window's end anyway.
    if not earlier.hidden:
        for delivery in earlier.deliveries.filter(channel=Channel.PUSH, status=DeliveryStatus.SENT):
            delivery.status, delivery.due_at = DeliveryStatus.PENDING, now
            delivery.save(update_fields=["status", "due_at"])
            schedule_delivery(delivery)
    return earlier


# --- the person's side -------------------------------------------------------------------------------------------

def mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    """Mark the person's notifications read (all unread ones when no ids are given); how many changed."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True, hidden=False)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def save_settings(*, user, school_id: int, modes: dict[str, str], by_email: bool, email: str, by_push: bool,
                  quiet_from: dt.time, quiet_to: dt.time, digest_time: dt.time, weekly_day: int) -> NotificationSettings:
    """A person's own settings; each kind's mode is kept only where it differs from the school's default (so a
    later change of the default reaches him)."""
    unknown = set(modes) - set(KINDS)
    if unknown:
        raise ValidationError({"modes": f"Неизвестные события: {', '.join(sorted(unknown))}."})
    if any(mode not in Mode.values for mode in modes.values()):
        raise ValidationError({"modes": "Неизвестный способ доставки."})
    if not 0 <= weekly_day <= 6:
        raise ValidationError({"weekly_day": "День недели — от понедельника до воскресенья."})
    row, _ = NotificationSettings.objects.update_or_create(user=user, defaults={
        "by_email": by_email, "email": email.strip(), "by_push": by_push, "quiet_from": quiet_from,
        "quiet_to": quiet_to, "digest_time": digest_time, "weekly_day": weekly_day})
    defaults = selectors.school_defaults(school_id)
    for code, mode in modes.items():
        if mode == defaults[code].mode:
            KindSetting.objects.filter(user=user, kind=code).delete()
        else:
            KindSetting.objects.update_or_create(user=user, kind=code, defaults={"mode": mode})
    return row


@transaction.atomic
def save_school_settings(*, actor: User, school: School, modes: dict[str, str], urgent: set[str], low_average_below,
                         absences_limit: int, quiet_from: dt.time, quiet_to: dt.time,
                         digest_time: dt.time) -> SchoolNotificationSettings:
    """The school's defaults: each kind's mode and urgency, the alerts' thresholds, quiet hours, digest time."""
    if set(modes) - set(KINDS) or urgent - set(KINDS) or any(m not in Mode.values for m in modes.values()):
        raise ValidationError({"modes": "Неизвестное событие или способ доставки."})
    current = selectors.school_settings(school.pk)
    before = {"low_average_below": str(current.low_average_below), "absences_limit": current.absences_limit,
              "quiet": f"{current.quiet_from:%H:%M}–{current.quiet_to:%H:%M}", "digest": f"{current.digest_time:%H:%M}",
              "kinds": {code: [d.mode, d.urgent] for code, d in selectors.school_defaults(school.pk).items()}}
    row, _ = SchoolNotificationSettings.objects.update_or_create(school=school, defaults={
        "low_average_below": low_average_below, "absences_limit": absences_limit, "quiet_from": quiet_from,
        "quiet_to": quiet_to, "digest_time": digest_time, "updated_by": actor})
    for code, mode in modes.items():
        SchoolKindDefault.objects.update_or_create(school=school, kind=code,
                                                   defaults={"mode": mode, "urgent": code in urgent})
    after = {"low_average_below": str(row.low_average_below), "absences_limit": row.absences_limit,
             "quiet": f"{row.quiet_from:%H:%M}–{row.quiet_to:%H:%M}", "digest": f"{row.digest_time:%H:%M}",
             "kinds": {code: [d.mode, d.urgent] for code, d in selectors.school_defaults(school.pk).items()}}
    if before != after:
        record(actor=actor, verb=Verb.NOTIFICATIONS_SCHOOL_SETTINGS, target=row, before=before, after=after)
    return row


def subscribe_push(*, user, endpoint: str, p256dh: str, auth: str, user_agent: str = "") -> PushSubscription:
    """Keep a browser's push subscription (a browser that subscribes again moves its endpoint to this person)."""
    if not endpoint.startswith("https://") and not endpoint.startswith("http://"):
        raise ValidationError({"endpoint": "Адрес подписки — не ссылка."})
    if not p256dh or not auth or len(p256dh) > 200 or len(auth) > 100 or len(endpoint) > 1000:
        raise ValidationError({"keys": "Ключи подписки не переданы или слишком длинные."})
    subscription, _ = PushSubscription.objects.update_or_create(endpoint=endpoint, defaults={
        "user": user, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300]})
    return subscription


def unsubscribe_push(*, user, endpoint: str) -> int:
    return PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()[0]
