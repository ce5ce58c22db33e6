"""Every read of the diary, each in a fixed number of queries whatever the number of marks and lessons.

``diary_days`` (a span of days: the week view, the printable report, the calendar feed), ``diary_subject``
(one subject's marks with the computation shown and the "what if" table), ``diary_finals`` (subjects ×
periods with the forecast), ``marks_feed``, and the class teacher's and the deputy's tables
(``class_week_activity``, ``school_week_activity``, ``class_acknowledgements``).

Averages and suggested final marks come from ``zhurnal.journal.grading`` with the policy the journal uses for
the same period, so a family reads exactly the figures the teacher sees. What families see of final marks and
the forecast is decided by ``visibility``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from zhurnal.core.declension import short_name_genitive
from zhurnal.journal import grading
from zhurnal.journal.grading import Average, GradedMark, Policy, Suggestion
from zhurnal.journal.models import (
    FinalKind,
    FinalMark,
    Mark,
    WorkType,
)
from zhurnal.journal.policies import rules_on
from zhurnal.journal.selectors import current_period, period_mark_rows, period_policy_date
from zhurnal.school import stamps
from zhurnal.school.models import (
    AcademicYear,
    Enrollment,
    GroupKind,
    GuardianLink,
    InfoChannel,
    ReportingPeriod,
    School,
    SchoolClass,
    StaffMember,
    Student,
    Subject,
    TeachingAssignment,
)
from zhurnal.school.selectors import assignment_of, grade_periods
from zhurnal.school.stamps import school_or_id
from zhurnal.timetable.calendar import BellTimes, HolidayCalendar, dates_between, monday_of
from zhurnal.timetable.models import WEEKDAY_NAMES, SubstitutionKind

from . import rows as raw
from . import visibility
from .models import AcknowledgementKind, DiaryView, FeedVisit, FinalAcknowledgement

# Homework given up to this many days before a shown day may be due on it (a weekly lesson across a vacation).
HOMEWORK_LOOKAROUND_DAYS = 21
# The regulations: parents check the diary at least twice a week.
CHECKS_PER_WEEK = 2
FEED_DAYS = 30
FEED_LIMIT = 200


def feed_since() -> dt.datetime:
    """The marks feed covers marks set or changed after this moment (the last ``FEED_DAYS`` days); the week's
    count of new marks counts within it too."""
    return timezone.now() - dt.timedelta(days=FEED_DAYS)

ABSENCE_LABELS = {"н": "отсутствовал(а)", "б": "болел(а)", "уп": "уважительная причина", "оп": "опоздал(а)"}
MISSED = ("н", "б", "уп")
SHORT_DAYS = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")


# --- where the student learns ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassStay:
    school_class: SchoolClass
    start: dt.date
    end: dt.date | None

    @property
    def school_class_id(self) -> int:
        return self.school_class.pk


@dataclass(frozen=True)
class GroupStay:
    group_id: int
    start: dt.date
    end: dt.date | None


@dataclass
class Placement:
    """The student's classes and groups over a span of dates — one query; answers "was he in the group of
    this lesson on its date?" without more."""

    enrollments: list[ClassStay]
    memberships: list[GroupStay]

    @property
    def class_ids(self) -> list[int]:
        return sorted({e.school_class_id for e in self.enrollments})

    @property
    def group_ids(self) -> list[int]:
        return sorted({m.group_id for m in self.memberships})

    def attends(self, *, group_kind: str, group_id: int, school_class_id: int | None, day: dt.date) -> bool:
        if group_kind == GroupKind.CLASS:
            return any(e.school_class_id == school_class_id and e.start <= day and (e.end is None or day <= e.end)
                       for e in self.enrollments)
        return any(m.group_id == group_id and m.start <= day and (m.end is None or day <= m.end)
                   for m in self.memberships)

    def class_on(self, day: dt.date) -> SchoolClass | None:
        for enrollment in self.enrollments:
            if enrollment.start <= day and (enrollment.end is None or day <= enrollment.end):
                return enrollment.school_class
        return None

    def latest_class(self, day: dt.date) -> SchoolClass | None:
        """The class on ``day``, else the nearest before it, else the first one."""
        current = self.class_on(day)
        if current is not None or not self.enrollments:
            return current
        before = [e for e in self.enrollments if e.start <= day]
        return (before[-1] if before else self.enrollments[0]).school_class


def group_assignments(place: Placement, school: School) -> list[tuple]:
    """``rows.group_assignments`` of the student's classes and groups, cached per school stamp: (assignment,
    subject id, subject name, group kind, group id, class id, class shift), in assignment order."""
    key = f"{','.join(map(str, place.class_ids))}/{','.join(map(str, place.group_ids))}"
    return stamps.cached(school, "diary:assignments", key, lambda: raw.group_assignments(
        school_id=school.pk, class_ids=place.class_ids, group_ids=place.group_ids))


def year_assignments(place: Placement, school: School, year_id: int, *,
                     subject_id: int | None = None) -> list[TeachingAssignment]:
    """The student's teaching assignments of a year (of one subject if given), each with its group, class,
    subject, teacher and year, in id order — from the school's cache, no query once cached."""
    rows = group_assignments(place, school)
    found = (assignment_of(school, row[0]) for row in rows if subject_id is None or row[1] == subject_id)
    return [assignment for assignment in found if assignment is not None and assignment.year_id == year_id]


