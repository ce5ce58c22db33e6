"""From an event to the news each person gets: who is told (the pupil and his parents, or the recipients the
messaging app names), in what words (the pupil named, declined, to his parents), nobody of his own action.

Runs in the worker (``jobs.dispatch``), never in the request that published the event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial

from django.urls import reverse

from zhurnal.core.dates import today as school_today
from zhurnal.core.declension import name_genitive
from zhurnal.core.events import Event
from zhurnal.journal import grading
from zhurnal.journal import selectors as journal
from zhurnal.journal.visibility import finals_visible_from, in_forecast_window
from zhurnal.school.models import Student, TeachingAssignment
from zhurnal.timetable.models import Lesson

from . import kinds, selectors
from .models import ThresholdState
from .services import News

ABSENCE_TITLES = {"н": "Пропуск урока", "б": "Пропуск урока по болезни", "уп": "Пропуск урока по уважительной причине",
                  "оп": "Опоздание на урок"}


def news_for(event: Event, key: str) -> Iterator[News]:
    """Every piece of news an event makes, the actor left out. ``key`` names the event (a retried dispatch of it
    has the same key, so an alert it turned on fires again in the retry, and only then)."""
    builder = BUILDERS.get(event.kind)
    if builder is None:
        return
    for news in builder(event, key):
        if news.user_id != event.actor_id:
            yield news


def _whose(reader: selectors.Reader, student: Student) -> str:
    """" у Петрова Ивана" to a parent; nothing to the pupil himself."""
    return "" if reader.is_pupil else f" у {name_genitive(student)}"


def _marks_text(snapshot: dict) -> str:
    cell, absence = snapshot.get("cell", ""), snapshot.get("absence", "")
    return cell[len(absence):].strip() if absence and cell.startswith(absence) else cell


def _mark_title(was: str, now: str, whose: str) -> str:
    if not was:
        return f"Новая отметка{whose}: {now}"
    if not now:
        return f"Отметка{whose} удалена (было {was})"
    return f"Отметка{whose} изменена: {was} → {now}"


def _absence_change(was: str, now: str, whose: str) -> str:
    return _absence_title(now, whose)


def _absence_title(code: str, whose: str) -> str:
    return f"{ABSENCE_TITLES[code]}{whose}" if code else f"Отметка о пропуске{whose} снята"


def _lesson_line(lesson: Lesson) -> str:
    return f"{lesson.assignment.subject.name}, урок {lesson.date:%d.%m.%Y}"


def _cells(event: Event, key: str) -> Iterator[News]:
    lesson = Lesson.objects.select_related("assignment__subject").get(pk=event.data["lesson_id"])
    changes = {change["student_id"]: change for change in event.data["changes"]}
    students = Student.objects.in_bulk(list(changes))
    readers = selectors.family_readers(list(changes))
    at = dt.datetime.fromisoformat(event.data["at"]) if event.data.get("at") else None
    for reader in readers:
        change, student = changes[reader.student_id], students[reader.student_id]
        before, after = change["before"], change["after"]
        diary = reverse("diary:week", args=[student.pk]) + f"?date={lesson.date:%Y-%m-%d}"
        was, now = _marks_text(before), _marks_text(after)
        whose = _whose(reader, student)
        if was != now:
            yield News(kind=kinds.MARK, school_id=event.school_id, user_id=reader.user_id,
                       title=_mark_title(was, now, whose),
                       body=_lesson_line(lesson) + (f". {'; '.join(after['marks'])}" if after.get("marks") else ""),
                       url=diary, student_id=student.pk, group_key=f"cell:{lesson.pk}:{student.pk}:mark",
                       before=was, after=now, describe=partial(_mark_title, whose=whose), at=at)
        if before.get("absence", "") != after.get("absence", ""):
            yield News(kind=kinds.ATTENDANCE, school_id=event.school_id, user_id=reader.user_id,
                       title=_absence_title(after.get("absence", ""), whose),
                       body=f"{_lesson_line(lesson)}, {lesson.number}-й урок", url=diary, student_id=student.pk,
                       group_key=f"cell:{lesson.pk}:{student.pk}:absence", before=before.get("absence", ""),
                       after=after.get("absence", ""),
                       describe=partial(_absence_change, whose=whose), at=at)
    yield from _thresholds(event, key, lesson, students, readers)


def _thresholds(event: Event, key: str, lesson: Lesson, students: dict[int, Student],
                readers: list[selectors.Reader]) -> Iterator[News]:
    """Alerts that fire once when a value crosses: the average below the school's value, the forecast «2», the
    unexcused absences reaching the limit. Figures come from the journal's own functions."""
    rules = selectors.school_settings(event.school_id)
    today = school_today()
    assignment = TeachingAssignment.objects.select_related("group__school_class", "subject", "school").get(
        pk=lesson.assignment_id)
    for change in event.data["changes"]:
        student = students[change["student_id"]]
        standing = journal.student_standing(assignment, student.pk, on=lesson.date, today=today)
        if standing is None:
            continue
        period = standing.period
        scope = f"a:{assignment.pk}:p:{period.pk}"
        subject = assignment.subject.name
        alerts: list[tuple[str, str, bool, str]] = []  # kind, scope, on, title (for a parent)
        if _marks_text(change["before"]) != _marks_text(change["after"]):
            average = standing.average.value
            alerts.append((kinds.LOW_AVERAGE, scope, average is not None and average < rules.low_average_below,
                           f"Средний балл по предмету «{subject}» ниже "
                           f"{grading.format_average(rules.low_average_below)}: {grading.format_average(average)}"))
            forecast = standing.suggestion.value
            alerts.append((kinds.FORECAST, scope,
                           forecast in ("1", "2") and in_forecast_window(period_start=period.start,
                                                                      period_end=period.end, today=today),
                           f"Прогноз итоговой отметки по предмету «{subject}» за {period.name}: «{forecast}»"))
        if change["before"].get("absence") != change["after"].get("absence"):
            count = journal.unexcused_in_span(student.pk, period.start, period.end)
            alerts.append((kinds.ABSENCES, f"p:{period.pk}", count >= rules.absences_limit,
                           f"Пропусков без уважительной причины за {period.name}: {count}"))
        for kind, where, on, text in alerts:
            if not _crossed(event.school_id, student.pk, kind, where, on, key):
                continue
            for reader in (r for r in readers if r.student_id == student.pk):
                whose = "" if reader.is_pupil else f"{student.last_name} {student.first_name}. "
                yield News(kind=kind, school_id=event.school_id, user_id=reader.user_id, title=f"{whose}{text}",
                           body=standing.suggestion.explanation if kind != kinds.ABSENCES else "",
                           url=reverse("diary:subject", args=[student.pk, assignment.subject_id]),
                           student_id=student.pk)


