"""Writes of what happened in a lesson: topic, homework (with files, and per student), control type."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from zhurnal.accounts.models import User
from zhurnal.audit.services import record, record_many
from zhurnal.audit.verbs import Verb
from zhurnal.core import events, idempotency, uploads
from zhurnal.core.dates import today as school_today
from zhurnal.planning.sequence import ContentChange
from zhurnal.school.models import Student
from zhurnal.timetable.models import Lesson

from .. import queries, selectors
from ..models import (
    HomeworkAttachment,
    IndividualHomework,
    LessonRecord,
    WorkType,
)
from .common import UNSET, _actor, _lesson_context, _locked_lesson, _not_given_message, _require_open

HOMEWORK_MAX_BYTES = getattr(settings, "ZHURNAL_HOMEWORK_MAX_BYTES", settings.ZHURNAL_MAX_UPLOAD_BYTES)
HOMEWORK_MAX_FILES = 10
HOMEWORK_KINDS = uploads.HOMEWORK_KINDS


TEXT_LIMITS = {"topic": ("Тема урока", 500), "homework": ("Домашнее задание", 4000), "notes": ("Примечания", 2000)}


def _limited_text(name: str, text: str) -> str:
    """A text of the lesson's record without its outer spaces, refused (by field) when longer than its limit."""
    label, limit = TEXT_LIMITS[name]
    text = text.strip()
    if len(text) > limit:
        raise ValidationError({name: f"{label} — не длиннее {limit} знаков."})
    return text


@transaction.atomic
def save_lesson_record(
    *, actor: User, lesson: Lesson, topic: str = UNSET, homework: str = UNSET, control_type: WorkType | None = UNSET,
    homework_due: dt.date | None = UNSET, notes: str = UNSET, reason: str = "", today: dt.date | None = None,
) -> Lesson:
    """Topic and homework (on the lesson), control type, due date and notes (on its record). Only the fields
    given change; one audit entry lists them old → new."""
    today = today or school_today()
    lesson = _locked_lesson(lesson)
    context = _lesson_context(lesson, today=today)
    reason = _require_open(context, today=today, reason=reason)
    record_row = LessonRecord.objects.filter(lesson=lesson).first()
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    lesson_fields = []
    for name, text in (("topic", topic), ("homework", homework)):
        if text is UNSET:
            continue
        if name == "homework" and text.strip() and not context.marks_allowed:
            raise ValidationError({"homework": _not_given_message(context, "homework")})
        text = _limited_text(name, text)
        if text != getattr(lesson, name):
            before[name], after[name] = getattr(lesson, name), text
            setattr(lesson, name, text)
            lesson_fields.append(name)
    record_changes: dict[str, Any] = {}
    if control_type is not UNSET:
        if control_type is not None and control_type.school_id != lesson.school_id:
            raise ValidationError({"control_type": "Вид контроля другой школы."})
        current = record_row.control_type_id if record_row else None
        new = control_type.pk if control_type is not None else None
        if current != new:
            before["control_type"] = record_row.control_type.name if record_row and record_row.control_type else ""
            after["control_type"] = control_type.name if control_type is not None else ""
            record_changes["control_type"] = control_type
    if homework_due is not UNSET:
        if homework_due is not None and homework_due <= lesson.date:
            raise ValidationError({"homework_due": "Срок домашнего задания — позже дня урока."})
        year_end = lesson.assignment.year.end
        if homework_due is not None and homework_due > year_end:
            raise ValidationError({"homework_due": f"Срок домашнего задания {homework_due:%d.%m.%Y} — после конца "
                                                   f"учебного года ({year_end:%d.%m.%Y})."})
        if homework_due is not None and not context.marks_allowed:
            raise ValidationError({"homework_due": _not_given_message(context, "homework")})
        current_due = record_row.homework_due if record_row else None
        if current_due != homework_due:
            before["homework_due"] = str(current_due) if current_due else ""
            after["homework_due"] = str(homework_due) if homework_due else ""
            record_changes["homework_due"] = homework_due
    if notes is not UNSET:
        notes = _limited_text("notes", notes)
        if notes != (record_row.notes if record_row else ""):
            before["notes"], after["notes"] = (record_row.notes if record_row else ""), notes
            record_changes["notes"] = notes
    if lesson_fields:
        lesson.save(update_fields=[*lesson_fields, "updated_at"])
    if record_changes:
        record_row = record_row or LessonRecord(school_id=lesson.school_id, lesson=lesson)
        for name, value in record_changes.items():
            setattr(record_row, name, value)
        record_row.save()
    if after:
        if context.late:
            after["late"] = True
        record(actor=actor, verb=Verb.JOURNAL_LESSON, target=lesson, before=before, after=after, reason=reason)
        if "homework" in after or "homework_due" in after:
            author = _actor(actor)
            events.publish("journal.homework_set", school_id=lesson.school_id,
                           actor_id=author.pk if author is not None else None, lesson_id=lesson.pk,
                           homework=lesson.homework, first=not before.get("homework", lesson.homework))
    return lesson


