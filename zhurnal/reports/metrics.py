"""The metrics engine: every figure a report prints is computed here, once, by one rule.

- **Quality** (``Quality``; ``class_quality``, ``quality_rows``): from final marks, per class × subject × period,
  summed per class, parallel, teacher, subject and school. N by the school's ``CountRule`` (default: «осв» out,
  pupils without a final mark out, pupils who left before the period's last day out, «н/а» in), printed in every
  report's footnote (``CountRule.footnote``). Formulas (DOMAIN.md): успеваемость = (n5+n4+n3+«зч»)/N,
  качество = (n5+n4)/N, СОУ = (100·n5 + 64·n4 + 36·n3 + 16·n2 + 7·n«н/а»)/N, средний балл = mean of numeric
  final marks. «1» counts with the «2».
- **Attendance** (``attendance``): lessons missed «н» / «б» / «уп», late «оп», whole days missed (every lesson of
  the day missed, or at least ``missed_day_lessons`` of them — a setting), per pupil, per month.
- **Current progress** (``progress``): the weighted average and the suggested final mark by the journal's own
  functions (``journal.grading.weighted_average`` / ``suggest_final_mark`` with the rules of
  ``journal.policies``), the forecast with its reasoning, the at-risk list (``risks``).
- **Journal filling** (``filling``): per assignment, lessons held without topic or homework (lessons not yet held
  are never counted), control works without marks more than a day later, marks per pupil per month
  (накопляемость), КТП coverage (``planning.selectors.coverage_for_assignments``, the coverage page's own).
- **Use of the system** (``usage``): logins per day by role, families who opened the diary at least twice a
  week (the diary's own rule, read through ``school.activity``), guardians never activated.

Each function reads in a fixed number of queries whatever the number of pupils.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from zhurnal.journal import grading
from zhurnal.journal.grading import GradedMark, Policy, Suggestion
from zhurnal.journal.models import FinalKind, FinalMark, LessonRecord, Mark
from zhurnal.journal.policies import rules_on
from zhurnal.school.models import (
    AcademicYear,
    Enrollment,
    Group,
    GroupKind,
    GroupMembership,
    JournalKind,
    ReportingPeriod,
    School,
    SchoolClass,
    Student,
    Subject,
    TeachingAssignment,
)
from zhurnal.timetable.models import Lesson

from . import queries
from .models import ReportSettings

TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")
OPEN = dt.date.max
YEAR = "year"  # the period key of the year's final marks


def pct(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """A share in per cent, one decimal, half up; None when the whole is 0 — the one rounding every report uses."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def fmt_pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}".replace(".", ",")


def fmt_dec(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)}".replace(".", ",")


# --- settings ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountRule:
    """Who counts in N (students attested in the subject)."""

    exempt_in: bool = False
    no_final_in: bool = False
    departed_in: bool = False
    not_attested_in: bool = True

    @property
    def footnote(self) -> str:
        def say(flag: bool, what: str) -> str:
            return f"{what} {'учитываются' if flag else 'не учитываются'}"

        return ("N — число обучающихся, аттестованных по предмету: "
                + "; ".join([say(self.exempt_in, "освобождённые («осв»)"),
                             say(self.no_final_in, "не получившие итоговой отметки"),
                             say(self.departed_in, "выбывшие до последнего дня периода"),
                             say(self.not_attested_in, "не аттестованные («н/а»)")])
                + ". Успеваемость = (n5 + n4 + n3 + «зч») / N; качество = (n5 + n4) / N; СОУ = (100·n5 + 64·n4 + "
                  "36·n3 + 16·n2 + 7·n«н/а») / N; «1» учитывается с «2»; средний балл — среднее числовых "
                  "итоговых отметок.")


@dataclass(frozen=True)
class Settings:
    rule: CountRule = CountRule()
    missed_day_lessons: int = 0  # 0: every lesson of the day
    risk_average_below: Decimal = Decimal("3.00")
    risk_absences_in_row: int = 3

    @property
    def missed_day_text(self) -> str:
        if self.missed_day_lessons:
            return f"День считается пропущенным, если пропущено не меньше {self.missed_day_lessons} уроков."
        return "День считается пропущенным, если пропущены все уроки этого дня."


def settings_of(school: School | int) -> Settings:
    school_id = school if isinstance(school, int) else school.pk
    row = ReportSettings.objects.filter(school_id=school_id).first()
    if row is None:
        return Settings()
    return Settings(
        rule=CountRule(exempt_in=row.exempt_in_n, no_final_in=row.no_final_in_n, departed_in=row.departed_in_n,
                       not_attested_in=row.not_attested_in_n),
        missed_day_lessons=row.missed_day_lessons, risk_average_below=Decimal(row.risk_average_below),
        risk_absences_in_row=row.risk_absences_in_row)


# --- quality ------------------------------------------------------------------------------------------------------


_POINTS = {"5": 5, "4": 4, "3": 3, "2": 2, "1": 1}