def _crossed(school_id: int, student_id: int, kind: str, scope: str, on: bool, key: str) -> bool:
    """Whether the alert turned on with this event (it fires then, once); an alert that turns off is forgotten."""
    if not on:
        ThresholdState.objects.filter(student_id=student_id, kind=kind, scope=scope).delete()
        return False
    state, _ = ThresholdState.objects.get_or_create(student_id=student_id, kind=kind, scope=scope,
                                                    defaults={"school_id": school_id, "event_key": key})
    return state.event_key == key


def _final(event: Event, key: str) -> Iterator[News]:
    data = event.data
    if not data["after"] and not data["before"]:
        return
    student = Student.objects.get(pk=data["student_id"])
    assignment = TeachingAssignment.objects.select_related("subject").get(pk=data["assignment_id"])
    for reader in selectors.family_readers([student.pk]):
        if data["after"]:
            title = (f"Итоговая отметка{_whose(reader, student)} по предмету «{assignment.subject.name}» "
                     f"за {data['period_name']}: «{data['after']}»")
        else:
            title = (f"Итоговая отметка{_whose(reader, student)} по предмету «{assignment.subject.name}» "
                     f"за {data['period_name']} снята")
        yield News(kind=kinds.FINAL, school_id=event.school_id, user_id=reader.user_id, title=title,
                   url=reverse("diary:finals", args=[student.pk]), student_id=student.pk,
                   group_key=f"final:{assignment.pk}:{data['period_id']}:{student.pk}", before=data["before"],
                   after=data["after"])


