"""Every read КТП pages need, in a fixed number of queries.

``coverage_for_assignments`` is the one answer to "how far has each group got through its programme":
the journal page and the school's coverage page both call it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from zhurnal.core.templatetags.zhurnal import plural
from zhurnal.school.models import AcademicYear, Curriculum, TeachingAssignment
from zhurnal.timetable.models import Lesson, LessonKind

from .models import LessonTopicLink, PlanAssignment, PlannedTopic, PlanSection, ThematicPlan
from .sequence import Content, HourSequence, LessonSequence, hour_after, link_of
from .services import grade_of, study_weeks

# --- coverage ----------------------------------------------------------------------------------------------


@dataclass
class Coverage:
    """How far a group has got through its plan by ``today``.

    ``due`` — plan hours that the timetable's lessons up to today were meant to cover (lessons later cancelled
    count too: the plan counted on them); ``covered`` — lessons held up to today that took a plan hour;
    ``lag`` — covered minus due: negative when the group is behind, in lessons.
    """

    assignment_id: int
    plan_id: int | None = None
    plan_title: str = ""
    planned_hours: int = 0
    due: int = 0
    held: int = 0
    covered: int = 0
    without_topic: int = 0
    lessons_in_year: int = 0
    lessons_left: int = 0

    @property
    def has_plan(self) -> bool:
        return self.plan_id is not None

    @property
    def lag(self) -> int:
        return self.covered - self.due

    @property
    def hours_left(self) -> int:
        return max(self.planned_hours - self.covered, 0)

    @property
    def shortage(self) -> int:
        """Plan hours that the remaining lessons of the year cannot hold."""
        return max(self.hours_left - self.lessons_left, 0)

    @property
    def percent(self) -> int:
        return round(100 * self.covered / self.planned_hours) if self.planned_hours else 0

    @property
    def status(self) -> str:
        if not self.has_plan:
            return "no_plan"
        if self.lag < 0:
            return "behind"
        if self.lag > 0:
            return "ahead"
        return "on_track"

    @property
    def lag_text(self) -> str:
        if not self.has_plan:
            return "КТП не загружен"
        if self.lag < 0:
            return "отставание на " + plural(-self.lag, "урок,урока,уроков")
        if self.lag > 0:
            return "опережение на " + plural(self.lag, "урок,урока,уроков")
        return "по плану"


def coverage_for_assignments(assignment_ids: Iterable[int], today: dt.date) -> dict[int, Coverage]:
    """Planned and covered hours per assignment up to ``today`` — two queries whatever the number."""
    ids = list(assignment_ids)
    result = {assignment_id: Coverage(assignment_id=assignment_id) for assignment_id in ids}
    if not ids:
        return result
    plan_hours = (PlannedTopic.objects.filter(plan=OuterRef("plan_id")).order_by().values("plan")
                  .annotate(total=Sum("hours")).values("total"))
    uses = (PlanAssignment.objects.filter(assignment_id__in=ids)
            .annotate(hours=Coalesce(Subquery(plan_hours, output_field=IntegerField()), 0))
            .values_list("assignment_id", "plan_id", "plan__title", "hours"))
    for assignment_id, plan_id, title, hours in uses:
        coverage = result[assignment_id]
        coverage.plan_id, coverage.plan_title, coverage.planned_hours = plan_id, title, hours
    held = Q(date__lte=today, cancelled=False)
    counts = (
        Lesson.objects.filter(assignment_id__in=ids).order_by().values("assignment_id").annotate(
            regular=Count("pk", filter=Q(date__lte=today, kind=LessonKind.REGULAR)),
            held=Count("pk", filter=held),
            covered=Count("pk", filter=held & Q(plan_link__isnull=False, plan_link__extra=False) & ~Q(topic="")),
            without_topic=Count("pk", filter=held & Q(topic="")),
            in_year=Count("pk", filter=Q(cancelled=False)),
            left=Count("pk", filter=Q(date__gt=today, cancelled=False)),
        )
    )
    for row in counts:
        coverage = result[row["assignment_id"]]
        coverage.held, coverage.covered = row["held"], row["covered"]
        coverage.without_topic, coverage.lessons_in_year, coverage.lessons_left = (
            row["without_topic"], row["in_year"], row["left"])
        coverage.due = min(row["regular"], coverage.planned_hours)
    return result


def plan_links_for_lessons(lesson_ids: Iterable[int]) -> dict[int, LessonTopicLink]:
    """Which plan hour and topic each lesson took (with the topic's control kind, homework and materials) —
    one query; lessons without a plan topic are absent. ``link.topic`` is None when the plan changed since."""
    links = LessonTopicLink.objects.filter(lesson_id__in=list(lesson_ids)).select_related("topic")
    return {link.lesson_id: link for link in links}


# --- hours against the curriculum ---------------------------------------------------------------------------


def hours_text(value: Decimal | int) -> str:
    """5 → «5», Decimal('2.5') → «2,5»."""
    value = Decimal(value)
    text = f"{value.normalize():f}" if value != value.to_integral_value() else str(int(value))
    return text.replace(".", ",")


def _difference(plan: int, other: Decimal | int) -> str:
    diff = Decimal(plan) - Decimal(other)
    return f"на {hours_text(abs(diff))} ч {'больше' if diff > 0 else 'меньше'}"


@dataclass
class HoursCheck:
    """The plan's hours against the teaching load and the curriculum, with the numbers for a clear warning."""

    plan_hours: int
    grade: int | None
    subject: str
    hours_per_week: Decimal
    curriculum: Curriculum | None = None
    lessons_in_year: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def weeks(self) -> int:
        return study_weeks(self.grade)

    @property
    def load_hours(self) -> Decimal:
        return self.hours_per_week * self.weeks

    @property
    def ok(self) -> bool:
        return not self.warnings

    def check(self) -> HoursCheck:
        plan = self.plan_hours
        if plan != self.load_hours:
            self.warnings.append(
                f"В КТП {plan} ч, а по нагрузке {hours_text(self.hours_per_week)} ч/нед × {self.weeks} нед = "
                f"{hours_text(self.load_hours)} ч — {_difference(plan, self.load_hours)}.")
        curriculum = self.curriculum
        if self.grade is not None and curriculum is None:
            self.warnings.append(f"В учебном плане {self.grade} классов нет предмета «{self.subject}» — "
                                 f"годовые часы сверить не с чем.")
        elif curriculum is not None:
            if plan != curriculum.hours_per_year:
                self.warnings.append(
                    f"В КТП {plan} ч, а по учебному плану {self.grade} классов — {curriculum.hours_per_year} ч "
                    f"в год ({hours_text(curriculum.hours_per_week)} ч/нед) — "
                    f"{_difference(plan, curriculum.hours_per_year)}.")
            if curriculum.hours_per_week != self.hours_per_week:
                self.warnings.append(
                    f"Нагрузка группы — {hours_text(self.hours_per_week)} ч/нед, а по учебному плану — "
                    f"{hours_text(curriculum.hours_per_week)} ч/нед.")
        if self.lessons_in_year and self.lessons_in_year < plan:
            self.warnings.append(
                f"По расписанию в этом учебном году {plural(self.lessons_in_year, 'урок,урока,уроков')} — "
                f"на {plan - self.lessons_in_year} меньше, чем часов в КТП.")
        return self


def curriculum_index(year: AcademicYear) -> dict[tuple[int, int], Curriculum]:
    """The year's curriculum by (grade, subject) — one query."""
    return {(row.grade, row.subject_id): row for row in Curriculum.objects.filter(year=year)}


def hours_check(*, plan_hours: int, assignment: TeachingAssignment, curriculum: dict[tuple[int, int], Curriculum],
                lessons_in_year: int = 0) -> HoursCheck:
    grade = grade_of(assignment)
    row = curriculum.get((grade, assignment.subject_id)) if grade is not None else None
    return HoursCheck(plan_hours=plan_hours, grade=grade, subject=assignment.subject.name,
                      hours_per_week=assignment.hours_per_week, curriculum=row,
                      lessons_in_year=lessons_in_year).check()


# --- lists of assignments -------------------------------------------------------------------------------------


@dataclass
class AssignmentRow:
    assignment: TeachingAssignment
    coverage: Coverage
    check: HoursCheck | None


def assignment_rows(assignments: QuerySet[TeachingAssignment], year: AcademicYear,
                    today: dt.date) -> list[AssignmentRow]:
    """Each assignment with its plan, coverage and hours check — four queries whatever the number."""
    rows = list(
        assignments.filter(year=year)
        .select_related("teacher", "subject", "group", "group__school_class")
        .order_by("group__school_class__grade", "group__school_class__letter", "group__name", "subject__name",
                  "pk")
    )
    coverage = coverage_for_assignments([a.pk for a in rows], today)
    curriculum = curriculum_index(year)
    out = []
    for assignment in rows:
        cov = coverage[assignment.pk]
        check = None
        if cov.has_plan:
            check = hours_check(plan_hours=cov.planned_hours, assignment=assignment, curriculum=curriculum,
                                lessons_in_year=cov.lessons_in_year)
        out.append(AssignmentRow(assignment=assignment, coverage=cov, check=check))
    return out


def school_coverage(assignments: QuerySet[TeachingAssignment], year: AcademicYear,
                    today: dt.date) -> list[AssignmentRow]:
    """The whole school, most behind first; groups without a plan after those behind."""
    rows = assignment_rows(assignments, year, today)
    order = {"behind": 0, "no_plan": 1, "on_track": 2, "ahead": 3}
    return sorted(rows, key=lambda row: (order[row.coverage.status], row.coverage.lag))


def unattached_plans(plans: QuerySet[ThematicPlan], year: AcademicYear) -> QuerySet[ThematicPlan]:
    """Plans of a year that no group works by yet (e.g. copied for next year)."""
    return (plans.filter(year=year, uses__isnull=True).select_related("subject")
            .annotate(hours=Coalesce(Sum("topics__hours"), 0)).order_by("grade", "subject__name", "title"))


# --- one plan ------------------------------------------------------------------------------------------------


@dataclass
class PlanRow:
    """A row of the plan as shown: a section heading, or a topic with its lesson numbers in the plan."""

    section: PlanSection | None = None
    topic: PlannedTopic | None = None
    first_hour: int = 0

    @property
    def hours_label(self) -> str:
        if self.topic is None:
            return ""
        last = self.first_hour + self.topic.hours - 1
        return str(self.first_hour) if last == self.first_hour else f"{self.first_hour}–{last}"


@dataclass
class PlanView:
    plan: ThematicPlan
    rows: list[PlanRow]
    total_hours: int
    uses: list[AssignmentRow]


def plan_rows(plan: ThematicPlan) -> list[PlanRow]:
    """Sections and topics in order with the plan hours each topic takes — two queries."""
    sections = list(plan.sections.all())
    topics = list(plan.topics.all())
    merged: list[PlanSection | PlannedTopic] = [*sections, *topics]
    merged.sort(key=lambda row: (row.position, 0 if isinstance(row, PlanSection) else 1, row.pk))
    rows, hour = [], 1
    for row in merged:
        if isinstance(row, PlanSection):
            rows.append(PlanRow(section=row))
        else:
            rows.append(PlanRow(topic=row, first_hour=hour))
            hour += row.hours
    return rows


def plan_view(plan: ThematicPlan, today: dt.date) -> PlanView:
    rows = plan_rows(plan)
    total = sum(row.topic.hours for row in rows if row.topic is not None)
    uses = assignment_rows(TeachingAssignment.objects.filter(plan_use__plan=plan), plan.year, today)
    return PlanView(plan=plan, rows=rows, total_hours=total, uses=uses)


def plans_for_attach(plans: QuerySet[ThematicPlan], assignment: TeachingAssignment) -> QuerySet[ThematicPlan]:
    """Plans the assignment could work by: same year, subject and grade."""
    return (plans.filter(year=assignment.year, subject=assignment.subject, grade=grade_of(assignment))
            .select_related("owner").order_by("title", "pk"))


# --- an assignment's lessons and the plan ------------------------------------------------------------------------


@dataclass
class LessonRow:
    lesson: Lesson
    state: str  # "plan", "changed", "own", "free", "cancelled"
    hour: int | None = None  # the plan hour the lesson holds
    extra: bool = False
    projected: Content | None = None  # for a free lesson: the plan hour it will get
    can_shift: bool = False
    can_pull: bool = False
    can_extend: bool = False
    can_own: bool = False
    is_past: bool = False


@dataclass
class TopicsView:
    rows: list[LessonRow]
    plan_hours: int
    next_hour: int  # the plan hour the next filling starts from
    unplaced_hours: int  # plan hours no lesson of the year is left for


def assignment_lessons(assignment: TeachingAssignment, plan: ThematicPlan | None, today: dt.date) -> TopicsView:
    """Every lesson of the assignment's year with the plan hour it holds or will get — a fixed number of queries
    (the lessons, the cancelled ones, the plan's topics, and lessons with journal data)."""
    with_homework = not assignment.subject.without_marks
    hours = HourSequence.of(plan, with_homework=with_homework)
    sequence = LessonSequence.load(assignment, today, lock=False)
    cancelled = list(Lesson.objects.filter(assignment=assignment, cancelled=True).order_by("date", "number"))
    lessons = sequence.lessons
    frontier = sequence.frontier()
    cursor = hour_after(lessons[frontier] if frontier is not None else None)
    next_hour = cursor
    rows: list[LessonRow] = []
    movable = [sequence.movable(lesson) for lesson in lessons]
    for index, lesson in enumerate(lessons):
        link = link_of(lesson)
        is_free = sequence.is_free(lesson)
        if link is not None and not is_free:
            state = "plan" if lesson.topic == link.text else "changed"
        else:
            state = "free" if is_free else "own"
        row = LessonRow(lesson=lesson, state=state, is_past=lesson.date < today)
        if link is not None and state in ("plan", "changed"):
            row.hour, row.extra = link.position, link.extra
        if is_free and (frontier is None or index > frontier) and len(hours):
            row.projected = hours.content(cursor)
            if row.projected is not None:
                cursor += 1
        is_open = sequence.closed_reason(lesson) is None
        later_movable = any(movable[index + 1:])
        row.can_shift = movable[index]
        row.can_pull = is_open and is_free and later_movable
        if state in ("plan", "changed") and index + 1 < len(lessons):
            following = lessons[index + 1]
            row.can_extend = sequence.closed_reason(following) is None and (
                sequence.is_free(following) or movable[index + 1])
        row.can_own = lesson.date >= today
        rows.append(row)
    for lesson in cancelled:
        rows.append(LessonRow(lesson=lesson, state="cancelled", is_past=lesson.date < today))
    rows.sort(key=lambda row: (row.lesson.date, row.lesson.number, row.lesson.pk))
    unplaced = max(len(hours) - cursor + 1, 0)
    return TopicsView(rows=rows, plan_hours=len(hours), next_hour=next_hour, unplaced_hours=unplaced)


# --- the topic the plan offers to a lesson without one ---------------------------------------------------------


@dataclass(frozen=True)
class OfferedTopic:
    """The plan's topic for a lesson whose topic is still empty: hour ``position`` of the plan."""

    position: int
    title: str
    homework: str


def offered_topic(lesson: Lesson) -> OfferedTopic | None:
    """The next hour of the group's plan after the last one an earlier lesson took (or, if no earlier lesson took
    any, the hour counted by the earlier lessons held). None when the group has no plan or the plan has ended.
    Two or three queries."""
    earlier = (Lesson.objects.filter(assignment_id=lesson.assignment_id, cancelled=False)
               .filter(Q(date__lt=lesson.date) | Q(date=lesson.date, number__lt=lesson.number)))
    last = (LessonTopicLink.objects.filter(lesson__in=earlier, extra=False).order_by("-position")
            .values_list("position", flat=True).first())
    position = (last or earlier.count()) + 1
    topics = (PlannedTopic.objects.filter(plan__uses__assignment_id=lesson.assignment_id)
              .order_by("position", "pk").values_list("title", "hours", "homework"))
    reached = 0
    for title, hours, homework in topics:
        reached += hours
        if position <= reached:
            return OfferedTopic(position=position, title=title, homework=homework if position == reached else "")
    return None