@dataclass
class Quality:
    """Counts of final marks of one cell (class × subject × period) or of a sum of cells."""

    n: int = 0
    n5: int = 0
    n4: int = 0
    n3: int = 0
    n2: int = 0  # «2» and «1»
    na: int = 0  # «н/а» counted in N
    passed: int = 0  # «зч»
    failed_credit: int = 0  # «нз»
    exempt: int = 0  # «осв» (in N only when the rule says so)
    exempt_in: int = 0
    no_final: int = 0  # pupils of the roster without a final mark (in N only when the rule says so)
    no_final_in: int = 0
    departed: int = 0  # left before the period's last day
    marks_sum: int = 0
    marks_count: int = 0

    def add(self, value: str | None, *, departed: bool, rule: CountRule) -> None:
        if departed:
            self.departed += 1
            if not rule.departed_in:
                return
        if value is None or value == "":
            self.no_final += 1
            self.no_final_in += self._in_n(rule.no_final_in)
            return
        if value == "осв":
            self.exempt += 1
            self.exempt_in += self._in_n(rule.exempt_in)
            return
        if value == "н/а":
            self.na += self._in_n(rule.not_attested_in)
            return
        self.n += 1
        if value == "зч":
            self.passed += 1
        elif value == "нз":
            self.failed_credit += 1
        elif value in _POINTS:
            if value == "5":
                self.n5 += 1
            elif value == "4":
                self.n4 += 1
            elif value == "3":
                self.n3 += 1
            else:
                self.n2 += 1
            self.marks_sum += _POINTS[value]
            self.marks_count += 1

    def _in_n(self, counted: bool) -> int:
        """A pupil the school's rule may leave out of N: 1, and counted in N, when ``counted``; else 0."""
        if counted:
            self.n += 1
        return int(counted)

    def __iadd__(self, other: Quality) -> Quality:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @property
    def succeeding(self) -> int:
        """Pupils counted as successful: 5, 4, 3, «зч» (and «осв» where the school counts it in N)."""
        return self.n5 + self.n4 + self.n3 + self.passed + self.exempt_in

    @property
    def failing(self) -> int:
        return self.n2 + self.na + self.failed_credit

    @property
    def success(self) -> Decimal | None:
        return pct(self.succeeding, self.n)

    @property
    def quality(self) -> Decimal | None:
        return pct(self.n5 + self.n4, self.n)

    @property
    def sou(self) -> Decimal | None:
        if not self.n:
            return None
        total = 100 * self.n5 + 64 * self.n4 + 36 * self.n3 + 16 * self.n2 + 7 * self.na
        return (Decimal(total) / self.n).quantize(TENTH, rounding=ROUND_HALF_UP)

    @property
    def mean(self) -> Decimal | None:
        if not self.marks_count:
            return None
        return (Decimal(self.marks_sum) / self.marks_count).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


# --- who was in a class when -----------------------------------------------------------------------------------------


@dataclass
class RosterEntry:
    """A pupil of a class in a date range: his spans in it; ``departed`` when he was not in it on the last day."""

    student: Student
    spans: list[tuple[dt.date, dt.date]]
    departed: bool

    def present_on(self, day: dt.date) -> bool:
        return any(start <= day <= end for start, end in self.spans)


@dataclass(frozen=True)
class Headcount:
    """A class's movement over a date range: at_start + arrived − departed = at_end, always."""

    at_start: int
    arrived: int
    departed: int
    at_end: int


def headcount(roster: Sequence[RosterEntry], start: dt.date, end: dt.date) -> Headcount:
    """Counted from the stays in the class, the one rule of every report that prints movement: «на начало» is who
    was in the class on the first day — the start-of-year class lists are arrivals dated that day, so they are not
    arrivals again; «прибыло» a stay that began after the first day, up to the last; «выбыло» a stay that ended
    before the last day (a stay's end is its last day in the class); «на конец» who was in the class on the last
    day. The roster holds the pupils of the class at any time in the range (``rosters(…, start, end)``)."""
    return Headcount(
        at_start=sum(1 for e in roster if e.present_on(start)),
        arrived=sum(1 for e in roster for begin, _ in e.spans if start < begin <= end),
        departed=sum(1 for e in roster for _, last in e.spans if start <= last < end),
        at_end=sum(1 for e in roster if e.present_on(end)),
    )


def name_key(student: Student) -> tuple:
    return (student.last_name, student.first_name, student.patronymic, student.pk)


def rosters(class_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, list[RosterEntry]]:
    """Every pupil who was in each class at any time from ``start`` to ``end`` (one query), by name; a pupil who
    was not in the class on ``end`` is ``departed`` (he left, or moved to another class, before the last day)."""
    by_class: dict[int, dict[int, RosterEntry]] = defaultdict(dict)
    rows = (Enrollment.objects.filter(school_class_id__in=list(class_ids), start__lte=end)
            .filter(Q(end__isnull=True) | Q(end__gte=start)).select_related("student"))
    for enrollment in rows:
        entry = by_class[enrollment.school_class_id].get(enrollment.student_id)
        span = (enrollment.start, enrollment.end or OPEN)
        if entry is None:
            by_class[enrollment.school_class_id][enrollment.student_id] = RosterEntry(enrollment.student, [span], True)
        else:
            entry.spans.append(span)
    out: dict[int, list[RosterEntry]] = {}
    for class_id, entries in by_class.items():
        for entry in entries.values():
            entry.departed = not entry.present_on(end)
        out[class_id] = sorted(entries.values(), key=lambda e: name_key(e.student))
    return out


