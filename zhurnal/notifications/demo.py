"""The demo school's notifications: the persona family's settings, its bell filled with the news of the last
school days (made by the real fan-out from the journal as it stands), a daily digest waiting for 18:00."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from zhurnal.core.events import Event
from zhurnal.journal import grading
from zhurnal.journal.models import Attendance, Mark
from zhurnal.school.models import School
from zhurnal.timetable.models import Lesson

from . import fanout, kinds, services
from .models import Delivery, DeliveryStatus, Notification

RECENT_DAYS = 6


@dataclass
class DemoNotifications:
    notifications: int = 0
    held_for_digest: int = 0


def build_demo_notifications(*, school: School, today: dt.date, rng: random.Random,
                             personas: dict[str, Any]) -> DemoNotifications:
    report = DemoNotifications()
    pupil_persona, parent_persona = personas.get("uchenik"), personas.get("roditel")
    if pupil_persona is None or parent_persona is None:
        return report
    pupil, mother = pupil_persona.person, parent_persona.user
    # The mother: marks and absences at once, homework in the evening digest, quiet from 22:00 to 07:00.
    services.save_settings(
        user=mother, school_id=school.pk, modes={kinds.MARK: "now", kinds.ATTENDANCE: "now", kinds.HOMEWORK: "daily"},
        by_email=True, email=mother.email or "roditel@example.org", by_push=True, quiet_from=dt.time(22),
        quiet_to=dt.time(7), digest_time=dt.time(18), weekly_day=6)
    # The boy: only what concerns him at once, the rest never by mail.
    services.save_settings(
        user=pupil_persona.user, school_id=school.pk, modes={kinds.HOMEWORK: "now", kinds.MARK: "now"},
        by_email=False, email="", by_push=True, quiet_from=dt.time(21), quiet_to=dt.time(8),
        digest_time=dt.time(18), weekly_day=6)
    since = today - dt.timedelta(days=RECENT_DAYS)
    cells: dict[int, dict] = defaultdict(lambda: {"absence": "", "marks": []})
    for mark in (Mark.objects.filter(student=pupil, lesson__date__gte=since, lesson__date__lte=today)
                 .select_related("work_type").order_by("lesson__date", "lesson__number", "position")):
        cells[mark.lesson_id]["marks"].append(mark)
    for absence in Attendance.objects.filter(student=pupil, lesson__date__gte=since, lesson__date__lte=today):
        cells[absence.lesson_id]["absence"] = absence.code
    lessons = Lesson.objects.in_bulk(list(cells))
    zone = timezone.get_current_timezone()
    for lesson_id, cell in sorted(cells.items(), key=lambda item: (lessons[item[0]].date, lessons[item[0]].number)):
        lesson = lessons[lesson_id]
        at = dt.datetime.combine(lesson.date, dt.time(8 + lesson.number, rng.randint(5, 40)), tzinfo=zone)
        if at > timezone.now():
            continue
        after = {"student": pupil.pk, "absence": cell["absence"],
                 "cell": grading.format_cell(cell["absence"], [(m.value, m.modifier) for m in cell["marks"]]),
                 "marks": [f"{m.text} ({m.work_type.name})" for m in cell["marks"]]}
        before = {"student": pupil.pk, "absence": "", "cell": "", "marks": []}
        event = Event("journal.cells_saved", school.pk, None,
                      {"lesson_id": lesson_id, "at": at.isoformat(),
                       "changes": [{"student_id": pupil.pk, "before": before, "after": after}]})
        report.notifications += _record(event, at)
    for lesson in (Lesson.objects.filter(assignment__group__memberships__student=pupil, date__gte=today - dt.timedelta(days=1),
                                         date__lte=today).exclude(homework="").distinct()):
        at = dt.datetime.combine(lesson.date, dt.time(15, rng.randint(0, 59)), tzinfo=zone)
        if at > timezone.now():
            continue
        event = Event("journal.homework_set", school.pk, None,
                      {"lesson_id": lesson.pk, "homework": lesson.homework, "first": True})
        report.notifications += _record(event, at, now=timezone.now())  # its digest: the next 18:00
    # What the family has seen already: everything but the last day's.
    Notification.objects.filter(user__in=[mother, pupil_persona.user], updated_at__lt=timezone.now()
                                - dt.timedelta(days=1)).update(read_at=timezone.now())
    report.held_for_digest = Delivery.objects.filter(user=mother, status=DeliveryStatus.HELD).count()
    return report


def _record(event: Event, at: dt.datetime, now: dt.datetime | None = None) -> int:
    made = 0
    for news in fanout.news_for(event, uuid.uuid4().hex):
        news.at = at
        if services.record_news(news=news, now=now or at) is not None:
            made += 1
    return made
