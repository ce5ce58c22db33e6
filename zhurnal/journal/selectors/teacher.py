"""The teacher's start page and small reads of lessons, policies and homework."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from zhurnal.school.models import (
    AcademicYear,
    School,
    StaffMember,
)
from zhurnal.timetable.models import Lesson

from .. import grading
from ..models import (
    Attendance,
    GradingPolicy,
    HomeworkAttachment,
    IndividualHomework,
    LessonRecord,
    Mark,
    WorkType,
)
from ..policies import policy_row_for, rules_on
from .periods import marks_allowed_for


def teacher_lessons_on(staff_id: int, on: dt.date) -> QuerySet[Lesson]:
    """A teacher's lessons of a day: his own and those he substitutes."""
    return (Lesson.objects.filter(date=on, cancelled=False)
            .filter(Q(actual_teacher_id=staff_id) | Q(assignment__teacher_id=staff_id))
            .select_related("assignment__subject", "assignment__group", "actual_teacher")
            .order_by("number"))


def policy_versions(school: School) -> QuerySet[GradingPolicy]:
    return GradingPolicy.objects.filter(school=school).select_related("created_by").order_by("-valid_from")


def rules_page(school: School, work_types: list[WorkType], *, today: dt.date) -> dict[str, Any]:
    """What the grading rules page shows: the rules in force today (their form's starting values), every version,
    the work types with their weights in force."""
    current = policy_row_for(school, today)
    weights = {int(k): v for k, v in ((current.weights if current else {}) or {}).items()}
    return {
        "current": current, "versions": policy_versions(school), "work_types": work_types,
        "weighted": [(work_type, weights.get(work_type.pk, "1")) for work_type in work_types],
        "codes": grading.CODE_VALUES, "grades": range(1, 12),
        "excluded": set(current.excluded_codes) if current else set(grading.CODE_VALUES),
        "no_mark_grades": set(current.grades_without_marks) if current else {1},
    }


def attachments_of(lesson: Lesson) -> QuerySet[HomeworkAttachment]:
    return HomeworkAttachment.objects.filter(lesson=lesson).order_by("created_at", "id")


def individual_homework_of(lesson: Lesson) -> QuerySet[IndividualHomework]:
    return IndividualHomework.objects.filter(lesson=lesson).select_related("student")


def mark_counts(assignment_ids: list[int], start: dt.date, end: dt.date) -> dict[int, int]:
    return dict(Mark.objects.filter(lesson__assignment_id__in=assignment_ids, lesson__date__gte=start,
                                    lesson__date__lte=end).values_list("lesson__assignment_id")
                .annotate(n=Count("id")).values_list("lesson__assignment_id", "n"))


@dataclass
class DayLesson:
    """One of today's lessons and what is still to fill in it."""

    lesson: Lesson
    has_topic: bool
    has_homework: bool
    homework_expected: bool
    has_entries: bool  # any absence or mark: attendance taken
    held: bool
    all_present: bool = False  # «Все присутствуют» confirmed: attendance taken, nobody absent

    @property
    def attendance_missing(self) -> bool:
        return self.held and not self.has_entries and not self.all_present

    @property
    def missing(self) -> list[str]:
        missing = []
        if not self.has_topic:
            missing.append("тема")
        if self.homework_expected and not self.has_homework:
            missing.append("домашнее задание")
        if self.attendance_missing:
            missing.append("посещаемость")
        return missing


@dataclass
class OverdueControl:
    """A control work held more than a day ago whose marks are not all entered."""

    lesson: Lesson
    control_label: str
    marks: int


@dataclass
class TeacherDayPage:
    day: dt.date
    lessons: list[DayLesson]
    overdue: list[OverdueControl]
    holiday: str | None
    handed_over: list[Lesson]

    @property
    def first_to_fill(self) -> DayLesson | None:
        for item in self.lessons:
            if item.held and item.missing:
                return item
        return next((item for item in self.lessons if item.missing), None)


def teacher_day_page(staff: StaffMember, year: AcademicYear | None, day: dt.date, *, today: dt.date) -> TeacherDayPage:
    """Today's lessons of a teacher with what is unfilled (topic, homework, attendance — taken when a mark or an
    absence is in, or «Все присутствуют» confirmed) and his control works older than a day without marks. Queries: the day's lessons, bells and holidays (timetable's ``teacher_day``), one for
    the lessons' entries, one for the overdue control works — the same for any number of lessons and pupils."""
    from zhurnal.timetable.selectors import teacher_day

    plan = teacher_day(staff, year, day)
    lessons = plan.lessons
    with_entries: set[int] = set()
    all_present: set[int] = set()
    if lessons:
        ids = [lesson.pk for lesson in lessons]
        for pk, absences, marks, confirmed in (
            Lesson.objects.filter(pk__in=ids)
            .annotate(has_absences=Exists(Attendance.objects.filter(lesson_id=OuterRef("pk"))),
                      has_marks=Exists(Mark.objects.filter(lesson_id=OuterRef("pk"))),
                      all_present_confirmed=Exists(LessonRecord.objects.filter(lesson_id=OuterRef("pk"),
                                                                   attendance_taken_at__isnull=False)))
            .values_list("pk", "has_absences", "has_marks", "all_present_confirmed")
        ):
            if absences or marks:
                with_entries.add(pk)
            if confirmed:
                all_present.add(pk)
    policy, work_types = rules_on(staff.school_id, day)
    items = []
    for lesson in lessons:
        group = lesson.assignment.group
        grade = group.school_class.grade if group.school_class is not None else None
        homework_expected = marks_allowed_for(lesson.assignment, grade, policy)
        items.append(DayLesson(lesson=lesson, has_topic=bool(lesson.topic.strip()),
                               has_homework=bool(lesson.homework.strip()), homework_expected=homework_expected,
                               has_entries=lesson.pk in with_entries, held=lesson.date <= today,
                               all_present=lesson.pk in all_present))
    overdue: list[OverdueControl] = []
    control_ids = sorted(policy.control_types)
    if control_ids:
        labels = {w.pk: w.label for w in work_types}
        rows = (Lesson.objects.filter(actual_teacher=staff, cancelled=False, date__lt=today - dt.timedelta(days=1),
                                      record__control_type_id__in=control_ids)
                .filter(date__gte=year.start if year else today - dt.timedelta(days=60))
                .annotate(mark_count=Count("marks"))
                .filter(mark_count=0)
                .select_related("assignment__subject", "assignment__group", "record")
                .order_by("-date", "number")[:50])
        overdue = [OverdueControl(lesson=lesson, control_label=labels.get(lesson.record.control_type_id or 0, ""),
                                  marks=lesson.mark_count) for lesson in rows]
    return TeacherDayPage(day=day, lessons=items, overdue=overdue, holiday=plan.holiday,
                          handed_over=plan.handed_over)
