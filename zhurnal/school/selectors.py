"""Every read of the school's structure that pages need, in a fixed number of queries.

"Who was in 5А on date D?" is answered in exactly one place: ``students_in_class``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import CharField, Count, F, Func, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Concat

from zhurnal.core import stamps
from zhurnal.core.dates import today as school_today

from .models import (
    AcademicYear,
    Curriculum,
    Enrollment,
    Group,
    GroupKind,
    GroupMembership,
    Guardian,
    GuardianLink,
    Holiday,
    Movement,
    MovementKind,
    PeriodSet,
    ReportingPeriod,
    School,
    SchoolClass,
    StaffMember,
    Student,
    Subject,
    TeachingAssignment,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


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


# Dates a page may name: the school's academic years and about a year around them (a movement, a report).
DATE_MARGIN = dt.timedelta(days=400)


def date_bounds(school: School) -> tuple[dt.date, dt.date]:
    """(first, last) date the school's pages accept in their address and forms — cached per school stamp."""

    def compute() -> tuple[dt.date, dt.date]:
        today = school_today()
        span = AcademicYear.objects.filter(school=school).aggregate(first=Min("start"), last=Max("end"))
        return (min(span["first"] or today, today) - DATE_MARGIN, max(span["last"] or today, today) + DATE_MARGIN)

    return stamps.cached(school, "date_bounds", "", compute)


def request_date_bounds(request) -> tuple[dt.date, dt.date] | None:
    """``core.params`` asks this for a request's bounds: those of its active school, if any."""
    school = getattr(getattr(request, "roles", None), "school", None)
    return date_bounds(school) if school is not None else None


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
    if group.kind == GroupKind.CLASS and group.school_class is not None:
        return students_in_class(group.school_class, on)
    ids = GroupMembership.objects.filter(active_on(on), group=group).values("student_id")
    return Student.objects.filter(pk__in=ids).order_by("last_name", "first_name", "patronymic", "pk")


def periods_for_grade(year: AcademicYear | int, grade: int) -> QuerySet[ReportingPeriod]:
    return ReportingPeriod.objects.filter(
        period_set__year=year, period_set__grade_from__lte=grade, period_set__grade_to__gte=grade
    ).order_by("number")


def grade_periods(year: AcademicYear | int, grade: int, *, school: School | int) -> list[ReportingPeriod]:
    """``periods_for_grade`` as a list — cached per school stamp when ``school`` is an instance loaded in this
    request (``stamps.school_or_id`` gives one when it was fetched with the row at hand)."""
    year_id = year if isinstance(year, int) else year.pk
    if isinstance(school, School):
        return stamps.cached(school, "periods", f"{year_id}:{grade}",
                             lambda: list(periods_for_grade(year_id, grade)))
    return list(periods_for_grade(year_id, grade))


class ClassCounts(TypedDict):
    student_count: int
    boys: int
    girls: int


def class_list(year: AcademicYear, on: dt.date) -> QuerySet[WithAnnotations[SchoolClass, ClassCounts]]:
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


def assignment_of(school: School, pk: int) -> TeachingAssignment | None:
    """The school's teaching assignment ``pk`` with its school, group, class, subject, teacher and year, or
    ``None`` — cached per school stamp (all six are watched models), so the journal's pages and cell saves that
    reach an assignment by id read it without joins. Access is the caller's to check (``journal.permissions``)."""
    assignment = stamps.cached_row(school, TeachingAssignment, pk, "group__school_class", "subject", "teacher", "year")
    if assignment is not None:
        assignment.school = school
    return assignment


def assignments_of_groups(groups: list[int]) -> QuerySet[TeachingAssignment]:
    return TeachingAssignment.objects.filter(group_id__in=groups).select_related("teacher", "subject", "group")


def groups_of_student_on(student: Student, on: dt.date) -> list[int]:
    """Ids of every group the student learns in on ``on``: his class's whole group plus subgroups and cross groups."""
    ids = list(GroupMembership.objects.filter(active_on(on), student=student).values_list("group_id", flat=True))
    school_class = class_of_student_on(student, on)
    if school_class is not None:
        ids += list(Group.objects.filter(school_class=school_class, kind=GroupKind.CLASS).values_list("pk", flat=True))
    return ids


