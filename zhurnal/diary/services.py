"""Every write of the diary: counting views, the feed's last visit, acknowledgements, calendar links.

Acknowledgements and calendar links are audited. A diary view and a feed visit are counters of reading, not
changes to anybody's data: they are written with one statement each and not copied into the audit log (the
counter is its own record, and a log entry per page view would outgrow the journal it audits).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from zhurnal.accounts.models import User
from zhurnal.audit.services import record
from zhurnal.audit.verbs import Verb
from zhurnal.school.models import Guardian, GuardianLink, ReportingPeriod, Student

from . import queries, selectors
from .models import (
    AcknowledgementKind,
    CalendarFeed,
    DiaryView,
    FeedVisit,
    FinalAcknowledgement,
    token_digest,
)


def count_diary_view(*, student: Student, guardian_id: int | None, viewer_is_student: bool, on: dt.date) -> None:
    """One more view of the diary today by a guardian (``guardian_id``) or by the student himself — one UPDATE,
    and an INSERT on the person's first view of the day."""
    if guardian_id is None and not viewer_is_student:
        return
    who = {"guardian_id": guardian_id} if guardian_id is not None else {"student_id": student.pk}
    ((column, person),) = who.items()
    if queries.count_view(column=column, person=person, on=on):
        return
    try:
        with transaction.atomic():
            DiaryView.objects.create(school_id=student.school_id, date=on, count=1, **who)
    except IntegrityError:
        # Two first views at the same moment: the other one inserted the row.
        DiaryView.objects.filter(date=on, **who).update(count=F("count") + 1)


def mark_feed_seen(*, user: Any, student: Student, at: dt.datetime | None = None) -> None:
    """Remember that the person has seen the marks feed up to now."""
    at = at or timezone.now()
    if FeedVisit.objects.filter(user=user, student=student).update(seen_at=at):
        return
    try:
        with transaction.atomic():
            FeedVisit.objects.create(school_id=student.school_id, user=user, student=student, seen_at=at)
    except IntegrityError:
        FeedVisit.objects.filter(user=user, student=student).update(seen_at=at)


@transaction.atomic
def acknowledge_final_marks(
    *, actor: User, guardian: Guardian, student: Student, period: ReportingPeriod | None, today: dt.date,
) -> FinalAcknowledgement:
    """The guardian's «ознакомлен» with the final marks of a period (``period=None``: the year) that the family
    sees now. The marks are kept with it; acknowledging again after they change renews it."""
    if guardian.school_id != student.school_id or not GuardianLink.objects.filter(
            guardian=guardian, student=student).exists():
        raise ValidationError({"student": "Подтвердить ознакомление может только законный представитель ученика."})
    year, snapshot, visible = selectors.acknowledgement_snapshot(student, period=period, today=today)
    what = f"за «{period.name}»" if period is not None else "за год"
    if year is None:
        raise ValidationError({"period": "Ученик не зачислен ни в один класс."})
    if period is not None and period.period_set.year_id != year.pk:
        raise ValidationError({"period": "Этот период не относится к учебному году ученика."})
    if not visible or not snapshot:
        raise ValidationError({"period": f"Итоговые отметки {what} ещё не опубликованы — подтверждать пока "
                                         "нечего."})
    kind = AcknowledgementKind.PERIOD if period is not None else AcknowledgementKind.YEAR
    existing = (FinalAcknowledgement.objects.select_for_update()
                .filter(guardian=guardian, student=student, kind=kind, period=period, year=year).first())
    before = {"marks": existing.marks, "at": existing.acknowledged_at.isoformat()} if existing else None
    now = timezone.now()
    if existing is None:
        acknowledgement = FinalAcknowledgement.objects.create(
            school_id=student.school_id, student=student, guardian=guardian, year=year, kind=kind, period=period,
            marks=snapshot, user=actor if getattr(actor, "pk", None) else None, acknowledged_at=now)
    else:
        acknowledgement = existing
        acknowledgement.marks = snapshot
        acknowledgement.acknowledged_at = now
        acknowledgement.user = actor if getattr(actor, "pk", None) else None
        acknowledgement.save(update_fields=["marks", "acknowledged_at", "user"])
    record(actor=actor, verb=Verb.DIARY_ACKNOWLEDGE, target=acknowledgement, before=before,
           after={"student": student.pk, "guardian": guardian.pk, "period": period.pk if period else None,
                  "marks": snapshot})
    return acknowledgement


def _new_token() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def renew_calendar_feed(*, actor: User, student: Student) -> CalendarFeed:
    """Make the person's private calendar link for the student, or replace it: the old link stops working. The
    token itself is on the returned feed as ``plain_token`` — the only moment it exists; only its digest is
    stored."""
    if not getattr(actor, "pk", None):
        raise ValidationError({"user": "Ссылка на календарь выдаётся только вошедшему пользователю."})
    feed = CalendarFeed.objects.select_for_update().filter(user=actor, student=student).first()
    now = timezone.now()
    plain = _new_token()
    if feed is None:
        feed = CalendarFeed.objects.create(school_id=student.school_id, student=student, user=actor,
                                           token=token_digest(plain), created_at=now)
        record(actor=actor, verb=Verb.DIARY_CALENDAR_CREATE, target=feed, after={"student": student.pk})
        feed.plain_token = plain
        return feed
    feed.token = token_digest(plain)
    feed.created_at = now
    feed.save(update_fields=["token", "created_at"])
    record(actor=actor, verb=Verb.DIARY_CALENDAR_RENEW, target=feed, after={"student": student.pk})
    feed.plain_token = plain
    return feed


@transaction.atomic
def revoke_calendar_feed(*, actor: User, student: Student) -> bool:
    """Switch the person's calendar link off altogether. Returns whether there was one."""
    feed = CalendarFeed.objects.filter(user=actor, student=student).first()
    if feed is None:
        return False
    record(actor=actor, verb=Verb.DIARY_CALENDAR_REVOKE, target=feed, before={"student": student.pk})
    feed.delete()
    return True
