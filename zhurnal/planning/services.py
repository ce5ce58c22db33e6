"""Every write of КТП: plans and their contents, and lesson topics taken from a plan.

Lesson topics follow the plan hour by hour. ``fill_topics_from_plan`` writes the next plan hours into the next
lessons whose topic is empty, never into a lesson that already has a topic. A teacher can then reshape the
not-yet-given lessons: ``shift_topics`` frees a lesson and moves the plan's topics one lesson later,
``pull_topics`` moves them back into a free lesson, ``extend_topic`` continues a topic into the next lesson,
``set_own_topic`` gives a lesson a topic outside the plan. These touch only "open" lessons — today or later,
not cancelled, without marks or other journal data — and only while their topic and homework are still
exactly what the plan wrote. A topic the teacher has written or changed is never overwritten, and editing or
re-importing the plan later never rewrites lesson topics. Every lesson change is audited (old → new).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zhurnal.accounts.models import User
from zhurnal.audit.services import record
from zhurnal.audit.verbs import Verb
from zhurnal.core.dates import today as school_today
from zhurnal.school.models import AcademicYear, TeachingAssignment
from zhurnal.timetable.models import Lesson

from .exchange import Item, SectionItem, TopicItem
from .models import (
    CONTROL_LENGTH,
    MAX_TOPIC_HOURS,
    SECTION_LENGTH,
    TEXT_LENGTH,
    TITLE_LENGTH,
    LessonTopicLink,
    PlanAssignment,
    PlannedTopic,
    PlanSection,
    ThematicPlan,
)
from .sequence import (
    Content,
    ContentChange,
    HourSequence,
    LessonSequence,
    content_of,
    guard_message,
    hour_after,
    link_of,
    write_content,
)

WEEKS_IN_YEAR = 34
FIRST_GRADE_WEEKS = 33
OWN_TOPIC_LENGTH = 1000

def study_weeks(grade: int | None) -> int:
    """Weeks of lessons in a year: 33 in the first grade, 34 in the others (as the curriculum counts them)."""
    return FIRST_GRADE_WEEKS if grade == 1 else WEEKS_IN_YEAR


def grade_of(assignment: TeachingAssignment) -> int | None:
    school_class = assignment.group.school_class
    return school_class.grade if school_class is not None else None


def default_title(assignment: TeachingAssignment) -> str:
    grade = grade_of(assignment)
    if grade is None:
        return f"{assignment.subject.name}, {assignment.group.name}"
    return f"{assignment.subject.name}, {grade} класс"


def plan_of(assignment: TeachingAssignment) -> ThematicPlan | None:
    use = PlanAssignment.objects.filter(assignment=assignment).select_related("plan").first()
    return use.plan if use else None


def _plan_summary(plan: ThematicPlan) -> dict[str, Any]:
    topics = list(plan.topics.values_list("hours", flat=True))
    return {"title": plan.title, "sections": plan.sections.count(), "topics": len(topics), "hours": sum(topics)}


# --- plans ------------------------------------------------------------------------------------------------


def _check_assignment_fits(plan: ThematicPlan, assignment: TeachingAssignment) -> None:
    if assignment.school_id != plan.school_id:
        raise ValidationError({"assignment": "Нагрузка другой школы."})
    if assignment.year_id != plan.year_id:
        raise ValidationError({"assignment": f"КТП составлен на {plan.year} учебный год, а нагрузка — "
                                             f"на {assignment.year}."})
    if assignment.subject_id != plan.subject_id:
        raise ValidationError({"assignment": f"КТП по предмету «{plan.subject}», а у группы "
                                             f"{assignment.group} — «{assignment.subject}»."})
    if grade_of(assignment) != plan.grade:
        where = f"{plan.grade} класса" if plan.grade else "сводной группы"
        raise ValidationError({"assignment": f"КТП составлен для {where}, а группа {assignment.group} — "
                                             f"из другой параллели."})
    existing = PlanAssignment.objects.filter(assignment=assignment).select_related("plan").first()
    if existing is not None:
        if existing.plan_id == plan.pk:
            raise ValidationError({"assignment": f"Группа {assignment.group} уже работает по этому КТП."})
        raise ValidationError({"assignment": f"У группы {assignment.group} уже есть КТП «{existing.plan}». "
                                             f"Сначала отключите его."})


@transaction.atomic
def create_plan(*, actor: User | None, assignment: TeachingAssignment, title: str = "") -> ThematicPlan:
    """An empty plan for an assignment; its teacher fills it by import or topic by topic."""
    assignment = TeachingAssignment.objects.select_related("subject", "group__school_class").get(pk=assignment.pk)
    title = _clean_title(title) or default_title(assignment)
    plan = ThematicPlan.objects.create(school=assignment.school, year=assignment.year, subject=assignment.subject,
                                       grade=grade_of(assignment), title=title, owner=assignment.teacher)
    _check_assignment_fits(plan, assignment)
    PlanAssignment.objects.create(school=plan.school, plan=plan, assignment=assignment)
    record(actor=actor, verb=Verb.PLAN_CREATE, target=plan,
           after={"title": title, "assignment": assignment.pk, "year": plan.year_id})
    return plan


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if len(title) > 200:
        raise ValidationError({"title": "Название КТП — не длиннее 200 знаков."})
    return title


@transaction.atomic
def update_plan(*, actor: User, plan: ThematicPlan, title: str) -> ThematicPlan:
    title = _clean_title(title)
    if not title:
        raise ValidationError({"title": "Укажите название КТП."})
    if title != plan.title:
        before = plan.title
        plan.title = title
        plan.save(update_fields=["title", "updated_at"])
        record(actor=actor, verb=Verb.PLAN_UPDATE, target=plan, before={"title": before}, after={"title": title})
    return plan


@transaction.atomic
def delete_plan(*, actor: User, plan: ThematicPlan) -> None:
    """Remove a plan. Lessons keep the topics already written from it."""
    record(actor=actor, verb=Verb.PLAN_DELETE, target=plan,
           before={**_plan_summary(plan), "assignments": list(plan.uses.values_list("assignment_id", flat=True))})
    plan.delete()


@transaction.atomic
def attach_plan(*, actor: User | None, plan: ThematicPlan, assignment: TeachingAssignment) -> PlanAssignment:
    """One plan serves another group of the same subject and grade (e.g. 5А and 5Б)."""
    assignment = TeachingAssignment.objects.select_related("group__school_class", "subject", "year").get(
        pk=assignment.pk)
    _check_assignment_fits(plan, assignment)
    use = PlanAssignment.objects.create(school=plan.school, plan=plan, assignment=assignment)
    record(actor=actor, verb=Verb.PLAN_ATTACH, target=plan, after={"assignment": assignment.pk})
    return use


@transaction.atomic
def detach_plan(*, actor: User, plan: ThematicPlan, assignment: TeachingAssignment) -> None:
    """The group stops working by this plan; its lessons keep their topics."""
    deleted, _ = PlanAssignment.objects.filter(plan=plan, assignment=assignment).delete()
    if not deleted:
        raise ValidationError({"assignment": f"Группа {assignment.group} не работает по этому КТП."})
    record(actor=actor, verb=Verb.PLAN_DETACH, target=plan, before={"assignment": assignment.pk})


@transaction.atomic
def copy_plan(*, actor: User, plan: ThematicPlan, assignment: TeachingAssignment | None = None,
              year: AcademicYear | None = None) -> ThematicPlan:
    """A copy of the plan for another group of the same grade (``assignment``), or for a later year (``year``,
    not yet tied to a group)."""
    if (assignment is None) == (year is None):
        raise ValidationError({"target": "Выберите, куда копировать КТП: группу или учебный год."})
    if assignment is not None:
        assignment = TeachingAssignment.objects.select_related("group__school_class", "subject", "year").get(
            pk=assignment.pk)
        year = assignment.year
        owner = assignment.teacher
    else:
        owner = plan.owner
    if year is None:
        raise ValidationError({"target": "Выберите, куда копировать КТП: группу или учебный год."})
    if assignment is None:
        if year.school_id != plan.school_id:
            raise ValidationError({"year": "Учебный год другой школы."})
        if year.start <= plan.year.start:
            raise ValidationError({"year": f"КТП копируется в следующий учебный год, а {year} — не позже "
                                           f"{plan.year}."})
    copy = ThematicPlan.objects.create(school=plan.school, year=year, subject=plan.subject, grade=plan.grade,
                                       title=plan.title, owner=owner)
    if assignment is not None:
        _check_assignment_fits(copy, assignment)
        PlanAssignment.objects.create(school=copy.school, plan=copy, assignment=assignment)
    _write_items(copy, plan_items(plan))
    record(actor=actor, verb=Verb.PLAN_COPY, target=copy,
           after={"from": plan.pk, "year": year.pk, "assignment": getattr(assignment, "pk", None),
                  **_plan_summary(copy)})
    return copy


# --- plan contents -----------------------------------------------------------------------------------------


def plan_items(plan: ThematicPlan) -> list[Item]:
    """The plan as the same items an import gives (two queries)."""
    items: list[Item] = []
    for row in _rows(plan):
        if isinstance(row, PlanSection):
            items.append(SectionItem(title=row.title))
        else:
            items.append(TopicItem(title=row.title, hours=row.hours, control=row.control, homework=row.homework,
                                   materials=row.materials))
    return items


def validate_items(items: Sequence[Item]) -> list[str]:
    """What is wrong with a list of sections and topics (the same rules as the file import, in Russian)."""
    problems: list[str] = []
    topics = 0
    for number, item in enumerate(items, start=1):
        where = f"Строка плана {number}"
        if not item.title.strip():
            problems.append(f"{where}: пустое название.")
        if isinstance(item, SectionItem):
            if len(item.title) > SECTION_LENGTH:
                problems.append(f"{where}: название раздела длиннее {SECTION_LENGTH} знаков.")
            continue
        topics += 1
        if len(item.title) > TITLE_LENGTH:
            problems.append(f"{where}: тема длиннее {TITLE_LENGTH} знаков.")
        if not isinstance(item.hours, int) or not 1 <= item.hours <= MAX_TOPIC_HOURS:
            problems.append(f"{where}: часов должно быть от 1 до {MAX_TOPIC_HOURS}.")
        if len(item.control) > CONTROL_LENGTH:
            problems.append(f"{where}: вид контроля длиннее {CONTROL_LENGTH} знаков.")
        if len(item.homework) > TEXT_LENGTH or len(item.materials) > TEXT_LENGTH:
            problems.append(f"{where}: текст длиннее {TEXT_LENGTH} знаков.")
    if not topics:
        problems.append("В плане нет ни одной темы урока.")
    return problems


def _write_items(plan: ThematicPlan, items: Sequence[Item]) -> None:
    """Two queries: the sections, then the topics (each belonging to the last section above it)."""
    sections = [PlanSection(school_id=plan.school_id, plan=plan, position=position, title=item.title.strip())
                for position, item in enumerate(items, start=1) if isinstance(item, SectionItem)]
    PlanSection.objects.bulk_create(sections)
    by_position = {section.position: section for section in sections}
    section: PlanSection | None = None
    topics: list[PlannedTopic] = []
    for position, item in enumerate(items, start=1):
        if isinstance(item, SectionItem):
            section = by_position[position]
            continue
        topics.append(PlannedTopic(school_id=plan.school_id, plan=plan, section=section, position=position,
                                   title=item.title.strip(), hours=item.hours, control=item.control.strip(),
                                   homework=item.homework.strip(), materials=item.materials.strip()))
    PlannedTopic.objects.bulk_create(topics, batch_size=500)


def _items_summary(title: str, items: Sequence[Item]) -> dict[str, Any]:
    topics = [item for item in items if isinstance(item, TopicItem)]
    return {"title": title, "sections": len(items) - len(topics), "topics": len(topics),
            "hours": sum(topic.hours for topic in topics)}


@transaction.atomic
def import_plan(*, actor: User | None, items: Sequence[Item], plan: ThematicPlan | None = None,
                assignment: TeachingAssignment | None = None, source: str = "") -> ThematicPlan:
    """Put the sections and topics of a file in place of the plan's (all or nothing).

    Without ``plan``, the assignment's plan is replaced, or a new one made for it. Lessons keep the topics
    already written: the next filling continues from the hour after the last lesson's.
    """
    problems = validate_items(items)
    if problems:
        raise ValidationError({"items": problems})
    created = False
    if plan is None:
        if assignment is None:
            raise ValidationError({"plan": "Укажите КТП или группу, для которой он загружается."})
        existing = plan_of(assignment)
        created = existing is None
        plan = existing if existing is not None else create_plan(actor=actor, assignment=assignment)
    if created:
        before = None
    else:
        before = _plan_summary(plan)
        plan.topics.all().delete()
        plan.sections.all().delete()
        plan.save(update_fields=["updated_at"])
    _write_items(plan, items)
    record(actor=actor, verb=Verb.PLAN_IMPORT, target=plan, before=before,
           after={**_items_summary(plan.title, items), "source": source})
    return plan


def _rows(plan: ThematicPlan) -> list[PlanSection | PlannedTopic]:
    """Sections and topics in their one order (a section goes before a topic of the same position)."""
    rows: list[PlanSection | PlannedTopic] = [*plan.sections.all(), *plan.topics.all()]
    rows.sort(key=lambda row: (row.position, 0 if isinstance(row, PlanSection) else 1, row.pk))
    return rows


def _renumber(rows: list[PlanSection | PlannedTopic]) -> None:
    """Positions 1…N in the given order; every topic belongs to the last section above it."""
    section: PlanSection | None = None
    sections, topics = [], []
    for position, row in enumerate(rows, start=1):
        row.position = position
        if isinstance(row, PlanSection):
            section = row
            sections.append(row)
        else:
            row.section = section
            topics.append(row)
    PlanSection.objects.bulk_update(sections, ["position"])
    PlannedTopic.objects.bulk_update(topics, ["position", "section"])


def _topic_fields(*, title: str, hours: int, control: str, homework: str, materials: str) -> dict[str, Any]:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": "Укажите тему урока."})
    if len(title) > TITLE_LENGTH:
        raise ValidationError({"title": f"Тема — не длиннее {TITLE_LENGTH} знаков."})
    if not isinstance(hours, int) or not 1 <= hours <= MAX_TOPIC_HOURS:
        raise ValidationError({"hours": f"Часов на тему — от 1 до {MAX_TOPIC_HOURS}."})
    control = " ".join((control or "").split())
    if len(control) > CONTROL_LENGTH:
        raise ValidationError({"control": f"Вид контроля — не длиннее {CONTROL_LENGTH} знаков."})
    homework, materials = (homework or "").strip(), (materials or "").strip()
    if len(homework) > TEXT_LENGTH:
        raise ValidationError({"homework": f"Домашнее задание — не длиннее {TEXT_LENGTH} знаков."})
    if len(materials) > TEXT_LENGTH:
        raise ValidationError({"materials": f"Материалы — не длиннее {TEXT_LENGTH} знаков."})
    return {"title": title, "hours": hours, "control": control, "homework": homework, "materials": materials}


@transaction.atomic
def save_topic(*, actor: User, plan: ThematicPlan, title: str, hours: int, control: str = "", homework: str = "",
               materials: str = "", section: PlanSection | None = None,
               topic: PlannedTopic | None = None) -> PlannedTopic:
    """Change a topic, or add one at the end of ``section`` (at the end of the plan when none is given).

    Lessons that already took the topic keep what was written into them."""
    data = _topic_fields(title=title, hours=hours, control=control, homework=homework, materials=materials)
    if section is not None and section.plan_id != plan.pk:
        raise ValidationError({"section": "Раздел из другого КТП."})
    if topic is not None:
        before = {key: getattr(topic, key) for key in data}
        for key, value in data.items():
            setattr(topic, key, value)
        topic.save()
        if before != data:
            record(actor=actor, verb=Verb.PLAN_TOPIC_UPDATE, target=topic, before=before, after=data)
        plan.save(update_fields=["updated_at"])
        return topic
    rows = _rows(plan)
    topic = PlannedTopic(school=plan.school, plan=plan, position=0, **data)
    if section is None:
        rows.append(topic)
    else:
        index = rows.index(next(row for row in rows if isinstance(row, PlanSection) and row.pk == section.pk))
        index += 1
        while index < len(rows) and isinstance(rows[index], PlannedTopic):
            index += 1
        rows.insert(index, topic)
    topic.position = rows.index(topic) + 1
    topic.save()
    _renumber(rows)
    plan.save(update_fields=["updated_at"])
    record(actor=actor, verb=Verb.PLAN_TOPIC_CREATE, target=topic, after=data)
    return topic


@transaction.atomic
def save_section(*, actor: User, plan: ThematicPlan, title: str, section: PlanSection | None = None) -> PlanSection:
    """Rename a section, or add one at the end of the plan."""
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": "Укажите название раздела."})
    if len(title) > SECTION_LENGTH:
        raise ValidationError({"title": f"Название раздела — не длиннее {SECTION_LENGTH} знаков."})
    if section is not None:
        if section.title != title:
            before = section.title
            section.title = title
            section.save(update_fields=["title"])
            record(actor=actor, verb=Verb.PLAN_SECTION_UPDATE, target=section, before={"title": before},
                   after={"title": title})
        return section
    rows = _rows(plan)
    section = PlanSection.objects.create(school=plan.school, plan=plan, position=len(rows) + 1, title=title)
    plan.save(update_fields=["updated_at"])
    record(actor=actor, verb=Verb.PLAN_SECTION_CREATE, target=section, after={"title": title})
    return section


@transaction.atomic
def delete_row(*, actor: User, row: PlanSection | PlannedTopic) -> None:
    """Remove a topic, or a section heading (its topics stay and join the section above)."""
    plan = row.plan
    if isinstance(row, PlannedTopic):
        record(actor=actor, verb=Verb.PLAN_TOPIC_DELETE, target=row,
               before={"title": row.title, "hours": row.hours, "position": row.position})
    else:
        record(actor=actor, verb=Verb.PLAN_SECTION_DELETE, target=row, before={"title": row.title})
    row.delete()
    _renumber(_rows(plan))
    plan.save(update_fields=["updated_at"])


@transaction.atomic
def move_row(*, actor: User, row: PlanSection | PlannedTopic, direction: int) -> None:
    """Move a section heading or a topic one row up (-1) or down (+1); a topic can cross into a neighbour
    section."""
    if direction not in (-1, 1):
        raise ValidationError({"direction": "Можно сдвинуть на одну строку вверх или вниз."})
    plan = row.plan
    rows = _rows(plan)
    index = next(i for i, r in enumerate(rows) if type(r) is type(row) and r.pk == row.pk)
    target = index + direction
    if not 0 <= target < len(rows):
        raise ValidationError({"direction": "Строка уже первая." if direction < 0 else "Строка уже последняя."})
    rows[index], rows[target] = rows[target], rows[index]
    _renumber(rows)
    plan.save(update_fields=["updated_at"])
    record(actor=actor, verb=Verb.PLAN_MOVE, target=row, after={"position": target + 1})


# --- the plan's hours and the lessons ----------------------------------------------------------------------


def _with_homework(assignment: TeachingAssignment) -> bool:
    return not assignment.subject.without_marks


def _put(lesson: Lesson, content: Content | None, *, actor: User, verb: Verb) -> None:
    """Give a lesson plan content (or take it away), keeping any homework the teacher wrote himself.

    The lesson row changes only if it still holds what was read: a concurrent edit is never overwritten."""
    link = link_of(lesson)
    old_topic, old_homework = lesson.topic, lesson.homework
    plan_homework = link.homework if link is not None else ""
    homework_is_ours = old_homework == plan_homework
    if content is None:
        new_topic = ""
        new_homework = "" if homework_is_ours else old_homework
        if link is not None:
            link.delete()
            lesson.plan_link = None
    else:
        new_topic = content.text
        new_homework = content.homework if homework_is_ours else old_homework
        link_homework = content.homework if homework_is_ours else ""
        if link is None:
            link = LessonTopicLink(school_id=lesson.school_id, lesson=lesson)
        link.topic_id, link.position, link.extra = content.topic_id, content.position, content.extra
        link.text, link.homework = content.text, link_homework
        link.save()
        lesson.plan_link = link
    if (new_topic, new_homework) == (old_topic, old_homework):
        return
    write_content(actor=actor, verb=verb, school=lesson.school_id, conflict=(
        f"Урок {lesson.date:%d.%m.%Y} только что изменили в журнале — обновите страницу и повторите."),
        changes=[ContentChange(lesson=lesson, old_topic=old_topic, old_homework=old_homework, topic=new_topic,
                               homework=new_homework)])


def _shift_forward(chain: list[Lesson], first: Content | None, *, actor: User, verb: Verb) -> Content | None:
    """``chain[0]`` gets ``first``, each next lesson the content of the one before; returns what falls off."""
    carried = first
    for lesson in chain:
        link = link_of(lesson)
        own = content_of(link) if link is not None else None
        _put(lesson, carried, actor=actor, verb=verb)
        carried = own
    return carried


@dataclass
class FillResult:
    filled: list[Lesson] = field(default_factory=list)
    skipped: list[tuple[Lesson, str]] = field(default_factory=list)
    plan_finished: bool = False
    next_hour: int = 1


@transaction.atomic
def fill_topics_from_plan(*, actor: User | None, assignment: TeachingAssignment, until: dt.date,
                          start_hour: int | None = None, today: dt.date | None = None) -> FillResult:
    """Write the next plan hours into the assignment's lessons with an empty topic, in date and lesson order,
    up to ``until``: from the lesson after the last one with a plan topic (a topic of two hours fills two
    lessons). A lesson that already has a topic is skipped and keeps it. ``start_hour`` starts from another
    hour of the plan (e.g. when the first lessons were written by hand before the plan was loaded)."""
    assignment = TeachingAssignment.objects.select_related("subject", "group__school_class", "school").get(
        pk=assignment.pk)
    plan = plan_of(assignment)
    if plan is None:
        raise ValidationError({"plan": f"Для группы {assignment.group} ещё не загружен КТП по предмету "
                                       f"«{assignment.subject}»."})
    hours = HourSequence.of(plan, with_homework=_with_homework(assignment))
    if not len(hours):
        raise ValidationError({"plan": f"В КТП «{plan}» нет ни одной темы."})
    lessons = LessonSequence.load(assignment, today or school_today())
    frontier = lessons.frontier()
    if start_hour is not None:
        if not 1 <= start_hour <= len(hours):
            raise ValidationError({"start_hour": f"Номер часа — от 1 до {len(hours)} (столько часов в КТП)."})
        cursor = start_hour
    else:
        cursor = hour_after(lessons.lessons[frontier] if frontier is not None else None)
    result = FillResult()
    start = 0 if frontier is None else frontier + 1
    pairs: list[tuple[Lesson, Content]] = []
    for lesson in lessons.lessons[start:]:
        if lesson.date > until:
            break
        if not lessons.is_free(lesson):
            continue
        guard = guard_message(lesson, lessons.today)
        if guard:
            result.skipped.append((lesson, guard))
            continue
        content = hours.content(cursor)
        if content is None:
            result.plan_finished = True
            break
        pairs.append((lesson, content))
        cursor += 1
    _fill_many(pairs, actor=actor, school=assignment.school)
    result.filled = [lesson for lesson, _ in pairs]
    result.next_hour = cursor
    result.plan_finished = result.plan_finished or cursor > len(hours)
    return result


def _fill_many(pairs: list[tuple[Lesson, Content]], *, actor: User | None, school: Any) -> None:
    """``_put`` for many free lessons at once: a few queries whatever their number (the demo fills thousands)."""
    if not pairs:
        return
    new_links: list[LessonTopicLink] = []
    old_links: list[LessonTopicLink] = []
    changes = []
    for lesson, content in pairs:
        link = link_of(lesson)
        old_topic, old_homework = lesson.topic, lesson.homework
        homework_is_ours = old_homework == (link.homework if link is not None else "")
        if link is None:
            link = LessonTopicLink(school_id=lesson.school_id, lesson=lesson)
            new_links.append(link)
        else:
            old_links.append(link)
        link.topic_id, link.position, link.extra, link.text = (content.topic_id, content.position, content.extra,
                                                               content.text)
        link.homework = content.homework if homework_is_ours else ""
        changes.append(ContentChange(lesson=lesson, old_topic=old_topic, old_homework=old_homework,
                                     topic=content.text,
                                     homework=content.homework if homework_is_ours else old_homework))
    LessonTopicLink.objects.bulk_create(new_links, batch_size=500)
    if old_links:
        LessonTopicLink.objects.bulk_update(old_links, ["topic", "position", "extra", "text", "homework"])
    write_content(actor=actor, verb=Verb.LESSON_TOPIC_FROM_PLAN, school=school, changes=changes, conflict=(
        "Темы некоторых уроков только что записали в журнале — обновите страницу и повторите заполнение."))


def _load_for_change(lesson: Lesson, today: dt.date | None) -> tuple[LessonSequence, int, Lesson]:
    lesson = Lesson.objects.select_related("assignment__subject", "assignment__group__school_class").get(
        pk=lesson.pk)
    lessons = LessonSequence.load(lesson.assignment, today or school_today())
    index = lessons.index(lesson)
    return lessons, index, lessons.lessons[index]


def _refuse_if_closed(lessons: LessonSequence, lesson: Lesson) -> None:
    reason = lessons.closed_reason(lesson)
    if reason:
        raise ValidationError({"lesson": reason})


@transaction.atomic
def shift_topics(*, actor: User, lesson: Lesson, today: dt.date | None = None) -> list[Lesson]:
    """Free the lesson: its plan topic and those of the following open lessons move one lesson later.
    The last moved hour goes back to the plan and comes with the next filling. Returns the changed lessons."""
    lessons, index, lesson = _load_for_change(lesson, today)
    _refuse_if_closed(lessons, lesson)
    if link_of(lesson) is None:
        raise ValidationError({"lesson": "У этого урока нет темы из КТП — сдвигать нечего."})
    if not lessons.movable(lesson):
        raise ValidationError({"lesson": "Тему этого урока уже изменили — она не сдвигается. Чтобы провести "
                                         "урок не по плану, запишите ему свою тему."})
    chain = [lesson, *lessons.movable_after(index)]
    _shift_forward(chain, None, actor=actor, verb=Verb.LESSON_TOPIC_SHIFT)
    return chain


@transaction.atomic
def pull_topics(*, actor: User, lesson: Lesson, today: dt.date | None = None) -> list[Lesson]:
    """Fill a free lesson by moving the plan topics of the following open lessons one lesson earlier;
    the last of them takes the next hour of the plan."""
    lessons, index, lesson = _load_for_change(lesson, today)
    _refuse_if_closed(lessons, lesson)
    if not lessons.is_free(lesson):
        raise ValidationError({"lesson": "У этого урока уже есть тема."})
    chain = lessons.movable_after(index)
    if not chain:
        raise ValidationError({"lesson": "После этого урока нет тем из КТП, которые можно подтянуть; "
                                         "воспользуйтесь заполнением по КТП."})
    assignment = lesson.assignment
    hours = HourSequence.of(plan_of(assignment), with_homework=_with_homework(assignment))
    contents = [content_of(link) for item in chain if (link := link_of(item)) is not None]
    last = contents[-1]
    following = hours.content(last.position + 1)
    targets = [lesson, *chain]
    incoming = [*contents, following]
    for target, content in zip(targets, incoming, strict=True):
        _put(target, content, actor=actor, verb=Verb.LESSON_TOPIC_SHIFT)
    return targets


@transaction.atomic
def extend_topic(*, actor: User, lesson: Lesson, today: dt.date | None = None) -> list[Lesson]:
    """The lesson's plan topic continues into the next lesson (the topic takes one lesson more than planned);
    the plan topics of the following open lessons move one lesson later."""
    lessons, index, lesson = _load_for_change(lesson, today)
    link = link_of(lesson)
    if link is None or not lesson.topic.strip():
        raise ValidationError({"lesson": "У этого урока нет темы из КТП — продлевать нечего."})
    if index + 1 >= len(lessons.lessons):
        raise ValidationError({"lesson": "После этого урока в этом учебном году уроков нет."})
    following = lessons.lessons[index + 1]
    reason = lessons.closed_reason(following)
    if reason:
        raise ValidationError({"lesson": f"Продлить тему на следующий урок нельзя. {reason}"})
    continuation = Content(topic_id=link.topic_id, position=link.position, extra=True, text=lesson.topic,
                           homework="")
    if lessons.is_free(following):
        _put(following, continuation, actor=actor, verb=Verb.LESSON_TOPIC_EXTEND)
        return [following]
    if not lessons.movable(following):
        raise ValidationError({"lesson": f"У следующего урока ({following.date:%d.%m.%Y}) уже своя тема — "
                                         f"продлить тему на него нельзя."})
    chain = [following, *lessons.movable_after(index + 1)]
    _shift_forward(chain, continuation, actor=actor, verb=Verb.LESSON_TOPIC_EXTEND)
    return chain


@transaction.atomic
def set_own_topic(*, actor: User, lesson: Lesson, topic: str, today: dt.date | None = None) -> list[Lesson]:
    """The lesson gets a topic outside the plan. If it held a plan topic, that topic and those of the following
    open lessons move one lesson later, so no plan hour is lost."""
    text = (topic or "").strip()
    if not text:
        raise ValidationError({"topic": "Укажите тему урока."})
    if len(text) > OWN_TOPIC_LENGTH:
        raise ValidationError({"topic": f"Тема урока — не длиннее {OWN_TOPIC_LENGTH} знаков."})
    lessons, index, lesson = _load_for_change(lesson, today)
    if lesson.date < lessons.today:
        raise ValidationError({"lesson": lessons.closed_reason(lesson)})
    guard = guard_message(lesson, lessons.today)
    if guard:
        raise ValidationError({"lesson": guard})
    changed: list[Lesson] = []
    link = link_of(lesson)
    if link is not None:
        chain = lessons.movable_after(index)
        _shift_forward(chain, content_of(link), actor=actor, verb=Verb.LESSON_TOPIC_SHIFT)
        changed += chain
        link.delete()
        lesson.plan_link = None
        # The plan's homework goes on with its topic; the teacher's own stays.
        homework = "" if lesson.homework == link.homework and link.homework else lesson.homework
    else:
        homework = lesson.homework
    old_topic, old_homework = lesson.topic, lesson.homework
    if (text, homework) != (old_topic, old_homework):
        write_content(actor=actor, verb=Verb.LESSON_TOPIC_OWN, school=lesson.school_id,
                      conflict="Урок только что изменили в журнале — обновите страницу и повторите.",
                      changes=[ContentChange(lesson=lesson, old_topic=old_topic, old_homework=old_homework,
                                             topic=text, homework=homework)])
    return [lesson, *changed]

