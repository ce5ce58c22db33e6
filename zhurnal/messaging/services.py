"""Every write of the mail, the announcements and the help desk. Each service checks the rule, owns its
transaction, records the audit entry and publishes its event (``core.events``) to be delivered after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from zhurnal.accounts.models import User
from zhurnal.audit.services import record
from zhurnal.audit.verbs import Verb
from zhurnal.core import events, idempotency
from zhurnal.core.tasks import enqueue_on_commit, schedule_on_commit
from zhurnal.school.models import Group, SchoolClass
from zhurnal.school.roles import SchoolRoles
from zhurnal.school.selectors import current_year

from . import permissions
from .attachments import CheckedFile, checked_uploads
from .models import (
    Announcement,
    AnnouncementRecipient,
    Attachment,
    Audience,
    ConsultationSlot,
    HelpRequest,
    Message,
    MessagingSettings,
    RequestStatus,
    Thread,
    ThreadParticipant,
)
from .people import SchoolPeople, school_people
from .permissions import GUARDIAN, STAFF, STUDENT, AddressBook

SUBJECT_MAX = 200
BODY_MAX = 20_000


def _clean_text(value: str, *, field: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: f"Заполните поле «{label}»."})
    if len(value) > limit:
        raise ValidationError({field: f"«{label}»: не больше {limit} знаков."})
    return value


def _save_files(files: Sequence[CheckedFile], *, actor: User, school_id: int, owners: Iterable[dict]) -> None:
    """Store each file once and give it to every owner (a message sent to each of a group gets the same files)."""
    owners = list(owners)
    if not files or not owners:
        return
    rows = []
    for checked in files:
        first = Attachment(school_id=school_id, name=checked.name, size=checked.size,
                           content_type=checked.content_type, uploaded_by=actor, **owners[0])
        first.file.save(checked.stored_name, checked.upload, save=False)
        rows.append(first)
        rows.extend(Attachment(school_id=school_id, name=checked.name, size=checked.size,
                               content_type=checked.content_type, uploaded_by=actor, file=first.file.name, **owner)
                    for owner in owners[1:])
    Attachment.objects.bulk_create(rows)


# --- mail ------------------------------------------------------------------------------------------------------------


def resolve_recipients(book: AddressBook, *, user_ids: Iterable[int], group_keys: Iterable[str]) -> list[int]:
    """The people a message goes to: those chosen one by one and the members of the chosen groups. Anyone the
    rule does not let the sender write to is an error (a forged form), never silently dropped."""
    chosen: set[int] = set()
    for key in group_keys:
        group = book.group(key)
        if group is None:
            raise ValidationError({"to": "Этой группе вы не можете написать."})
        chosen |= group.user_ids
    for user_id in user_ids:
        if user_id not in book.contacts:
            raise ValidationError({"to": "Этому адресату вы не можете написать."})
        chosen.add(user_id)
    if not chosen:
        raise ValidationError({"to": "Выберите, кому написать."})
    return sorted(chosen)


def _thread_child(book: AddressBook, recipient_ids: list[int], roles: SchoolRoles, people: SchoolPeople,
                  student_id: int | None) -> int | None:
    """The child a one-to-one conversation is about: the one chosen, else the only child linking the two."""
    if len(recipient_ids) != 1:
        return None
    contact = book.contacts[recipient_ids[0]]
    if contact.kind in (GUARDIAN, STUDENT):
        options = set(contact.student_ids)
    else:  # a parent writing to staff: his children
        options = {s for g, p in people.guardians.items() if p.user_id == roles.user_id
                   for s in people.children_of[g]}
    if student_id is not None:
        if student_id not in options:
            raise ValidationError({"student": "Выберите ребёнка из списка."})
        return student_id
    return next(iter(options)) if len(options) == 1 else None


@transaction.atomic
def send_message(*, actor: User, roles: SchoolRoles, subject: str, body: str, user_ids: Iterable[int] = (),
                 group_keys: Iterable[str] = (), student_id: int | None = None, uploads: Sequence[Any] = (),
                 key: Any = None, people: SchoolPeople | None = None) -> list[Thread]:
    """Start a conversation. To several people of whom any is a pupil or a parent, each gets his own thread
    (families never see each other's names or answers); to colleagues only, one thread for all."""
    school = roles.school
    if school is None or actor is None:
        raise PermissionDenied
    replayed = idempotency.replay(key, school_id=school.pk, verb="message", scope={})
    if replayed is not None:
        return list(Thread.objects.filter(pk__in=replayed["threads"]).order_by("pk"))
    subject = _clean_text(subject, field="subject", label="Тема", limit=SUBJECT_MAX)
    body = _clean_text(body, field="body", label="Сообщение", limit=BODY_MAX)
    people = people or school_people(school)
    book = permissions.address_book(roles, people)
    recipients = resolve_recipients(book, user_ids=user_ids, group_keys=group_keys)
    files = checked_uploads(uploads)
    separate = len(recipients) > 1 and any(book.contacts[r].kind != STAFF for r in recipients)
    batches = [[r] for r in recipients] if separate else [recipients]
    now = timezone.now()
    threads = []
    for batch in batches:
        child = _thread_child(book, batch, roles, people, student_id)
        threads.append(Thread(school=school, subject=subject, student_id=child, created_by=actor,
                              last_message_at=now))
    Thread.objects.bulk_create(threads)
    participants = []
    messages = []
    for thread, batch in zip(threads, batches, strict=True):
        participants.append(ThreadParticipant(school=school, thread=thread, user=actor, has_sent=True,
                                              last_read_at=now))
        participants.extend(ThreadParticipant(school=school, thread=thread, user_id=r, unread=True,
                                              has_received=True) for r in batch)
        messages.append(Message(school=school, thread=thread, sender=actor, body=body))
    ThreadParticipant.objects.bulk_create(participants)
    Message.objects.bulk_create(messages)
    if not all(m.pk for m in messages):  # a database that does not return the ids of a bulk insert
        by_thread = dict(Message.objects.filter(thread__in=threads).values_list("thread_id", "pk"))
        for message in messages:
            message.pk = by_thread[message.thread_id]
    _save_files(files, actor=actor, school_id=school.pk, owners=({"message_id": m.pk} for m in messages))
    record(actor=actor, verb=Verb.MESSAGING_MESSAGE_SENT, target=threads[0], school=school,
           after={"threads": len(threads), "recipients": len(recipients), "files": len(files)})
    sender_name = actor.display_name
    for thread, message, batch in zip(threads, messages, batches, strict=True):
        events.publish("messaging.message_sent", school_id=school.pk, actor_id=actor.pk, message_id=message.pk,
                       thread_id=thread.pk, recipient_user_ids=list(batch), subject=subject,
                       sender_name=sender_name, url=reverse("messaging:thread", args=[thread.pk]),
                       student_id=thread.student_id, student_ids=[thread.student_id] if thread.student_id else [])
    idempotency.remember(key, school_id=school.pk, actor=actor, verb="message",
                         result={"threads": [t.pk for t in threads]})
    return threads


@transaction.atomic
def reply(*, actor: User, thread: Thread, body: str, uploads: Sequence[Any] = (), key: Any = None) -> Message:
    """An answer in a thread, to everyone else in it."""
    replayed = idempotency.replay(key, school_id=thread.school_id, verb="reply", scope={"thread": thread.pk})
    if replayed is not None:
        return Message.objects.get(pk=replayed["message"])
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    me = ThreadParticipant.objects.filter(thread=thread, user=actor).first()
    if me is None:
        raise PermissionDenied
    body = _clean_text(body, field="body", label="Ответ", limit=BODY_MAX)
    files = checked_uploads(uploads)
    now = timezone.now()
    message = Message.objects.create(school_id=thread.school_id, thread=thread, sender=actor, body=body)
    _save_files(files, actor=actor, school_id=thread.school_id, owners=[{"message_id": message.pk}])
    others = ThreadParticipant.objects.filter(thread=thread).exclude(pk=me.pk)
    recipient_ids = sorted(others.values_list("user_id", flat=True))
    others.update(unread=True, has_received=True)
    ThreadParticipant.objects.filter(pk=me.pk).update(has_sent=True, unread=False, last_read_at=now)
    Thread.objects.filter(pk=thread.pk).update(last_message_at=now)
    record(actor=actor, verb=Verb.MESSAGING_REPLY, target=thread, after={"message": message.pk, "files": len(files)})
    events.publish("messaging.message_sent", school_id=thread.school_id, actor_id=actor.pk, message_id=message.pk,
                   thread_id=thread.pk, recipient_user_ids=recipient_ids, subject=thread.subject,
                   sender_name=actor.display_name, url=reverse("messaging:thread", args=[thread.pk]),
                   student_id=thread.student_id, student_ids=[thread.student_id] if thread.student_id else [])
    idempotency.remember(key, school_id=thread.school_id, actor=actor, verb="reply",
                         result={"thread": thread.pk, "message": message.pk})
    return message


def mark_thread_read(*, user: Any, thread: Thread) -> None:
    """He opened the thread: nothing in it is new to him any more (one UPDATE, none when it was read)."""
    ThreadParticipant.objects.filter(thread=thread, user=user, unread=True).update(
        unread=False, last_read_at=timezone.now())


@transaction.atomic
def save_messaging_settings(*, actor: User, school: Any, parents_to_parents: bool,
                            students_to_students: bool) -> MessagingSettings:
    settings, _ = MessagingSettings.objects.select_for_update().get_or_create(school=school)
    before = {"parents_to_parents": settings.parents_to_parents,
              "students_to_students": settings.students_to_students}
    settings.parents_to_parents = parents_to_parents
    settings.students_to_students = students_to_students
    settings.save()
    record(actor=actor, verb=Verb.MESSAGING_SETTINGS, target=settings, school=school, before=before,
           after={"parents_to_parents": parents_to_parents, "students_to_students": students_to_students})
    return settings


# --- announcements ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scopes:
    """Where a person may publish: the whole school, parallels, classes (id → name), groups (id → name)."""

    school: bool
    grades: list[int]
    classes: dict[int, str]
    groups: dict[int, str]


def announcement_scopes(roles: SchoolRoles) -> Scopes:
    """The administration anywhere in the current year; a class teacher in his classes; a teacher in the groups he
    teaches (two small queries: the form and the service ask it on every publication)."""
    year = current_year(roles.school) if roles.school is not None else None
    if year is None or not permissions.publishes_announcements(roles):
        return Scopes(False, [], {}, {})
    classes = SchoolClass.objects.filter(year=year).order_by("grade", "letter")
    groups = Group.objects.filter(year=year).order_by("name", "pk")
    if not roles.is_school_reader:
        classes = classes.filter(pk__in=sorted(roles.led_class_ids))
        groups = groups.filter(pk__in=sorted(roles.taught_group_ids))
    class_rows = {pk: f"{grade}{letter}" for pk, grade, letter in classes.values_list("pk", "grade", "letter")}
    grades = sorted(set(classes.values_list("grade", flat=True))) if roles.is_school_reader else []
    return Scopes(roles.is_school_reader, grades, class_rows, dict(groups.values_list("pk", "name")))


def announcement_readers(people: SchoolPeople, *, audience: str, grade: int | None, class_id: int | None,
                         group_id: int | None, to_staff: bool, to_students: bool,
                         to_parents: bool) -> dict[int, tuple[str, str]]:
    """user id → (kind, label) of everyone an announcement reaches."""
    if audience == Audience.SCHOOL:
        pupils = set(people.pupils)
        staff = set(people.staff)
    elif audience == Audience.GRADE:
        classes = {c for c, g in people.class_grade.items() if g == grade}
        pupils = {s for c in classes for s in people.class_pupils.get(c, ())}
        staff = {t for c in classes for t in people.teachers_of_class(c)}
    elif audience == Audience.CLASS:
        pupils = set(people.class_pupils.get(class_id, ())) if class_id is not None else set()
        staff = people.teachers_of_class(class_id) if class_id is not None else set()
    else:
        pupils = set(people.group_members.get(group_id, ())) if group_id is not None else set()
        staff = set(people.group_teachers.get(group_id, ())) & set(people.staff) if group_id is not None else set()
    readers: dict[int, tuple[str, str]] = {}
    if to_staff:
        for staff_id in staff:
            readers[people.staff[staff_id].user_id] = (STAFF, people.staff_label(staff_id))
    for student_id in sorted(pupils):
        if to_students and (user_id := people.pupils[student_id].user_id) is not None:
            readers.setdefault(user_id, (STUDENT, people.pupil_label(student_id)))
        if to_parents:
            for guardian_id in people.guardians_of.get(student_id, ()):
                user_id = people.guardians[guardian_id].user_id
                kind, label = readers.get(user_id, (GUARDIAN, "родитель:"))
                if kind == GUARDIAN:
                    readers[user_id] = (GUARDIAN, f"{label} {people.pupil_label(student_id)};")
    return {u: (k, label.rstrip(";")) for u, (k, label) in readers.items()}


@transaction.atomic
def publish_announcement(
    *, actor: User, roles: SchoolRoles, title: str, body: str, audience: str, grade: int | None = None,
    school_class: SchoolClass | None = None, group: Group | None = None, to_staff: bool = False,
    to_students: bool = False, to_parents: bool = False, publish_at: dt.datetime | None = None,
    expires_at: dt.datetime | None = None, pinned: bool = False, requires_ack: bool = False,
    is_regulation: bool = False, urgent: bool = False, event_date: dt.date | None = None,
    uploads: Sequence[Any] = (), now: dt.datetime | None = None,
) -> Announcement:
    """An announcement, accepted at once: its readers' rows (a thousand parents of a school) are written by the
    queue's job ``fan_out`` after commit, in one bulk insert, and the readers are told then."""
    school = roles.school
    if school is None or not permissions.publishes_announcements(roles):
        raise PermissionDenied
    now = now or timezone.now()
    title = _clean_text(title, field="title", label="Заголовок", limit=SUBJECT_MAX)
    body = _clean_text(body, field="body", label="Текст", limit=BODY_MAX)
    if not (to_staff or to_students or to_parents):
        raise ValidationError({"readers": "Отметьте, кому объявление: сотрудникам, обучающимся или родителям."})
    scopes = announcement_scopes(roles)
    class_id = school_class.pk if school_class is not None else None
    group_id = group.pk if group is not None else None
    if audience not in Audience.values:
        raise ValidationError({"audience": "Выберите, для кого объявление."})
    if audience == Audience.SCHOOL and not scopes.school:
        raise ValidationError({"audience": "Объявление для всей школы публикует администрация."})
    if audience == Audience.GRADE and grade not in scopes.grades:
        raise ValidationError({"grade": "Выберите параллель из списка."})
    if audience == Audience.CLASS and class_id not in scopes.classes:
        raise ValidationError({"school_class": "Выберите класс из списка: для других классов публиковать нельзя."})
    if audience == Audience.GROUP and group_id not in scopes.groups:
        raise ValidationError({"group": "Выберите группу из списка: для других групп публиковать нельзя."})
    publish_at = publish_at or now
    if expires_at is not None and expires_at <= publish_at:
        raise ValidationError({"expires_at": "Дата снятия с публикации должна быть позже даты публикации."})
    requires_ack = requires_ack or is_regulation
    files = checked_uploads(uploads)
    announcement = Announcement.objects.create(
        school=school, author=actor, title=title, body=body, event_date=event_date, audience=audience,
        grade=grade if audience == Audience.GRADE else None,
        school_class_id=class_id if audience == Audience.CLASS else None,
        group_id=group_id if audience == Audience.GROUP else None, to_staff=to_staff, to_students=to_students,
        to_parents=to_parents, publish_at=publish_at, expires_at=expires_at, pinned=pinned,
        requires_ack=requires_ack, is_regulation=is_regulation, urgent=urgent)
    _save_files(files, actor=actor, school_id=school.pk, owners=[{"announcement_id": announcement.pk}])
    record(actor=actor, verb=Verb.MESSAGING_ANNOUNCEMENT, target=announcement,
           after={"title": title, "audience": audience, "requires_ack": requires_ack})
    from .tasks import fan_out

    enqueue_on_commit(fan_out, announcement.pk)
    return announcement


@transaction.atomic
def fan_out_announcement(*, announcement_id: int, people: SchoolPeople | None = None,
                         now: dt.datetime | None = None) -> int:
    """Fix an announcement's readers (one bulk insert) and tell them once it is published; a second run (a retried
    job) adds nobody. Returns the number of readers."""
    announcement = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
    if announcement is None:
        return 0
    if AnnouncementRecipient.objects.filter(announcement=announcement).exists():
        return announcement.recipient_count
    now = now or timezone.now()
    people = people or school_people(announcement.school, timezone.localdate(announcement.publish_at))
    readers = announcement_readers(people, audience=announcement.audience, grade=announcement.grade,
                                   class_id=announcement.school_class_id, group_id=announcement.group_id,
                                   to_staff=announcement.to_staff, to_students=announcement.to_students,
                                   to_parents=announcement.to_parents)
    if announcement.author_id is not None:
        readers.pop(announcement.author_id, None)
    AnnouncementRecipient.objects.bulk_create(
        [AnnouncementRecipient(school_id=announcement.school_id, announcement=announcement, user_id=user_id,
                               kind=kind, label=label[:200]) for user_id, (kind, label) in readers.items()],
        batch_size=1000)
    announcement.recipient_count = len(readers)
    announcement.announced = announcement.publish_at <= now
    announcement.save(update_fields=["recipient_count", "announced"])
    if announcement.announced:
        _tell_published(announcement, sorted(readers))
    else:
        from .tasks import announce

        schedule_on_commit(announce, announcement.pk, eta=announcement.publish_at)
    return len(readers)


def _tell_published(announcement: Announcement, recipient_ids: list[int]) -> None:
    events.publish("messaging.announcement_published", school_id=announcement.school_id,
                   actor_id=announcement.author_id, announcement_id=announcement.pk,
                   recipient_user_ids=recipient_ids, title=announcement.title,
                   url=reverse("messaging:announcement", args=[announcement.pk]),
                   needs_ack=announcement.requires_ack,
                   requires_ack=announcement.requires_ack, urgent=announcement.urgent)


@transaction.atomic
def announce_when_due(*, announcement_id: int, now: dt.datetime | None = None) -> bool:
    """Tell the readers of an announcement published for later, once its time has come (the queue's job)."""
    now = now or timezone.now()
    announcement = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
    if announcement is None or announcement.announced or announcement.publish_at > now:
        return False
    Announcement.objects.filter(pk=announcement.pk).update(announced=True)
    _tell_published(announcement, sorted(announcement.recipients.values_list("user_id", flat=True)))
    return True


def mark_announcement_read(*, user: Any, announcement: Announcement) -> None:
    AnnouncementRecipient.objects.filter(announcement=announcement, user=user, read_at__isnull=True).update(
        read_at=timezone.now())


@transaction.atomic
def acknowledge_announcement(*, actor: User, announcement: Announcement) -> AnnouncementRecipient:
    """«Ознакомлен»: kept with its time (for a local act, the school's record of making it known)."""
    row = AnnouncementRecipient.objects.select_for_update().filter(announcement=announcement, user=actor).first()
    if row is None:
        raise PermissionDenied
    if not announcement.requires_ack:
        raise ValidationError("Это объявление не требует подтверждения.")
    if row.acknowledged_at is not None:
        return row
    now = timezone.now()
    row.acknowledged_at = now
    row.read_at = row.read_at or now
    row.save(update_fields=["acknowledged_at", "read_at"])
    record(actor=actor, verb=Verb.MESSAGING_ACKNOWLEDGED, target=announcement, after={"at": now.isoformat()})
    events.publish("messaging.announcement_acknowledged", school_id=announcement.school_id, actor_id=actor.pk,
                   announcement_id=announcement.pk, author_user_id=announcement.author_id)
    return row


@transaction.atomic
def change_announcement(*, actor: User, roles: SchoolRoles, announcement: Announcement, pinned: bool | None = None,
                        withdraw: bool = False) -> Announcement:
    """Pin or unpin it, or take it off publication now (its readers and acknowledgements stay)."""
    if not permissions.can_edit_announcement(roles, announcement):
        raise PermissionDenied
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    before = {"pinned": announcement.pinned, "expires_at": str(announcement.expires_at or "")}
    if pinned is not None:
        announcement.pinned = pinned
    if withdraw:
        now = timezone.now()
        announcement.expires_at = max(now, announcement.publish_at + dt.timedelta(seconds=1))
    announcement.save(update_fields=["pinned", "expires_at"])
    record(actor=actor, verb=Verb.MESSAGING_ANNOUNCEMENT_CHANGE, target=announcement, before=before,
           after={"pinned": announcement.pinned, "expires_at": str(announcement.expires_at or "")})
    return announcement


# --- help desk -------------------------------------------------------------------------------------------------------


def _journal_admin_user_ids(people: SchoolPeople) -> list[int]:
    from zhurnal.school.models import Position

    return sorted(people.staff[s].user_id for s, pos in people.positions.items()
                  if Position.JOURNAL_ADMIN in pos and s in people.staff)


@transaction.atomic
def submit_help_request(*, actor: User, roles: SchoolRoles, name: str, position: str = "", class_name: str = "",
                        problem: str, page: str = "", uploads: Sequence[Any] = (), key: Any = None) -> HelpRequest:
    """A request to the journal administrator: staff say their position, families their class (seed 000)."""
    school = roles.school
    if school is None or not permissions.asks_for_help(roles):
        raise PermissionDenied
    replayed = idempotency.replay(key, school_id=school.pk, verb="help_request", scope={})
    if replayed is not None:
        return HelpRequest.objects.get(pk=replayed["request"])
    name = _clean_text(name, field="name", label="Фамилия, имя, отчество", limit=200)
    if roles.staff is not None:
        position = _clean_text(position, field="position", label="Должность", limit=200)
        class_name = ""
    else:
        class_name = _clean_text(class_name, field="class_name", label="Класс", limit=20)
        position = ""
    problem = _clean_text(problem, field="problem", label="Суть проблемы", limit=BODY_MAX)
    files = checked_uploads(uploads)
    request = HelpRequest.objects.create(school=school, author=actor, name=name, position=position,
                                         class_name=class_name, problem=problem, page=(page or "")[:300])
    _save_files(files, actor=actor, school_id=school.pk, owners=[{"help_request_id": request.pk}])
    record(actor=actor, verb=Verb.MESSAGING_HELP_REQUEST, target=request, after={"files": len(files)})
    admins = [u for u in _journal_admin_user_ids(school_people(school)) if u != actor.pk]
    events.publish("messaging.request_created", school_id=school.pk, actor_id=actor.pk, request_id=request.pk,
                   recipient_user_ids=admins, title=f"Обращение № {request.pk}: {name}",
                   url=reverse("messaging:help_request", args=[request.pk]))
    idempotency.remember(key, school_id=school.pk, actor=actor, verb="help_request", result={"request": request.pk})
    return request


@transaction.atomic
def set_help_request_status(*, actor: User, roles: SchoolRoles, request: HelpRequest, status: str) -> HelpRequest:
    if not permissions.handles_help_requests(roles) or roles.school is None or request.school_id != roles.school.pk:
        raise PermissionDenied
    if status not in RequestStatus.values:
        raise ValidationError({"status": "Выберите состояние из списка."})
    request = HelpRequest.objects.select_for_update().get(pk=request.pk)
    before = request.status
    request.status = status
    request.save(update_fields=["status", "updated_at"])
    record(actor=actor, verb=Verb.MESSAGING_HELP_STATUS, target=request, before=before, after=status)
    return request


@transaction.atomic
def answer_help_request(*, actor: User, roles: SchoolRoles, request: HelpRequest, body: str,
                        uploads: Sequence[Any] = ()) -> Message:
    """The administrator's answer goes by mail, in the request's own thread; the request is then «дан ответ»."""
    if not permissions.handles_help_requests(roles) or roles.school is None or request.school_id != roles.school.pk:
        raise PermissionDenied
    request = HelpRequest.objects.select_for_update().get(pk=request.pk)
    body = _clean_text(body, field="body", label="Ответ", limit=BODY_MAX)
    thread = request.thread
    if thread is None:
        now = timezone.now()
        thread = Thread.objects.create(school_id=request.school_id, subject=f"Обращение № {request.pk}",
                                       created_by=actor, last_message_at=now)
        ThreadParticipant.objects.bulk_create([
            ThreadParticipant(school_id=request.school_id, thread=thread, user=actor),
            ThreadParticipant(school_id=request.school_id, thread=thread, user_id=request.author_id),
        ])
        request.thread = thread
    elif not ThreadParticipant.objects.filter(thread=thread, user=actor).exists():
        ThreadParticipant.objects.create(school_id=request.school_id, thread=thread, user=actor)
    message = reply(actor=actor, thread=thread, body=body, uploads=uploads)
    before = request.status
    request.status = RequestStatus.ANSWERED
    request.save(update_fields=["status", "thread", "updated_at"])
    record(actor=actor, verb=Verb.MESSAGING_HELP_ANSWER, target=request, before=before, after=request.status)
    events.publish("messaging.request_answered", school_id=request.school_id, actor_id=actor.pk,
                   request_id=request.pk, recipient_user_ids=[request.author_id], status=request.status,
                   title=f"Ответ на обращение № {request.pk}", url=reverse("messaging:thread", args=[thread.pk]))
    return message


@transaction.atomic
def add_consultation_slot(*, actor: User, roles: SchoolRoles, weekday: int, start: dt.time, end: dt.time,
                          place: str = "") -> ConsultationSlot:
    if not permissions.manages_messaging(roles) or roles.school is None:
        raise PermissionDenied
    if not 1 <= weekday <= 7:
        raise ValidationError({"weekday": "Выберите день недели."})
    if start >= end:
        raise ValidationError({"end": "Время окончания должно быть позже начала."})
    slot = ConsultationSlot.objects.create(school=roles.school, weekday=weekday, start=start, end=end,
                                           place=(place or "").strip()[:120])
    record(actor=actor, verb=Verb.MESSAGING_CONSULTATION_ADD, target=slot, school=roles.school,
           after={"weekday": weekday, "start": str(start), "end": str(end), "place": slot.place})
    return slot


@transaction.atomic
def remove_consultation_slot(*, actor: User, roles: SchoolRoles, slot: ConsultationSlot) -> None:
    if not permissions.manages_messaging(roles) or roles.school is None or slot.school_id != roles.school.pk:
        raise PermissionDenied
    record(actor=actor, verb=Verb.MESSAGING_CONSULTATION_REMOVE, target=slot, school=roles.school,
           before={"weekday": slot.weekday, "start": str(slot.start), "end": str(slot.end), "place": slot.place})
    slot.delete()
