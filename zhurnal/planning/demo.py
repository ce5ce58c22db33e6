"""КТП for the demo school: every assignment gets a plan and its past lessons get their topics from it.

``build_demo_plans`` runs after the timetable's demo step (lessons exist). Everything goes through the
services, with the teacher of each group as the actor, so the audit log shows who loaded each plan. A teacher's
groups of the same subject, grade and hours share one plan. A few groups lag behind: their last lessons have
no topic yet.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from zhurnal.school.models import AcademicYear, School, TeachingAssignment
from zhurnal.timetable.models import Lesson

from . import services
from .demo_topics import bank_key, control_kinds_for, sections_for
from .exchange import Item, SectionItem, TopicItem
from .models import MAX_TOPIC_HOURS, ThematicPlan

MAX_TOPIC_DEMO_HOURS = 6
LAGGING_SHARE = 0.05
LAGGING_MAX = 12

EXERCISE_SUBJECTS = {"математика", "алгебра", "геометрия", "вероятность", "физика", "химия", "практикум"}
READING_SUBJECTS = {"литература", "литературное чтение"}
PARAGRAPH_SUBJECTS = {"история", "обществознание", "география", "биология", "окружающий мир", "информатика",
                      "основы безопасности"}


@dataclass
class DemoPlansReport:
    plans: int = 0
    shared: int = 0
    lessons_filled: int = 0
    lagging: list[int] = field(default_factory=list)  # assignment ids


@dataclass
class _Draft:
    title: str
    hours: int = 1
    control: str = ""
    adjustable: bool = True


def _homework(key: str | None, paragraph: int, rng: random.Random) -> str:
    number = paragraph * 10 + rng.randint(1, 9)
    if key in EXERCISE_SUBJECTS:
        return f"§ {paragraph}, № {number}, {number + 2}"
    if key == "русский язык":
        return f"§ {paragraph}, упр. {number}"
    if key in READING_SUBJECTS:
        return f"Выразительное чтение, вопросы на с. {paragraph * 3 + 5}"
    if key == "иностранный язык":
        return f"Учебник, с. {paragraph * 4}, упр. {rng.randint(2, 8)}; выучить слова"
    if key in PARAGRAPH_SUBJECTS:
        return f"§ {paragraph}, вопросы 1–{rng.randint(3, 5)}"
    return ""


def _control_title(kind: str, number: int, section: str) -> str:
    if kind in ("Контрольная работа", "Контрольный диктант"):
        return f"{kind} № {number} по теме «{section}»"
    return f"{kind} по теме «{section}»"


def demo_items(subject_name: str, grade: int | None, hours: int, rng: random.Random, *, with_marks: bool) -> list[Item]:
    """A plan of exactly ``hours`` hours: the bank's sections and topics for the subject and grade, a control
    work closing each section, a year-end repetition; stretched or trimmed to the hours."""
    key = bank_key(subject_name)
    sections = sections_for(subject_name, grade) or [
        (f"{subject_name}: раздел {n}", [f"{subject_name}: тема {n}.{m}" for m in range(1, 7)]) for n in range(1, 6)]
    pool = sum(len(topics) for _, topics in sections)
    if pool * MAX_TOPIC_DEMO_HOURS < hours:
        # Too few topics for the hours (a club, the extended-day group): the programme goes round again.
        rounds = math.ceil(hours / pool)
        sections = [(f"{title}. Цикл {n}", topics) for n in range(1, rounds + 1) for title, topics in sections]
    with_control = with_marks and grade != 1
    kinds = control_kinds_for(subject_name)
    plan: list[tuple[str, list[_Draft]]] = []
    numbered = 0
    for index, (title, topics) in enumerate(sections):
        drafts = [_Draft(topic) for topic in topics]
        if with_control:
            kind = kinds[index % len(kinds)]
            numbered += kind in ("Контрольная работа", "Контрольный диктант")
            drafts.append(_Draft(_control_title(kind, numbered, title), control=kind, adjustable=False))
        plan.append((title, drafts))
    if with_control:
        plan.append(("Повторение", [_Draft("Повторение и обобщение изученного за год"),
                                    _Draft("Итоговая контрольная работа", control="Контрольная работа",
                                           adjustable=False),
                                    _Draft("Анализ итоговой контрольной работы", adjustable=False)]))
    _fit(plan, hours, rng)
    items: list[Item] = []
    paragraph = 0
    for title, drafts in plan:
        items.append(SectionItem(title))
        for draft in drafts:
            homework, materials = "", ""
            if not draft.control and with_control:
                paragraph += 1
                homework = _homework(key, paragraph, rng)
                if paragraph % 3 == 0:
                    materials = f"РЭШ, урок {paragraph}"
            items.append(TopicItem(draft.title, draft.hours, draft.control, homework, materials))
    return items


def _fit(plan: list[tuple[str, list[_Draft]]], hours: int, rng: random.Random) -> None:
    """Trim topics (from the longest sections) or add hours to topics until the plan has exactly ``hours``."""
    def total() -> int:
        return sum(d.hours for _, drafts in plan for d in drafts)

    while total() > hours:
        candidates = [(len(drafts), i) for i, (_, drafts) in enumerate(plan)
                      if sum(d.adjustable for d in drafts) > 1]
        if candidates:
            _, index = max(candidates)
            drafts = plan[index][1]
            last = max(i for i, d in enumerate(drafts) if d.adjustable)
            del drafts[last]
        elif len(plan) > 1:
            del plan[-1]
        else:
            plan[0][1][:] = plan[0][1][:max(hours, 1)]
            break
    adjustable = [d for _, drafts in plan for d in drafts if d.adjustable]
    if not adjustable:
        return
    extra = hours - total()
    order = list(adjustable)
    rng.shuffle(order)
    limit = max(MAX_TOPIC_DEMO_HOURS, math.ceil(hours / len(adjustable)) + 1)
    while extra > 0:
        given = 0
        for draft in order:
            if extra == 0:
                break
            if draft.hours < min(limit, MAX_TOPIC_HOURS):
                draft.hours += 1
                extra -= 1
                given += 1
        if not given:
            plan[-1][1].append(_Draft("Резервный урок", hours=min(extra, MAX_TOPIC_HOURS), adjustable=False))
            extra -= min(extra, MAX_TOPIC_HOURS)


def year_hours(assignment: TeachingAssignment) -> int:
    hours = assignment.hours_per_week * services.study_weeks(services.grade_of(assignment))
    return int(Decimal(hours).to_integral_value(rounding=ROUND_HALF_UP))


def build_demo_plans(*, school: School, year: AcademicYear, today: dt.date, rng: random.Random) -> DemoPlansReport:
    """Give every assignment of the year a plan and fill its lessons up to ``today`` from it."""
    report = DemoPlansReport()
    assignments = list(TeachingAssignment.objects.filter(school=school, year=year)
                       .select_related("teacher__user", "subject", "group__school_class").order_by("pk"))
    shared: dict[tuple, ThematicPlan] = {}
    for assignment in assignments:
        grade = services.grade_of(assignment)
        actor = assignment.teacher.user
        key = (assignment.teacher_id, assignment.subject_id, grade, assignment.hours_per_week)
        if grade is not None and key in shared:
            services.attach_plan(actor=actor, plan=shared[key], assignment=assignment)
            report.shared += 1
            continue
        items = demo_items(assignment.subject.name, grade, year_hours(assignment), rng,
                           with_marks=not assignment.subject.without_marks)
        shared[key] = services.import_plan(actor=actor, items=items, assignment=assignment,
                                           source="КТП демонстрационной школы")
        report.plans += 1
    past = _past_lesson_dates(assignments, today)
    candidates = [a for a in assignments if len(past.get(a.pk, [])) >= 8]
    count = min(LAGGING_MAX, max(2, round(len(candidates) * LAGGING_SHARE))) if candidates else 0
    lagging = {a.pk for a in rng.sample(candidates, min(count, len(candidates)))}
    for assignment in assignments:
        until = today
        dates = past.get(assignment.pk, [])
        if assignment.pk in lagging:
            behind = rng.randint(2, 5)
            until = dates[-behind - 1]
            report.lagging.append(assignment.pk)
        # Filled as the teacher went along, month by month: a fill on today's date would be refused in the
        # periods closed since (as the teacher's own edit would).
        for step in _month_ends(dates, until):
            result = services.fill_topics_from_plan(actor=assignment.teacher.user, assignment=assignment,
                                                    until=step, today=min(step, today))
            report.lessons_filled += len(result.filled)
    return report


def _month_ends(dates: list[dt.date], until: dt.date) -> list[dt.date]:
    """The last lesson date of each month up to ``until``, then ``until`` itself."""
    ends = {day.replace(day=1): day for day in dates if day <= until}
    return sorted({*ends.values(), until})


def _past_lesson_dates(assignments: list[TeachingAssignment], today: dt.date) -> dict[int, list[dt.date]]:
    dates: dict[int, list[dt.date]] = {}
    rows = (Lesson.objects.filter(assignment__in=assignments, cancelled=False, date__lte=today)
            .order_by("assignment_id", "date", "number").values_list("assignment_id", "date"))
    for assignment_id, date in rows:
        dates.setdefault(assignment_id, []).append(date)
    return dates