# --- set-up screens -------------------------------------------------------------------------------


def _count(queryset: QuerySet) -> Subquery:
    """A scalar subquery counting the rows of ``queryset`` (may refer to ``OuterRef``); lets one query gather
    many counts without joins multiplying each other."""
    return Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1])


def setup_counts(school: School, year: AcademicYear, on: dt.date) -> dict[str, int]:
    """Everything the set-up dashboard counts, for ``year`` and the date ``on`` — one query."""
    counts = {
        "years": _count(AcademicYear.objects.filter(school=school)),
        "period_sets": _count(PeriodSet.objects.filter(year=year)),
        "periods": _count(ReportingPeriod.objects.filter(period_set__year=year)),
        "holidays": _count(Holiday.objects.filter(year=year)),
        "subjects": _count(Subject.objects.filter(school=school)),
        "curriculum": _count(Curriculum.objects.filter(year=year)),
        "classes": _count(SchoolClass.objects.filter(year=year)),
        "groups": _count(Group.objects.filter(year=year).exclude(kind=GroupKind.CLASS)),
        "assignments": _count(TeachingAssignment.objects.filter(year=year)),
        "staff": _count(StaffMember.objects.filter(school=school, is_active=True)),
        "students": _count(enrollments_on(on).filter(school_class__year=year)),
        "guardians": _count(Guardian.objects.filter(school=school)),
        "movements": _count(Movement.objects.filter(school=school, date__gte=year.start, date__lte=year.end)),
    }
    row = School.objects.filter(pk=school.pk).annotate(**{f"n_{key}": value for key, value in counts.items()})
    values = row.values(*(f"n_{key}" for key in counts)).get()
    return {key: values[f"n_{key}"] or 0 for key in counts}


@dataclass(frozen=True)
class SetupIssue:
    """One thing still missing for the year: which set-up section fixes it, what is wrong, examples."""

    section: str
    text: str
    details: tuple[str, ...] = ()
    level: str = "warn"


def _listed(items: list[str], limit: int = 8) -> tuple[str, ...]:
    return tuple(items[:limit]) + ((f"и ещё {len(items) - limit}",) if len(items) > limit else ())


