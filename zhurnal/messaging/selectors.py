"""Every read of the mail, the announcements and the help desk pages, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from zhurnal.core.declension import name_genitive
from zhurnal.school.roles import SchoolRoles

from . import permissions
from .models import (
    Announcement,
    AnnouncementRecipient,
    Attachment,
    ConsultationSlot,
    HelpRequest,
    Message,
    Thread,
    ThreadParticipant,
)

PAGE_SIZE = 30
WEEKDAYS = {1: "понедельник", 2: "вторник", 3: "среда", 4: "четверг", 5: "пятница", 6: "суббота",
            7: "воскресенье"}


def unread_count(*, school_id: int, user_id: int) -> int:
    """Threads with something he has not read: the header's figure (one query)."""
    return ThreadParticipant.objects.filter(school_id=school_id, user_id=user_id, unread=True).count()


@dataclass(frozen=True)
class ThreadRow:
    pk: int
    subject: str
    last_message_at: object
    unread: bool
    others: str  # the other participants' names
    snippet: str
    child: str  # «о ребёнке: Иванов Иван» or ""


def _mailbox(roles: SchoolRoles, *, box: str, query: str = "", limit: int = PAGE_SIZE) -> list[ThreadRow]:
    """The inbox («received») or the sent box, newest first, optionally searched (subject or any message's
    text): three queries whatever the number of threads."""
    if roles.user_id is None:
        return []
    mine = ThreadParticipant.objects.filter(school=roles.school, user_id=roles.user_id)
    mine = mine.filter(has_received=True) if box == "inbox" else mine.filter(has_sent=True)
    threads = Thread.objects.filter(school=roles.school, pk__in=mine.values("thread_id"))
    query = (query or "").strip()
    if query:
        matching = Message.objects.filter(thread=OuterRef("pk"), body__icontains=query)
        threads = threads.filter(Q(subject__icontains=query) | Exists(matching))
    last_body = Message.objects.filter(thread=OuterRef("pk")).order_by("-created_at", "-id").values("body")[:1]
    my_unread = ThreadParticipant.objects.filter(thread=OuterRef("pk"), user_id=roles.user_id).values("unread")[:1]
    threads = (threads.annotate(snippet=Subquery(last_body), unread=Subquery(my_unread))
               .select_related("student").order_by("-last_message_at", "-pk")[:limit])
    found = list(threads)
    names: dict[int, list[str]] = {}
    for thread_id, last, first in (ThreadParticipant.objects.filter(thread__in=[t.pk for t in found])
                                   .exclude(user_id=roles.user_id).order_by("user__last_name", "user__first_name")
                                   .values_list("thread_id", "user__last_name", "user__first_name")):
        names.setdefault(thread_id, []).append(f"{last} {first}".strip())
    rows = []
    for thread in found:
        others = names.get(thread.pk, [])
        shown = ", ".join(others[:3]) + (f" и ещё {len(others) - 3}" if len(others) > 3 else "")
        rows.append(ThreadRow(thread.pk, thread.subject, thread.last_message_at, bool(thread.unread), shown,
                              (thread.snippet or "")[:140],
                              f"{thread.student.last_name} {thread.student.first_name}" if thread.student else ""))
    return rows


def inbox(roles: SchoolRoles, query: str = "") -> list[ThreadRow]:
    return _mailbox(roles, box="inbox", query=query)


def sent(roles: SchoolRoles, query: str = "") -> list[ThreadRow]:
    return _mailbox(roles, box="sent", query=query)


@dataclass
class ThreadPage:
    thread: Thread
    messages: list[Message]
    participants: list[str]
    about: str  # «по поводу Иванова Ивана, 5А»


def thread_page(thread: Thread, *, class_name: str = "") -> ThreadPage:
    """A thread with its messages, their senders and files (three queries)."""
    messages = list(Message.objects.filter(thread=thread).select_related("sender")
                    .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))))
    participants = [p.user.display_name for p in ThreadParticipant.objects.filter(thread=thread)
                    .select_related("user").order_by("user__last_name", "user__first_name")]
    about = ""
    if thread.student is not None:
        about = f"по поводу {name_genitive(thread.student)}" + (f", {class_name}" if class_name else "")
    return ThreadPage(thread, messages, participants, about)