def placement(student: Student, start: dt.date, end: dt.date) -> Placement:
    classes, groups = raw.placement(student_id=student.pk, start=start, end=end)
    years: dict[int, AcademicYear] = {}
    stays = []
    for (class_id, stay_start, stay_end, grade, letter, shift, school_id, teacher_id, year_id, year_name, year_start,
         year_end) in classes:
        year = years.setdefault(year_id, AcademicYear(id=year_id, school_id=school_id, name=year_name,
                                                      start=year_start, end=year_end))
        school_class = SchoolClass(id=class_id, school_id=school_id, year=year, grade=grade, letter=letter,
                                   shift=shift, class_teacher_id=teacher_id)
        stays.append(ClassStay(school_class=school_class, start=stay_start, end=stay_end))
    return Placement(enrollments=stays, memberships=[GroupStay(*row) for row in groups])


# --- days: the week view, the printed report, the calendar ------------------------------------------------


@dataclass
class MarkItem:
    text: str
    value: str
    work_type: str
    comment: str
    is_control: bool = False


@dataclass
class FileItem:
    pk: int
    name: str
    size: int


@dataclass
class HomeworkItem:
    lesson_id: int
    assignment_id: int
    subject: str
    given_on: dt.date
    due: dt.date | None
    text: str
    individual: str = ""
    files: list[FileItem] = field(default_factory=list)


@dataclass
class DiaryLesson:
    """One lesson as the family sees it — plain values, no model instances (the week view is a hot page)."""

    pk: int
    date: dt.date
    number: int
    assignment_id: int
    subject_id: int
    subject: str
    teacher: str  # who taught it (short name)
    teacher_full: str
    room: str
    topic: str
    cancelled: bool
    start: dt.time | None
    end: dt.time | None
    substitution: str  # "" or what the family should know: «замена: …», «объединение групп», «урок отменён»
    given: HomeworkItem | None = None  # homework set at this lesson
    due: list[HomeworkItem] = field(default_factory=list)  # homework to be done for this lesson
    marks: list[MarkItem] = field(default_factory=list)
    absence: str = ""

    @property
    def absence_label(self) -> str:
        return ABSENCE_LABELS.get(self.absence, "")

    @property
    def missed(self) -> bool:
        return self.absence in MISSED


@dataclass
class DiaryDay:
    date: dt.date
    lessons: list[DiaryLesson]
    holiday: str | None
    is_today: bool
    due_elsewhere: list[HomeworkItem] = field(default_factory=list)  # due this day, no lesson of the subject

    @property
    def weekday(self) -> str:
        return WEEKDAY_NAMES[self.date.isoweekday()]

    @property
    def marks(self) -> list[tuple[DiaryLesson, MarkItem]]:
        return [(lesson, mark) for lesson in self.lessons for mark in lesson.marks]


@dataclass
class DiarySpan:
    student: Student
    start: dt.date
    end: dt.date
    today: dt.date
    days: list[DiaryDay]
    school_class: SchoolClass | None
    new_marks: int = 0  # see ``diary_days(new_for=…)``

    @property
    def marks(self) -> list[tuple[DiaryDay, DiaryLesson, MarkItem]]:
        return [(day, lesson, mark) for day in self.days for lesson in day.lessons for mark in lesson.marks]

    @property
    def absences(self) -> list[tuple[DiaryDay, DiaryLesson]]:
        return [(day, lesson) for day in self.days for lesson in day.lessons if lesson.absence]

    @property
    def missed_count(self) -> int:
        return sum(1 for _, lesson in self.absences if lesson.missed)

    @property
    def homework(self) -> list[tuple[DiaryDay, DiaryLesson]]:
        return [(day, lesson) for day in self.days for lesson in day.lessons if lesson.given]


def _substitution_note(*, cancelled: bool, kind: str | None, actual_id: int, planned_id: int,
                       planned_name: str) -> str:
    if cancelled or kind == SubstitutionKind.CANCEL:
        return "урок отменён"
    if kind == SubstitutionKind.MERGE:
        return "объединение групп"
    if actual_id != planned_id:
        return f"замена: вместо {planned_name}"
    return ""


def _teacher_name(cache: dict[tuple[str, str, str], tuple[str, str]], last: str, first: str,
                  patronymic: str) -> tuple[str, str]:
    """Short and full name, the way ``PersonName`` writes them."""
    key = (last or "", first or "", patronymic or "")
    if key not in cache:
        person = StaffMember(last_name=key[0], first_name=key[1], patronymic=key[2])
        cache[key] = (person.short_name, person.full_name)
    return cache[key]


