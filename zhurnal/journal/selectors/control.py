"""The deputy's control page: how the journals are filled, final marks missing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from zhurnal.audit.models import AuditEntry
from zhurnal.audit.verbs import Verb
from zhurnal.school.models import (
    AcademicYear,
    Enrollment,
    GroupKind,
    GroupMembership,
    ReportingPeriod,
    School,
    TeachingAssignment,
)
from zhurnal.timetable.models import Lesson

from ..grading import Policy
from ..models import (
    FinalKind,
    FinalMark,
    Mark,
    PeriodReopening,
)
from ..policies import policy_for
from .history import CELL_VERBS, LESSON_TARGET


@dataclass
class ControlOverview:
    year: AcademicYear
    today: dt.date
    by_teacher: Sequence[Mapping[str, Any]]
    unfilled: list[Lesson]
    control_without_marks: Sequence[Lesson]
    missing_finals: list[dict[str, Any]]
    flagged: list[FinalMark]
    late_corrections: list[AuditEntry]
    reopenings: list[PeriodReopening]


CONTROL_LIST_LIMIT = 100
FINALS_WATCH_DAYS = 14


def control_overview(school: School, year: AcademicYear, *, today: dt.date,
                     limit: int | None = CONTROL_LIST_LIMIT) -> ControlOverview:
    """What the deputy checks: unfilled lessons, control works without marks, final marks missing near the end of
    a period, final marks that differ from the suggestion, late corrections and reopened periods."""
    policy = policy_for(school, today)
    no_homework = Q(assignment__subject__without_marks=True) | Q(
        assignment__group__school_class__grade__in=sorted(policy.grades_without_marks))
    past = Lesson.objects.filter(school=school, date__gte=year.start, date__lte=min(today, year.end), cancelled=False)
    missing_topic = Q(topic="")
    missing_homework = Q(homework="") & ~no_homework
    unfilled_q = missing_topic | missing_homework
    by_teacher = list(
        past.values("actual_teacher_id", "actual_teacher__last_name", "actual_teacher__first_name",
                    "actual_teacher__patronymic")
        .annotate(total=Count("id"), no_topic=Count("id", filter=missing_topic),
                  no_homework=Count("id", filter=missing_homework))
        .filter(Q(no_topic__gt=0) | Q(no_homework__gt=0))
        .order_by("-no_topic", "-no_homework", "actual_teacher__last_name")
    )
    unfilled = list(past.filter(unfilled_q).select_related("assignment__subject", "assignment__group",
                                                           "actual_teacher")
                    .order_by("-date", "number")[:limit])
    has_marks = Exists(Mark.objects.filter(lesson=OuterRef("pk")))
    control_without_marks = list(
        past.filter(date__lt=today - dt.timedelta(days=1), record__control_type__is_control=True)
        .annotate(has_marks=has_marks).filter(has_marks=False)
        .select_related("assignment__subject", "assignment__group", "actual_teacher", "record__control_type")
        .order_by("-date", "number")[:limit]
    )
    missing_finals, flagged, late, reopenings = control_lists(school, year, today=today, limit=limit)
    return ControlOverview(year=year, today=today, by_teacher=by_teacher, unfilled=unfilled,
                           control_without_marks=control_without_marks, missing_finals=missing_finals,
                           flagged=flagged, late_corrections=late, reopenings=reopenings)


def control_lists(school: School, year: AcademicYear, *, today: dt.date,
                  limit: int | None = CONTROL_LIST_LIMIT) -> tuple[list[dict], list[FinalMark], list[AuditEntry],
                                                                    list[PeriodReopening]]:
    """The final marks missing near a period's end, those differing from the suggestion, late corrections and
    reopened periods (``limit`` cuts the lists; None: complete, as the reports' control page shows them)."""
    policy = policy_for(school, today)
    missing_finals = _missing_finals(school, year, today=today, policy=policy)
    flagged = list(FinalMark.objects.filter(school=school, flagged=True, assignment__year=year)
                   .select_related("student", "assignment__subject", "assignment__group", "assignment__teacher",
                                   "period", "set_by")
                   .order_by("-set_at")[:limit])
    late = list(AuditEntry.objects.filter(school=school, verb__in=(*CELL_VERBS, Verb.JOURNAL_LESSON),
                                          target_type=LESSON_TARGET,
                                          after__late=True, created_at__date__gte=year.start)
                .select_related("actor").order_by("-created_at")[:limit])
    reopenings = list(PeriodReopening.objects.filter(school=school, until__gte=today)
                      .select_related("assignment__subject", "assignment__group", "assignment__teacher", "period",
                                      "created_by"))
    return missing_finals, flagged, late, reopenings


def _missing_finals(school: School, year: AcademicYear, *, today: dt.date, policy: Policy) -> list[dict]:
    """Assignments with students lacking a final mark for a period that ends within two weeks or has just ended
    (until it closes). Queries: periods, then per such period (at most two): assignments, enrollments,
    memberships, final marks."""
    periods = list(ReportingPeriod.objects.filter(period_set__year=year).select_related("period_set"))
    watched = [p for p in periods
               if p.end - dt.timedelta(days=FINALS_WATCH_DAYS) <= today <= p.end + dt.timedelta(
                   days=policy.close_after_days)]
    out: list[dict[str, Any]] = []
    for period in watched:
        period_set = period.period_set
        grades = [g for g in range(period_set.grade_from, period_set.grade_to + 1)
                  if g not in policy.grades_without_marks and g != 1]
        assignments = list(
            TeachingAssignment.objects.filter(year=year, group__school_class__grade__in=grades,
                                              subject__without_marks=False)
            .select_related("subject", "group", "group__school_class", "teacher")
        )
        if not assignments:
            continue
        class_ids = {a.group.school_class_id for a in assignments}
        on = min(period.end, max(today, period.start))
        class_members: dict[int | None, set[int]] = defaultdict(set)
        for class_id, student_id in (Enrollment.objects.filter(school_class_id__in=class_ids, start__lte=on)
                                     .filter(Q(end__isnull=True) | Q(end__gte=on))
                                     .values_list("school_class_id", "student_id")):
            class_members[class_id].add(student_id)
        group_members: dict[int, set[int]] = defaultdict(set)
        for group_id, student_id in (GroupMembership.objects.filter(
                group_id__in=[a.group_id for a in assignments if a.group.kind != GroupKind.CLASS], start__lte=on)
                .filter(Q(end__isnull=True) | Q(end__gte=on)).values_list("group_id", "student_id")):
            group_members[group_id].add(student_id)
        set_finals: dict[int, set[int]] = defaultdict(set)
        for assignment_id, student_id in FinalMark.objects.filter(
                period=period, kind=FinalKind.PERIOD,
                assignment_id__in=[a.pk for a in assignments]).values_list("assignment_id", "student_id"):
            set_finals[assignment_id].add(student_id)
        for assignment in assignments:
            members = (class_members[assignment.group.school_class_id] if assignment.group.kind == GroupKind.CLASS
                       else group_members[assignment.group_id])
            missing = len(members - set_finals[assignment.pk])
            if missing:
                out.append({"period": period, "assignment": assignment, "missing": missing, "total": len(members)})
    out.sort(key=lambda item: (item["period"].end, item["assignment"].teacher.last_name,
                               item["assignment"].group.name))
    return out
