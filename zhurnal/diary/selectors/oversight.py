"""The class teacher's and the deputy's reads: the families' diary activity, acknowledgements, paper diaries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, Sum

from zhurnal.journal import visibility
from zhurnal.journal.models import (
    FinalKind,
    FinalMark,
)
from zhurnal.school.models import (
    AcademicYear,
    Enrollment,
    GroupKind,
    GuardianLink,
    InfoChannel,
    ReportingPeriod,
    School,
    SchoolClass,
    Student,
)

from ..models import AcknowledgementKind, DiaryView, FinalAcknowledgement
from .finals import diary_finals

# The regulations: parents check the diary at least twice a week.
CHECKS_PER_WEEK = 2


SHORT_DAYS = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")


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