# --- periods ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """What a report's «period» filter picks for one grade: a reporting period, or the year (``period`` None)."""

    period: ReportingPeriod | None
    start: dt.date
    end: dt.date
    name: str

    @property
    def key(self) -> int | str:
        return self.period.pk if self.period is not None else YEAR


def year_term(year: AcademicYear, periods: Sequence[ReportingPeriod] = ()) -> Term:
    start = periods[0].start if periods else year.start
    end = periods[-1].end if periods else year.end
    return Term(None, start, end, "год")


def period_term(period: ReportingPeriod) -> Term:
    return Term(period, period.start, period.end, period.name)


def term_for_grade(year: AcademicYear, grade: int, chosen: ReportingPeriod | None,
                   periods_by_grade: dict[int, list[ReportingPeriod]]) -> Term:
    """The period of this grade that matches the chosen one: itself when the grade uses its set, else the grade's
    period that holds the chosen period's last day (a half-year for 10–11 when a quarter was chosen)."""
    periods = periods_by_grade.get(grade, [])
    if chosen is None:
        return year_term(year, periods)
    if any(p.pk == chosen.pk for p in periods):
        return period_term(chosen)
    holding = next((p for p in periods if p.start <= chosen.end <= p.end), None)
    if holding is None:
        earlier = [p for p in periods if p.end <= chosen.end]
        holding = earlier[-1] if earlier else (periods[0] if periods else None)
    return period_term(holding) if holding is not None else year_term(year, periods)


def periods_by_grade(year: AcademicYear) -> dict[int, list[ReportingPeriod]]:
    """Each grade's periods of the year — one query."""
    out: dict[int, list[ReportingPeriod]] = defaultdict(list)
    for period in ReportingPeriod.objects.filter(period_set__year=year).select_related("period_set").order_by(
            "start", "number"):
        for grade in range(period.period_set.grade_from, period.period_set.grade_to + 1):
            out[grade].append(period)
    return out


# --- final marks of classes ------------------------------------------------------------------------------------------


@dataclass
class ClassFinals:
    """A class's final marks of a term: the roster, its subjects (regular journal, with marks), each pupil's final
    mark per subject, and the subjects' teachers."""

    school_class: SchoolClass
    term: Term
    roster: list[RosterEntry]
    subjects: list[Subject]
    finals: dict[tuple[int, int], str]  # (student, subject) → value
    teachers: dict[int, list[int]]  # subject → staff ids (several for subgroups)
    assignments: dict[int, list[int]]  # subject → assignment ids
    by_assignment: dict[tuple[int, int], str] = field(default_factory=dict)  # (student, assignment) → value
    whole_class: frozenset[int] = frozenset()  # assignments of the whole class (not a subgroup)
    teacher_of: dict[int, int] = field(default_factory=dict)  # assignment → its teacher
    _made: dict[tuple[int, CountRule], Quality] = field(default_factory=dict, repr=False, compare=False)

    def final(self, student_id: int, subject_id: int) -> str:
        return self.finals.get((student_id, subject_id), "")

    def quality(self, subject_id: int, rule: CountRule) -> Quality:
        """The subject's counts (counted once per rule; each caller gets its own copy to add to)."""
        made = self._made.get((subject_id, rule))
        if made is None:
            made = Quality()
            for entry in self.roster:
                made.add(self.finals.get((entry.student.pk, subject_id)), departed=entry.departed, rule=rule)
            self._made[(subject_id, rule)] = made
        return replace(made)

    def total(self, rule: CountRule) -> Quality:
        total = Quality()
        for subject in self.subjects:
            total += self.quality(subject.pk, rule)
        return total

    def assignment_quality(self, assignment_id: int, rule: CountRule) -> Quality:
        """One teacher's share: his assignment's final marks (a subgroup: only its pupils with a mark from him)."""
        quality = Quality()
        whole = assignment_id in self.whole_class
        for entry in self.roster:
            value = self.by_assignment.get((entry.student.pk, assignment_id))
            if value is None and not whole:
                continue
            quality.add(value, departed=entry.departed, rule=rule)
        return quality


def class_finals(classes: Sequence[SchoolClass], terms: dict[int, Term]) -> list[ClassFinals]:
    """Final marks of classes for their terms (class id → term) — three queries for any number of classes:
    enrollments, assignments of the classes' own groups (regular journal; subjects with marks), final marks."""
    return finals_of([(c, terms[c.pk]) for c in classes])