def setup_checklist(school: School, year: AcademicYear, on: dt.date, counts: dict[str, int]) -> list[SetupIssue]:
    """What is still missing for the year — eight queries whatever the size of the school."""
    issues: list[SetupIssue] = []
    classes = list(SchoolClass.objects.filter(year=year).select_related("class_teacher").order_by("grade", "letter"))
    period_sets = list(PeriodSet.objects.filter(year=year))
    if not counts["subjects"]:
        issues.append(SetupIssue("subjects", "Не заведено ни одного учебного предмета."))
    if not counts["holidays"]:
        issues.append(SetupIssue("holidays", "Не заданы каникулы и праздничные дни."))
    if not classes:
        issues.append(SetupIssue("classes", f"В {year} учебном году нет ни одного класса."))
    grades = sorted({c.grade for c in classes})
    without_periods = [g for g in grades if not any(s.grade_from <= g <= s.grade_to for s in period_sets)]
    if without_periods:
        issues.append(SetupIssue("periods", "Не заданы учебные периоды для параллелей:",
                                 _listed([f"{g} кл." for g in without_periods])))
    no_teacher = [c.name for c in classes if c.class_teacher is None]
    if no_teacher:
        issues.append(SetupIssue("classes", "Классы без классного руководителя:", _listed(no_teacher)))
    gone_teacher = [f"{c.name} — {c.class_teacher.short_name}" for c in classes
                    if c.class_teacher is not None and not c.class_teacher.is_active]
    if gone_teacher:
        issues.append(SetupIssue("classes", "Классный руководитель больше не работает в школе:", _listed(gone_teacher)))

    groups = list(
        Group.objects.filter(year=year)
        .select_related("school_class")
        .annotate(
            assignment_count=_count(TeachingAssignment.objects.filter(group=OuterRef("pk"))),
            member_count=_count(GroupMembership.objects.filter(active_on(on), group=OuterRef("pk"))),
        )
        .order_by("school_class__grade", "school_class__letter", "name")
    )
    taught_classes = {g.school_class_id for g in groups if g.assignment_count and g.school_class_id}
    untaught = [c.name for c in classes if c.pk not in taught_classes]
    if untaught:
        issues.append(SetupIssue("assignments", "В классах не распределена педагогическая нагрузка:",
                                 _listed(untaught)))
    no_group_teacher = [g.name for g in groups if g.kind != GroupKind.CLASS and not g.assignment_count]
    if no_group_teacher:
        issues.append(SetupIssue("groups", "Группы без учителя:", _listed(no_group_teacher)))
    empty = [g.name for g in groups if g.kind != GroupKind.CLASS and not g.member_count]
    if empty:
        issues.append(SetupIssue("groups", f"Группы без обучающихся на {on:%d.%m.%Y}:", _listed(empty)))

    curriculum = list(Curriculum.objects.filter(year=year).select_related("subject").order_by("grade", "subject__name"))
    planned_grades = {row.grade for row in curriculum}
    unplanned = [g for g in grades if g not in planned_grades]
    if unplanned:
        issues.append(SetupIssue("curriculum", "Учебный план не заполнен для параллелей:",
                                 _listed([f"{g} кл." for g in unplanned])))
    assigned = set(
        TeachingAssignment.objects.filter(year=year, group__school_class__isnull=False)
        .values_list("group__school_class_id", "subject_id")
    )
    uncovered = [f"{c.name} — {row.subject.name}" for c in classes for row in curriculum
                 if row.grade == c.grade and (c.pk, row.subject_id) not in assigned]
    if uncovered:
        issues.append(SetupIssue("assignments", "Предметы учебного плана без учителя:", _listed(uncovered)))

    gone = list(
        TeachingAssignment.objects.filter(year=year, teacher__is_active=False)
        .order_by("teacher__last_name").values_list("teacher__last_name", "group__name", "subject__name")
    )
    if gone:
        issues.append(SetupIssue("assignments", "Нагрузка закреплена за уволенными сотрудниками:",
                                 _listed([f"{t}: {s}, {g}" for t, g, s in gone])))

    homeless = list(
        students_without_class(school, on).values_list("last_name", "first_name")
    )
    if homeless:
        issues.append(SetupIssue("students", "Обучающиеся, не зачисленные ни в один класс:",
                                 _listed([f"{last} {first}" for last, first in homeless])))
    return issues


def students_without_class(school: School, on: dt.date) -> QuerySet[Student]:
    """Students who are in no class on ``on`` nor later, and have not left the school by order."""
    placed = Enrollment.objects.filter(school=school).filter(Q(end__isnull=True) | Q(end__gte=on))
    departed = Movement.objects.filter(school=school, kind=MovementKind.DEPARTURE)
    return (
        Student.objects.filter(school=school)
        .exclude(pk__in=placed.values("student_id"))
        .exclude(pk__in=departed.values("student_id"))
        .order_by("last_name", "first_name", "patronymic", "pk")
    )


def setup_student_list(
    school: School, on: dt.date, *, school_class: SchoolClass | None = None, search: str = "",
    without_class: bool = False,
) -> QuerySet[Student]:
    """Students with their class on ``on`` and their guardians — two queries a page."""
    if without_class:
        students: QuerySet[Student] = students_without_class(school, on).annotate(class_name=_class_name_on(on))
        if search.strip():
            students = students.filter(pk__in=student_list(school, on, search=search, include_departed=True))
    else:
        students = student_list(school, on, school_class=school_class, search=search)
    links = GuardianLink.objects.select_related("guardian").order_by("guardian__last_name", "guardian__first_name")
    return students.prefetch_related(Prefetch("guardian_links", queryset=links))


