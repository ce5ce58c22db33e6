"""The demo school's journal: marks, attendance, lesson records and final marks from 1 September to today.

``build_demo_journal(school=…, year=…, today=…, rng=…)`` runs after the timetable's demo step has made the
lessons. It writes in bulk (a school has a hundred thousand marks by November) but computes every final mark
with the same grading functions as the app, and makes the few corrections a demo should show — the deputy
reopening a closed period, late corrections with reasons, the class teacher's reasons for absences — through
the services, so the audit log holds them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhurnal.accounts.models import User
from zhurnal.planning.demo_topics import control_kinds_for
from zhurnal.school.models import (
    AcademicYear,
    Enrollment,
    GroupKind,
    GroupMembership,
    ReportingPeriod,
    School,
    Student,
)
from zhurnal.school.selectors import periods_for_grade
from zhurnal.timetable.models import Lesson

from . import grading, services
from .models import Attendance, FinalKind, FinalMark, LessonRecord, Mark, WorkType
from .policies import policy_for, policy_row_for

# How often things happen, per student and lesson (marks) or per student and day (absences).
MARK_CHANCE = 0.62  # about four marks a day over six lessons
SECOND_MARK_CHANCE = 0.07
CONTROL_EVERY = 8  # every eighth lesson of a subject is a control work
SICK_DAY_CHANCE = 0.035
SKIP_LESSON_CHANCE = 0.02
LATE_CHANCE = 0.01
EXCUSED_SHARE = 0.3

TOPIC_WORDS = {
    "Математика": ["Натуральные числа", "Сложение и вычитание", "Умножение и деление", "Дроби", "Проценты",
                   "Уравнения", "Площадь и периметр", "Десятичные дроби", "Координатная прямая"],
    "Алгебра": ["Выражения", "Линейные уравнения", "Функции и графики", "Степень", "Многочлены",
                "Квадратные уравнения", "Неравенства", "Системы уравнений"],
    "Геометрия": ["Треугольники", "Признаки равенства", "Параллельные прямые", "Окружность", "Четырёхугольники",
                  "Подобие", "Площади фигур"],
    "Русский язык": ["Орфограммы корня", "Части речи", "Имя существительное", "Глагол", "Синтаксис",
                     "Пунктуация", "Лексика", "Правописание приставок"],
    "Литература": ["Устное народное творчество", "Басни", "А. С. Пушкин", "М. Ю. Лермонтов", "Н. В. Гоголь",
                   "Л. Н. Толстой", "Поэзия XX века"],
}
GENERIC_TOPICS = ["Введение в тему", "Основные понятия", "Практикум", "Решение задач", "Повторение",
                  "Обобщение и систематизация", "Работа с текстом", "Проектная работа"]
HOMEWORK = ["§ {n}, вопросы 1–4", "№ {n}, {m}", "Упр. {n}", "Выучить правило, упр. {n}", "Читать с. {n}–{m}",
            "Подготовить сообщение", "Повторить § {n}", "Карточка № {n}"]
DEVIATION_REASONS = [
    "Учтены результаты олимпиады",
    "Успешно написана итоговая контрольная работа",
    "Систематически не выполнялись домашние задания",
]
CORRECTION_REASONS = [
    "Отметка поставлена не тому ученику",
    "Пересмотрена контрольная работа после апелляции",
    "Ошибочно отмечено отсутствие",
]


@dataclass
class DemoJournalReport:
    marks: int = 0
    absences: int = 0
    lessons_filled: int = 0
    final_marks: int = 0
    flagged: int = 0
    corrections: int = 0
    reasons: int = 0
    extra: dict = field(default_factory=dict)


def _spans(groups: set[int], year: AcademicYear) -> dict[int, list[tuple[Student, dt.date, dt.date]]]:
    """Members of each group with the span of their stay — two queries."""
    from zhurnal.school.models import Group

    kinds = dict(Group.objects.filter(pk__in=groups).values_list("pk", "kind"))
    class_of = dict(Group.objects.filter(pk__in=groups).values_list("pk", "school_class_id"))
    out: dict[int, list[tuple[Student, dt.date, dt.date]]] = defaultdict(list)
    by_class: dict[int, list[tuple[Student, dt.date, dt.date]]] = defaultdict(list)
    for enrollment in Enrollment.objects.filter(school_class__year=year).select_related("student"):
        by_class[enrollment.school_class_id].append((enrollment.student, enrollment.start,
                                                     enrollment.end or dt.date.max))
    for group_id, kind in kinds.items():
        if kind == GroupKind.CLASS:
            out[group_id] = by_class.get(class_of[group_id], [])
    for membership in GroupMembership.objects.filter(group_id__in=groups).select_related("student"):
        if kinds.get(membership.group_id) != GroupKind.CLASS:
            out[membership.group_id].append((membership.student, membership.start, membership.end or dt.date.max))
    return out


def _topic(subject: str, index: int) -> str:
    words = TOPIC_WORDS.get(subject, GENERIC_TOPICS)
    return f"{words[(index // 4) % len(words)]}. Урок {index % 4 + 1}"


def _control_for(subject_name: str, control_types: list[WorkType], rng: random.Random) -> WorkType:
    """A control work the subject would have (a dictation in Russian, a practical work in technology), among the
    school's work types of control."""
    by_name = {w.name.casefold(): w for w in control_types}
    fitting = [by_name[name.casefold()] for name in control_kinds_for(subject_name) if name.casefold() in by_name]
    return rng.choice(fitting or [by_name.get("контрольная работа") or control_types[0]])


