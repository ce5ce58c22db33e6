"""The marks feed: marks set or changed in the last days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from zhurnal.journal import grading
from zhurnal.journal.models import (
    Mark,
)
from zhurnal.school.models import (
    Student,
)

from ..models import FeedVisit

FEED_DAYS = 30
FEED_LIMIT = 200


def feed_since() -> dt.datetime:
    """The marks feed covers marks set or changed after this moment (the last ``FEED_DAYS`` days); the week's
    count of new marks counts within it too."""
    return timezone.now() - dt.timedelta(days=FEED_DAYS)


def last_feed_visit(student: Student, user_id: int) -> dt.datetime | None:
    return (FeedVisit.objects.filter(student=student, user_id=user_id)
            .values_list("seen_at", flat=True).first())


@dataclass
class FeedItem:
    value: str
    text: str
    subject_id: int
    subject: str
    work_type: str
    is_control: bool
    lesson_date: dt.date
    comment: str
    updated_at: dt.datetime
    is_new: bool
    changed: bool


@dataclass
class MarksFeed:
    student: Student
    seen_at: dt.datetime | None
    new: list[FeedItem]
    earlier: list[FeedItem]


def marks_feed(student: Student, *, seen_at: dt.datetime | None) -> MarksFeed:
    """Marks of the last 30 days, newest first; those set or changed after ``seen_at`` are new — one query."""
    marks = (Mark.objects.filter(student=student, updated_at__gt=feed_since()).order_by("-updated_at", "-pk")
             .values_list("value", "modifier", "lesson__assignment__subject_id", "lesson__assignment__subject__name",
                          "work_type__name", "work_type__is_control", "lesson__date", "comment", "created_at",
                          "updated_at")[:FEED_LIMIT])
    new: list[FeedItem] = []
    earlier: list[FeedItem] = []
    for value, modifier, subject_id, subject, work_type, is_control, date, comment, created, updated in marks:
        item = FeedItem(value=value, text=grading.format_mark(value, modifier), subject_id=subject_id,
                        subject=subject, work_type=work_type, is_control=is_control, lesson_date=date,
                        comment=comment, updated_at=updated, is_new=seen_at is None or updated > seen_at,
                        changed=(updated - created) > dt.timedelta(seconds=5))
        (new if item.is_new else earlier).append(item)
    return MarksFeed(student=student, seen_at=seen_at, new=new, earlier=earlier)