def diary_days(student: Student, start: dt.date, end: dt.date, *, today: dt.date,
               new_for: int | None = None) -> DiarySpan:
    """Each day from ``start`` to ``end``: lessons with times, teachers, substitutions, rooms, topics, homework
    set and due (with files and individual tasks), marks with work types and comments, absences; holidays.
    Three plain queries (``rows`` — the families' hottest page) whatever the span's length and the number of
    marks: placement, the lessons around the span, then the student's marks, absences and individual homework at
    them with their files, substitutions and set due dates. The groups' assignments, the staff's and rooms'
    names, holidays and bells come from the school's cache (``zhurnal.school.stamps``). ``new_for``: a user id —
    the span's ``new_marks`` counts the student's marks that user has not seen in the feed yet (in the third
    query)."""
    window_start = start - dt.timedelta(days=HOMEWORK_LOOKAROUND_DAYS)
    window_end = end + dt.timedelta(days=HOMEWORK_LOOKAROUND_DAYS)
    place = placement(student, window_start, window_end)  # two queries
    school_class = place.latest_class(min(max(today, start), end))
    year = school_class.year if school_class is not None else None

    # One query for the lessons around the span: those of the span are shown, the others tell what homework
    # set before the span is due in it (and when the homework set in the span is due).
    school = student.school
    assignments = group_assignments(place, school)
    directory = stamps.cached(school, "diary:names", "", lambda: raw.school_names(school_id=school.pk))
    window_rows = [
        row for row in raw.lessons(school_id=school.pk, assignments=assignments, names=directory,
                                   start=window_start, end=window_end)
        if place.attends(group_kind=row[6], group_id=row[7], school_class_id=row[8], day=row[1])
    ]
    lessons = [row[:-1] for row in window_rows if start <= row[1] <= end]
    names: dict[tuple[str, str, str], tuple[str, str]] = {}
    new_since = None if new_for is None else (new_for, feed_since())
    found = raw.lesson_items(school_id=school.pk, student_id=student.pk, shown_ids=[row[0] for row in lessons],
                             window_ids=[row[0] for row in window_rows], new_since=new_since)
    dues = found.dues
    skeleton = [(row[0], row[3], row[1], row[2], row[-1], dues.get(row[0]), row[5]) for row in window_rows
                if not row[14]]
    individual = found.individual
    files: dict[int, list[FileItem]] = defaultdict(list)
    for pk, lesson_id, name, size in found.files:
        files[lesson_id].append(FileItem(pk, name, size))

    by_assignment: dict[int, list[tuple]] = defaultdict(list)
    for row in skeleton:
        by_assignment[row[1]].append(row)
    items: dict[int, HomeworkItem] = {}
    for assignment_rows in by_assignment.values():
        for index, (pk, assignment_id, date, _number, text, due, subject_name) in enumerate(assignment_rows):
            if not (text.strip() or pk in individual or pk in files):
                continue
            if due is None:  # the assignment's next lesson on a later day (its rows are in time order)
                due = next((r[2] for r in assignment_rows[index + 1:] if r[2] > date), None)
            items[pk] = HomeworkItem(lesson_id=pk, assignment_id=assignment_id, subject=subject_name, given_on=date,
                                     due=due, text=text.strip(), individual=individual.get(pk, ""),
                                     files=files.get(pk, []))

    marks: dict[int, list[MarkItem]] = defaultdict(list)
    for lesson_id, value, modifier, comment, work_type, is_control in found.marks:
        marks[lesson_id].append(MarkItem(text=grading.format_mark(value, modifier), value=value,
                                         work_type=work_type, comment=comment, is_control=is_control))
    absences = found.absences
    holidays = HolidayCalendar.for_school(student.school, start, end)
    bells = BellTimes.load(year, start, end, school=student.school)

    days = {day: DiaryDay(date=day, lessons=[], holiday=None, is_today=day == today)
            for day in dates_between(start, end)}
    for day in days.values():
        on_class = place.class_on(day.date) or school_class
        day.holiday = holidays.holiday_for(day.date, on_class.grade if on_class is not None else None)
    first_of_day: dict[tuple[int, dt.date], DiaryLesson] = {}
    substitutions = found.substitutions
    for (pk, date, number, assignment_id, subject_id, subject_name, _kind, _group, _class, class_shift, actual_id,
         planned_id, room, topic, cancelled, *teacher_names) in lessons:
        shift = class_shift or (school_class.shift if school_class is not None else 1)
        times = bells.times(date, shift, number)
        teacher, teacher_full = _teacher_name(names, *teacher_names[:3])
        item = DiaryLesson(
            pk=pk, date=date, number=number, assignment_id=assignment_id, subject_id=subject_id,
            subject=subject_name, teacher=teacher, teacher_full=teacher_full, room=room or "", topic=topic,
            cancelled=cancelled, start=times[0] if times else None, end=times[1] if times else None,
            substitution=_substitution_note(cancelled=cancelled, kind=substitutions.get(pk), actual_id=actual_id,
                                            planned_id=planned_id,
                                            planned_name=short_name_genitive(StaffMember(
                                                last_name=teacher_names[3] or "", first_name=teacher_names[4] or "",
                                                patronymic=teacher_names[5] or ""))),
            given=items.get(pk), marks=marks.get(pk, []), absence=absences.get(pk, ""))
        days[date].lessons.append(item)
        if not cancelled:
            first_of_day.setdefault((assignment_id, date), item)
    for item in sorted(items.values(), key=lambda i: (i.given_on, i.lesson_id)):
        if item.due is None or not start <= item.due <= end:
            continue
        target = first_of_day.get((item.assignment_id, item.due))
        if target is not None:
            target.due.append(item)
        else:
            days[item.due].due_elsewhere.append(item)
    for day in days.values():
        day.lessons.sort(key=lambda i: (i.start or dt.time(23, 59), i.number, i.subject))
    return DiarySpan(student=student, start=start, end=end, today=today, days=list(days.values()),
                     school_class=school_class, new_marks=found.new_marks)


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = monday_of(day)
    return monday, monday + dt.timedelta(days=6)


@dataclass
class DiaryWeek:
    span: DiarySpan
    monday: dt.date
    previous: dt.date
    following: dt.date
    new_marks: int
    period: ReportingPeriod | None
    forecast_open: bool
    period_days_left: int | None

    @property
    def days(self) -> list[DiaryDay]:
        """Monday to Saturday, and Sunday only when something happens on it."""
        return [d for d in self.span.days if d.date.weekday() < 6 or d.lessons or d.due_elsewhere]


def diary_week(student: Student, day: dt.date, *, today: dt.date, user_id: int | None) -> DiaryWeek:
    """The week containing ``day`` — the days' queries (with the count of new marks for ``user_id``) and the
    student's periods."""
    monday, sunday = week_bounds(day)
    span = diary_days(student, monday, sunday, today=today, new_for=user_id)
    period = None
    open_ = False
    days_left = None
    school_class = span.school_class
    if school_class is not None:
        periods = grade_periods(school_class.year_id, school_class.grade, school=school_or_id(student))
        period = current_period(periods, today)
        if period is not None and period.start <= today <= period.end:
            open_ = visibility.in_forecast_window(period_start=period.start, period_end=period.end, today=today)
            days_left = (period.end - today).days
    return DiaryWeek(span=span, monday=monday, previous=monday - dt.timedelta(days=7),
                     following=monday + dt.timedelta(days=7), new_marks=span.new_marks, period=period,
                     forecast_open=open_, period_days_left=days_left)