def finals_of(pairs: Sequence[tuple[SchoolClass, Term]]) -> list[ClassFinals]:
    """``class_finals`` of (class, term) pairs — a class may come with several terms (its periods and the year) —
    in three queries for all of them."""
    if not pairs:
        return []
    start = min(t.start for _, t in pairs)
    end = max(t.end for _, t in pairs)
    class_ids = sorted({c.pk for c, _ in pairs})
    all_rosters = rosters(class_ids, start, end)
    assignments = list(
        TeachingAssignment.objects.filter(group__school_class_id__in=class_ids, subject__without_marks=False,
                                          group__journal_kind=JournalKind.REGULAR)
        .select_related("subject", "group").order_by("subject__name", "pk"))
    period_ids = {t.period.pk for _, t in pairs if t.period is not None}
    wants_year = any(t.period is None for _, t in pairs)
    final_q = Q(kind=FinalKind.PERIOD, period_id__in=period_ids)
    if wants_year:
        final_q |= Q(kind=FinalKind.YEAR)
    # (assignment, period or None for the year) → its final marks; the later of two for one pupil and subject
    # (a move between subgroups) stands: the larger id.
    finals_by_assignment: dict[tuple[int, int | None], list[tuple[int, str, int]]] = defaultdict(list)
    for pk, assignment_id, student_id, value, period_id in (
            FinalMark.objects.filter(final_q, assignment_id__in=[a.pk for a in assignments])
            .values_list("pk", "assignment_id", "student_id", "value", "period_id")):
        finals_by_assignment[(assignment_id, period_id)].append((student_id, value, pk))
    by_class: dict[int | None, list[TeachingAssignment]] = defaultdict(list)
    for assignment in assignments:
        by_class[assignment.group.school_class_id].append(assignment)
    out = []
    for school_class, term in pairs:
        entries = _within(all_rosters.get(school_class.pk, []), term)
        mine = by_class.get(school_class.pk, [])
        term_period_id = term.period.pk if term.period is not None else None
        subjects: list[Subject] = []
        teachers: dict[int, list[int]] = defaultdict(list)
        by_subject: dict[int, list[int]] = defaultdict(list)
        chosen: dict[tuple[int, int], tuple[int, str]] = {}
        own: dict[tuple[int, int], str] = {}
        for assignment in mine:
            if assignment.subject_id not in by_subject:
                subjects.append(assignment.subject)
            by_subject[assignment.subject_id].append(assignment.pk)
            if assignment.teacher_id not in teachers[assignment.subject_id]:
                teachers[assignment.subject_id].append(assignment.teacher_id)
            subject_id = assignment.subject_id
            for student_id, value, pk in finals_by_assignment.get((assignment.pk, term_period_id), ()):
                own[(student_id, assignment.pk)] = value
                key = (student_id, subject_id)
                if key not in chosen or chosen[key][0] < pk:
                    chosen[key] = (pk, value)
        out.append(ClassFinals(school_class=school_class, term=term, roster=entries, subjects=subjects,
                               finals={key: value for key, (_, value) in chosen.items()}, teachers=dict(teachers),
                               assignments=dict(by_subject), by_assignment=own,
                               whole_class=frozenset(a.pk for a in mine if a.group.kind == GroupKind.CLASS),
                               teacher_of={a.pk: a.teacher_id for a in mine}))
    return out


def _within(entries: list[RosterEntry], term: Term) -> list[RosterEntry]:
    """The roster of a term out of a longer range's: pupils who were in the class during the term."""
    out = []
    for entry in entries:
        spans = [(s, e) for s, e in entry.spans if s <= term.end and e >= term.start]
        if spans:
            out.append(RosterEntry(entry.student, spans, departed=not any(s <= term.end <= e for s, e in spans)))
    return out


# --- pupils' standing in a term ------------------------------------------------------------------------------------


class Standing:
    EXCELLENT = "excellent"
    GOOD = "good"
    ONE_THREE = "one_three"
    SATISFACTORY = "satisfactory"
    FAILING = "failing"
    NOT_ATTESTED = "not_attested"
    NONE = "none"

    LABELS = {
        EXCELLENT: "отличники", GOOD: "хорошисты (на «4» и «5»)", ONE_THREE: "с одной «3»",
        SATISFACTORY: "успевающие с «3»", FAILING: "неуспевающие", NOT_ATTESTED: "не аттестованы",
        NONE: "нет итоговых отметок",
    }


def standing(values: Iterable[str]) -> str:
    """A pupil's standing from his final marks of a term (codes other than «н/а»/«нз» do not change it)."""
    marks = [v for v in values if v]
    numeric = [v for v in marks if v in grading.NUMERIC_VALUES]
    if any(v in ("2", "1", "нз") for v in marks):
        return Standing.FAILING
    if "н/а" in marks:
        return Standing.NOT_ATTESTED
    if not numeric:
        return Standing.NONE
    threes = numeric.count("3")
    if threes == 0:
        return Standing.EXCELLENT if all(v == "5" for v in numeric) else Standing.GOOD
    return Standing.ONE_THREE if threes == 1 else Standing.SATISFACTORY


# --- attendance ---------------------------------------------------------------------------------------------------------


@dataclass
class AttendanceCount:
    absent: int = 0  # «н»
    sick: int = 0  # «б»
    excused: int = 0  # «уп»
    late: int = 0  # «оп»
    days: int = 0  # whole days missed
    lessons: int = 0  # lessons the pupil was expected at (held, not cancelled)

    @property
    def missed(self) -> int:
        return self.absent + self.sick + self.excused

    def __iadd__(self, other: AttendanceCount) -> AttendanceCount:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @property
    def missed_share(self) -> Decimal | None:
        return pct(self.missed, self.lessons)


