"""The deputy's and the director's reports (seed 001 §4.6.4–4.6.5, §6; seed 003 appendix 2), the school-wide summary
sheet, the year's printed class journal, and a school's aggregated figures for the education department."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse

from zhurnal.core import params
from zhurnal.journal import grading
from zhurnal.journal.models import Attendance, FinalKind, FinalMark, Mark
from zhurnal.journal.policies import policy_for
from zhurnal.school.models import (
    Enrollment,
    GroupMembership,
    GuardianLink,
    InfoChannel,
    JournalKind,
    Movement,
    MovementKind,
    ReportingPeriod,
    SchoolClass,
    StaffMember,
    Student,
    TeachingAssignment,
)
from zhurnal.timetable.models import Lesson

from . import charts, metrics
from .class_reports import (
    FAILING,
    MOVEMENT_NOTE,
    base_document,
    departed_kind,
    month_name,
    movement_table,
    quality_cells,
    quality_columns,
    summary_finals,
    summary_sheet_table,
    teacher_names,
)
from .context import Filter, ReportContext
from .documents import Col, Document, Row, Section, Table
from .metrics import Quality


def _school_terms(ctx: ReportContext, chosen: ReportingPeriod | None,
                  classes: list[SchoolClass]) -> dict[int, metrics.Term]:
    by_grade = metrics.periods_by_grade(ctx.year)
    return {c.pk: metrics.term_for_grade(ctx.year, c.grade, chosen, by_grade) for c in classes}


def _previous(period: ReportingPeriod | None, periods: list[ReportingPeriod]) -> ReportingPeriod | None:
    if period is None:
        return None
    same = [p for p in periods if p.period_set_id == period.period_set_id and p.number == period.number - 1]
    return same[0] if same else None


def school_classes(ctx: ReportContext) -> list[SchoolClass]:
    return list(SchoolClass.objects.filter(year=ctx.year).select_related("class_teacher", "school")
                .order_by("grade", "letter"))


def school_period(ctx: ReportContext) -> tuple[ReportingPeriod | None, Filter]:
    periods = ctx.all_periods
    chosen = ctx.chosen_period(periods)
    return chosen, ctx.period_filter(periods, chosen, label_sets=True)


# --- quality by class, parallel, subject, teacher ------------------------------------------------------------------


def school_quality(ctx: ReportContext) -> Document:
    chosen, _ = school_period(ctx)
    rule = ctx.settings.rule
    classes = school_classes(ctx)
    terms = _school_terms(ctx, chosen, classes)
    finals = metrics.class_finals(classes, terms)
    previous_terms = {}
    for school_class in classes:
        term = terms[school_class.pk]
        prev = _previous(term.period, ctx.all_periods)
        if prev is not None:
            previous_terms[school_class.pk] = metrics.period_term(prev)
    previous = {f.school_class.pk: f for f in metrics.class_finals(
        [c for c in classes if c.pk in previous_terms], previous_terms)}
    change_cols = [Col("Δ качества", "pct", 8), Col("Δ успеваемости", "pct", 8)]

    def change(now: Quality, before: Quality | None) -> list:
        if before is None or now.quality is None or before.quality is None:
            return [None, None]
        return [now.quality - before.quality, (now.success or 0) - (before.success or 0)]

    class_rows: list = []
    parallel: dict[int, Quality] = defaultdict(Quality)
    parallel_before: dict[int, Quality] = defaultdict(Quality)
    subjects: dict[str, Quality] = defaultdict(Quality)
    subjects_before: dict[str, Quality] = defaultdict(Quality)
    teachers: dict[int, Quality] = defaultdict(Quality)
    teachers_before: dict[int, Quality] = defaultdict(Quality)
    total, total_before = Quality(), Quality()
    for item in finals:
        grade = item.school_class.grade
        now = item.total(rule)
        before_item = previous.get(item.school_class.pk)
        before = before_item.total(rule) if before_item else None
        class_rows.append(Row([item.school_class.name, *quality_cells(now), *change(now, before), item.term.name]))
        parallel[grade] += now
        total += now
        if before is not None:
            parallel_before[grade] += before
            total_before += before
        for subject in item.subjects:
            subjects[subject.name] += item.quality(subject.pk, rule)
            if before_item is not None:
                subjects_before[subject.name] += before_item.quality(subject.pk, rule)
        for _subject_id, assignment_ids in item.assignments.items():
            for assignment_id in assignment_ids:
                teacher_id = item.teacher_of[assignment_id]
                teachers[teacher_id] += item.assignment_quality(assignment_id, rule)
                if before_item is not None:
                    teachers_before[teacher_id] += before_item.assignment_quality(assignment_id, rule)
    class_rows.append(Row(["Итого по школе", *quality_cells(total), *change(total, total_before or None), ""],
                          kind="total"))
    names = teacher_names(ctx)
    term_col = [Col("Период", width=12)]
    doc = base_document(ctx, "Успеваемость и качество знаний по классам, параллелям, предметам и учителям",
                        f"{chosen.name if chosen else 'год'}, {ctx.year.name} учебный год", "kachestvo-shkola")
    doc.sections.append(Section("По классам", tables=[Table("", quality_columns("Класс", 10) + change_cols + term_col,
                                                            class_rows, sheet="По классам")]))
    doc.sections.append(Section("По параллелям", charts=[charts.bars(
        "Качество знаний по параллелям", [f"{g} кл." for g in sorted(parallel)],
        {"качество, %": [parallel[g].quality for g in sorted(parallel)],
         "успеваемость, %": [parallel[g].success for g in sorted(parallel)]}, percent=True)],
        tables=[Table("", quality_columns("Параллель", 10) + change_cols, [
            Row([f"{g} классы", *quality_cells(parallel[g]), *change(parallel[g], parallel_before.get(g))])
            for g in sorted(parallel)], sheet="По параллелям")]))
    doc.sections.append(Section("По предметам", tables=[Table("", quality_columns("Предмет", 28) + change_cols, [
        Row([name, *quality_cells(q), *change(q, subjects_before.get(name))]) for name, q in sorted(subjects.items())],
        sheet="По предметам")]))
    doc.sections.append(Section("По учителям", tables=[Table("", quality_columns("Учитель", 22) + change_cols, [
        Row([names.get(t, ""), *quality_cells(q), *change(q, teachers_before.get(t))])
        for t, q in sorted(teachers.items(), key=lambda item: names.get(item[0], ""))], sheet="По учителям")]))
    doc.footnotes = [rule.footnote, "Δ — изменение по сравнению с предыдущим периодом того же класса, в процентных "
                                    "пунктах. Для параллелей с другими периодами (полугодия) взят их период, "
                                    "содержащий выбранный."]
    return doc


# --- movement, occupancy -----------------------------------------------------------------------------------------


def school_movement(ctx: ReportContext) -> Document:
    movements = list(Movement.objects.filter(school=ctx.school, date__gte=ctx.year.start, date__lte=ctx.year.end)
                     .exclude(kind=MovementKind.GROUP_TRANSFER)
                     .select_related("student", "from_class", "to_class").order_by("date", "pk"))
    months = metrics.months_between(ctx.year.start, min(ctx.year.end, max(ctx.today, ctx.year.start)))
    rows = []
    for month in months:
        of_month = [m for m in movements if m.date.replace(day=1) == month and m.date > ctx.year.start]
        rows.append(Row([month_name(month), sum(1 for m in of_month if m.kind == MovementKind.ARRIVAL),
                         sum(1 for m in of_month if m.kind == MovementKind.DEPARTURE),
                         sum(1 for m in of_month if m.kind == MovementKind.TRANSFER)]))
    rows.append(Row(["Итого", sum(r.cells[1] for r in rows), sum(r.cells[2] for r in rows),
                     sum(r.cells[3] for r in rows)], kind="total"))
    doc = base_document(ctx, "Динамика движения обучающихся по школе", f"{ctx.year.name} учебный год",
                        "dvizhenie-shkola")
    doc.sections.append(Section("По месяцам", charts=[charts.bars("Прибытие и выбытие по месяцам",
                                                                  [month_name(m) for m in months], {
        "прибыло": [r.cells[1] for r in rows[:-1]], "выбыло": [r.cells[2] for r in rows[:-1]]})], tables=[
        Table("", [Col("Месяц", width=16), Col("Прибыло", "int", 9), Col("Выбыло", "int", 9),
                   Col("Переведено в другой класс", "int", 12)], rows, sheet="По месяцам")]))
    doc.sections.append(Section("Приказы о движении", tables=[movement_table(movements, None, "Приказы")]))
    doc.footnotes = [MOVEMENT_NOTE]
    return doc


def class_occupancy(ctx: ReportContext) -> Document:
    on = ctx.on
    classes = school_classes(ctx)
    rosters = metrics.rosters([c.pk for c in classes], ctx.year.start, on)
    rows = []
    totals = [0] * 6
    for school_class in classes:
        entries = rosters.get(school_class.pk, [])
        count = metrics.headcount(entries, ctx.year.start, on)
        boys = sum(1 for e in entries if e.present_on(on) and e.student.gender == "m")
        cells = [count.at_start, count.arrived, count.departed, count.at_end, boys, count.at_end - boys]
        totals = [a + b for a, b in zip(totals, cells, strict=True)]
        rows.append(Row([school_class.name, *cells,
                         school_class.class_teacher.short_name if school_class.class_teacher else ""]))
    rows.append(Row(["Итого", *totals, ""], kind="total"))
    doc = base_document(ctx, "Наполняемость классов", f"на {on:%d.%m.%Y}, {ctx.year.name} учебный год",
                        "napolnyaemost")
    doc.sections.append(Section(tables=[Table("", [
        Col("Класс", width=8), Col("На начало года", "int", 9), Col("Прибыло", "int", 8), Col("Выбыло", "int", 8),
        Col(f"На {on:%d.%m.%Y}", "int", 9), Col("мальчиков", "int", 9), Col("девочек", "int", 9),
        Col("Классный руководитель", width=22)], rows, sheet="Наполняемость")]))
    doc.footnotes = [MOVEMENT_NOTE]
    return doc


# --- final data per pupil; the school's summary sheet --------------------------------------------------------------


def final_data(ctx: ReportContext) -> Document:
    chosen, _ = school_period(ctx)
    classes = school_classes(ctx)
    terms = _school_terms(ctx, chosen, classes)
    finals = metrics.class_finals(classes, terms)
    start = min((t.start for t in terms.values()), default=ctx.year.start)
    end = max((t.end for t in terms.values()), default=ctx.year.end)
    attendance = {a.school_class.pk: a for a in metrics.attendance(classes, start, end, today=ctx.today,
                                                                    settings=ctx.settings)}
    doc = base_document(ctx, "Итоговые данные по обучающимся", f"{chosen.name if chosen else 'год'}, "
                        f"{ctx.year.name} учебный год", "itogovye-dannye")
    for item in finals:
        rows = []
        counts = attendance[item.school_class.pk].by_student
        for entry in item.roster:
            values = [item.final(entry.student.pk, s.pk) for s in item.subjects]
            count = counts.get(entry.student.pk, metrics.AttendanceCount())
            rows.append(Row([entry.student.short_name, metrics.Standing.LABELS[metrics.standing(values)],
                             values.count("5"), values.count("4"), values.count("3"),
                             sum(1 for v in values if v in ("2", "1")), values.count("н/а"),
                             ", ".join(s.name for s, v in zip(item.subjects, values, strict=True) if v in FAILING),
                             count.missed, count.sick + count.excused], kind=departed_kind(entry)))
        doc.sections.append(Section(tables=[Table(f"{item.school_class.name} класс, {item.term.name}", [
            Col("Обучающийся", width=26), Col("Итог", width=18), Col("«5»", "int", 5), Col("«4»", "int", 5),
            Col("«3»", "int", 5), Col("«2»", "int", 5), Col("н/а", "int", 5), Col("Неуспеваемость по", width=30),
            Col("Пропущено уроков", "int", 9), Col("из них по уваж. причине", "int", 9)], rows,
            sheet=item.school_class.name)]))
    doc.footnotes = [ctx.settings.rule.footnote]
    return doc


def school_summary_sheet(ctx: ReportContext, progress=None) -> Document:
    """Every class's summary sheet of progress (pupils × subjects × periods and year), a sheet per class."""
    classes = school_classes(ctx)
    doc = base_document(ctx, "Сводная ведомость учёта успеваемости обучающихся (школа)",
                        f"{ctx.year.name} учебный год", "svodnaya-vedomost-shkola",
                        signatures=["Директор ____________________", "М. П."])
    finals = summary_finals(ctx, classes)
    for index, school_class in enumerate(classes):
        table, _ = summary_sheet_table(ctx, school_class, finals[school_class.pk])
        doc.sections.append(Section(tables=[table], page_break=index > 0))
        if progress is not None:
            progress(int(100 * (index + 1) / max(1, len(classes))), f"{school_class.name} класс")
    doc.footnotes = ["Сводная ведомость хранится 25 лет (seed 001 §5.5). Выбывшие обучающиеся отмечены «(выбыл)».",
                     ctx.settings.rule.footnote]
    return doc


