"""Notifications: what a person is told (in the application, by e-mail, by Web Push) and how he wants it.

A ``Notification`` is one piece of news for one person, shown under the bell; its ``Delivery`` rows say how it
leaves the application (e-mail, push), when, and whether it went. Settings are the person's own
(``NotificationSettings``, ``KindSetting``) over the school's defaults (``SchoolNotificationSettings``,
``SchoolKindDefault``). ``ThresholdState`` remembers which alert is on, so an alert fires once when its value
crosses, not on every mark.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhurnal.school.models import School, Student

from .kinds import KIND_CHOICES, Mode

WEEKDAYS = [(0, "понедельник"), (1, "вторник"), (2, "среда"), (3, "четверг"), (4, "пятница"), (5, "суббота"),
            (6, "воскресенье")]


class SchoolNotificationSettings(models.Model):
    """A school's rules for notifications. Absent row = the defaults below."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="notification_settings")
    low_average_below = models.DecimalField("средний балл по предмету ниже", max_digits=3, decimal_places=2,
                                            default=Decimal("3.00"))
    absences_limit = models.PositiveSmallIntegerField("пропусков без уважительной причины за период", default=5)
    quiet_from = models.TimeField("тихие часы с", default=dt.time(21, 0))
    quiet_to = models.TimeField("тихие часы до", default=dt.time(8, 0))
    digest_time = models.TimeField("время ежедневной сводки", default=dt.time(18, 0))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "настройки уведомлений школы"
        verbose_name_plural = "настройки уведомлений школ"

    def __str__(self) -> str:
        return f"уведомления школы {self.school_id}"


class SchoolKindDefault(models.Model):
    """The school's default mode of a kind, and whether it is urgent (sent in quiet hours too)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("событие", max_length=20, choices=KIND_CHOICES)
    mode = models.CharField("по умолчанию", max_length=10, choices=Mode.choices)
    urgent = models.BooleanField("срочное (и в тихие часы)", default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "kind"], name="notif_school_kind_unique")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.mode}"


class NotificationSettings(models.Model):
    """A person's own settings (every school he belongs to). Absent row = the school's defaults."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_settings")
    by_email = models.BooleanField("по электронной почте", default=True)
    email = models.EmailField("адрес для уведомлений", blank=True,
                              help_text="Пусто — адрес из учётной записи или из карточки в школе.")
    by_push = models.BooleanField("push-уведомления в браузере", default=True)
    quiet_from = models.TimeField("тихие часы с")
    quiet_to = models.TimeField("тихие часы до")
    digest_time = models.TimeField("время сводки")
    weekly_day = models.PositiveSmallIntegerField("день еженедельной сводки", choices=WEEKDAYS, default=6)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "настройки уведомлений"
        verbose_name_plural = "настройки уведомлений"

    def __str__(self) -> str:
        return f"уведомления {self.user_id}"


class KindSetting(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("событие", max_length=20, choices=KIND_CHOICES)
    mode = models.CharField("как присылать", max_length=10, choices=Mode.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notif_user_kind_unique")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.mode}"


class Notification(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField("событие", max_length=20, choices=KIND_CHOICES)
    student = models.ForeignKey(Student, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    title = models.CharField("заголовок", max_length=300)
    body = models.TextField("текст", blank=True)
    url = models.CharField("ссылка", max_length=500, blank=True)
    # What a later change of the same thing replaces within ``replace_until`` ("cell:<lesson>:<student>:mark").
    group_key = models.CharField(max_length=120, blank=True)
    replace_until = models.DateTimeField(null=True, blank=True)
    state = models.JSONField(default=dict, blank=True)  # the first "before" and the latest "after" of a change
    urgent = models.BooleanField(default=False)
    # A change corrected back to what it was: nothing to tell (kept, so that a late event of it still finds it).
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-updated_at"], name="notif_user_recent"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notif_user_unread"),
            models.Index(fields=["user", "group_key"], name="notif_user_group"),
        ]

    def __str__(self) -> str:
        return self.title


class Channel(models.TextChoices):
    EMAIL = "email", "эл. почта"
    PUSH = "push", "push"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "ждёт отправки"
    HELD = "held", "ждёт сводки"
    SENT = "sent", "отправлено"
    SKIPPED = "skipped", "не отправлялось"


class Delivery(models.Model):
    """How one notification leaves the application by one channel: sent at ``due_at`` (immediately, or when the
    replacing window closes), or held for the digest due at ``due_at``."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="notif_delivery_unique")]
        indexes = [models.Index(fields=["status", "due_at"], name="notif_delivery_due")]

    def __str__(self) -> str:
        return f"{self.channel} {self.status}"


class PushSubscription(models.Model):
    """A browser's Web Push subscription (its endpoint and keys, RFC 8291)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "подписка на push-уведомления"
        verbose_name_plural = "подписки на push-уведомления"

    def __str__(self) -> str:
        return self.endpoint[:60]


class ThresholdState(models.Model):
    """An alert about a pupil that is on (his average is below the school's value, his forecast is «2», his
    unexcused absences reached the limit) for a scope ("a:<assignment>:p:<period>", "p:<period>"): it fires when
    the row appears, and the row goes when the value crosses back."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    scope = models.CharField(max_length=60)
    since = models.DateTimeField(default=timezone.now)
    event_key = models.CharField(max_length=64)  # the event that turned it on

    class Meta:
        constraints = [models.UniqueConstraint(fields=["student", "kind", "scope"], name="notif_threshold_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.scope}"