def setup_staff_list(school: School, year: AcademicYear | None) -> QuerySet[StaffMember]:
    """Staff with positions, classes led in ``year`` and their teaching load there — three queries."""
    staff = staff_list(school).order_by("-is_active", "last_name", "first_name", "patronymic", "pk")
    if year is None:
        return staff
    load = TeachingAssignment.objects.filter(year=year, teacher=OuterRef("pk"))
    return staff.prefetch_related(
        Prefetch("led_classes", queryset=SchoolClass.objects.filter(year=year).order_by("grade", "letter"))
    ).annotate(
        assignment_count=_count(load),
        hours=Subquery(load.order_by().annotate(total=Func(F("hours_per_week"), function="SUM"))
                       .values("total")[:1]),
    )


def setup_group_list(year: AcademicYear, on: dt.date) -> QuerySet[Group]:
    """Subgroups and cross-class groups with teachers and head count on ``on`` — two queries."""
    return (
        Group.objects.filter(year=year)
        .exclude(kind=GroupKind.CLASS)
        .select_related("school_class", "subject")
        .prefetch_related(Prefetch("assignments", queryset=TeachingAssignment.objects.select_related("teacher")
                                   .order_by("teacher__last_name")))
        .annotate(member_count=_count(GroupMembership.objects.filter(active_on(on), group=OuterRef("pk"))))
        .order_by("kind", "school_class__grade", "school_class__letter", "name")
    )


def group_membership_list(group: Group, on: dt.date) -> QuerySet[GroupMembership]:
    """Current members of a subgroup or cross group with their class on ``on`` — one query."""
    return (
        GroupMembership.objects.filter(active_on(on), group=group)
        .select_related("student")
        .annotate(class_name=Subquery(
            enrollments_on(on).filter(student=OuterRef("student_id"))
            .annotate(class_name=Concat(Cast("school_class__grade", CharField()), "school_class__letter",
                                        output_field=CharField()))
            .values("class_name")[:1]
        ))
        .order_by("student__last_name", "student__first_name", "student__patronymic", "pk")
    )


def setup_assignment_list(
    year: AcademicYear, *, school_class: SchoolClass | None = None, teacher: StaffMember | None = None,
) -> QuerySet[TeachingAssignment]:
    assignments = TeachingAssignment.objects.filter(year=year).select_related(
        "teacher", "subject", "group", "group__school_class")
    if school_class is not None:
        assignments = assignments.filter(group__school_class=school_class)
    if teacher is not None:
        assignments = assignments.filter(teacher=teacher)
    return assignments.order_by("group__school_class__grade", "group__school_class__letter", "group__name",
                                "subject__name", "teacher__last_name")


def setup_guardian_list(school: School, search: str = "") -> QuerySet[Guardian]:
    """Guardians with the students they represent — two queries a page."""
    guardians = Guardian.objects.filter(school=school)
    for word in search.split():
        guardians = guardians.filter(
            Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(patronymic__icontains=word)
            | Q(links__student__last_name__icontains=word)
        ).distinct()
    links = GuardianLink.objects.select_related("student").order_by("student__last_name")
    return guardians.prefetch_related(Prefetch("links", queryset=links)).order_by(
        "last_name", "first_name", "patronymic", "pk")


def curriculum_grid(year: AcademicYear) -> dict[tuple[int, int], Curriculum]:
    """The year's plan keyed by (grade, subject id) — one query."""
    return {(row.grade, row.subject_id): row for row in Curriculum.objects.filter(year=year)}


def year_list(school: School) -> QuerySet[AcademicYear]:
    """The school's years, newest first, with their number of classes and period sets — one query."""
    return AcademicYear.objects.filter(school=school).annotate(
        class_count=_count(SchoolClass.objects.filter(year=OuterRef("pk"))),
        period_set_count=_count(PeriodSet.objects.filter(year=OuterRef("pk"))),
    ).order_by("-start")


def guardian_links_of(guardian: Guardian, on: dt.date) -> QuerySet[GuardianLink]:
    """The students a guardian represents, with their class on ``on`` — one query."""
    return (
        GuardianLink.objects.filter(guardian=guardian)
        .select_related("student", "registered_by")
        .annotate(class_name=Subquery(
            enrollments_on(on).filter(student=OuterRef("student_id"))
            .annotate(class_name=Concat(Cast("school_class__grade", CharField()), "school_class__letter",
                                        output_field=CharField()))
            .values("class_name")[:1]
        ))
        .order_by("student__last_name", "student__first_name")
    )