# --- journal filling --------------------------------------------------------------------------------------------------


def filling_range(ctx: ReportContext) -> tuple[dt.date, dt.date, str, list[Filter]]:
    """A week (``week``) or a period (``period``): what the control asks about."""
    mode = ctx.params.get("range", "week")
    filters = [Filter("range", "За", [("week", "неделю"), ("period", "период"), ("year", "учебный год")],
                      mode if mode in ("week", "period", "year") else "week")]
    if mode == "period":
        chosen = ctx.chosen_period(ctx.all_periods, allow_year=False)
        filters.append(ctx.period_filter(ctx.all_periods, chosen, allow_year=False, label_sets=True))
        assert chosen is not None
        return chosen.start, chosen.end, chosen.name, filters
    if mode == "year":
        return ctx.year.start, ctx.year.end, f"{ctx.year.name} учебный год", filters
    filters.append(ctx.week_filter())
    end = ctx.week + dt.timedelta(days=6)
    return ctx.week, end, f"неделя {ctx.week:%d.%m}–{end:%d.%m.%Y}", filters


def filling_filters(ctx: ReportContext) -> list[Filter]:
    _, _, _, filters = filling_range(ctx)
    classes = school_classes(ctx)
    teachers = StaffMember.objects.filter(pk__in=TeachingAssignment.objects.filter(year=ctx.year).values(
        "teacher_id")).order_by("last_name", "first_name")
    filters.append(Filter("class", "Класс", [("", "все")] + [(str(c.pk), c.name) for c in classes],
                          ctx.params.get("class", "")))
    filters.append(Filter("teacher", "Учитель", [("", "все")] + [(str(t.pk), t.short_name) for t in teachers],
                          ctx.params.get("teacher", "")))
    return filters


