"""The plan's hours and an assignment's lessons: which plan hour each lesson holds and which lessons are open.

A lesson is *open* for changes made through the plan when it is today or later, not cancelled, holds no
journal data (marks, attendance — whatever apps register with ``timetable.lesson_data``) and no guard objects.
It is *movable* when it is open and still holds exactly the topic and homework the plan wrote into it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import ImproperlyConfigured, ValidationError

from zhurnal.accounts.models import User
from zhurnal.audit.verbs import Verb
from zhurnal.school.models import School, TeachingAssignment
from zhurnal.timetable import lesson_data
from zhurnal.timetable.models import Lesson

from .models import LessonTopicLink, PlannedTopic, ThematicPlan

# A check another app registers (the journal: "the lesson's period is closed"): given a lesson and today, a Russian
# message when the lesson's topic may not change now, else None. Filling skips such lessons; other changes refuse.
TopicGuard = Callable[[Lesson, dt.date], "str | None"]
_TOPIC_GUARDS: list[TopicGuard] = []


def register_topic_guard(guard: TopicGuard) -> None:
    """The registration a higher app calls (in its ``AppConfig.ready``) to refuse plan writes into a lesson."""
    if guard not in _TOPIC_GUARDS:
        _TOPIC_GUARDS.append(guard)


@dataclass(frozen=True)
class ContentChange:
    """A lesson's topic and homework as the plan gives them, and what the plan read there before."""

    lesson: Lesson
    old_topic: str
    old_homework: str
    topic: str
    homework: str


# The journal owns what happened in a lesson: the plan hands it the topics and homework to write (with the row
# locks it holds and the guards it asked), and the journal writes and audits them.
ContentWriter = Callable[..., None]
_CONTENT_WRITERS: list[ContentWriter] = []


def register_content_writer(writer: ContentWriter) -> None:
    """The registration of the app that writes lesson content: ``writer(*, actor, verb, school, changes,
    conflict)`` writes each change only where the lesson still holds what the plan read, else raises a
    ``ValidationError`` with ``conflict``; it audits every change under ``verb``."""
    if writer not in _CONTENT_WRITERS:
        _CONTENT_WRITERS.append(writer)


def write_content(*, actor: User | None, verb: Verb, school: School | int, changes: list[ContentChange], conflict: str) -> None:
    if not changes:
        return
    if not _CONTENT_WRITERS:
        raise ImproperlyConfigured("No app writes lesson content: the journal registers its writer at start-up.")
    _CONTENT_WRITERS[0](actor=actor, verb=verb, school=school, changes=changes, conflict=conflict)


@dataclass(frozen=True)
class Content:
    """What a lesson takes from the plan: plan hour ``position`` of ``topic_id``, written as ``text``."""

    topic_id: int | None
    position: int
    extra: bool
    text: str
    homework: str


@dataclass
class HourSequence:
    """The plan's hours in order: hour N (1-based) belongs to ``topics[N-1]``."""

    topics: list[PlannedTopic]
    with_homework: bool = True

    @classmethod
    def of(cls, plan: ThematicPlan | None, *, with_homework: bool = True) -> HourSequence:
        topics: list[PlannedTopic] = []
        if plan is not None:
            for topic in plan.topics.order_by("position", "pk"):
                topics.extend([topic] * topic.hours)
        return cls(topics=topics, with_homework=with_homework)

    def __len__(self) -> int:
        return len(self.topics)

    def content(self, position: int) -> Content | None:
        if not 1 <= position <= len(self.topics):
            return None
        topic = self.topics[position - 1]
        last_hour = position == len(self.topics) or self.topics[position] is not topic
        homework = topic.homework if self.with_homework and last_hour else ""
        return Content(topic_id=topic.pk, position=position, extra=False, text=topic.title, homework=homework)


def link_of(lesson: Lesson) -> LessonTopicLink | None:
    try:
        return lesson.plan_link
    except LessonTopicLink.DoesNotExist:
        return None


def hour_after(lesson: Lesson | None) -> int:
    """The plan's hour that follows the lesson's (the frontier of filled lessons); the first without one."""
    link = link_of(lesson) if lesson is not None else None
    return link.position + 1 if link is not None else 1


def content_of(link: LessonTopicLink) -> Content:
    return Content(topic_id=link.topic_id, position=link.position, extra=link.extra, text=link.text,
                   homework=link.homework)


def guard_message(lesson: Lesson, today: dt.date) -> str | None:
    for guard in _TOPIC_GUARDS:
        message = guard(lesson, today)
        if message:
            return message
    return None


@dataclass
class LessonSequence:
    """The assignment's lessons in order, locked for the change, with what makes each one open or not."""

    assignment_id: int
    lessons: list[Lesson]
    today: dt.date

    @classmethod
    def load(cls, assignment: TeachingAssignment, today: dt.date, *, lock: bool = True) -> LessonSequence:
        """One query (and one more when open lessons are asked about); ``lock`` inside a service's transaction."""
        query = Lesson.objects.filter(assignment=assignment, cancelled=False)
        if lock:
            query = query.select_for_update(of=("self",))
        # With what a registered guard reads of a lesson (its school's rules and periods, its assignment's grade).
        lessons = list(query.select_related("plan_link", "school", "assignment__school", "assignment__year",
                                              "assignment__group__school_class").order_by("date", "number", "pk"))
        return cls(assignment_id=assignment.pk, lessons=lessons, today=today)

    @cached_property
    def with_data(self) -> set[int]:
        """Lessons holding journal data (marks, attendance…) — one query, only when asked."""
        if not lesson_data.LESSON_DATA_RELATIONS:
            return set()
        return set(Lesson.objects.filter(assignment_id=self.assignment_id, cancelled=False, date__gte=self.today)
                   .filter(lesson_data.holds_registered_data()).values_list("pk", flat=True))

    def index(self, lesson: Lesson) -> int:
        for i, candidate in enumerate(self.lessons):
            if candidate.pk == lesson.pk:
                return i
        raise ValidationError({"lesson": "Урок отменён или перенесён — его тема не меняется."})

    def closed_reason(self, lesson: Lesson) -> str | None:
        """Why the lesson is not open for changes by the plan, or None."""
        if lesson.date < self.today:
            return (f"Урок {lesson.date:%d.%m.%Y} уже прошёл: его тема — запись журнала и меняется только "
                    f"в журнале.")
        if lesson.pk in self.with_data:
            return f"На уроке {lesson.date:%d.%m.%Y} уже есть отметки или другие записи журнала."
        return guard_message(lesson, self.today)

    def movable(self, lesson: Lesson) -> bool:
        """Open, and still holding exactly what the plan wrote into it."""
        link = link_of(lesson)
        return (link is not None and self.closed_reason(lesson) is None and lesson.topic == link.text
                and lesson.homework == link.homework)

    def is_free(self, lesson: Lesson) -> bool:
        return not lesson.topic.strip()

    def frontier(self) -> int | None:
        """Index of the last lesson that holds a topic from the plan."""
        for i in range(len(self.lessons) - 1, -1, -1):
            link = link_of(self.lessons[i])
            if link is not None and self.lessons[i].topic.strip():
                return i
        return None

    def movable_after(self, index: int) -> list[Lesson]:
        return [lesson for lesson in self.lessons[index + 1:] if self.movable(lesson)]