# --- the marks feed ------------------------------------------------------------------------------------------------


def last_feed_visit(student: Student, user_id: int) -> dt.datetime | None:
    return (FeedVisit.objects.filter(student=student, user_id=user_id)
            .values_list("seen_at", flat=True).first())


@dataclass
class FeedItem:
    value: str
    text: str
    subject_id: int
    subject: str
    work_type: str
    is_control: bool
    lesson_date: dt.date
    comment: str
    updated_at: dt.datetime
    is_new: bool
    changed: bool


@dataclass
class MarksFeed:
    student: Student
    seen_at: dt.datetime | None
    new: list[FeedItem]
    earlier: list[FeedItem]


def marks_feed(student: Student, *, seen_at: dt.datetime | None) -> MarksFeed:
    """Marks of the last 30 days, newest first; those set or changed after ``seen_at`` are new — one query."""
    marks = (Mark.objects.filter(student=student, updated_at__gt=feed_since()).order_by("-updated_at", "-pk")
             .values_list("value", "modifier", "lesson__assignment__subject_id", "lesson__assignment__subject__name",
                          "work_type__name", "work_type__is_control", "lesson__date", "comment", "created_at",
                          "updated_at")[:FEED_LIMIT])
    new, earlier = [], []
    for value, modifier, subject_id, subject, work_type, is_control, date, comment, created, updated in marks:
        item = FeedItem(value=value, text=grading.format_mark(value, modifier), subject_id=subject_id,
                        subject=subject, work_type=work_type, is_control=is_control, lesson_date=date,
                        comment=comment, updated_at=updated, is_new=seen_at is None or updated > seen_at,
                        changed=(updated - created) > dt.timedelta(seconds=5))
        (new if item.is_new else earlier).append(item)
    return MarksFeed(student=student, seen_at=seen_at, new=new, earlier=earlier)


# --- one subject: the computation shown and "what if" ------------------------------------------------------------


@dataclass
class MarkLine:
    date: dt.date
    value: str
    text: str
    work_type: str
    comment: str
    weight: Decimal
    number: Decimal | None
    counted: bool
    is_control: bool

    @property
    def product(self) -> Decimal | None:
        return self.number * self.weight if self.counted and self.number is not None else None

    @property
    def note(self) -> str:
        if self.number is None:
            return "не учитывается в среднем"
        if self.weight <= 0:
            return "вес 0 — не учитывается"
        return ""


@dataclass
class WhatIfCell:
    value: str
    suggestion: str | None
    average: Decimal | None
    changes: bool


@dataclass
class WhatIfRow:
    weight: Decimal
    work_types: list[str]
    is_control: bool
    cells: list[WhatIfCell]
    raise_to: str | None = None  # the next mark up …
    raise_with: int | None = None  # … needs this many «5» of this kind


@dataclass
class SubjectSection:
    assignment: TeachingAssignment
    lines: list[MarkLine]
    average: Average
    suggestion: Suggestion
    what_if: list[WhatIfRow]
    final: FinalMark | None
    show_forecast: bool
    marks_allowed: bool
    marks_html: str = ""  # the marks and the computation, rendered by ``rendering.render_marks``

    @property
    def counted(self) -> list[MarkLine]:
        return [line for line in self.lines if line.counted]

    @property
    def numerator(self) -> Decimal:
        return sum((line.product for line in self.counted if line.product is not None), Decimal(0))

    @property
    def warning(self) -> str:
        return forecast_warning(self.suggestion, min_marks=None) if self.show_forecast else ""


@dataclass
class YearFinal:
    assignment: TeachingAssignment
    values: list[tuple[str, str | None]]  # (period name, visible final mark) in the order of the periods
    year: FinalMark | None


@dataclass
class SubjectPage:
    student: Student
    subject: Subject
    period: ReportingPeriod
    periods: list[ReportingPeriod]
    sections: list[SubjectSection]
    years: list[YearFinal]
    policy: Policy
    today: dt.date
    forecast_from: dt.date
    finals_from: dt.date
    in_window: bool

    @property
    def thresholds(self) -> list[tuple[str, Decimal]]:
        return list(self.policy.thresholds)


def forecast_warning(suggestion: Suggestion, *, min_marks: int | None) -> str:
    if suggestion.value is None:
        return "недостаточно отметок для итоговой"
    if suggestion.value in ("1", "2"):
        return f"прогноз «{suggestion.value}» — есть риск неудовлетворительной итоговой отметки"
    return ""


def _what_if(marks: list[GradedMark], current: Suggestion, work_types: list[WorkType], policy: Policy,
             on: dt.date) -> list[WhatIfRow]:
    """Which one more mark (2…5) of which kind of work would change the suggested final mark; and how many «5»
    would raise it by one. Every figure is ``grading.suggest_final_mark`` on the marks plus the imagined ones."""
    groups: dict[tuple[Decimal, bool], list[WorkType]] = {}
    for work_type in work_types:
        weight = policy.weight(work_type.pk)
        if not work_type.is_active or weight <= 0:
            continue
        groups.setdefault((weight, work_type.pk in policy.control_types), []).append(work_type)
    rows = []
    base = grading.weighted_average(marks, policy=policy)
    for (weight, is_control), kinds in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1])):
        sample = kinds[0].pk
        cells = []
        for value in ("5", "4", "3", "2"):
            mark = GradedMark(value, "", sample, on, 99, 99)  # after every mark of that day
            imagined = grading.suggest_final_mark([*marks, mark], policy=policy,
                                                  average=grading.with_mark(base, mark, policy=policy))
            cells.append(WhatIfCell(value=value, suggestion=imagined.value, average=imagined.average,
                                    changes=imagined.value != current.value))
        row = WhatIfRow(weight=weight, work_types=[k.name for k in kinds], is_control=is_control, cells=cells)
        if current.value in ("1", "2", "3", "4"):
            target = str(int(current.value) + 1)
            extra: list[GradedMark] = []
            average = base
            for n in range(1, 11):
                five = GradedMark("5", "", sample, on, 99 + n, 99)
                extra.append(five)
                average = grading.with_mark(average, five, policy=policy)
                if grading.suggest_final_mark([*marks, *extra], policy=policy, average=average).value == target:
                    row.raise_to, row.raise_with = target, n
                    break
        rows.append(row)
    return rows