def _filling_assignments(ctx: ReportContext) -> list[TeachingAssignment]:
    assignments = TeachingAssignment.objects.filter(year=ctx.year).select_related(
        "subject", "group__school_class", "teacher", "school")
    class_id = params.id_param(ctx.params, "class")
    teacher_id = params.id_param(ctx.params, "teacher")
    if class_id is not None:
        assignments = assignments.filter(Q(group__school_class_id=class_id)
                                         | Q(group__memberships__student__enrollments__school_class_id=class_id)
                                         ).distinct()
    if teacher_id is not None:
        assignments = assignments.filter(teacher_id=teacher_id)
    return list(assignments.order_by("teacher__last_name", "teacher__first_name", "group__name", "subject__name"))


def control(ctx: ReportContext) -> Document:
    """The control of journal filling (the deputy's control page): per teacher and assignment, the lessons held
    in the chosen week or period without topic or homework, control works without marks a day later, marks per
    pupil, КТП coverage; then the complete lists of those lessons (never cut), final marks differing from the
    suggestion, missing final marks, late corrections, reopened periods."""
    from zhurnal.journal import selectors as journal_selectors

    start, end, label, _ = filling_range(ctx)
    assignments = _filling_assignments(ctx)
    policy = policy_for(ctx.school, ctx.today)
    items = metrics.filling(assignments, start, end, today=ctx.today, policy=policy)
    base = reverse("reports:control")
    keep = {k: v for k, v in ctx.params.items() if k in ("range", "week", "period", "class")}
    rows = []
    by_teacher: dict[int, list[metrics.Filling]] = defaultdict(list)
    for item in items:
        by_teacher[item.assignment.teacher_id].append(item)
    teacher_rows = []
    for teacher_items in by_teacher.values():
        teacher = teacher_items[0].assignment.teacher
        held = sum(i.held for i in teacher_items)
        link = base + "?" + "&".join(f"{k}={v}" for k, v in {**keep, "teacher": teacher.pk}.items())
        teacher_rows.append(Row([teacher.short_name, held, sum(i.no_topic for i in teacher_items),
                                 sum(i.no_homework for i in teacher_items if i.homework_expected),
                                 sum(i.control_without_marks for i in teacher_items),
                                 sum(i.marks for i in teacher_items)], link=link))
    for item in items:
        assignment = item.assignment
        rows.append(Row([assignment.teacher.short_name, f"{assignment.group.name}", assignment.subject.name, item.held,
                         item.no_topic, item.no_homework if item.homework_expected else None,
                         item.control_without_marks, item.marks_per_pupil, item.filled_share,
                         item.coverage_percent, item.coverage_text],
                        failing=frozenset({4} if item.no_topic else set()) | frozenset(
                            {6} if item.control_without_marks else set()),
                        link=base + "?" + "&".join(f"{k}={v}" for k, v in {**keep,
                                                                          "teacher": assignment.teacher_id}.items())))
    doc = base_document(ctx, "Контроль заполнения журнала", label, "kontrol-zhurnala")
    doc.sections.append(Section("По учителям", tables=[Table("", [
        Col("Учитель", width=22), Col("Проведено уроков", "int", 9), Col("Без темы", "int", 8),
        Col("Без д/з", "int", 8), Col("К/р без отметок", "int", 9), Col("Отметок", "int", 8)],
        teacher_rows, sheet="По учителям", empty="Уроков за это время нет.")]))
    doc.sections.append(Section("По классам и предметам", tables=[Table("", [
        Col("Учитель", width=20), Col("Группа", width=14), Col("Предмет", width=22), Col("Проведено", "int", 8),
        Col("Без темы", "int", 7), Col("Без д/з", "int", 7), Col("К/р без отметок", "int", 8),
        Col("Отметок на ученика", "dec", 8), Col("Заполнено, %", "pct", 8), Col("КТП, %", "int", 6),
        Col("Выполнение КТП", width=20)], rows, sheet="По группам")]))
    lessons = _unfilled_lessons(ctx, [a.pk for a in assignments], start, end)
    doc.sections.append(Section("Незаполненные уроки", tables=[Table("", [
        Col("Дата, урок", width=14), Col("Предмет, группа", width=30), Col("Провёл", width=20),
        Col("Не заполнено", width=24)], lessons, sheet="Незаполненные уроки",
        empty="Все проведённые уроки заполнены.")]))
    missing_finals, flagged, late, reopenings = journal_selectors.control_lists(ctx.school, ctx.year,
                                                                                 today=ctx.today, limit=None)
    doc.sections.append(Section("Итоговые отметки, расходящиеся с предложенными", tables=[Table("", [
        Col("Обучающийся", width=20), Col("Предмет, группа", width=26), Col("Учитель", width=18),
        Col("Период", width=12), Col("Предложено", "mark", 8), Col("Выставлено", "mark", 8),
        Col("Обоснование", width=30)], [
        Row([f.student.short_name, f"{f.assignment.subject.name}, {f.assignment.group.name}",
             f.assignment.teacher.short_name, f.period.name if f.period else "год", f.suggested, f.value, f.reason])
        for f in flagged], sheet="Расхождения", empty="Нет.")]))
    doc.sections.append(Section("Не выставлены итоговые отметки (конец периода близко)", tables=[Table("", [
        Col("Период", width=16), Col("Предмет, группа", width=30), Col("Учитель", width=20),
        Col("Не выставлено", "int", 9), Col("Обучающихся", "int", 9)], [
        Row([m["period"].name, f"{m['assignment'].subject.name}, {m['assignment'].group.name}",
             m["assignment"].teacher.short_name, m["missing"], m["total"]]) for m in missing_finals],
        sheet="Нет итоговых", empty="Нет — или до конца периода больше двух недель.")]))
    doc.sections.append(Section("Поздние исправления", tables=[Table("", [
        Col("Когда", width=16), Col("Кто", width=22), Col("Причина", width=40)], [
        Row([e.created_at.strftime("%d.%m.%Y %H:%M"), e.actor.display_name if e.actor else "система", e.reason])
        for e in late], sheet="Исправления", empty="Нет.")]))
    doc.sections.append(Section("Открытые для исправлений периоды", tables=[Table("", [
        Col("Предмет, группа", width=30), Col("Учитель", width=20), Col("Период", width=14), Col("Открыт по", width=12),
        Col("Причина", width=40)], [
        Row([f"{r.assignment.subject.name}, {r.assignment.group.name}", r.assignment.teacher.short_name,
             r.period.name, r.until, r.reason]) for r in reopenings], sheet="Открытые периоды",
        empty="Нет.")]))
    doc.footnotes = ["Учитываются только проведённые уроки: прошедших дней и сегодняшние, уже закончившиеся. "
                     "Домашнее задание не требуется в безотметочных классах и предметах. Контрольная работа без "
                     "отметок — прошло больше суток после урока (seed 001 §4.4.9). Отметок на ученика — "
                     "накопляемость за выбранное время."]
    return doc