@dataclass
class ClassAttendance:
    school_class: SchoolClass
    start: dt.date
    end: dt.date
    roster: list[RosterEntry]
    by_student: dict[int, AttendanceCount]
    by_month: dict[tuple[int, dt.date], AttendanceCount]  # (student, first day of month) → counts
    months: list[dt.date]
    # student → his lessons in order (date, number) with the absence code at each ("" present)
    sequence: dict[int, list[tuple[dt.date, int, str]]] = field(default_factory=dict)

    def total(self) -> AttendanceCount:
        total = AttendanceCount()
        for count in self.by_student.values():
            total += count
        return total

    def month_total(self, month: dt.date) -> AttendanceCount:
        total = AttendanceCount()
        for (_, m), count in self.by_month.items():
            if m == month:
                total += count
        return total


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def attendance(classes: Sequence[SchoolClass], start: dt.date, end: dt.date, *, today: dt.date,
               settings: Settings, sequences: bool = False) -> list[ClassAttendance]:
    """Absences of the classes' pupils at their classes' lessons (the whole class's and its subgroups'; not cross-class
    groups) from ``start`` to ``end`` (never after ``today``) — four queries for any number of classes. A pupil is
    expected at a lesson of the whole class while enrolled, at a subgroup's while a member."""
    end = min(end, today)
    class_ids = [c.pk for c in classes]
    all_rosters = rosters(class_ids, start, max(start, end))
    if end < start:
        return [ClassAttendance(c, start, end, all_rosters.get(c.pk, []), {}, {}, []) for c in classes]
    lessons = queries.class_lessons(class_ids, start, end)
    subgroup_ids = {row.group_id for row in lessons if row.group_kind != GroupKind.CLASS}
    memberships: dict[int, dict[int, list[tuple[dt.date, dt.date]]]] = defaultdict(lambda: defaultdict(list))
    for group_id, student_id, m_start, m_end in (
            GroupMembership.objects.filter(group_id__in=subgroup_ids, start__lte=end)
            .filter(Q(end__isnull=True) | Q(end__gte=start)).values_list("group_id", "student_id", "start", "end")):
        memberships[group_id][student_id].append((m_start, m_end or OPEN))
    student_ids = [e.student.pk for entries in all_rosters.values() for e in entries]
    codes: dict[tuple[int, int], str] = {(row.lesson_id, row.student_id): row.code
                                         for row in queries.absences(student_ids, start, end)}
    by_class_lessons: dict[int, list[tuple]] = defaultdict(list)
    for row in lessons:  # in order: date, number
        by_class_lessons[row.school_class_id].append((row.pk, row.date, row.number, row.group_id,
                                                      row.group_kind == GroupKind.CLASS, row.date.replace(day=1)))
    months = months_between(start, end)
    out = []
    for school_class in classes:
        roster = all_rosters.get(school_class.pk, [])
        by_student: dict[int, AttendanceCount] = {}
        by_month: dict[tuple[int, dt.date], AttendanceCount] = defaultdict(AttendanceCount)
        sequence: dict[int, list[tuple[dt.date, int, str]]] = {}
        class_lessons = by_class_lessons.get(school_class.pk, [])
        for entry in roster:
            student_id = entry.student.pk
            whole = any(s <= start and e >= end for s, e in entry.spans)  # in the class the whole time
            count = AttendanceCount()
            per_day: dict[dt.date, list[str]] = defaultdict(list)
            per_month: dict[dt.date, AttendanceCount] = {}
            mine: list[tuple[dt.date, int, str]] = []
            for lesson_id, day, number, group_id, of_class, month in class_lessons:
                if of_class:
                    if not whole and not entry.present_on(day):
                        continue
                else:
                    spans = memberships.get(group_id, {}).get(student_id)
                    if not spans or not any(s <= day <= e for s, e in spans):
                        continue
                code = codes.get((lesson_id, student_id), "")
                per_day[day].append(code)
                month_count = per_month.get(month)
                if month_count is None:
                    month_count = per_month[month] = by_month[(student_id, month)]
                count.lessons += 1
                month_count.lessons += 1
                if code:
                    _count_code(count, code)
                    _count_code(month_count, code)
                if sequences:
                    mine.append((day, number, code))
            for day, day_codes in per_day.items():
                missed = sum(1 for c in day_codes if c in grading.MISSED_CODES)
                if missed and (missed >= settings.missed_day_lessons if settings.missed_day_lessons
                               else missed == len(day_codes)):
                    count.days += 1
                    by_month[(student_id, day.replace(day=1))].days += 1
            by_student[student_id] = count
            if sequences:
                sequence[student_id] = mine
        out.append(ClassAttendance(school_class, start, end, roster, by_student, dict(by_month), months, sequence))
    return out


def _count_code(count: AttendanceCount, code: str) -> None:
    if code == "н":
        count.absent += 1
    elif code == "б":
        count.sick += 1
    elif code == "уп":
        count.excused += 1
    elif code == "оп":
        count.late += 1