def _date_marks_on_their_lessons(school: School, days: set[dt.date]) -> None:
    """A mark was set on its lesson's day (after the lessons), not when the demo was built: the diary's «new
    marks» then count what came since a family's last visit."""
    now = timezone.now()
    zone = timezone.get_current_timezone()
    for day in sorted(days):
        moment = min(dt.datetime.combine(day, dt.time(15, 30), tzinfo=zone), now)
        Mark.objects.filter(school=school, lesson__date=day).update(created_at=moment, updated_at=moment)


@transaction.atomic
def build_demo_journal(*, school: School, year: AcademicYear, today: dt.date, rng: random.Random,
                       actor: User | None = None) -> DemoJournalReport:
    report = DemoJournalReport()
    services.ensure_journal_setup(school=school, actor=actor, valid_from=year.start)
    work_types = {w.name: w for w in WorkType.objects.filter(school=school)}
    default = next(w for w in work_types.values() if w.is_default)
    control_types = [w for w in work_types.values() if w.is_control]
    lesson_types = [work_types[name] for name in ("Ответ на уроке", "Самостоятельная работа", "Домашняя работа",
                                                  "Проверочная работа") if name in work_types] or [default]
    policy = policy_for(school, today)
    lessons = list(
        Lesson.objects.filter(school=school, date__gte=year.start, date__lte=min(today, year.end), cancelled=False)
        .select_related("assignment__subject", "assignment__group__school_class", "assignment__teacher")
        .order_by("date", "number")
    )
    if not lessons:
        return report
    groups = {lesson.assignment.group_id for lesson in lessons}
    members = _spans(groups, year)
    ability = {}
    for spans in members.values():
        for student, _, _ in spans:
            if student.pk not in ability:
                ability[student.pk] = min(4.9, max(2.4, rng.gauss(3.9, 0.6)))
    difficulty: dict[int, float] = defaultdict(lambda: rng.gauss(0, 0.3))
    count_by_assignment: dict[int, int] = defaultdict(int)
    sick_days: dict[tuple[int, dt.date], bool] = {}
    marks: list[Mark] = []
    absences: list[Attendance] = []
    records: list[LessonRecord] = []
    filled: list[Lesson] = []
    for lesson in lessons:
        assignment = lesson.assignment
        school_class = assignment.group.school_class
        grade = school_class.grade if school_class is not None else None
        allowed = grading.marks_allowed(grade=grade, subject_without_marks=assignment.subject.without_marks,
                                        policy=policy)
        index = count_by_assignment[assignment.pk]
        count_by_assignment[assignment.pk] += 1
        is_control = allowed and index % CONTROL_EVERY == CONTROL_EVERY - 1 and bool(control_types)
        control = _control_for(assignment.subject.name, control_types, rng) if is_control else None
        if control is not None:
            records.append(LessonRecord(school=school, lesson=lesson, control_type=control))
        # Topics (and homework where it is given) for past lessons; a few left empty for the control page.
        if lesson.date < today and rng.random() > 0.03:
            if not lesson.topic:
                lesson.topic = (f"{control.name}: {_topic(assignment.subject.name, index)}" if control
                                else _topic(assignment.subject.name, index))
            if allowed and not lesson.homework and rng.random() > 0.05:
                lesson.homework = rng.choice(HOMEWORK).format(n=rng.randint(1, 60), m=rng.randint(61, 120))
            filled.append(lesson)
        offset = difficulty[assignment.subject_id]
        for student, start, end in members.get(assignment.group_id, []):
            if not start <= lesson.date <= end:
                continue
            day_key = (student.pk, lesson.date)
            if day_key not in sick_days:
                sick_days[day_key] = rng.random() < SICK_DAY_CHANCE
            if sick_days[day_key]:
                absences.append(Attendance(school=school, lesson=lesson, student=student, code="б",
                                           note="справка"))
                continue
            roll = rng.random()
            if roll < SKIP_LESSON_CHANCE:
                code = "уп" if rng.random() < EXCUSED_SHARE else "н"
                absences.append(Attendance(school=school, lesson=lesson, student=student, code=code))
                continue
            if roll < SKIP_LESSON_CHANCE + LATE_CHANCE:
                absences.append(Attendance(school=school, lesson=lesson, student=student, code="оп"))
            if not allowed or (not is_control and rng.random() > MARK_CHANCE):
                continue
            work_type = control or rng.choice(lesson_types)
            extra = 1 if not is_control and rng.random() < SECOND_MARK_CHANCE else 0
            for position in range(1 + extra):
                value = round(ability[student.pk] + offset + rng.gauss(0, 0.75 if is_control else 0.65))
                value = max(2, min(5, value))
                modifier = ""
                if policy.allow_modifiers and rng.random() < 0.08 and value in (3, 4):
                    modifier = rng.choice("+-")
                marks.append(Mark(school=school, lesson=lesson, student=student, value=str(value), modifier=modifier,
                                  work_type=work_type if position == 0 else default, position=position,
                                  author=assignment.teacher.user))
    Lesson.objects.bulk_update(filled, ["topic", "homework"], batch_size=500)
    LessonRecord.objects.bulk_create(records, batch_size=1000)
    Mark.objects.bulk_create(marks, batch_size=2000)
    _date_marks_on_their_lessons(school, {lesson.date for lesson in lessons})
    Attendance.objects.bulk_create(absences, batch_size=2000)
    report.marks, report.absences, report.lessons_filled = len(marks), len(absences), len(filled)
    _close_first_periods(school, year, today, rng, report)
    _corrections(school, year, today, rng, report)
    _absence_reasons(school, today, rng, report)
    return report