def _unfilled_lessons(ctx: ReportContext, assignment_ids: list[int], start: dt.date, end: dt.date) -> list[Row]:
    policy = policy_for(ctx.school, ctx.today)
    no_homework = Q(assignment__subject__without_marks=True) | Q(
        assignment__group__school_class__grade__in=sorted(policy.grades_without_marks))
    lessons = (Lesson.objects.filter(metrics.held_filter(ctx.today), assignment_id__in=assignment_ids,
                                     date__gte=start, date__lte=end, cancelled=False)
               .filter(Q(topic="") | (Q(homework="") & ~no_homework))
               .annotate(homework_free=Q(no_homework))
               .select_related("assignment__subject", "assignment__group", "actual_teacher")
               .order_by("-date", "number"))
    rows = []
    for lesson in lessons:
        missing = []
        if not lesson.topic:
            missing.append("нет темы")
        if not lesson.homework and not lesson.homework_free:
            missing.append("нет д/з")
        rows.append(Row([f"{lesson.date:%d.%m.%Y}, {lesson.number} ур.",
                         f"{lesson.assignment.subject.name}, {lesson.assignment.group.name}",
                         lesson.actual_teacher.short_name, ", ".join(missing)],
                        link=reverse("journal:lesson", args=[lesson.pk])))
    return rows