def student_periods(place: Placement, today: dt.date, *,
                    school: School | int) -> tuple[SchoolClass | None, list[ReportingPeriod]]:
    school_class = place.latest_class(today)
    if school_class is None:
        return None, []
    return school_class, grade_periods(school_class.year_id, school_class.grade, school=school)


def diary_subject(student: Student, subject: Subject, *, period: ReportingPeriod, periods: list[ReportingPeriod],
                  school_class: SchoolClass, place: Placement, today: dt.date) -> SubjectPage:
    """Marks of one subject in a period with the weighted average worked out, the suggested final mark and how
    it follows from the school's rules, what one more mark would change, and the final marks of every period
    and the year. Queries: the marks and the final marks, whatever their number; the student's assignments of
    the subject (with their teachers and groups), the work types and the policy come from the school's cache."""
    school = student.school
    assignments = year_assignments(place, school, school_class.year_id, subject_id=subject.pk)
    policy, work_types = rules_on(school, period_policy_date(period, today))
    names = {w.pk: w.name for w in work_types}
    lines: dict[int, list[MarkLine]] = defaultdict(list)
    graded: dict[int, list[GradedMark]] = defaultdict(list)
    for assignment_id, mark, comment in period_mark_rows([a.pk for a in assignments], student.pk, period):
        graded[assignment_id].append(mark)
        value, modifier, work_type_id = mark.value, mark.modifier, mark.work_type_id
        number = grading.mark_number(value, modifier, policy=policy)
        weight = policy.weight(work_type_id)
        lines[assignment_id].append(MarkLine(
            date=mark.date, value=value, text=grading.format_mark(value, modifier),
            work_type=names.get(work_type_id, ""), comment=comment, weight=weight, number=number,
            counted=number is not None and weight > 0, is_control=work_type_id in policy.control_types))
    finals = _visible_finals(FinalMark.objects.filter(student=student, assignment_id__in=[a.pk for a in assignments]),
                             periods, today)
    in_window = visibility.in_forecast_window(period_start=period.start, period_end=period.end, today=today)
    sections = []
    grade = school_class.grade
    for assignment in assignments:
        marks = graded.get(assignment.pk, [])
        in_group = any(place.attends(group_kind=assignment.group.kind, group_id=assignment.group_id,
                                     school_class_id=assignment.group.school_class_id, day=day)
                       for day in (period.start, min(max(today, period.start), period.end), period.end))
        if not marks and not in_group:
            continue
        suggestion = grading.suggest_final_mark(marks, policy=policy)
        final = finals.get((assignment.pk, period.pk))
        last = max((m.date for m in marks), default=period.start)
        sections.append(SubjectSection(
            assignment=assignment, lines=lines.get(assignment.pk, []),
            average=grading.weighted_average(marks, policy=policy), suggestion=suggestion,
            what_if=_what_if(marks, suggestion, work_types, policy, max(min(today, period.end), last)),
            final=final, show_forecast=in_window and final is None,
            marks_allowed=grading.marks_allowed(grade=grade, subject_without_marks=subject.without_marks,
                                                policy=policy),
        ))
    years = [YearFinal(assignment=a, values=[(p.name, getattr(finals.get((a.pk, p.pk)), "value", None))
                                             for p in periods],
                       year=finals.get((a.pk, None))) for a in assignments
             if any(key[0] == a.pk for key in finals) or any(s.assignment.pk == a.pk for s in sections)]
    forecast_from, _ = visibility.forecast_window(period.start, period.end)
    return SubjectPage(student=student, subject=subject, period=period, periods=periods, sections=sections,
                       years=years, policy=policy, today=today, forecast_from=forecast_from,
                       finals_from=visibility.finals_visible_from(period.end), in_window=in_window)


def _visible_finals(finals: QuerySet[FinalMark], periods: list[ReportingPeriod],
                    today: dt.date) -> dict[tuple[int, int | None], FinalMark]:
    """Final marks the family sees today, keyed by (assignment, period id or None for the year)."""
    ends = {p.pk: p.end for p in periods}
    year_end = periods[-1].end if periods else None
    out: dict[tuple[int, int | None], FinalMark] = {}
    for final in finals:
        end = year_end if final.kind == FinalKind.YEAR else ends.get(final.period_id)
        if end is not None and visibility.family_can_see_final(period_end=end, today=today):
            out[(final.assignment_id, final.period_id if final.kind == FinalKind.PERIOD else None)] = final
    return out


# --- final marks: subjects × periods ------------------------------------------------------------------------------


@dataclass
class FinalCell:
    final: str | None = None
    forecast: Suggestion | None = None
    average: Decimal | None = None
    warning: str = ""
    current: bool = False


@dataclass
class FinalsRow:
    assignment: TeachingAssignment
    cells: list[FinalCell]
    year: FinalCell
    marks_allowed: bool

    @property
    def label(self) -> str:
        group = self.assignment.group
        suffix = f" ({group.name})" if group.kind != GroupKind.CLASS else ""
        return f"{self.assignment.subject.name}{suffix}"


