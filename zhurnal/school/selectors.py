"""Every read of the school's structure that pages need, in a fixed number of queries.

"Who was in 5А on date D?" is answered in exactly one place: ``students_in_class``.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import CharField, Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Concat

from zhurnal.core.dates import today as school_today

from .models import (
    AcademicYear,
    Enrollment,
    Group,
    GroupKind,
    GroupMembership,
    GuardianLink,
    Movement,
    ReportingPeriod,
    School,
    SchoolClass,
    StaffMember,
    Student,
    TeachingAssignment,
)


def active_on(on: dt.date, prefix: str = "") -> Q:
    """Rows whose [start, end] span (``end`` empty = open) contains ``on``."""
    return Q(**{f"{prefix}start__lte": on}) & (Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": on}))


def current_year(school: School, today: dt.date | None = None) -> AcademicYear | None:
    today = today or school_today()
    years = AcademicYear.objects.filter(school=school)
    return (
        years.filter(start__lte=today, end__gte=today).first()
        or years.filter(start__lte=today).order_by("-start").first()
        or years.order_by("start").first()
    )


def year_for_date(school: School, on: dt.date) -> AcademicYear | None:
    return AcademicYear.objects.filter(school=school, start__lte=on, end__gte=on).first()


def default_date(year: AcademicYear, today: dt.date | None = None) -> dt.date:
    """The date a page shows by default: today if it is inside the year, else the nearest end of it."""
    today = today or school_today()
    return min(max(today, year.start), year.end)


def enrollments_on(on: dt.date) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(active_on(on))


def students_in_class(school_class: SchoolClass, on: dt.date) -> QuerySet[Student]:
    """The class list on a date: every student whose enrollment in the class covers that date."""
    ids = enrollments_on(on).filter(school_class=school_class).values("student_id")
    return Student.objects.filter(pk__in=ids).order_by("last_name", "first_name", "patronymic", "pk")


def class_of_student_on(student: Student, on: dt.date) -> SchoolClass | None:
    enrollment = enrollments_on(on).filter(student=student).select_related("school_class").first()
    return enrollment.school_class if enrollment else None


def group_members(group: Group, on: dt.date) -> QuerySet[Student]:
    if group.kind == GroupKind.CLASS:
        return students_in_class(group.school_class, on)
    ids = GroupMembership.objects.filter(active_on(on), group=group).values("student_id")
    return Student.objects.filter(pk__in=ids).order_by("last_name", "first_name", "patronymic", "pk")


def periods_for_grade(year: AcademicYear, grade: int) -> QuerySet[ReportingPeriod]:
    return ReportingPeriod.objects.filter(
        period_set__year=year, period_set__grade_from__lte=grade, period_set__grade_to__gte=grade
    ).order_by("number")


def class_list(year: AcademicYear, on: dt.date) -> QuerySet[SchoolClass]:
    """Classes of a year with their class teacher and head count on ``on`` — one query."""
    return (
        SchoolClass.objects.filter(year=year)
        .select_related("class_teacher")
        .annotate(
            student_count=Count("enrollments", filter=active_on(on, "enrollments__"), distinct=True),
            boys=Count("enrollments", filter=active_on(on, "enrollments__") & Q(enrollments__student__gender="m"),
                       distinct=True),
            girls=Count("enrollments", filter=active_on(on, "enrollments__") & Q(enrollments__student__gender="f"),
                        distinct=True),
        )
        .order_by("grade", "letter")
    )


def _class_name_on(on: dt.date) -> Subquery:
    latest = (
        enrollments_on(on)
        .filter(student=OuterRef("pk"))
        .annotate(class_name=Concat(Cast("school_class__grade", CharField()), "school_class__letter",
                                 output_field=CharField()))
        .values("class_name")[:1]
    )
    return Subquery(latest)


def student_list(
    school: School, on: dt.date, *, school_class: SchoolClass | None = None, search: str = "",
    include_departed: bool = False,
) -> QuerySet[Student]:
    """Students with their class on ``on`` — one query whatever their number."""
    students = Student.objects.filter(school=school).annotate(class_name=_class_name_on(on))
    if school_class is not None:
        students = students.filter(pk__in=enrollments_on(on).filter(school_class=school_class).values("student_id"))
    elif not include_departed:
        students = students.filter(class_name__isnull=False)
    search = search.strip()
    if search:
        for word in search.split():
            students = students.filter(
                Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(patronymic__icontains=word)
            )
    return students.order_by("last_name", "first_name", "patronymic", "pk")


def class_roster(school_class: SchoolClass, on: dt.date) -> QuerySet[Student]:
    """The class list with guardians, for the class page — two queries."""
    links = GuardianLink.objects.select_related("guardian").order_by("guardian__last_name")
    return students_in_class(school_class, on).prefetch_related(Prefetch("guardian_links", queryset=links))


def class_groups(school_class: SchoolClass) -> QuerySet[Group]:
    return (
        Group.objects.filter(school_class=school_class)
        .select_related("subject")
        .prefetch_related(Prefetch("assignments", queryset=TeachingAssignment.objects.select_related(
            "teacher", "subject")))
        .order_by("kind", "name")
    )


def staff_list(school: School) -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(school=school).prefetch_related("positions").select_related("user")


def movement_log(school: School, year: AcademicYear | None = None) -> QuerySet[Movement]:
    movements = Movement.objects.filter(school=school).select_related(
        "student", "from_class", "to_class", "from_group", "to_group", "created_by"
    )
    if year is not None:
        movements = movements.filter(date__gte=year.start, date__lte=year.end)
    return movements.order_by("-date", "-id")


def student_history(student: Student) -> dict:
    return {
        "enrollments": student.enrollments.select_related("school_class", "school_class__year").order_by("start"),
        "movements": student.movements.select_related("from_class", "to_class", "from_group", "to_group")
        .order_by("date", "id"),
        "memberships": student.group_memberships.select_related("group").order_by("start"),
    }


def assignments_of_groups(groups: list[int]) -> QuerySet[TeachingAssignment]:
    return TeachingAssignment.objects.filter(group_id__in=groups).select_related("teacher", "subject", "group")


def groups_of_student_on(student: Student, on: dt.date) -> list[int]:
    """Ids of every group the student learns in on ``on``: his class's whole group plus subgroups and cross groups."""
    ids = list(GroupMembership.objects.filter(active_on(on), student=student).values_list("group_id", flat=True))
    school_class = class_of_student_on(student, on)
    if school_class is not None:
        ids += list(Group.objects.filter(school_class=school_class, kind=GroupKind.CLASS).values_list("pk", flat=True))
    return ids