# --- announcements ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnnouncementRow:
    announcement: Announcement
    read: bool
    acknowledged: bool
    must_acknowledge: bool
    live: bool


def announcement_list(roles: SchoolRoles, *, now=None, include_past: bool = False) -> list[AnnouncementRow]:
    """What he may read, pinned first, then the newest: one query (his read and acknowledged marks joined)."""
    now = now or timezone.now()
    if roles.user_id is None:
        return []
    visible = permissions.announcements_visible_to(roles, now=now)
    if not include_past:
        visible = visible.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    mine = AnnouncementRecipient.objects.filter(announcement=OuterRef("pk"), user_id=roles.user_id)
    rows = (visible.annotate(my_read=Subquery(mine.values("read_at")[:1]),
                             my_ack=Subquery(mine.values("acknowledged_at")[:1]), addressed=Exists(mine))
            .select_related("author", "school_class", "group").order_by("-pinned", "-publish_at", "-pk")[:100])
    result = []
    for a in rows:
        live = a.publish_at <= now and (a.expires_at is None or a.expires_at > now)
        result.append(AnnouncementRow(a, a.my_read is not None or not a.addressed, a.my_ack is not None,
                                      a.requires_ack and a.addressed and a.my_ack is None, live))
    return result


def audience_label(announcement: Announcement) -> str:
    readers = [label for flag, label in ((announcement.to_staff, "сотрудникам"),
                                         (announcement.to_students, "обучающимся"),
                                         (announcement.to_parents, "родителям")) if flag]
    where = {"school": "вся школа", "grade": f"{announcement.grade}-е классы",
             "class": f"{announcement.school_class.name} класс" if announcement.school_class is not None else "",
             "group": f"группа «{announcement.group.name}»" if announcement.group is not None else ""}[announcement.audience]
    return f"{where}: {', '.join(readers)}"


@dataclass
class ReadReport:
    total: int
    read: int
    acknowledged: int
    pending: list[AnnouncementRecipient]  # who has not read (or, when asked to, not acknowledged) yet
    done: list[AnnouncementRecipient]


def read_report(announcement: Announcement) -> ReadReport:
    """Who read it, who acknowledged it, and who has not yet (two queries)."""
    rows = list(AnnouncementRecipient.objects.filter(announcement=announcement).select_related("user")
                .order_by("kind", "user__last_name", "user__first_name", "pk"))
    if announcement.requires_ack:
        pending = [r for r in rows if r.acknowledged_at is None]
    else:
        pending = [r for r in rows if r.read_at is None]
    done = [r for r in rows if r not in pending]
    return ReadReport(len(rows), sum(r.read_at is not None for r in rows),
                      sum(r.acknowledged_at is not None for r in rows), pending, done)


def recipient_row(announcement: Announcement, user_id: int) -> AnnouncementRecipient | None:
    return AnnouncementRecipient.objects.filter(announcement=announcement, user_id=user_id).first()


# --- help desk -------------------------------------------------------------------------------------------------------


def consultation_hours(school) -> list[dict]:
    return [{"slot": s, "weekday": WEEKDAYS[s.weekday]}
            for s in ConsultationSlot.objects.filter(school=school).order_by("weekday", "start")]


def help_request_list(roles: SchoolRoles, *, status: str = "") -> QuerySet[HelpRequest]:
    requests = permissions.help_requests_visible_to(roles).select_related("author").order_by("-created_at", "-pk")
    return requests.filter(status=status) if status else requests


def attachment_visible_to(roles: SchoolRoles, attachment_id: int) -> Attachment | None:
    """A file he may download: of a message in his thread, an announcement he may read, a request he may see."""
    attachment = Attachment.objects.filter(pk=attachment_id, school=roles.school).first()
    if attachment is None:
        return None
    if attachment.message_id is not None:
        ok = permissions.threads_visible_to(roles).filter(messages=attachment.message_id).exists()
    elif attachment.announcement_id is not None:
        ok = permissions.announcements_visible_to(roles).filter(pk=attachment.announcement_id).exists()
    elif attachment.help_request_id is not None:
        ok = permissions.help_requests_visible_to(roles).filter(pk=attachment.help_request_id).exists()
    else:
        ok = False
    return attachment if ok else None