def filling_months(ctx: ReportContext) -> Document:
    """Накопляемость: marks per pupil per month, per assignment."""
    assignments = _filling_assignments(ctx)
    policy = policy_for(ctx.school, ctx.today)
    items = metrics.filling(assignments, ctx.year.start, ctx.year.end, today=ctx.today, policy=policy,
                            with_coverage=False)
    months = metrics.months_between(ctx.year.start, min(ctx.today, ctx.year.end))
    rows = [Row([i.assignment.teacher.short_name, i.assignment.group.name, i.assignment.subject.name, i.pupils,
                 *[i.month_per_pupil(m) for m in months]]) for i in items if i.held]
    doc = base_document(ctx, "Наполняемость текущих отметок", f"{ctx.year.name} учебный год", "nakoplyaemost")
    doc.sections.append(Section(tables=[Table("", [Col("Учитель", width=20), Col("Группа", width=14),
                                                   Col("Предмет", width=22), Col("Учеников", "int", 7)]
                                              + [Col(month_name(m), "dec", 8) for m in months], rows,
                                              sheet="Накопляемость", frozen=3)]))
    doc.footnotes = ["Отметок на одного обучающегося группы за месяц (по проведённым урокам)."]
    return doc


# --- use of the system, introduction ---------------------------------------------------------------------------------


def user_activity(ctx: ReportContext) -> Document:
    from zhurnal.school.activity import checks_per_week, diary_activity
    from zhurnal.school.roles import Role

    data = metrics.usage(ctx.school, ctx.year, ctx.week)
    days = [f"{d:%d.%m}" for d in data.days]
    rows = [Row([Role.LABELS[role], *counts, sum(counts), data.people.get(role, 0)])
            for role, counts in data.logins.items()]
    doc = base_document(ctx, "Отчёт об активности пользователей", f"неделя {data.days[0]:%d.%m}–"
                        f"{data.days[-1]:%d.%m.%Y}", "aktivnost")
    doc.sections.append(Section("Входы в систему по ролям", charts=[charts.lines("Входы по дням", days, {
        Role.LABELS[r]: data.logins[r] for r in (Role.TEACHER, Role.GUARDIAN, Role.STUDENT)})], tables=[Table("", [
        Col("Роль", width=22), *[Col(d, "int", 6) for d in days], Col("Всего входов", "int", 8),
        Col("Человек", "int", 8)], rows, sheet="Входы")]))
    classes = diary_activity(ctx.year, ctx.week)
    checks = checks_per_week()
    class_rows = [Row([c.school_class.name, c.students, c.families, c.families_checking,
                       metrics.pct(c.families_checking, c.families), c.students_with_access, c.students_checking,
                       c.paper]) for c in classes]
    class_rows.append(Row(["Итого", sum(c.students for c in classes), data.families, data.families_checking,
                           data.families_share, data.students_with_access, data.students_checking,
                           sum(c.paper for c in classes)], kind="total"))
    doc.sections.append(Section(f"Родители и обучающиеся, открывавшие дневник не реже {checks} раз в неделю",
                                tables=[Table("", [
                                    Col("Класс", width=8), Col("Обучающихся", "int", 9),
                                    Col("Семей с доступом", "int", 9), Col("из них читали", "int", 9),
                                    Col("%", "pct", 6), Col("Учеников с доступом", "int", 9),
                                    Col("из них читали", "int", 9), Col("Бумажная выписка", "int", 9)],
                                    class_rows, sheet="Дневник")],
                                items=[("Родителей (законных представителей)", str(data.guardians)),
                                       ("Ни разу не активировали вход", str(data.guardians_never_activated)),
                                       ("Доля не активировавших, %", metrics.fmt_pct(data.never_activated_share))]))
    doc.footnotes = ["Отчёт формируется еженедельно (seed 001 §6.1). Семья читает дневник, если хотя бы один "
                     f"родитель открыл его не меньше {checks} раз за неделю (seed 000)."]
    return doc


def _activated(password) -> bool:
    """A login is activated once its owner set a password (an issued, unactivated login holds an unusable one)."""
    return bool(password) and not str(password).startswith("!")