def final_visible_on(event: Event) -> dt.date:
    """The day families see the final mark (the diary's rule): its news waits until then."""
    return finals_visible_from(dt.date.fromisoformat(event.data["period_end"]))


def _homework(event: Event, key: str) -> Iterator[News]:
    if not event.data["homework"]:
        return
    lesson = Lesson.objects.select_related("assignment__subject", "assignment__group").get(pk=event.data["lesson_id"])
    members = list(journal.member_spans(lesson.assignment.group, lesson.date, lesson.date))
    students = Student.objects.in_bulk(members)
    for reader in selectors.family_readers(members):
        student = students[reader.student_id]
        what = "Домашнее задание" if event.data["first"] else "Домашнее задание изменено"
        yield News(kind=kinds.HOMEWORK, school_id=event.school_id, user_id=reader.user_id,
                   title=f"{what}{_whose(reader, student)}: {_lesson_line(lesson)}",
                   body=event.data["homework"][:1000],
                   url=reverse("diary:week", args=[student.pk]) + f"?date={lesson.date:%Y-%m-%d}",
                   student_id=student.pk, group_key=f"homework:{lesson.pk}:{student.pk}")


def _message(event: Event, key: str) -> Iterator[News]:
    data = event.data
    students = data.get("student_ids") or []
    sender = data.get("sender_name", "")
    child = Student.objects.filter(pk=students[0]).first() if len(students) == 1 else None
    about = f" по поводу {name_genitive(child)}" if child is not None else ""  # the child named to his parents
    for user_id in dict.fromkeys(data.get("recipient_user_ids", [])):
        yield News(kind=kinds.MESSAGE, school_id=event.school_id, user_id=user_id,
                   title=f"Новое сообщение{f' от {sender}' if sender else ''}{about}: {data.get('subject', '')}",
                   url=data.get("url", ""), student_id=child.pk if child is not None else None)


def _announcement(event: Event, key: str) -> Iterator[News]:
    data = event.data
    for user_id in dict.fromkeys(data.get("recipient_user_ids", [])):
        yield News(kind=kinds.ANNOUNCEMENT, school_id=event.school_id, user_id=user_id,
                   title=f"Объявление: {data.get('title', '')}", url=data.get("url", ""),
                   body="Просим подтвердить ознакомление." if data.get("requires_ack") else "",
                   urgent=bool(data.get("urgent")))


def _help_request(event: Event, key: str) -> Iterator[News]:
    data = event.data
    for user_id in dict.fromkeys(data.get("recipient_user_ids", [])):
        yield News(kind=kinds.MESSAGE, school_id=event.school_id, user_id=user_id,
                   title=f"Новое обращение в поддержку: {data.get('title', '')}", url=data.get("url", ""))


def _report(event: Event, key: str) -> Iterator[News]:
    data = event.data
    if not event.school_id:
        return  # a department's file: its official's page tells him
    yield News(kind=kinds.REPORT, school_id=event.school_id, user_id=data["user_id"],
               title=f"Отчёт готов: {data['title']}", url=data["url"])


BUILDERS = {
    "journal.cells_saved": _cells,
    "journal.final_mark_set": _final,
    "journal.homework_set": _homework,
    "messaging.message_sent": _message,
    "messaging.announcement_published": _announcement,
    "messaging.request_created": _help_request,  # its answer comes as a message (message_sent)
    "reports.file_ready": _report,
}