def _close_first_periods(school: School, year: AcademicYear, today: dt.date, rng: random.Random,
                         report: DemoJournalReport) -> None:
    """Final marks for every period already over: the suggestion, a few changed by the teacher with a reason."""
    from zhurnal.school.models import TeachingAssignment

    from . import selectors

    assignments = list(TeachingAssignment.objects.filter(year=year, subject__without_marks=False)
                       .select_related("group__school_class", "subject", "teacher"))
    finals: list[FinalMark] = []
    now = timezone.now()
    flagged_left = 3
    for assignment in assignments:
        grade = selectors.assignment_grade(assignment)
        if grade is None or grade == 1:
            continue
        for period in periods_for_grade(year, grade):
            if period.end >= today:
                continue
            row = policy_row_for(school, period.end)
            policy = policy_for(school, period.end)
            if not grading.marks_allowed(grade=grade, subject_without_marks=False, policy=policy):
                continue
            for final_row in selectors.period_final_rows(assignment, period, today=today, policy=policy):
                suggestion = final_row.suggestion
                if suggestion.value is None:
                    continue
                value, reason, flagged = suggestion.value, "", False
                if flagged_left and suggestion.value in ("3", "4") and rng.random() < 0.02:
                    value = str(int(suggestion.value) + 1)
                    reason, flagged = rng.choice(DEVIATION_REASONS[:2]), True
                    flagged_left -= 1
                finals.append(FinalMark(
                    school=school, assignment=assignment, student=final_row.student, kind=FinalKind.PERIOD,
                    period=period, value=value, suggested=suggestion.value, average=suggestion.average,
                    policy=row, flagged=flagged, reason=reason, set_by=assignment.teacher.user,
                    set_at=now - dt.timedelta(days=max(0, (today - period.end).days)),
                ))
    FinalMark.objects.bulk_create(finals, batch_size=1000)
    report.final_marks = len(finals)
    report.flagged = sum(1 for f in finals if f.flagged)