def introduction_figures(school, year, today: dt.date) -> dict[str, Decimal | None]:
    """The figures of the introduction report (seed 003, appendix 2) that the data holds."""
    from zhurnal.accounts.models import LoginEvent

    on = min(max(today, year.start), year.end)
    staff = list(StaffMember.objects.filter(school=school, is_active=True).values_list("pk", "user__password",
                                                                                      "user_id"))
    teachers = set(TeachingAssignment.objects.filter(year=year).values_list("teacher_id", flat=True))
    pupils = list(Student.objects.filter(enrollments__school_class__year=year, enrollments__start__lte=on)
                  .filter(Q(enrollments__end__isnull=True) | Q(enrollments__end__gte=on)).distinct()
                  .values_list("pk", "user__password"))
    pupil_ids = [pk for pk, _ in pupils]
    links = list(GuardianLink.objects.filter(student_id__in=pupil_ids).values_list(
        "guardian_id", "guardian__user__password", "consent_given_on", "info_channel"))
    guardians: dict[int, tuple] = {}
    for guardian_id, password, consent, channel in links:
        previous = guardians.get(guardian_id)
        guardians[guardian_id] = (password, bool(consent) or bool(previous and previous[1]),
                                  channel == InfoChannel.ELECTRONIC or bool(previous and previous[2]))
    since = dt.datetime.combine(today - dt.timedelta(days=30), dt.time.min, tzinfo=dt.UTC)
    active_users = set(LoginEvent.objects.filter(succeeded=True, at__gte=since, user_id__in=[
        u for _, _, u in staff if u]).values_list("user_id", flat=True))

    teacher_users = [user_id for pk, _, user_id in staff if pk in teachers]
    return {
        "staff_issued": metrics.pct(sum(1 for _, _, u in staff if u), len(staff)),
        "staff_activated": metrics.pct(sum(1 for _, p, _ in staff if _activated(p)), len(staff)),
        "parents_issued": metrics.pct(sum(1 for p, _, _ in guardians.values() if p is not None), len(guardians)),
        "parents_activated": metrics.pct(sum(1 for p, _, _ in guardians.values() if _activated(p)), len(guardians)),
        "pupils_issued": metrics.pct(sum(1 for _, p in pupils if p is not None), len(pupils)),
        "pupils_activated": metrics.pct(sum(1 for _, p in pupils if _activated(p)), len(pupils)),
        "teachers_working": metrics.pct(sum(1 for u in teacher_users if u in active_users), len(teacher_users)),
        "parents_consent": metrics.pct(sum(1 for _, c, e in guardians.values() if c and e), len(guardians)),
    }


def introduction_by_class(school, year, today: dt.date) -> list[Row]:
    """Items 8, 12 and 14 of the introduction report «с указанием классов»: per class, its pupils' families with
    logins issued, activated and the consent for electronic information, and its pupils with logins."""
    on = min(max(today, year.start), year.end)
    classes = list(SchoolClass.objects.filter(school=school, year=year).order_by("grade", "letter"))
    pupils: dict[int, list[tuple[int, str | None]]] = defaultdict(list)
    for class_id, student_id, password in (Enrollment.objects.filter(school_class__in=classes, start__lte=on)
                                           .filter(Q(end__isnull=True) | Q(end__gte=on))
                                           .values_list("school_class_id", "student_id", "student__user__password")):
        pupils[class_id].append((student_id, password))
    families: dict[int, dict[int, tuple]] = defaultdict(dict)  # student → guardian → (password, consent)
    for student_id, guardian_id, password, consent, channel in GuardianLink.objects.filter(
            student_id__in=[pk for rows in pupils.values() for pk, _ in rows]).values_list(
            "student_id", "guardian_id", "guardian__user__password", "consent_given_on", "info_channel"):
        families[student_id][guardian_id] = (password, bool(consent) and channel == InfoChannel.ELECTRONIC)
    rows = []
    for school_class in classes:
        guardians: dict[int, tuple] = {}
        for student_id, _ in pupils[school_class.pk]:
            for guardian_id, (password, consent) in families[student_id].items():
                before = guardians.get(guardian_id, (password, False))
                guardians[guardian_id] = (password, consent or before[1])
        of_class = pupils[school_class.pk]
        rows.append(Row([school_class.name, len(of_class), len(guardians),
                         metrics.pct(sum(1 for p, _ in guardians.values() if p is not None), len(guardians)),
                         metrics.pct(sum(1 for p, _ in guardians.values() if _activated(p)), len(guardians)),
                         metrics.pct(sum(1 for _, c in guardians.values() if c), len(guardians)),
                         metrics.pct(sum(1 for _, p in of_class if p is not None), len(of_class)),
                         metrics.pct(sum(1 for _, p in of_class if _activated(p)), len(of_class))]))
    return rows


