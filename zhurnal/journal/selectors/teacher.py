"""The teacher's start page and small reads of lessons, policies and homework."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet

from zhurnal.school.models import (
    School,
)
from zhurnal.timetable.models import Lesson

from ..models import (
    GradingPolicy,
    HomeworkAttachment,
    IndividualHomework,
    Mark,
)


def teacher_lessons_on(staff_id: int, on: dt.date) -> QuerySet[Lesson]:
    """A teacher's lessons of a day: his own and those he substitutes."""
    return (Lesson.objects.filter(date=on, cancelled=False)
            .filter(Q(actual_teacher_id=staff_id) | Q(assignment__teacher_id=staff_id))
            .select_related("assignment__subject", "assignment__group", "actual_teacher")
            .order_by("number"))


def policy_versions(school: School) -> QuerySet[GradingPolicy]:
    return GradingPolicy.objects.filter(school=school).select_related("created_by").order_by("-valid_from")


def attachments_of(lesson: Lesson) -> QuerySet[HomeworkAttachment]:
    return HomeworkAttachment.objects.filter(lesson=lesson).order_by("created_at", "id")


def individual_homework_of(lesson: Lesson) -> QuerySet[IndividualHomework]:
    return IndividualHomework.objects.filter(lesson=lesson).select_related("student")


def mark_counts(assignment_ids: list[int], start: dt.date, end: dt.date) -> dict[int, int]:
    return dict(Mark.objects.filter(lesson__assignment_id__in=assignment_ids, lesson__date__gte=start,
                                    lesson__date__lte=end).values_list("lesson__assignment_id")
                .annotate(n=Count("id")).values_list("lesson__assignment_id", "n"))