def _corrections(school: School, year: AcademicYear, today: dt.date, rng: random.Random,
                 report: DemoJournalReport) -> None:
    """The deputy reopens a closed period of one subject; its teacher corrects two cells with reasons."""
    closed = [p for p in ReportingPeriod.objects.filter(period_set__year=year).order_by("end")
              if today > p.end + dt.timedelta(days=policy_for(school, p.end).close_after_days)]
    if not closed:
        return
    period = closed[0]
    marks = list(Mark.objects.filter(school=school, lesson__date__gte=period.start, lesson__date__lte=period.end,
                                     lesson__assignment__teacher__user__isnull=False,
                                     lesson__assignment__group__school_class__grade__gte=period.period_set.grade_from,
                                     lesson__assignment__group__school_class__grade__lte=period.period_set.grade_to)
                 .select_related("lesson__assignment__teacher__user", "student").order_by("id")[:200])
    if not marks:
        return
    first = rng.choice(marks)
    assignment = first.lesson.assignment
    deputy = _deputy_user(school)
    services.reopen_period(actor=deputy, assignment=assignment, period=period, until=today + dt.timedelta(days=3),
                           reason="Заявление учителя об исправлении ошибок в журнале", today=today)
    same = [m for m in marks if m.lesson.assignment_id == assignment.pk][:2]
    for mark, reason in zip(same, CORRECTION_REASONS, strict=False):
        new_value = "4" if mark.value != "4" else "5"
        services.save_cell(actor=assignment.teacher.user, lesson=mark.lesson, student=mark.student, text=new_value,
                           reason=reason, today=today)
        report.corrections += 1


def _deputy_user(school: School):
    from zhurnal.school.models import Position, StaffPosition

    row = (StaffPosition.objects.filter(school=school, position=Position.DEPUTY, staff__user__isnull=False)
           .select_related("staff__user").first())
    return row.staff.user if row else None


def _absence_reasons(school: School, today: dt.date, rng: random.Random, report: DemoJournalReport) -> None:
    """Class teachers give reasons for a few recent «н» (this week's check)."""
    recent = list(Attendance.objects.filter(school=school, code="н", lesson__date__gte=today - dt.timedelta(days=7),
                                            lesson__date__lte=today,
                                            lesson__assignment__group__school_class__class_teacher__user__isnull=False)
                  .select_related("lesson__assignment__group__school_class__class_teacher__user", "student",
                                  "lesson")
                  .order_by("id")[:40])
    for attendance in recent[:: max(1, len(recent) // 5)][:5]:
        school_class = attendance.lesson.assignment.group.school_class
        if school_class is None or school_class.class_teacher is None:
            continue
        class_teacher = school_class.class_teacher.user
        services.set_absence_reason(actor=class_teacher, lesson=attendance.lesson, student=attendance.student,
                                    code=rng.choice(["б", "уп"]), note=rng.choice(["справка", "записка родителей"]),
                                    today=today)
        report.reasons += 1


def average_marks_per_student_day(school: School) -> Decimal:
    """For the demo's own check: marks per student per school day."""
    marks = Mark.objects.filter(school=school).count()
    days = Lesson.objects.filter(school=school).values("date").distinct().count()
    students = Enrollment.objects.filter(school=school).values("student").distinct().count()
    return Decimal(marks) / Decimal(max(1, days * students))