def introduction(ctx: ReportContext) -> Document:
    """Seed 003, appendix 2, item by item: what the data holds is filled (the system, items 8, 12, 13, 14, and by
    class), the rest is left blank for the school to type (the XLSX) or write (the print)."""
    figures = introduction_figures(ctx.school, ctx.year, ctx.today)
    by_class = introduction_by_class(ctx.school, ctx.year, ctx.today)

    def classes_where(index: int) -> str:
        names = [row.cells[0] for row in by_class if row.cells[index]]
        return f" ({', '.join(names)} кл.)" if names else ""

    blank = ""
    lines = [
        ("1.", "Назначение ответственного лица за введение и использование электронных дневников и электронного "
               "журнала успеваемости (фамилия, имя, отчество; должность)", blank),
        ("2.", "Информационная система электронного дневника и электронного журнала успеваемости", "«Журнал»"),
        ("3.", "Наличие плана работы по введению электронных дневников и электронного журнала успеваемости "
               "(реквизиты утверждения)", blank),
        ("4.", "Наличие локальных актов (названия, реквизиты утверждения)", blank),
        ("4.1.", blank, blank),
        ("4.2.", blank, blank),
        ("5.", "Внесение изменений и дополнений в локальные акты, в том числе в должностные обязанности лиц, "
               "участвующих во введении электронных дневников и журнала (реквизиты утверждения)", blank),
        ("5.1.", blank, blank),
        ("5.2.", blank, blank),
        ("6.", "Ознакомление с возможностями системы и локальными актами по её использованию, охват (в %):", blank),
        ("6.1.", "педагогические работники", blank),
        ("6.2.", "родители (законные представители)", blank),
        ("6.3.", "обучающиеся", blank),
        ("7.", "Формы ознакомления педагогических работников, обучающихся и их родителей (законных представителей)",
         blank),
        ("8.", "Приём и регистрация заявлений родителей (законных представителей) о предоставлении информации о "
               "текущей успеваемости через электронный дневник, % родителей",
         metrics.fmt_pct(figures["parents_consent"]) + classes_where(5)),
        ("9.", "Заполнение необходимых баз данных системы, % от необходимого объёма", blank),
        ("10.", "Обучение навыкам работы в системе, консультативная техническая и методическая помощь, охват (в %):",
         blank),
        ("10.1.", "педагогические работники", blank),
        ("10.2.", "родители (законные представители)", blank),
        ("10.3.", "обучающиеся", blank),
        ("11.", "Наличие на официальном сайте учреждения ссылки на систему (есть, нет)", blank),
        ("12.", "Выдача индивидуальных логинов и паролей, охват (в %) с указанием классов:", blank),
        ("12.1.", "родители (законные представители)", metrics.fmt_pct(figures["parents_issued"]) + classes_where(3)),
        ("12.2.", "педагогические работники", metrics.fmt_pct(figures["staff_issued"])),
        ("12.3.", "обучающиеся", metrics.fmt_pct(figures["pupils_issued"]) + classes_where(6)),
        ("13.", "Доля педагогических работников, работающих в системе (входили за последние 30 дней), %",
         metrics.fmt_pct(figures["teachers_working"])),
        ("14.", "Активация пользователей (родителей), % от имеющих возможность воспользоваться услугой",
         metrics.fmt_pct(figures["parents_activated"]) + classes_where(4)),
        ("14.1.", "для сведения: активация сотрудников, %", metrics.fmt_pct(figures["staff_activated"])),
        ("14.2.", "для сведения: активация обучающихся, %", metrics.fmt_pct(figures["pupils_activated"])),
        ("15.", "Дополнительная информация (по усмотрению учреждения)", blank),
    ]
    doc = base_document(ctx, "Отчёт о введении электронных дневников учащихся и электронного журнала успеваемости",
                        f"{ctx.school.name}, по состоянию на {ctx.today:%d.%m.%Y}", "otchet-o-vvedenii",
                        landscape=False, signatures=["Руководитель ОУ ____________________"])
    doc.sections.append(Section(tables=[Table("", [Col("№", width=6), Col("Основное содержание мероприятия",
                                                                          width=70), Col("Выполнение", width=24)],
                                              [Row(list(line)) for line in lines], sheet="Отчёт", frozen=0)]))
    doc.sections.append(Section("Возникшие проблемы и результат их решения", tables=[Table("", [
        Col("Содержание проблемы", width=60), Col("Решение проблемы (полностью, частично)", width=40)],
        [Row([blank, blank]), Row([blank, blank]), Row([blank, blank])], sheet="Отчёт", frozen=0)]))
    doc.sections.append(Section("Охват по классам (к пунктам 8, 12, 14)", tables=[Table("", [
        Col("Класс", width=8), Col("Обучающихся", "int", 10), Col("Родителей", "int", 10),
        Col("Логины родителям, %", "pct", 12), Col("Активировали, %", "pct", 12), Col("Заявление (согласие), %", "pct", 12),
        Col("Логины обучающимся, %", "pct", 12), Col("Активировали обучающиеся, %", "pct", 12)], by_class,
        sheet="По классам")]))
    doc.footnotes = ["Пустые строки школа заполняет сама (реквизиты, названия актов, формы ознакомления и обучения). "
                     "Показатели в процентах рассчитаны по данным системы на дату отчёта; в скобках — классы, в "
                     "которых показатель не нулевой. Отчёт на каждую следующую дату составляется с учётом "
                     "предыдущего."]
    return doc


# --- the year's printed class journal ----------------------------------------------------------------------------------