@dataclass
class AckState:
    key: str  # period id or "year"
    label: str
    visible: bool  # final marks of it are shown to the family
    has_marks: bool
    acknowledgements: list[FinalAcknowledgement]
    snapshot: dict[str, str]

    def for_guardian(self, guardian_ids: frozenset[int]) -> FinalAcknowledgement | None:
        for ack in self.acknowledgements:
            if ack.guardian_id in guardian_ids:
                return ack
        return None

    def is_current(self, ack: FinalAcknowledgement) -> bool:
        return ack.marks == self.snapshot


@dataclass
class FinalsPage:
    student: Student
    school_class: SchoolClass | None
    periods: list[ReportingPeriod]
    rows: list[FinalsRow]
    current: ReportingPeriod | None
    in_window: bool
    forecast_from: dt.date | None
    acks: list[AckState]
    today: dt.date

    @property
    def warnings(self) -> list[tuple[FinalsRow, str]]:
        out = []
        for row in self.rows:
            for cell in row.cells:
                if cell.warning:
                    out.append((row, cell.warning))
        return out


def _snapshot(rows: list[FinalsRow], index: int | None) -> dict[str, str]:
    out = {}
    for row in rows:
        cell = row.year if index is None else row.cells[index]
        if cell.final:
            out[row.label] = cell.final
    return out


def diary_finals(student: Student, *, today: dt.date) -> FinalsPage:
    """Every subject × every period and the year: final marks the family may see, the current period's average
    and, inside the forecast window, the suggested final mark with warnings; acknowledgements. Four queries
    (placement, final marks, the current period's marks, acknowledgements); the assignments, rules and periods
    come from the school's cache."""
    year_start = today - dt.timedelta(days=366)
    place = placement(student, year_start, today + dt.timedelta(days=366))
    school_class, periods = student_periods(place, today, school=school_or_id(student))
    if school_class is None:
        return FinalsPage(student=student, school_class=None, periods=[], rows=[], current=None, in_window=False,
                          forecast_from=None, acks=[], today=today)
    year = school_class.year
    school = student.school
    # By name whatever the case: «МХК» after «Математика».
    assignments = sorted(year_assignments(place, school, year.pk),
                         key=lambda a: (a.subject.name.casefold(), a.group.name.casefold(), a.pk))
    ids = [a.pk for a in assignments]
    finals = _visible_finals(FinalMark.objects.filter(student=student, assignment_id__in=ids), periods, today)
    current = current_period(periods, today)
    if current is not None and not current.start <= today <= current.end:
        current = None
    in_window = current is not None and visibility.in_forecast_window(period_start=current.start,
                                                                      period_end=current.end, today=today)
    graded: dict[int, list[GradedMark]] = defaultdict(list)
    policy = None
    if current is not None:
        policy, work_types = rules_on(school, period_policy_date(current, today))
        # The journal's own query, in its order: the forecast is the journal's suggestion.
        for assignment_id, mark, _ in period_mark_rows(ids, student.pk, current):
            graded[assignment_id].append(mark)
    rows = []
    for assignment in assignments:
        in_group = any(place.attends(group_kind=assignment.group.kind, group_id=assignment.group_id,
                                     school_class_id=assignment.group.school_class_id, day=p.end if p.end < today
                                     else today) for p in periods)
        has_final = any(key[0] == assignment.pk for key in finals)
        if not in_group and not has_final and not graded.get(assignment.pk):
            continue
        allowed = policy is None or grading.marks_allowed(grade=school_class.grade,
                                                          subject_without_marks=assignment.subject.without_marks,
                                                          policy=policy)
        cells = []
        for period in periods:
            final = finals.get((assignment.pk, period.pk))
            cell = FinalCell(final=final.value if final else None, current=current is not None
                             and period.pk == current.pk)
            if cell.current and policy is not None and allowed:
                marks = graded.get(assignment.pk, [])
                average = grading.weighted_average(marks, policy=policy)
                cell.average = average.value
                if in_window and final is None:
                    cell.forecast = grading.suggest_final_mark(marks, policy=policy)
                    cell.warning = forecast_warning(cell.forecast, min_marks=policy.min_marks)
            cells.append(cell)
        year_final = finals.get((assignment.pk, None))
        year_cell = FinalCell(final=year_final.value if year_final else None)
        if (year_final is None and policy is not None and allowed and in_window and periods
                and current is not None and current.pk == periods[-1].pk):
            values = [c.final if c.final else (c.forecast.value if c.forecast else None) for c in cells]
            year_cell.forecast = grading.suggest_year_mark(values, policy=policy)
        rows.append(FinalsRow(assignment=assignment, cells=cells, year=year_cell, marks_allowed=allowed))
    acks_by_key: dict[str, list[FinalAcknowledgement]] = defaultdict(list)
    for ack in (FinalAcknowledgement.objects.filter(student=student, year=year)
                .select_related("guardian").order_by("acknowledged_at")):
        acks_by_key[str(ack.period_id) if ack.kind == AcknowledgementKind.PERIOD else "year"].append(ack)
    acks = []
    for index, period in enumerate(periods):
        snapshot = _snapshot(rows, index)
        acks.append(AckState(key=str(period.pk), label=period.name,
                             visible=visibility.family_can_see_final(period_end=period.end, today=today),
                             has_marks=bool(snapshot), acknowledgements=acks_by_key.get(str(period.pk), []),
                             snapshot=snapshot))
    if periods:
        snapshot = _snapshot(rows, None)
        acks.append(AckState(key="year", label="год",
                             visible=visibility.family_can_see_final(period_end=periods[-1].end, today=today),
                             has_marks=bool(snapshot), acknowledgements=acks_by_key.get("year", []),
                             snapshot=snapshot))
    forecast_from = visibility.forecast_window(current.start, current.end)[0] if current is not None else None
    return FinalsPage(student=student, school_class=school_class, periods=periods, rows=rows, current=current,
                      in_window=in_window, forecast_from=forecast_from, acks=acks, today=today)