def longest_absent_run(sequence: Sequence[tuple[dt.date, int, str]]) -> int:
    """The longest run of unexcused absences («н») in a row among a pupil's lessons in order."""
    best = run = 0
    for _, _, code in sequence:
        run = run + 1 if code == "н" else 0
        best = max(best, run)
    return best


# --- current progress ---------------------------------------------------------------------------------------------------


@dataclass
class SubjectProgress:
    """A pupil's current standing in a subject for a period: the journal's average and suggestion."""

    subject: Subject
    marks: list[GradedMark]
    average: grading.Average
    suggestion: Suggestion
    final: str = ""
    unredeemed_two: GradedMark | None = None

    @property
    def forecast(self) -> str:
        """The forecast of the period mark: the final mark when set, else the suggestion, else «н/а» when the
        period is over without enough marks."""
        return self.final or (self.suggestion.value or "")

    @property
    def reasoning(self) -> str:
        if self.final:
            return f"Итоговая отметка выставлена: «{self.final}»."
        return self.suggestion.explanation


@dataclass
class PupilProgress:
    entry: RosterEntry
    subjects: dict[int, SubjectProgress]


@dataclass
class ClassProgress:
    school_class: SchoolClass
    period: ReportingPeriod
    policy: Policy
    subjects: list[Subject]
    pupils: list[PupilProgress]


def progress(school_class: SchoolClass, period: ReportingPeriod, *, today: dt.date) -> ClassProgress:
    """Every pupil's weighted average, suggested mark (the journal's ``grading`` functions with the rules in force
    on the period's last day, or today — ``journal.selectors.period_policy_date``) and final mark per subject of
    the class for a period — four queries (the rules come from the school's cache)."""
    from zhurnal.journal.selectors import period_policy_date

    policy, _ = rules_on(school_class.school, period_policy_date(period, today))
    roster = rosters([school_class.pk], period.start, period.end).get(school_class.pk, [])
    assignments = list(TeachingAssignment.objects.filter(group__school_class=school_class,
                                                         group__journal_kind=JournalKind.REGULAR,
                                                         subject__without_marks=False)
                       .select_related("subject").order_by("subject__name", "pk"))
    subject_of = {a.pk: a.subject_id for a in assignments}
    subjects: list[Subject] = []
    for assignment in assignments:
        if all(s.pk != assignment.subject_id for s in subjects):
            subjects.append(assignment.subject)
    graded: dict[tuple[int, int], list[GradedMark]] = defaultdict(list)
    for row in queries.period_marks(list(subject_of), period.start, period.end):
        graded[(row.student_id, subject_of[row.assignment_id])].append(
            GradedMark(row.value, row.modifier, row.work_type_id, row.date, row.position, row.number))
    finals: dict[tuple[int, int], tuple[dt.datetime, str]] = {}
    for assignment_id, student_id, value, set_at in FinalMark.objects.filter(
            assignment_id__in=list(subject_of), period=period, kind=FinalKind.PERIOD).values_list(
            "assignment_id", "student_id", "value", "set_at"):
        key = (student_id, subject_of[assignment_id])
        if key not in finals or finals[key][0] < set_at:
            finals[key] = (set_at, value)
    pupils = []
    for entry in roster:
        per_subject = {}
        for subject in subjects:
            marks = graded.get((entry.student.pk, subject.pk), [])
            final = finals.get((entry.student.pk, subject.pk), (None, ""))[1]
            if not marks and not final:
                continue
            average = grading.weighted_average(marks, policy=policy)
            suggestion = grading.suggest_final_mark(marks, policy=policy, average=average)
            per_subject[subject.pk] = SubjectProgress(
                subject=subject, marks=marks, average=average, suggestion=suggestion, final=final,
                unredeemed_two=grading.unredeemed_two(marks, policy=policy))
        pupils.append(PupilProgress(entry=entry, subjects=per_subject))
    return ClassProgress(school_class=school_class, period=period, policy=policy, subjects=subjects, pupils=pupils)


@dataclass
class Risk:
    entry: RosterEntry
    reasons: list[str]


def _clause(sentence: str) -> str:
    """The journal's explanation («Средний взвешенный балл 2,29 … — «2».») as a clause of a reason: the reasons are
    joined with «; » in one cell."""
    sentence = sentence.strip().rstrip(".")
    return sentence[:1].lower() + sentence[1:]


