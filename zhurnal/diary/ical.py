"""The calendar feed of a student: lessons and homework as an iCalendar file for phone calendars."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from .selectors import DiarySpan

PRODID = "-//Zhurnal//Дневник//RU"


def _lesson_event(item, tz: ZoneInfo, stamp: dt.datetime, host: str) -> Event:
    event = Event()
    event.add("uid", f"lesson-{item.pk}@{host}")
    event.add("dtstamp", stamp)
    cancelled = item.substitution == "урок отменён"
    summary = f"{item.subject} (урок отменён)" if cancelled else item.subject
    if item.start is not None and item.end is not None:
        event.add("dtstart", dt.datetime.combine(item.date, item.start, tzinfo=tz))
        event.add("dtend", dt.datetime.combine(item.date, item.end, tzinfo=tz))
    else:
        # No bells known for the shift: an all-day entry that still names the lesson number.
        event.add("dtstart", item.date)
        event.add("dtend", item.date + dt.timedelta(days=1))
        summary = f"{item.number}-й урок: {summary}"
    event.add("summary", summary)
    if item.room:
        event.add("location", f"каб. {item.room}")
    lines = [f"{item.number}-й урок. Учитель: {item.teacher_full}"]
    if item.substitution:
        lines.append(item.substitution.capitalize())
    if item.topic:
        lines.append(f"Тема: {item.topic}")
    for due in item.due:
        lines.append(f"Домашнее задание к уроку: {due.text or 'см. файлы'}")
        if due.individual:
            lines.append(f"Индивидуально: {due.individual}")
    if item.given is not None and (item.given.text or item.given.individual):
        lines.append(f"Задано: {item.given.text or item.given.individual}")
    event.add("description", "\n".join(lines))
    if cancelled:
        event.add("status", "CANCELLED")
    return event


def _homework_event(item, stamp: dt.datetime, host: str) -> Event:
    event = Event()
    event.add("uid", f"homework-{item.lesson_id}@{host}")
    event.add("dtstamp", stamp)
    event.add("summary", f"ДЗ: {item.subject}")
    event.add("dtstart", item.due)
    event.add("dtend", item.due + dt.timedelta(days=1))
    text = [item.text] if item.text else []
    if item.individual:
        text.append(f"Индивидуально: {item.individual}")
    if item.files:
        text.append("Файлы: " + ", ".join(f.name for f in item.files))
    text.append(f"Задано {item.given_on:%d.%m.%Y}.")
    event.add("description", "\n".join(text))
    event.add("transp", "TRANSPARENT")
    return event


def build_calendar(span: DiarySpan, *, title: str, timezone_name: str, host: str) -> bytes:
    """Lessons (with bell times where known) and homework on the day it is due. ``host`` makes the events'
    UIDs stable whatever address the feed is fetched from, so calendars update events instead of doubling them."""
    tz = ZoneInfo(timezone_name)
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", title)
    calendar.add("x-wr-timezone", timezone_name)
    calendar.add("refresh-interval", dt.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    seen_homework: set[int] = set()
    for day in span.days:
        for item in day.lessons:
            calendar.add_component(_lesson_event(item, tz, stamp, host))
            for due in item.due:
                if due.lesson_id not in seen_homework:
                    seen_homework.add(due.lesson_id)
                    calendar.add_component(_homework_event(due, stamp, host))
        for due in day.due_elsewhere:
            if due.lesson_id not in seen_homework:
                seen_homework.add(due.lesson_id)
                calendar.add_component(_homework_event(due, stamp, host))
    calendar.add_missing_timezones()
    return calendar.to_ical()