# --- the class teacher and the deputy --------------------------------------------------------------------------------


@dataclass
class GuardianActivity:
    link: GuardianLink
    views: int
    days: list[tuple[str, bool]]

    @property
    def paper(self) -> bool:
        return self.link.info_channel == InfoChannel.PAPER

    @property
    def has_access(self) -> bool:
        return self.link.guardian.user_id is not None

    @property
    def checks_enough(self) -> bool:
        return self.views >= CHECKS_PER_WEEK


@dataclass
class StudentActivity:
    student: Student
    views: int
    days: list[tuple[str, bool]]
    guardians: list[GuardianActivity]

    @property
    def family_checks(self) -> bool:
        return any(g.checks_enough for g in self.guardians)

    @property
    def paper(self) -> bool:
        return any(g.paper for g in self.guardians)


@dataclass
class ClassActivity:
    school_class: SchoolClass
    monday: dt.date
    days: list[dt.date]
    rows: list[StudentActivity]

    @property
    def families_checking(self) -> int:
        return sum(1 for row in self.rows if row.family_checks)

    @property
    def students_checking(self) -> int:
        return sum(1 for row in self.rows if row.views >= CHECKS_PER_WEEK)


def _class_students(school_class: SchoolClass, start: dt.date, end: dt.date) -> list[Student]:
    rows = (Enrollment.objects.filter(school_class=school_class, start__lte=end)
            .filter(Q(end__isnull=True) | Q(end__gte=start)).select_related("student"))
    students = {row.student_id: row.student for row in rows}
    return sorted(students.values(), key=lambda s: (s.last_name, s.first_name, s.patronymic, s.pk))


def class_week_activity(school_class: SchoolClass, monday: dt.date) -> ClassActivity:
    """Who of the class's students and guardians opened the diary, how often, on which days of the week —
    three queries whatever the size of the class."""
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    students = _class_students(school_class, days[0], days[-1])
    ids = [s.pk for s in students]
    links: dict[int, list[GuardianLink]] = defaultdict(list)
    for link in (GuardianLink.objects.filter(student_id__in=ids).select_related("guardian")
                 .order_by("guardian__last_name", "guardian__first_name", "pk")):
        links[link.student_id].append(link)
    guardian_ids = [link.guardian_id for items in links.values() for link in items]
    by_guardian: dict[int, dict[dt.date, int]] = defaultdict(dict)
    by_student: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for guardian_id, student_id, date, count in (
            DiaryView.objects.filter(Q(guardian_id__in=guardian_ids) | Q(student_id__in=ids),
                                     date__gte=days[0], date__lte=days[-1])
            .values_list("guardian_id", "student_id", "date", "count")):
        if guardian_id is not None:
            by_guardian[guardian_id][date] = count
        else:
            by_student[student_id][date] = count
    rows = []
    for student in students:
        own = by_student.get(student.pk, {})
        guardians = [GuardianActivity(link=link, views=sum(by_guardian.get(link.guardian_id, {}).values()),
                                      days=[(SHORT_DAYS[i], d in by_guardian.get(link.guardian_id, {}))
                                            for i, d in enumerate(days)])
                     for link in links.get(student.pk, [])]
        rows.append(StudentActivity(student=student, views=sum(own.values()),
                                    days=[(SHORT_DAYS[i], d in own) for i, d in enumerate(days)],
                                    guardians=guardians))
    return ClassActivity(school_class=school_class, monday=monday, days=days, rows=rows)


@dataclass
class ClassActivitySummary:
    school_class: SchoolClass
    students: int
    families: int  # students with at least one guardian who has access and reads electronically
    families_checking: int
    students_with_access: int
    students_checking: int
    paper: int

    @property
    def families_share(self) -> int | None:
        return round(100 * self.families_checking / self.families) if self.families else None


def school_week_activity(year: AcademicYear, monday: dt.date) -> list[ClassActivitySummary]:
    """Per class of the year: how many families and students checked the diary at least twice this week —
    four queries whatever the size of the school."""
    sunday = monday + dt.timedelta(days=6)
    classes = list(SchoolClass.objects.filter(year=year).order_by("grade", "letter"))
    members: dict[int, set[int]] = defaultdict(set)
    student_access: dict[int, bool] = {}
    for class_id, student_id, user_id in (
            Enrollment.objects.filter(school_class__year=year, start__lte=sunday)
            .filter(Q(end__isnull=True) | Q(end__gte=monday))
            .values_list("school_class_id", "student_id", "student__user_id")):
        members[class_id].add(student_id)
        student_access[student_id] = user_id is not None
    links: dict[int, list[tuple[int, str, bool]]] = defaultdict(list)
    for student_id, guardian_id, channel, user_id in (
            GuardianLink.objects.filter(school_id=year.school_id, student_id__in=list(student_access))
            .values_list("student_id", "guardian_id", "info_channel", "guardian__user_id")):
        links[student_id].append((guardian_id, channel, user_id is not None))
    totals = (DiaryView.objects.filter(school_id=year.school_id, date__gte=monday, date__lte=sunday)
              .values("guardian_id", "student_id").annotate(total=Sum("count")).order_by())
    by_guardian = {row["guardian_id"]: row["total"] for row in totals if row["guardian_id"] is not None}
    by_student = {row["student_id"]: row["total"] for row in totals if row["student_id"] is not None}
    out = []
    for school_class in classes:
        ids = members.get(school_class.pk, set())
        families = checking = paper = 0
        for student_id in ids:
            family = links.get(student_id, [])
            if any(channel == InfoChannel.PAPER for _, channel, _ in family):
                paper += 1
            electronic = [g for g, channel, access in family if access and channel != InfoChannel.PAPER]
            if electronic:
                families += 1
                if any(by_guardian.get(g, 0) >= CHECKS_PER_WEEK for g in electronic):
                    checking += 1
        with_access = [s for s in ids if student_access.get(s)]
        out.append(ClassActivitySummary(
            school_class=school_class, students=len(ids), families=families, families_checking=checking,
            students_with_access=len(with_access),
            students_checking=sum(1 for s in with_access if by_student.get(s, 0) >= CHECKS_PER_WEEK),
            paper=paper))
    return out