def risks(data: ClassProgress, attendance_data: ClassAttendance | None, *, settings: Settings,
          today: dt.date) -> list[Risk]:
    """Pupils at risk in the period, each with his reasons: a forecast «2» (or «н/а»: the period ends within two
    weeks and there are too few marks for a mark), an average under the school's threshold, an unredeemed «2» for a
    control work, ``risk_absences_in_row`` unexcused absences in a row."""
    near_end = data.period.end - dt.timedelta(days=14) <= today
    out = []
    for pupil in data.pupils:
        if pupil.entry.departed:
            continue
        reasons = []
        for item in pupil.subjects.values():
            name = item.subject.name
            forecast = item.forecast
            if forecast in ("2", "1", "н/а"):
                reasons.append(f"{name}: прогноз «{forecast}» — {_clause(item.reasoning)}")
            elif not forecast and near_end and item.suggestion.count < data.policy.min_marks:
                reasons.append(f"{name}: риск «н/а» — {_clause(item.suggestion.explanation)}")
            if item.average.value is not None and item.average.value < settings.risk_average_below:
                reasons.append(f"{name}: средний балл {grading.format_average(item.average.value)} ниже "
                               f"{grading.format_average(settings.risk_average_below)}")
            if item.unredeemed_two is not None:
                mark = item.unredeemed_two
                reasons.append(f"{name}: неисправленная «{grading.format_mark(mark.value, mark.modifier)}» за "
                               f"контрольную работу {mark.date:%d.%m}")
        if attendance_data is not None and settings.risk_absences_in_row:
            run = longest_absent_run(attendance_data.sequence.get(pupil.entry.student.pk, ()))
            if run >= settings.risk_absences_in_row:
                reasons.append(f"пропусков без уважительной причины подряд: {run}")
        if reasons:
            out.append(Risk(pupil.entry, reasons))
    return out


# --- journal filling ------------------------------------------------------------------------------------------------


@dataclass
class Filling:
    assignment: TeachingAssignment
    held: int = 0
    no_topic: int = 0
    no_homework: int = 0
    homework_expected: bool = True
    control_without_marks: int = 0
    marks: int = 0
    pupils: int = 0
    marks_by_month: dict[dt.date, int] = field(default_factory=dict)
    coverage_percent: int | None = None
    coverage_lag: int | None = None
    coverage_text: str = ""

    @property
    def filled_share(self) -> Decimal | None:
        missing = self.no_topic + (self.no_homework if self.homework_expected else 0)
        expected = self.held * (2 if self.homework_expected else 1)
        return pct(expected - missing, expected)

    @property
    def marks_per_pupil(self) -> Decimal | None:
        if not self.pupils:
            return None
        return (Decimal(self.marks) / self.pupils).quantize(TENTH, rounding=ROUND_HALF_UP)

    def month_per_pupil(self, month: dt.date) -> Decimal | None:
        if not self.pupils:
            return None
        return (Decimal(self.marks_by_month.get(month, 0)) / self.pupils).quantize(TENTH, rounding=ROUND_HALF_UP)


def held_filter(today: dt.date, now: dt.datetime | None = None) -> Q:
    """Lessons that have taken place: before today, or today and already over by the bells («lessons not yet held
    are not unfilled»). Today's lessons count once their number's usual end has passed; without bells, from the
    evening (16:00) on."""
    local = timezone.localtime(now) if now is not None else timezone.localtime()
    if local.date() != today:
        return Q(date__lt=today) if local.date() < today else Q(date__lte=today)
    return Q(date__lt=today) | Q(date=today, number__lte=_lessons_over(local.time()))


# The usual first-shift bells: (number, end). A school's own bells vary by minutes; the filter only decides
# whether today's lesson may already be asked for its topic.
_USUAL_ENDS = ((1, dt.time(9, 15)), (2, dt.time(10, 10)), (3, dt.time(11, 15)), (4, dt.time(12, 20)),
               (5, dt.time(13, 15)), (6, dt.time(14, 10)), (7, dt.time(15, 5)), (8, dt.time(16, 0)))


def _lessons_over(now: dt.time) -> int:
    over = 0
    for number, end in _USUAL_ENDS:
        if end <= now:
            over = number
    return over


def filling(assignments: Sequence[TeachingAssignment], start: dt.date, end: dt.date, *, today: dt.date,
            policy: Policy, now: dt.datetime | None = None, with_coverage: bool = True) -> list[Filling]:
    """Journal filling of the assignments from ``start`` to ``end`` (lessons held by now only) — four queries
    and the coverage's two. ``assignments`` come with their group's class and subject."""
    from zhurnal.planning.selectors import coverage_for_assignments

    ids = [a.pk for a in assignments]
    held = held_filter(today, now)
    out = {a.pk: Filling(assignment=a, homework_expected=grading.marks_allowed(
        grade=a.group.school_class.grade if a.group.school_class is not None else None,
        subject_without_marks=a.subject.without_marks, policy=policy)) for a in assignments}
    if not ids:
        return []
    lessons = Lesson.objects.filter(held, assignment_id__in=ids, date__gte=start, date__lte=end, cancelled=False)
    has_marks = Exists(Mark.objects.filter(lesson=OuterRef("pk")))
    control = Exists(LessonRecord.objects.filter(lesson=OuterRef("pk"), control_type__is_control=True))
    for row in (lessons.order_by().values("assignment_id").annotate(
            held=Count("pk"), no_topic=Count("pk", filter=Q(topic="")),
            no_homework=Count("pk", filter=Q(homework="")))):
        item = out[row["assignment_id"]]
        item.held, item.no_topic, item.no_homework = row["held"], row["no_topic"], row["no_homework"]
    for assignment_id, n in (lessons.filter(date__lt=today - dt.timedelta(days=1)).annotate(
            is_control=control, marked=has_marks).filter(is_control=True, marked=False).order_by()
            .values("assignment_id").annotate(n=Count("pk")).values_list("assignment_id", "n")):
        out[assignment_id].control_without_marks = n
    marks: dict[int, Counter] = defaultdict(Counter)
    # Counted by the database per lesson day (a school's year holds some hundred thousand marks, a tenth as many
    # lesson days), summed into months here.
    for assignment_id, date, n in (Mark.objects.filter(lesson__assignment_id__in=ids, lesson__date__gte=start,
                                                      lesson__date__lte=min(end, today), lesson__cancelled=False)
                                   .order_by().values("lesson__assignment_id", "lesson__date")
                                   .annotate(n=Count("pk")).values_list("lesson__assignment_id", "lesson__date", "n")):
        marks[assignment_id][date.replace(day=1)] += n
    for assignment_id, months in marks.items():
        out[assignment_id].marks_by_month = dict(months)
        out[assignment_id].marks = sum(months.values())
    _pupil_counts(list(out.values()), min(end, today))
    if with_coverage:
        for assignment_id, coverage in coverage_for_assignments(ids, min(end, today)).items():
            item = out[assignment_id]
            item.coverage_text = coverage.lag_text
            if coverage.has_plan:
                item.coverage_percent, item.coverage_lag = coverage.percent, coverage.lag
    return [out[i] for i in ids]


