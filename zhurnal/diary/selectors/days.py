"""A student's days: the week view, the printed report, the calendar."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from zhurnal.core import stamps
from zhurnal.core.declension import short_name_genitive
from zhurnal.core.stamps import school_or_id
from zhurnal.journal import grading, homework, visibility
from zhurnal.journal.selectors import current_period
from zhurnal.school.models import (
    ReportingPeriod,
    SchoolClass,
    StaffMember,
    Student,
)
from zhurnal.school.selectors import grade_periods
from zhurnal.timetable.calendar import BellTimes, HolidayCalendar, dates_between, monday_of
from zhurnal.timetable.models import WEEKDAY_NAMES, SubstitutionKind

from .. import queries
from .feed import feed_since
from .placement import group_assignments, placement

# Homework given up to this many days before a shown day may be due on it (a weekly lesson across a vacation).
HOMEWORK_LOOKAROUND_DAYS = 21




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
        return grading.ABSENCE_MEANINGS.get(self.absence, "")

    @property
    def missed(self) -> bool:
        return self.absence in grading.MISSED_CODES


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


def _substitution_note(*, cancelled: bool, kind: str | None, actual_id: int | None, planned_id: int | None,
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
    Three plain queries (``queries`` — the families' hottest page) whatever the span's length and the number of
    marks: placement, the lessons around the span, then the student's marks, absences and individual homework at
    them with their files, substitutions and set due dates. The groups' assignments, the staff's and rooms'
    names, holidays and bells come from the school's cache (``zhurnal.core.stamps``). ``new_for``: a user id —
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
    directory = stamps.cached(school, "diary:names", "", lambda: queries.school_names(school_id=school.pk))
    window_rows = [
        row for row in queries.lessons(school_id=school.pk, assignments=assignments, names=directory,
                                       start=window_start, end=window_end)
        if place.attends(group_kind=row.assignment.group_kind, group_id=row.assignment.group_id,
                         school_class_id=row.assignment.school_class_id, day=row.date)
    ]
    lessons = [row for row in window_rows if start <= row.date <= end]
    names: dict[tuple[str, str, str], tuple[str, str]] = {}
    new_since = None if new_for is None else (new_for, feed_since())
    found = queries.lesson_items(school_id=school.pk, student_id=student.pk, shown_ids=[row.pk for row in lessons],
                                 window_ids=[row.pk for row in window_rows], new_since=new_since)
    dues = found.dues
    individual = found.individual
    files: dict[int, list[FileItem]] = defaultdict(list)
    for file in found.files:
        files[file.lesson_id].append(FileItem(file.pk, file.name, file.size))

    # Each assignment's lessons that took place, in time order: the homework set at one is due by a later one.
    by_assignment: dict[int, list[queries.LessonRow]] = defaultdict(list)
    for row in window_rows:
        if not row.cancelled:
            by_assignment[row.assignment_id].append(row)
    items: dict[int, HomeworkItem] = {}
    for assignment_rows in by_assignment.values():
        for index, row in enumerate(assignment_rows):
            pk = row.pk
            if not (row.homework.strip() or pk in individual or pk in files):
                continue
            due = homework.due_date(given_on=row.date, set_due=dues.get(pk),
                                    later_lessons=(later.date for later in assignment_rows[index + 1:]))
            items[pk] = HomeworkItem(lesson_id=pk, assignment_id=row.assignment_id, subject=row.assignment.subject,
                                     given_on=row.date, due=due, text=row.homework.strip(),
                                     individual=individual.get(pk, ""), files=files.get(pk, []))

    marks: dict[int, list[MarkItem]] = defaultdict(list)
    for mark in found.marks:
        marks[mark.lesson_id].append(MarkItem(text=grading.format_mark(mark.value, mark.modifier), value=mark.value,
                                              work_type=mark.work_type, comment=mark.comment,
                                              is_control=mark.is_control))
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
    for row in lessons:
        pk, date, number, cancelled, assignment = row.pk, row.date, row.number, row.cancelled, row.assignment
        shift = assignment.shift or (school_class.shift if school_class is not None else 1)
        times = bells.times(date, shift, number)
        teacher, teacher_full = _teacher_name(names, *row.actual_teacher)
        planned = row.planned_teacher
        item = DiaryLesson(
            pk=pk, date=date, number=number, assignment_id=row.assignment_id, subject_id=assignment.subject_id,
            subject=assignment.subject, teacher=teacher, teacher_full=teacher_full, room=row.room or "", topic=row.topic,
            cancelled=cancelled, start=times[0] if times else None, end=times[1] if times else None,
            substitution=_substitution_note(cancelled=cancelled, kind=substitutions.get(pk),
                                            actual_id=row.actual_teacher_id, planned_id=row.planned_teacher_id,
                                            planned_name=short_name_genitive(StaffMember(
                                                last_name=planned.last or "", first_name=planned.first or "",
                                                patronymic=planned.patronymic or ""))),
            given=items.get(pk), marks=marks.get(pk, []), absence=absences.get(pk, ""))
        days[date].lessons.append(item)
        if not cancelled:
            first_of_day.setdefault((row.assignment_id, date), item)
    for given in sorted(items.values(), key=lambda i: (i.given_on, i.lesson_id)):
        if given.due is None or not start <= given.due <= end:
            continue
        target = first_of_day.get((given.assignment_id, given.due))
        if target is not None:
            target.due.append(given)
        else:
            days[given.due].due_elsewhere.append(given)
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