def year_journal(ctx: ReportContext, progress=None) -> Document:
    """The class journal for the year in the paper journal's layout: per subject, the lessons (date, topic,
    homework), the marks and absences by month, the period and year marks; the summary sheet at the end."""
    school_class = ctx.school_class
    assignments = list(TeachingAssignment.objects.filter(group__school_class=school_class,
                                                         group__journal_kind=JournalKind.REGULAR)
                       .select_related("subject", "teacher", "group").order_by("subject__name", "group__name"))
    roster = metrics.rosters([school_class.pk], ctx.year.start, ctx.year.end).get(school_class.pk, [])
    ids = [a.pk for a in assignments]
    lessons: dict[int, list[Lesson]] = defaultdict(list)
    for lesson in (Lesson.objects.filter(assignment_id__in=ids, date__lte=min(ctx.today, ctx.year.end),
                                         cancelled=False).order_by("date", "number")):
        lessons[lesson.assignment_id].append(lesson)
    cells: dict[tuple[int, int], list] = defaultdict(list)
    absences: dict[tuple[int, int], str] = {}
    for lesson_id, student_id, value, modifier in (Mark.objects.filter(lesson__assignment_id__in=ids)
                                                   .order_by("position", "pk")
                                                   .values_list("lesson_id", "student_id", "value", "modifier")):
        cells[(lesson_id, student_id)].append((value, modifier))
    for lesson_id, student_id, code in Attendance.objects.filter(lesson__assignment_id__in=ids).values_list(
            "lesson_id", "student_id", "code"):
        absences[(lesson_id, student_id)] = code
    finals: dict[tuple[int, int], dict] = defaultdict(dict)
    for assignment_id, student_id, kind, period_id, value in FinalMark.objects.filter(
            assignment_id__in=ids).values_list("assignment_id", "student_id", "kind", "period_id", "value"):
        finals[(assignment_id, student_id)][period_id if kind == FinalKind.PERIOD else "year"] = value
    subgroup_members: dict[int, set[int]] = defaultdict(set)
    for group_id, student_id in GroupMembership.objects.filter(
            group_id__in=[a.group_id for a in assignments if a.group.kind != "class"]).values_list("group_id",
                                                                                                  "student_id"):
        subgroup_members[group_id].add(student_id)
    periods = ctx.periods_of(school_class.grade)
    doc = base_document(ctx, "Классный журнал", f"{school_class.name} класс, {ctx.year.name} учебный год; "
                        f"классный руководитель: "
                        f"{school_class.class_teacher.full_name if school_class.class_teacher else '—'}",
                        f"zhurnal-{school_class.name}",
                        signatures=["Журнал проверен и заверен. Директор ____________________", "М. П."])
    doc.sections.append(Section("Список обучающихся", tables=[Table("", [
        Col("№", "int", 4), Col("Обучающийся", width=30), Col("Дата рождения", width=12)], [
        Row([n, e.student.full_name, e.student.birth_date], kind=departed_kind(e)) for n, e in enumerate(roster, 1)],
        sheet="Список")]))
    for index, assignment in enumerate(assignments):
        members = roster
        head = f"{assignment.subject.name} — {assignment.teacher.full_name}"
        if assignment.group.kind != "class":
            head += f" ({assignment.group.name})"
            members = [e for e in roster if e.student.pk in subgroup_members.get(assignment.group_id, set())]
        items = lessons.get(assignment.pk, [])
        section = Section(head, page_break=True, sheet=f"{assignment.subject.short_name or assignment.subject.name}"
                                                       f"{'' if assignment.group.kind == 'class' else ' ' + assignment.group.name[-12:]}")
        for month in metrics.months_between(ctx.year.start, min(ctx.today, ctx.year.end)):
            of_month = [lesson for lesson in items if lesson.date.replace(day=1) == month]
            if not of_month:
                continue
            columns = [Col("Обучающийся", width=24)] + [Col(f"{lesson.date:%d}", "mark", 4) for lesson in of_month]
            rows = []
            for entry in members:
                values = []
                failing = set()
                for position, lesson in enumerate(of_month, start=1):
                    key = (lesson.pk, entry.student.pk)
                    text = grading.format_cell(absences.get(key, ""), cells.get(key, []))
                    if any(v in ("2", "1") for v, _ in cells.get(key, [])):
                        failing.add(position)
                    values.append(text)
                rows.append(Row([entry.student.short_name, *values], kind=departed_kind(entry),
                                failing=frozenset(failing)))
            section.tables.append(Table(month_name(month), columns, rows))
        final_columns = [Col("Обучающийся", width=24)] + [Col(p.name, "mark", 8) for p in periods] + [
            Col("Год", "mark", 6)]
        section.tables.append(Table("Итоговые отметки", final_columns, [
            Row([e.student.short_name, *[finals[(assignment.pk, e.student.pk)].get(p.pk, "") for p in periods],
                 finals[(assignment.pk, e.student.pk)].get("year", "")], kind=departed_kind(e)) for e in members]))
        section.tables.append(Table("Записи об уроках", [Col("№", "int", 4), Col("Дата", width=11),
                                                         Col("Тема урока", width=50),
                                                         Col("Домашнее задание", width=36)], [
            Row([n, lesson.date, lesson.topic, lesson.homework]) for n, lesson in enumerate(items, 1)],
            frozen=0))
        doc.sections.append(section)
        if progress is not None:
            progress(int(90 * (index + 1) / max(1, len(assignments))), assignment.subject.name)
    table, _ = summary_sheet_table(ctx, school_class)
    doc.sections.append(Section("Сводная ведомость учёта успеваемости", tables=[table], page_break=True,
                                sheet="Сводная ведомость"))
    doc.footnotes = ["В клетке: отметки за урок («5/4» — две отметки), «н», «б», «уп» — пропуск, «оп» — опоздание."]
    return doc


# --- a school's aggregates for the education department ----------------------------------------------------------------


def school_aggregates(school, year, today: dt.date) -> dict:
    """Numbers only, never names: what the department reads of a school (``SchoolSnapshot.data``)."""
    settings = metrics.settings_of(school)
    classes = list(SchoolClass.objects.filter(year=year).select_related("school").order_by("grade", "letter"))
    by_grade = metrics.periods_by_grade(year)
    periods = sorted({p for ps in by_grade.values() for p in ps}, key=lambda p: (p.end, p.pk))
    finished = [p for p in periods if p.end < today]
    chosen = finished[-1] if finished else None
    quality = Quality()
    if chosen is not None:
        terms = {c.pk: metrics.term_for_grade(year, c.grade, chosen, by_grade) for c in classes}
        for finals in metrics.class_finals(classes, terms):
            quality += finals.total(settings.rule)
    attendance_total = metrics.AttendanceCount()
    for item in metrics.attendance(classes, year.start, min(today, year.end), today=today, settings=settings):
        attendance_total += item.total()
    lessons = Lesson.objects.filter(metrics.held_filter(today), school=school, date__gte=year.start,
                                    date__lte=year.end, cancelled=False)
    held = lessons.count()
    with_topic = lessons.exclude(topic="").count()
    monday = today - dt.timedelta(days=today.weekday() + 7)
    use = metrics.usage(school, year, monday)
    intro = introduction_figures(school, year, today)
    pupils = sum(1 for entries in metrics.rosters([c.pk for c in classes], today, today).values() for _ in entries)

    def num(value):
        return None if value is None else float(value)

    return {
        "pupils": pupils, "classes": len(classes), "period": chosen.name if chosen else "",
        "n": quality.n, "success": num(quality.success), "quality": num(quality.quality), "sou": num(quality.sou),
        "mean": num(quality.mean), "missed_share": num(attendance_total.missed_share),
        "missed": attendance_total.missed, "days": attendance_total.days,
        "filled_share": num(metrics.pct(with_topic, held)), "held": held,
        "families_share": num(use.families_share), "week": monday.isoformat(),
        "parents_activated": num(intro["parents_activated"]), "staff_activated": num(intro["staff_activated"]),
        "teachers_working": num(intro["teachers_working"]),
    }