def _pupil_counts(items: list[Filling], on: dt.date) -> None:
    """Pupils in each assignment's group on ``on`` — two queries."""
    class_ids = {i.assignment.group.school_class_id for i in items if i.assignment.group.kind == GroupKind.CLASS}
    group_ids = {i.assignment.group_id for i in items if i.assignment.group.kind != GroupKind.CLASS}
    in_class = Counter(Enrollment.objects.filter(school_class_id__in=class_ids, start__lte=on)
                       .filter(Q(end__isnull=True) | Q(end__gte=on)).values_list("school_class_id", flat=True))
    in_group = Counter(GroupMembership.objects.filter(group_id__in=group_ids, start__lte=on)
                       .filter(Q(end__isnull=True) | Q(end__gte=on)).values_list("group_id", flat=True))
    for item in items:
        group: Group = item.assignment.group
        item.pupils = (in_class[group.school_class_id] if group.kind == GroupKind.CLASS and group.school_class_id
                       else in_group[group.pk])


# --- use of the system --------------------------------------------------------------------------------------------------


@dataclass
class Usage:
    days: list[dt.date]
    logins: dict[str, list[int]]  # role → logins per day
    people: dict[str, int]  # role → distinct people who logged in during the range
    families: int  # families reading electronically with access
    families_checking: int  # of them: opened the diary at least twice in the week
    students_with_access: int
    students_checking: int
    guardians: int
    guardians_never_activated: int

    @property
    def families_share(self) -> Decimal | None:
        return pct(self.families_checking, self.families)

    @property
    def never_activated_share(self) -> Decimal | None:
        return pct(self.guardians_never_activated, self.guardians)


def usage(school: School, year: AcademicYear, monday: dt.date) -> Usage:
    """The week from ``monday``: logins per day by role (roles derived as ``accounts.roles`` does), families who
    read the diary twice in the week (the diary's own rule), guardians who never activated their login."""
    from zhurnal.accounts.models import LoginEvent
    from zhurnal.school.access.selectors import _role_sets, week_bounds
    from zhurnal.school.activity import diary_activity
    from zhurnal.school.models import Guardian, GuardianLink
    from zhurnal.school.roles import Role

    days = [monday + dt.timedelta(days=i) for i in range(7)]
    start, end = week_bounds(school, monday)
    roles = _role_sets(school)
    logins: dict[str, list[int]] = {role: [0] * 7 for role in Role.LABELS}
    people: dict[str, set[int]] = defaultdict(set)
    tz = start.tzinfo
    for user_id, at in LoginEvent.objects.filter(succeeded=True, at__gte=start, at__lt=end,
                                                 user_id__in=list(roles)).values_list("user_id", "at"):
        index = (at.astimezone(tz).date() - monday).days
        for role in roles[user_id]:
            if role in logins and 0 <= index < 7:
                logins[role][index] += 1
                people[role].add(user_id)
    classes = diary_activity(year, monday)
    on = min(max(monday, year.start), year.end)
    linked = GuardianLink.objects.filter(school=school, student__enrollments__school_class__year=year,
                                         student__enrollments__start__lte=on).filter(
        Q(student__enrollments__end__isnull=True) | Q(student__enrollments__end__gte=on)).values("guardian_id")
    guardians = list(Guardian.objects.filter(pk__in=linked).values_list("user__password", flat=True))
    never = sum(1 for password in guardians if not password or password.startswith("!"))
    return Usage(days=days, logins=logins, people={r: len(people.get(r, ())) for r in Role.LABELS},
                 families=sum(c.families for c in classes), families_checking=sum(c.families_checking for c in classes),
                 students_with_access=sum(c.students_with_access for c in classes),
                 students_checking=sum(c.students_checking for c in classes),
                 guardians=len(guardians), guardians_never_activated=never)