@dataclass
class GuardianAck:
    link: GuardianLink
    acknowledgement: FinalAcknowledgement | None
    current: bool  # the acknowledgement covers the marks shown now

    @property
    def paper(self) -> bool:
        return self.link.info_channel == InfoChannel.PAPER


@dataclass
class AckRow:
    student: Student
    marks: dict[str, str]
    guardians: list[GuardianAck]

    @property
    def acknowledged(self) -> bool:
        return any(g.acknowledgement is not None and g.current for g in self.guardians)

    @property
    def outdated(self) -> bool:
        return not self.acknowledged and any(g.acknowledgement is not None for g in self.guardians)


@dataclass
class ClassAcknowledgements:
    school_class: SchoolClass
    periods: list[ReportingPeriod]
    period: ReportingPeriod | None  # None: the year
    visible: bool
    visible_from: dt.date | None
    rows: list[AckRow]

    @property
    def acknowledged(self) -> int:
        return sum(1 for row in self.rows if row.acknowledged)

    @property
    def with_marks(self) -> int:
        return sum(1 for row in self.rows if row.marks)


def _mark_label(final: FinalMark) -> str:
    group = final.assignment.group
    suffix = f" ({group.name})" if group.kind != GroupKind.CLASS else ""
    return f"{final.assignment.subject.name}{suffix}"


def class_acknowledgements(school_class: SchoolClass, period: ReportingPeriod | None, *,
                           periods: list[ReportingPeriod], today: dt.date) -> ClassAcknowledgements:
    """Students of the class with the final marks their families see for the period (or the year) and which
    guardian acknowledged them, and whether the marks changed afterwards — four queries."""
    if period is not None:
        start, end = period.start, period.end
    else:
        start = periods[0].start if periods else school_class.year.start
        end = periods[-1].end if periods else school_class.year.end
    visible = visibility.family_can_see_final(period_end=end, today=today)
    students = _class_students(school_class, max(start, min(end, today)), end)
    ids = [s.pk for s in students]
    links: dict[int, list[GuardianLink]] = defaultdict(list)
    for link in (GuardianLink.objects.filter(student_id__in=ids).select_related("guardian")
                 .order_by("guardian__last_name", "guardian__first_name", "pk")):
        links[link.student_id].append(link)
    finals = FinalMark.objects.filter(student_id__in=ids, assignment__year=school_class.year)
    finals = finals.filter(period=period, kind=FinalKind.PERIOD) if period is not None else \
        finals.filter(kind=FinalKind.YEAR)
    marks: dict[int, dict[str, str]] = defaultdict(dict)
    if visible:
        for final in finals.select_related("assignment__subject", "assignment__group"):
            marks[final.student_id][_mark_label(final)] = final.value
    acks = FinalAcknowledgement.objects.filter(student_id__in=ids, year=school_class.year)
    acks = acks.filter(period=period, kind=AcknowledgementKind.PERIOD) if period is not None else \
        acks.filter(kind=AcknowledgementKind.YEAR)
    by_pair = {(a.student_id, a.guardian_id): a for a in acks}
    rows = []
    for student in students:
        current = marks.get(student.pk, {})
        guardians = []
        for link in links.get(student.pk, []):
            ack = by_pair.get((student.pk, link.guardian_id))
            guardians.append(GuardianAck(link=link, acknowledgement=ack, current=ack is not None
                                         and ack.marks == current))
        rows.append(AckRow(student=student, marks=current, guardians=guardians))
    return ClassAcknowledgements(school_class=school_class, periods=periods, period=period, visible=visible,
                                 visible_from=visibility.finals_visible_from(end), rows=rows)


def acknowledgement_snapshot(student: Student, *, period: ReportingPeriod | None, today: dt.date) -> tuple[
        AcademicYear | None, dict[str, str], bool]:
    """What a guardian acknowledges: the final marks of the period (or the year) the family sees now, and
    whether they are visible at all — the same figures the class teacher's page compares with."""
    page = diary_finals(student, today=today)
    if page.school_class is None:
        return None, {}, False
    key = str(period.pk) if period is not None else "year"
    for state in page.acks:
        if state.key == key:
            return page.school_class.year, state.snapshot, state.visible
    return page.school_class.year, {}, False


def paper_students(school_class: SchoolClass, monday: dt.date) -> list[Student]:
    """Students of the class (during the week) with a guardian who chose paper instead of the diary."""
    students = _class_students(school_class, monday, monday + dt.timedelta(days=6))
    paper = set(GuardianLink.objects.filter(student_id__in=[s.pk for s in students],
                                            info_channel=InfoChannel.PAPER).values_list("student_id", flat=True))
    return [s for s in students if s.pk in paper]


def children_of(student_ids: frozenset[int] | set[int]) -> list[Student]:
    return list(Student.objects.filter(pk__in=sorted(student_ids)).order_by("last_name", "first_name", "pk"))


def other_school_children(user, school: School) -> list[GuardianLink]:
    """Children the user represents in his other schools (for the switcher) — one query."""
    return list(GuardianLink.objects.filter(guardian__user=user).exclude(school=school)
                .select_related("student", "school").order_by("school__short_name", "student__last_name"))