@transaction.atomic
def add_homework_attachment(
    *, actor: User, lesson: Lesson, upload: Any, key: uuid.UUID | str | None = None, today: dt.date | None = None,
) -> HomeworkAttachment:
    """A file to the homework: size and type limited; a retried upload with the same key adds nothing."""
    today = today or school_today()
    lesson = _locked_lesson(lesson)
    replayed = idempotency.replay(key, school_id=lesson.school_id, verb="attachment", scope={"lesson": lesson.pk})
    if replayed is not None:
        return HomeworkAttachment.objects.get(pk=replayed["attachment"])
    context = _lesson_context(lesson, today=today)
    if not context.marks_allowed:
        raise ValidationError({"file": _not_given_message(context, "homework")})
    _require_open(context, today=today, reason="", reason_when_late=False)
    checked = uploads.check_upload(upload, HOMEWORK_KINDS, max_bytes=HOMEWORK_MAX_BYTES)
    if HomeworkAttachment.objects.filter(lesson=lesson).count() >= HOMEWORK_MAX_FILES:
        raise ValidationError({"file": f"К уроку можно приложить не больше {HOMEWORK_MAX_FILES} файлов."})
    stored_name = get_valid_filename(f"{uuid.uuid4().hex[:12]}{checked.extension}")
    attachment = HomeworkAttachment(school_id=lesson.school_id, lesson=lesson, name=checked.name, size=checked.size,
                                    content_type=checked.content_type, uploaded_by=_actor(actor))
    attachment.file.save(stored_name, upload, save=False)
    attachment.save()
    record(actor=actor, verb=Verb.JOURNAL_ATTACHMENT_ADD, target=lesson,
           after={"file": attachment.name, "size": checked.size, "attachment": attachment.pk})
    idempotency.remember(key, school_id=lesson.school_id, actor=actor, verb="attachment",
              result={"lesson": lesson.pk, "attachment": attachment.pk})
    return attachment


@transaction.atomic
def remove_homework_attachment(*, actor: User, attachment: HomeworkAttachment, today: dt.date | None = None) -> None:
    today = today or school_today()
    lesson = _locked_lesson(attachment.lesson)
    context = _lesson_context(lesson, today=today)
    _require_open(context, today=today, reason="", reason_when_late=False)
    record(actor=actor, verb=Verb.JOURNAL_ATTACHMENT_REMOVE, target=lesson,
           before={"file": attachment.name, "size": attachment.size, "attachment": attachment.pk})
    stored = attachment.file.name or ""
    storage = attachment.file.storage
    attachment.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def save_individual_homework(
    *, actor: User, lesson: Lesson, student: Student, text: str, today: dt.date | None = None,
) -> IndividualHomework | None:
    """Homework for one student at this lesson; an empty text removes it."""
    today = today or school_today()
    lesson = _locked_lesson(lesson)
    context = _lesson_context(lesson, today=today)
    text = text.strip()
    if text and not context.marks_allowed:
        raise ValidationError({"text": _not_given_message(context, "homework")})
    _require_open(context, today=today, reason="", reason_when_late=False)
    if not selectors.is_member_on(lesson.assignment.group, student, lesson.date):
        raise ValidationError({"student": f"{student.short_name} не учился в группе {lesson.date:%d.%m.%Y}."})
    row = IndividualHomework.objects.filter(lesson=lesson, student=student).first()
    before = row.text if row else ""
    if before == text:
        return row
    if text:
        row = row or IndividualHomework(school_id=lesson.school_id, lesson=lesson, student=student)
        row.text = text
        row.save()
    elif row is not None:
        row.delete()
        row = None
    record(actor=actor, verb=Verb.JOURNAL_INDIVIDUAL_HOMEWORK, target=lesson,
           before={"student": student.pk, "text": before}, after={"student": student.pk, "text": text})
    return row


@transaction.atomic
def write_plan_content(*, actor: User, verb: Verb, school: Any, changes: list[ContentChange], conflict: str) -> None:
    """The topics and homework the КТП gives lessons (registered with ``planning.sequence``): the journal, which
    owns what happened in a lesson, writes them. The plan holds the lessons' row locks and has asked the journal's
    period lock (``closed_period_message``); a lesson whose topic or homework changed since the plan read it
    refuses the whole change with ``conflict``. Every change is audited under ``verb`` (old → new)."""
    if not changes:
        return
    now = timezone.now()
    queries.write_lesson_contents([
        queries.ContentRow(lesson_id=change.lesson.pk, topic=change.topic, homework=change.homework,
                           old_topic=change.old_topic, old_homework=change.old_homework) for change in changes], now)
    expected = {change.lesson.pk: (change.topic, change.homework) for change in changes}
    written = {pk: (topic, homework) for pk, topic, homework in
               Lesson.objects.filter(pk__in=expected).values_list("pk", "topic", "homework")}
    if written != expected:
        raise ValidationError({"lesson": conflict})
    audited = []
    for change in changes:
        lesson = change.lesson
        lesson.topic, lesson.homework, lesson.updated_at = change.topic, change.homework, now
        before, after = {"topic": change.old_topic}, {"topic": change.topic}
        if change.homework != change.old_homework:
            before["homework"], after["homework"] = change.old_homework, change.homework
        audited.append((lesson, before, after))
    record_many(actor=_actor(actor), verb=verb, school=school, changes=audited)
