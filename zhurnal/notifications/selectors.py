"""Reads of notifications: a person's settings over his school's defaults, who is told about a pupil, the bell's
count and the list page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet

from zhurnal.school.models import Guardian, GuardianLink, InfoChannel, StaffMember, Student

from .kinds import KINDS, Mode
from .models import (
    KindSetting,
    Notification,
    NotificationSettings,
    PushSubscription,
    SchoolKindDefault,
    SchoolNotificationSettings,
)


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def school_settings(school_id: int) -> SchoolNotificationSettings:
    """The school's row, or an unsaved one with the defaults."""
    found = SchoolNotificationSettings.objects.filter(school_id=school_id).first()
    return found or SchoolNotificationSettings(school_id=school_id)


@dataclass(frozen=True)
class KindDefault:
    mode: str
    urgent: bool


def school_defaults(school_id: int) -> dict[str, KindDefault]:
    """Each kind's default mode and urgency in the school (the kinds' own defaults where the school set none)."""
    rows = {row.kind: row for row in SchoolKindDefault.objects.filter(school_id=school_id)}
    return {code: KindDefault(rows[code].mode, rows[code].urgent) if code in rows else KindDefault(kind.default, False)
            for code, kind in KINDS.items()}


@dataclass
class Preferences:
    """What a person chose, filled in with his school's defaults."""

    user_id: int
    modes: dict[str, str]
    urgent: dict[str, bool]
    by_email: bool
    email: str
    by_push: bool
    quiet_from: dt.time
    quiet_to: dt.time
    digest_time: dt.time
    weekly_day: int
    own: dict[str, str] = field(default_factory=dict)  # the modes he set himself

    def mode(self, kind: str) -> str:
        return self.modes.get(kind, Mode.NEVER)

    def in_quiet_hours(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(zone()).time()
        start, end = self.quiet_from, self.quiet_to
        if start == end:
            return False
        if start < end:
            return start <= local < end
        return local >= start or local < end  # across midnight (21:00–08:00)

    def next_digest(self, mode: str, after: dt.datetime) -> dt.datetime:
        """The next daily (or, for ``Mode.WEEKLY``, weekly) digest time strictly after ``after`` (aware)."""
        local = after.astimezone(zone())
        candidate = local.replace(hour=self.digest_time.hour, minute=self.digest_time.minute, second=0,
                                  microsecond=0)
        if candidate <= local:
            candidate += dt.timedelta(days=1)
        if mode == Mode.WEEKLY:
            candidate += dt.timedelta(days=(self.weekly_day - candidate.weekday()) % 7)
        return candidate


def preferences(user, school_id: int) -> Preferences:
    """A person's settings for news from a school: his own choices over the school's defaults."""
    defaults = school_defaults(school_id)
    school = school_settings(school_id)
    own_row = NotificationSettings.objects.filter(user_id=user.pk).first()
    own = dict(KindSetting.objects.filter(user_id=user.pk).values_list("kind", "mode"))
    email = (own_row.email if own_row is not None else "") or user.email or _card_email(user, school_id)
    return Preferences(
        user_id=user.pk,
        modes={code: own.get(code, default.mode) for code, default in defaults.items()},
        urgent={code: default.urgent for code, default in defaults.items()},
        by_email=own_row.by_email if own_row is not None else True,
        email=email,
        by_push=own_row.by_push if own_row is not None else True,
        quiet_from=own_row.quiet_from if own_row is not None else school.quiet_from,
        quiet_to=own_row.quiet_to if own_row is not None else school.quiet_to,
        digest_time=own_row.digest_time if own_row is not None else school.digest_time,
        weekly_day=own_row.weekly_day if own_row is not None else 6,
        own=own,
    )


def _card_email(user, school_id: int) -> str:
    """The address the school keeps on the person's card (a parent's, a pupil's, a teacher's), if any."""
    for model in (Guardian, Student, StaffMember):
        found = (model.objects.filter(school_id=school_id, user_id=user.pk).exclude(email="")
                 .values_list("email", flat=True).first())
        if found:
            return found
    return ""


@dataclass(frozen=True)
class Reader:
    """Someone told about a pupil: the pupil himself or one of his parents."""

    user_id: int
    student_id: int
    is_pupil: bool


def family_readers(student_ids: list[int]) -> list[Reader]:
    """The pupils' own logins and their parents' who chose the electronic diary (a parent who asked for paper is
    not written to). Two queries, however many pupils."""
    readers = [Reader(user_id, student_id, True) for student_id, user_id in
               Student.objects.filter(pk__in=student_ids, user__isnull=False, user__is_active=True)
               .values_list("pk", "user_id")]
    readers += [Reader(user_id, student_id, False) for student_id, user_id in
                GuardianLink.objects.filter(student_id__in=student_ids, info_channel=InfoChannel.ELECTRONIC,
                                            guardian__user__isnull=False, guardian__user__is_active=True)
                .values_list("student_id", "guardian__user_id").distinct()]
    return readers


def notifications_of(user) -> QuerySet[Notification]:
    """The person's notifications that tell something (a change corrected back to what it was does not)."""
    return Notification.objects.filter(user=user, hidden=False)


def unread_count(user) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()


def latest(user, *, limit: int = 50) -> list[Notification]:
    """The list page: the newest first, with the pupil each is about. One query."""
    return list(notifications_of(user).select_related("student").order_by("-updated_at", "-pk")[:limit])


def has_push(user_id: int) -> bool:
    return PushSubscription.objects.filter(user_id=user_id).exists()
