"""The class teacher's reports (seed 001 §4.3.9) and the subject teacher's (§4.4.10), as documents.

Every figure comes from ``metrics``; these functions only lay the figures out.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from zhurnal.journal import grading
from zhurnal.school.models import Movement, MovementKind, SchoolClass, Subject, TeachingAssignment

from . import charts, metrics
from .context import ReportContext
from .documents import Col, Document, Row, Section, Table
from .metrics import CountRule, Quality

MONTHS = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь",
          "декабрь"]
FAILING = ("2", "1", "н/а", "нз")


def month_name(month: dt.date) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}"


def quality_columns(first: str, first_width: float = 24) -> list[Col]:
    return [Col(first, width=first_width), Col("N", "int", 5), Col("«5»", "int", 5), Col("«4»", "int", 5),
            Col("«3»", "int", 5), Col("«2»", "int", 5), Col("н/а", "int", 5), Col("осв", "int", 5),
            Col("Успеваемость, %", "pct", 11), Col("Качество, %", "pct", 10), Col("СОУ, %", "pct", 8),
            Col("Средний балл", "dec", 8)]


def quality_cells(quality: Quality) -> list:
    return [quality.n, quality.n5, quality.n4, quality.n3, quality.n2, quality.na, quality.exempt, quality.success,
            quality.quality, quality.sou, quality.mean]


def departed_kind(entry: metrics.RosterEntry) -> str:
    return "departed" if entry.departed else ""


def base_document(ctx: ReportContext, title: str, subtitle: str, filename: str, **extra) -> Document:
    return Document(title=title, school=ctx.school.name, subtitle=subtitle, filename=filename, **extra)


def class_subtitle(school_class: SchoolClass, term: metrics.Term) -> str:
    teacher = school_class.class_teacher.short_name if school_class.class_teacher else "не назначен"
    return (f"{school_class.name} класс, {term.name} ({term.start:%d.%m.%Y}–{term.end:%d.%m.%Y}); "
            f"классный руководитель: {teacher}")


# --- attendance by month ----------------------------------------------------------------------------------------------


def attendance_by_month(ctx: ReportContext) -> Document:
    school_class = ctx.school_class
    term, _ = ctx.class_term()
    (data,) = metrics.attendance([school_class], term.start, term.end, today=ctx.today, settings=ctx.settings)
    columns = [Col("Обучающийся", width=28)]
    for month in data.months:
        columns += [Col("уроков", "int", 6, month_name(month)), Col("из них б/уп", "int", 6, month_name(month)),
                    Col("дней", "int", 5, month_name(month))]
    columns += [Col("Всего уроков", "int", 7, "за период"), Col("по болезни", "int", 7, "за период"),
                Col("по уваж. причине", "int", 7, "за период"), Col("без уваж. причины", "int", 7, "за период"),
                Col("опозданий", "int", 7, "за период"), Col("дней", "int", 5, "за период")]
    rows = []
    for entry in data.roster:
        cells: list = [entry.student.short_name]
        for month in data.months:
            count = data.by_month.get((entry.student.pk, month), metrics.AttendanceCount())
            cells += [count.missed, count.sick + count.excused, count.days]
        total = data.by_student.get(entry.student.pk, metrics.AttendanceCount())
        cells += [total.missed, total.sick, total.excused, total.absent, total.late, total.days]
        rows.append(Row(cells, kind=departed_kind(entry)))
    total = data.total()
    cells = ["Итого по классу"]
    for month in data.months:
        month_total = data.month_total(month)
        cells += [month_total.missed, month_total.sick + month_total.excused, month_total.days]
    cells += [total.missed, total.sick, total.excused, total.absent, total.late, total.days]
    rows.append(Row(cells, kind="total"))
    chart = charts.bars("Пропущено уроков по месяцам", [month_name(m) for m in data.months], {
        "всего": [data.month_total(m).missed for m in data.months],
        "без уважительной причины": [data.month_total(m).absent for m in data.months]})
    doc = base_document(ctx, "Отчёт о посещаемости класса по месяцам", class_subtitle(school_class, term),
                        f"posesh-{school_class.name}")
    doc.sections.append(Section(charts=[chart], tables=[Table("", columns, rows, sheet=school_class.name)]))
    doc.footnotes = [f"Учтены уроки по {min(term.end, ctx.today):%d.%m.%Y}: пропуски «н», «б», «уп»; опоздания "
                     "«оп» отдельно. " + ctx.settings.missed_day_text]
    return doc


# --- attendance summary sheet --------------------------------------------------------------------------------------


def attendance_sheet(ctx: ReportContext) -> Document:
    school_class = ctx.school_class
    term, _ = ctx.class_term()
    (data,) = metrics.attendance([school_class], term.start, term.end, today=ctx.today, settings=ctx.settings)
    columns = [Col("№", "int", 4), Col("Обучающийся", width=28), Col("Уроков по расписанию", "int", 9),
               Col("Пропущено уроков", "int", 9), Col("по болезни", "int", 8), Col("по уваж. причине", "int", 8),
               Col("без уваж. причины", "int", 8), Col("Опозданий", "int", 8), Col("Пропущено дней", "int", 8),
               Col("Пропущено, %", "pct", 8)]
    rows = []
    for number, entry in enumerate(data.roster, start=1):
        count = data.by_student.get(entry.student.pk, metrics.AttendanceCount())
        rows.append(Row([number, entry.student.short_name, count.lessons, count.missed, count.sick, count.excused,
                         count.absent, count.late, count.days, count.missed_share], kind=departed_kind(entry)))
    total = data.total()
    rows.append(Row(["", "Итого по классу", total.lessons, total.missed, total.sick, total.excused, total.absent,
                     total.late, total.days, total.missed_share], kind="total"))
    doc = base_document(ctx, "Сводная ведомость учёта посещаемости", class_subtitle(school_class, term),
                        f"vedomost-poseshaemosti-{school_class.name}")
    table = Table("", columns, rows, sheet=school_class.name, frozen=2)
    doc.sections.append(Section(tables=[table]))
    doc.footnotes = [ctx.settings.missed_day_text, "Выбывшие обучающиеся отмечены «(выбыл)» и учтены за время "
                                                  "пребывания в классе."]
    return doc


# --- summary sheet of progress -------------------------------------------------------------------------------------


def summary_finals(ctx: ReportContext, classes: list[SchoolClass]) -> dict[int, list[metrics.ClassFinals]]:
    """Each class's final marks of each of its periods and of the year — three queries whatever the number of
    classes and periods."""
    pairs = []
    for school_class in classes:
        periods = ctx.periods_of(school_class.grade)
        pairs += [(school_class, metrics.period_term(p)) for p in periods]
        pairs.append((school_class, metrics.year_term(ctx.year, periods)))
    out: dict[int, list[metrics.ClassFinals]] = {c.pk: [] for c in classes}
    for item in metrics.finals_of(pairs):
        out[item.school_class.pk].append(item)
    return out


def summary_sheet_table(ctx: ReportContext, school_class: SchoolClass,
                        finals: list[metrics.ClassFinals] | None = None) -> tuple[Table, list[metrics.ClassFinals]]:
    """Pupils × subjects × (periods, year) of a class: its final marks. One table, one sheet."""
    if finals is None:
        finals = summary_finals(ctx, [school_class])[school_class.pk]
    terms = [item.term for item in finals]
    year_finals = finals[-1]
    subjects: list[Subject] = []
    for item in finals:
        for subject in item.subjects:
            if all(s.pk != subject.pk for s in subjects):
                subjects.append(subject)
    subjects.sort(key=lambda s: s.name)
    columns = [Col("Обучающийся", width=26)]
    for subject in subjects:
        columns += [Col(t.name if t.period is None else f"{t.period.number}", "mark", 4,
                        subject.short_name or subject.name) for t in terms]
    roster = {e.student.pk: e for e in year_finals.roster}
    for item in finals:
        for entry in item.roster:
            roster.setdefault(entry.student.pk, entry)
    rows = []
    subject_ids = [s.pk for s in subjects]
    maps = [item.finals for item in finals]
    failing_values = frozenset(FAILING)
    for entry in sorted(roster.values(), key=lambda e: metrics.name_key(e.student)):
        student_id = entry.student.pk
        cells: list = [entry.student.short_name]
        cells += [marks.get((student_id, subject_id), "") for subject_id in subject_ids for marks in maps]
        failing = frozenset(i for i, v in enumerate(cells) if i and v in failing_values)
        rows.append(Row(cells, kind=departed_kind(entry), failing=failing))
    note = "Столбцы предмета: " + ", ".join(f"{t.period.number} — {t.period.name}" for t in terms if t.period) \
        + ", год — годовая отметка."
    return Table(f"{school_class.name} класс", columns, rows, sheet=school_class.name, note=note), finals


def summary_sheet(ctx: ReportContext) -> Document:
    school_class = ctx.school_class
    table, finals = summary_sheet_table(ctx, school_class)
    doc = base_document(ctx, "Сводная ведомость учёта успеваемости обучающихся",
                        f"{school_class.name} класс, {ctx.year.name} учебный год; классный руководитель: "
                        f"{school_class.class_teacher.short_name if school_class.class_teacher else '—'}",
                        f"svodnaya-vedomost-{school_class.name}",
                        signatures=["Классный руководитель ____________________", "Директор ____________________",
                                    "М. П."])
    rule = ctx.settings.rule
    year_quality = finals[-1].total(rule)
    doc.sections.append(Section(tables=[table], items=[
        ("Успеваемость за год, %", metrics.fmt_pct(year_quality.success)),
        ("Качество знаний за год, %", metrics.fmt_pct(year_quality.quality))]))
    doc.footnotes = ["Ведомость хранится 25 лет (seed 001 §5.5).", rule.footnote]
    return doc


# --- progress results of a class -------------------------------------------------------------------------------------


def subject_quality_table(item: metrics.ClassFinals, rule: CountRule, teacher_names: dict[int, str],
                          sheet: str = "") -> Table:
    columns = quality_columns("Предмет", 26) + [Col("Учитель", width=18)]
    rows = []
    for subject in item.subjects:
        quality = item.quality(subject.pk, rule)
        names = ", ".join(teacher_names.get(t, "") for t in item.teachers.get(subject.pk, []))
        rows.append(Row([subject.name, *quality_cells(quality), names],
                        failing=frozenset({5} if quality.n2 else set())))
    rows.append(Row(["Итого по классу", *quality_cells(item.total(rule)), ""], kind="total"))
    return Table(f"{item.school_class.name} класс, {item.term.name}", columns, rows,
                 sheet=sheet or item.school_class.name)


def teacher_names(ctx: ReportContext) -> dict[int, str]:
    from zhurnal.school.models import StaffMember

    return {s.pk: s.short_name for s in StaffMember.objects.filter(school=ctx.school)}


def class_progress(ctx: ReportContext) -> Document:
    school_class = ctx.school_class
    term, periods = ctx.class_term()
    rule = ctx.settings.rule
    started = [p for p in periods if p.start <= ctx.today]
    item, *per_period = metrics.finals_of([(school_class, term)]
                                          + [(school_class, metrics.period_term(p)) for p in started])
    names = teacher_names(ctx)
    by_period = [finals.total(rule) for finals in per_period]
    chart = charts.bars(f"Успеваемость и качество: {school_class.name} класс",
                        [p.name for p in started],
                        {"успеваемость, %": [q.success for q in by_period],
                         "качество, %": [q.quality for q in by_period]}, percent=True)
    doc = base_document(ctx, "Итоги успеваемости класса за учебный период", class_subtitle(school_class, term),
                        f"itogi-{school_class.name}")
    standings = Counter(metrics.standing(item.final(e.student.pk, s.pk) for s in item.subjects)
                        for e in item.roster if not e.departed)
    doc.sections.append(Section(tables=[subject_quality_table(item, rule, names)], charts=[chart], items=[
        (metrics.Standing.LABELS[key], str(standings.get(key, 0))) for key in (
            metrics.Standing.EXCELLENT, metrics.Standing.GOOD, metrics.Standing.ONE_THREE,
            metrics.Standing.SATISFACTORY, metrics.Standing.FAILING, metrics.Standing.NOT_ATTESTED,
            metrics.Standing.NONE)]))
    doc.footnotes = [rule.footnote]
    return doc


# --- the class teacher's report for a period ---------------------------------------------------------------------------


def class_teacher_report(ctx: ReportContext) -> Document:
    """The report for a period; while the period is not over (or its final marks are not all set) the preliminary
    report, on the forecasts of the journal's suggestions."""
    school_class = ctx.school_class
    term, periods = ctx.class_term(allow_year=False)
    period = term.period
    assert period is not None
    rule = ctx.settings.rule
    preliminary = period.end >= ctx.today
    (item,) = metrics.class_finals([school_class], {school_class.pk: term})
    progress = metrics.progress(school_class, period, today=ctx.today)
    (attendance_data,) = metrics.attendance([school_class], period.start, period.end, today=ctx.today,
                                            settings=ctx.settings, sequences=True)
    title = ("Предварительный отчёт классного руководителя за учебный период" if preliminary
             else "Отчёт классного руководителя за учебный период")
    doc = base_document(ctx, title, class_subtitle(school_class, term), f"otchet-kl-ruk-{school_class.name}",
                        signatures=["Классный руководитель ____________________"])
    # Movement.
    movements = list(Movement.objects.filter(school=ctx.school, date__gte=period.start, date__lte=period.end)
                     .filter(models_q_class(school_class)).select_related("student", "from_class", "to_class")
                     .order_by("date", "pk"))
    count = metrics.headcount(item.roster, period.start, period.end)
    doc.sections.append(Section("Движение обучающихся", items=[
        ("На начало периода", str(count.at_start)), ("Прибыло", str(count.arrived)),
        ("Выбыло", str(count.departed)), ("На конец периода", str(count.at_end))],
        tables=[movement_table(movements, school_class)]))
    # Standings: from final marks, or (preliminary) from the forecasts.
    by_standing: dict[str, list[str]] = {}
    for pupil in progress.pupils:
        if pupil.entry.departed:
            continue
        if preliminary:
            values = [p.forecast for p in pupil.subjects.values()]
        else:
            values = [item.final(pupil.entry.student.pk, s.pk) for s in item.subjects]
        by_standing.setdefault(metrics.standing(values), []).append(pupil.entry.student.short_name)
    standing_rows = [Row([metrics.Standing.LABELS[key], len(by_standing.get(key, [])),
                          ", ".join(by_standing.get(key, []))]) for key in (
        metrics.Standing.EXCELLENT, metrics.Standing.GOOD, metrics.Standing.ONE_THREE, metrics.Standing.SATISFACTORY,
        metrics.Standing.FAILING, metrics.Standing.NOT_ATTESTED, metrics.Standing.NONE)]
    doc.sections.append(Section("Успеваемость" + (" (прогноз по текущим отметкам)" if preliminary else ""), tables=[
        Table("", [Col("Категория", width=26), Col("Человек", "int", 8), Col("Обучающиеся", width=70)],
              standing_rows, sheet="Успеваемость")]))
    if not preliminary:
        doc.sections.append(Section("Качество по предметам",
                                    tables=[subject_quality_table(item, rule, teacher_names(ctx), "Качество")]))
    # Absences.
    total = attendance_data.total()
    absence_rows = []
    for entry in attendance_data.roster:
        missed = attendance_data.by_student.get(entry.student.pk, metrics.AttendanceCount())
        if missed.missed or missed.late:
            absence_rows.append(Row([entry.student.short_name, missed.missed, missed.sick, missed.excused,
                                     missed.absent, missed.late, missed.days], kind=departed_kind(entry)))
    absence_rows.append(Row(["Итого по классу", total.missed, total.sick, total.excused, total.absent, total.late,
                             total.days], kind="total"))
    doc.sections.append(Section("Пропуски уроков", tables=[Table("", [
        Col("Обучающийся", width=26), Col("Пропущено уроков", "int", 9), Col("по болезни", "int", 8),
        Col("по уваж. причине", "int", 8), Col("без уваж. причины", "int", 8), Col("Опозданий", "int", 8),
        Col("Дней", "int", 6)], absence_rows, sheet="Пропуски")]))
    # At risk.
    risk_rows = [Row([risk.entry.student.short_name, "; ".join(risk.reasons)])
                 for risk in metrics.risks(progress, attendance_data, settings=ctx.settings, today=ctx.today)]
    doc.sections.append(Section("Группа риска", tables=[Table("", [Col("Обучающийся", width=26),
                                                                   Col("Причины", width=90)], risk_rows,
                                                              sheet="Группа риска", empty="Нет.")]))
    doc.footnotes = [rule.footnote, ctx.settings.missed_day_text, MOVEMENT_NOTE]
    if preliminary:
        doc.footnotes.insert(0, "Прогноз — предлагаемая итоговая отметка по среднему взвешенному баллу (правила "
                                "оценивания школы); выставленная итоговая отметка заменяет прогноз.")
    return doc


def models_q_class(school_class: SchoolClass):
    from django.db.models import Q

    return Q(from_class=school_class) | Q(to_class=school_class)


MOVEMENT_NOTE = ("На начало — обучающиеся, числившиеся в классе в первый день (списки классов на начало года "
                 "в «прибывших» не учитываются); прибыло и выбыло — после первого дня; на конец — в последний день.")


def movement_table(movements: list[Movement], school_class: SchoolClass | None, sheet: str = "Движение") -> Table:
    rows = [Row([m.date, m.student.short_name, m.get_kind_display(), m.order_number,
                 m.from_class.name if m.from_class else "", m.to_class.name if m.to_class else "", m.note])
            for m in movements]
    return Table("", [Col("Дата", width=11), Col("Обучающийся", width=24), Col("Вид", width=16),
                      Col("Приказ №", width=10), Col("Из класса", width=8), Col("В класс", width=8),
                      Col("Примечание", width=30)], rows, sheet=sheet, empty="Движения не было.")


def class_movement(ctx: ReportContext) -> Document:
    school_class = ctx.school_class
    movements = list(Movement.objects.filter(school=ctx.school, date__gte=ctx.year.start, date__lte=ctx.year.end)
                     .filter(models_q_class(school_class)).exclude(kind=MovementKind.GROUP_TRANSFER)
                     .select_related("student", "from_class", "to_class").order_by("date", "pk"))
    on = max(ctx.year.start, min(ctx.today, ctx.year.end))
    roster = metrics.rosters([school_class.pk], ctx.year.start, on).get(school_class.pk, [])
    count = metrics.headcount(roster, ctx.year.start, on)
    doc = base_document(ctx, "Сводная ведомость учёта движения обучающихся",
                        f"{school_class.name} класс, {ctx.year.name} учебный год", f"dvizhenie-{school_class.name}")
    doc.sections.append(Section(items=[("На начало года", str(count.at_start)), ("Прибыло", str(count.arrived)),
                                       ("Выбыло", str(count.departed)), (f"На {on:%d.%m.%Y}", str(count.at_end))],
                                tables=[movement_table(movements, school_class, school_class.name)]))
    doc.footnotes = [MOVEMENT_NOTE]
    return doc


# --- report cards and letters to parents --------------------------------------------------------------------------------


def report_cards(ctx: ReportContext) -> Document:
    """A табель for every pupil of the class (one page each in the PDF): each subject's marks of the period, the
    weighted average, the period mark — with the letter to parents under it."""
    school_class = ctx.school_class
    term, _ = ctx.class_term(allow_year=False)
    period = term.period
    assert period is not None
    data = metrics.progress(school_class, period, today=ctx.today)
    (attendance_data,) = metrics.attendance([school_class], period.start, period.end, today=ctx.today,
                                            settings=ctx.settings)
    doc = base_document(ctx, "Табели успеваемости и письма родителям", class_subtitle(school_class, term),
                        f"tabeli-{school_class.name}", landscape=False)
    weeks = period_weeks(period, ctx.today)
    class_line = averages_by_week([m for p in data.pupils for item in p.subjects.values() for m in item.marks], weeks,
                                  data.policy)
    for pupil in data.pupils:
        rows = []
        for subject in data.subjects:
            item = pupil.subjects.get(subject.pk)
            marks = " ".join(grading.format_mark(m.value, m.modifier) for m in item.marks) if item else ""
            rows.append(Row([subject.name, marks, item.average.value if item else None,
                             item.final if item else "", item.forecast if item and not item.final else ""],
                            failing=frozenset({4} if item and item.forecast in FAILING else set())))
        count = attendance_data.by_student.get(pupil.entry.student.pk, metrics.AttendanceCount())
        name = pupil.entry.student.full_name
        letter = (f"Уважаемые родители! Сообщаем результаты обучения {name} за {period.name.lower()} "
                  f"({period.start:%d.%m}–{period.end:%d.%m.%Y}). Пропущено уроков: {count.missed} (из них по "
                  f"болезни {count.sick}, по уважительной причине {count.excused}), опозданий: {count.late}. "
                  "Классный руководитель ____________________")
        doc.sections.append(Section(
            title=name + (" (выбыл)" if pupil.entry.departed else ""), page_break=True, paragraphs=[letter],
            charts=[pupil_average_chart(pupil, weeks, class_line, data.policy)],
            tables=[Table("", [Col("Предмет", width=26), Col("Отметки за период", width=50),
                               Col("Средний балл", "dec", 8), Col("Итоговая", "mark", 8),
                               Col("Прогноз", "mark", 8)], rows, sheet=pupil.entry.student.short_name)]))
    doc.footnotes = ["Средний балл — средний взвешенный по правилам оценивания школы (как в журнале и дневнике)."]
    return doc


def period_weeks(period, today: dt.date) -> list[dt.date]:
    """The last day of each week of the period (up to today)."""
    end = min(period.end, today)
    weeks = []
    day = period.start - dt.timedelta(days=period.start.weekday()) + dt.timedelta(days=6)
    while day < end + dt.timedelta(days=7):
        weeks.append(min(day, end))
        day += dt.timedelta(days=7)
    return weeks


def averages_by_week(marks: list, weeks: list[dt.date], policy) -> list:
    """The weighted average (the journal's ``weighted_average``) of the marks up to the end of each week."""
    return [grading.weighted_average([m for m in marks if m.date <= week], policy=policy).value for week in weeks]


def pupil_average_chart(pupil: metrics.PupilProgress, weeks: list[dt.date], class_line: list, policy):
    """A pupil's weighted average over time (every subject's marks up to each week's end) beside the class's."""
    mine = [m for item in pupil.subjects.values() for m in item.marks]
    return charts.lines("Средний балл по неделям", [f"{w:%d.%m}" for w in weeks],
                        {pupil.entry.student.short_name: averages_by_week(mine, weeks, policy), "класс": class_line},
                        width=560, height=220, low=2, high=5)


# --- the subject teacher ------------------------------------------------------------------------------------------------


def teacher_assignments(ctx: ReportContext) -> list[TeachingAssignment]:
    from . import permissions

    return list(permissions.own_assignments(ctx.roles).filter(year=ctx.year, teacher=ctx.teacher,
                                                              subject__without_marks=False)
                .select_related("subject", "group__school_class", "school").order_by("subject__name", "group__name"))


def teacher_class_assignments(ctx: ReportContext) -> list[tuple[TeachingAssignment, SchoolClass]]:
    """The teacher's assignments in groups of one class, each with its class."""
    return [(a, a.group.school_class) for a in teacher_assignments(ctx) if a.group.school_class is not None]


def teacher_class_subjects(ctx: ReportContext) -> list[tuple[TeachingAssignment, SchoolClass]]:
    """The teacher's classes and subjects, one row each: the first of his assignments of the subject in the class
    (the subgroups of a class taught one subject are one row), with its class."""
    first: dict[tuple[int, int], tuple[TeachingAssignment, SchoolClass]] = {}
    for assignment, school_class in teacher_class_assignments(ctx):
        first.setdefault((school_class.pk, assignment.subject_id), (assignment, school_class))
    return list(first.values())


def _assignment_term(ctx: ReportContext, assignment: TeachingAssignment, chosen) -> metrics.Term:
    school_class = assignment.group.school_class
    grade = school_class.grade if school_class is not None else 5
    return metrics.term_for_grade(ctx.year, grade, chosen, metrics.periods_by_grade(ctx.year))


def teacher_chosen(ctx: ReportContext, *, allow_year: bool = True):
    periods = ctx.all_periods
    return ctx.chosen_period(periods, allow_year=allow_year), periods


def teacher_progress(ctx: ReportContext) -> Document:
    """Progress results of each class the teacher teaches: his subjects' quality per class."""
    chosen, _ = teacher_chosen(ctx)
    rule = ctx.settings.rule
    assignments = teacher_class_subjects(ctx)
    classes = {school_class.pk: school_class for _, school_class in assignments}
    by_grade = metrics.periods_by_grade(ctx.year)
    terms = {cid: metrics.term_for_grade(ctx.year, c.grade, chosen, by_grade) for cid, c in classes.items()}
    finals = {f.school_class.pk: f for f in metrics.class_finals(list(classes.values()), terms)}
    rows = []
    total = Quality()
    for assignment, school_class in assignments:
        item = finals[school_class.pk]
        quality = item.quality(assignment.subject_id, rule)
        total += quality
        rows.append(Row([f"{item.school_class.name}, {assignment.subject.name}", *quality_cells(quality),
                         item.term.name]))
    rows.append(Row(["Итого", *quality_cells(total), ""], kind="total"))
    doc = base_document(ctx, "Отчёт учителя по итогам успеваемости", f"{ctx.teacher.full_name}; "
                        f"{chosen.name if chosen else 'год'}", "itogi-uchitelya")
    doc.sections.append(Section(tables=[Table("", quality_columns("Класс, предмет", 30) + [Col("Период", width=12)],
                                              rows, sheet="Итоги")]))
    doc.footnotes = [rule.footnote]
    return doc


def teacher_preliminary(ctx: ReportContext) -> Document:
    """The preliminary report for a period: per class and subject, the forecast of the period marks (the journal's
    suggestions) and the pupils at risk."""
    chosen, _ = teacher_chosen(ctx, allow_year=False)
    assignments = teacher_class_assignments(ctx)
    doc = base_document(ctx, "Предварительный отчёт учителя за учебный период",
                        f"{ctx.teacher.full_name}; {chosen.name if chosen else ''}", "predvaritelny-otchet-uchitelya")
    rows = []
    risk_rows = []
    done = set()
    by_grade = metrics.periods_by_grade(ctx.year)
    for _, school_class in assignments:
        term = metrics.term_for_grade(ctx.year, school_class.grade, chosen, by_grade)
        if term.period is None or (school_class.pk, term.period.pk) in done:
            continue
        done.add((school_class.pk, term.period.pk))
        data = metrics.progress(school_class, term.period, today=ctx.today)
        (attendance_data,) = metrics.attendance([school_class], term.start, term.end, today=ctx.today,
                                                settings=ctx.settings, sequences=True)
        mine = {a.subject_id for a, of_class in assignments if of_class.pk == school_class.pk}
        for subject in data.subjects:
            if subject.pk not in mine:
                continue
            forecasts = Counter(p.subjects[subject.pk].forecast or "нет" for p in data.pupils
                                if not p.entry.departed and subject.pk in p.subjects)
            averages = [value for p in data.pupils
                        if subject.pk in p.subjects and (value := p.subjects[subject.pk].average.value) is not None]
            mean = (sum(averages, Decimal(0)) / len(averages)).quantize(Decimal("0.01")) if averages else None
            rows.append(Row([f"{school_class.name}, {subject.name}", term.name,
                             sum(1 for p in data.pupils if not p.entry.departed), forecasts.get("5", 0),
                             forecasts.get("4", 0), forecasts.get("3", 0),
                             forecasts.get("2", 0) + forecasts.get("1", 0), forecasts.get("нет", 0), mean]))
        for risk in metrics.risks(data, attendance_data, settings=ctx.settings, today=ctx.today):
            reasons = [r for r in risk.reasons if any(r.startswith(s.name) for s in data.subjects if s.pk in mine)
                       or r.startswith("пропусков")]
            if reasons:
                risk_rows.append(Row([risk.entry.student.short_name, school_class.name, "; ".join(reasons)]))
    doc.sections.append(Section("Прогноз итоговых отметок", tables=[Table("", [
        Col("Класс, предмет", width=30), Col("Период", width=12), Col("Обучающихся", "int", 8),
        Col("прогноз «5»", "int", 7), Col("«4»", "int", 5), Col("«3»", "int", 5), Col("«2»", "int", 5),
        Col("без прогноза", "int", 8), Col("Средний балл", "dec", 8)], rows, sheet="Прогноз")]))
    doc.sections.append(Section("Группа риска", tables=[Table("", [Col("Обучающийся", width=24),
                                                                   Col("Класс", width=6),
                                                                   Col("Причины", width=90)], risk_rows,
                                                              sheet="Группа риска", empty="Нет.")]))
    doc.footnotes = ["Прогноз — предлагаемая итоговая отметка по среднему взвешенному баллу (как в журнале).",
                     ctx.settings.rule.footnote]
    return doc


def teacher_summary(ctx: ReportContext) -> Document:
    """The summary sheet of the teacher's classes: his subject's period and year marks, a sheet per class."""
    doc = base_document(ctx, "Сводная ведомость учёта успеваемости обучающихся классов учителя",
                        f"{ctx.teacher.full_name}, {ctx.year.name} учебный год", "svodnaya-uchitelya")
    for assignment, school_class in teacher_class_subjects(ctx):
        finals = summary_finals(ctx, [school_class])[school_class.pk]
        terms = [f.term for f in finals]
        columns = [Col("Обучающийся", width=26)] + [Col(t.name, "mark", 8) for t in terms]
        roster = {e.student.pk: e for f in finals for e in f.roster}
        rows = []
        for entry in sorted(roster.values(), key=lambda e: metrics.name_key(e.student)):
            values = [f.final(entry.student.pk, assignment.subject_id) for f in finals]
            rows.append(Row([entry.student.short_name, *values], kind=departed_kind(entry),
                            failing=frozenset(i + 1 for i, v in enumerate(values) if v in FAILING)))
        doc.sections.append(Section(tables=[Table(f"{school_class.name} класс, {assignment.subject.name}", columns,
                                                  rows, sheet=f"{school_class.name} {assignment.subject.short_name or assignment.subject.name}")]))
    return doc


# --- the class summary for a period (the class teacher's «Сводная») ------------------------------------------------


def class_summary(ctx: ReportContext) -> Document:
    """Pupils × subjects of a class for a period: the journal's weighted average and the final mark (or the
    forecast), absences; failing averages and marks highlighted; under it each subject's успеваемость and
    качество — by the final marks when set, else by the forecasts."""
    school_class = ctx.school_class
    term, _ = ctx.class_term(allow_year=False)
    period = term.period
    assert period is not None
    rule = ctx.settings.rule
    data = metrics.progress(school_class, period, today=ctx.today)
    (attendance_data,) = metrics.attendance([school_class], period.start, period.end, today=ctx.today,
                                            settings=ctx.settings)
    threshold = data.policy.threshold_3
    columns = [Col("Обучающийся", width=26)]
    for subject in data.subjects:
        columns += [Col("ср.", "dec", 6, subject.short_name or subject.name),
                    Col("итог", "mark", 5, subject.short_name or subject.name)]
    columns += [Col("Пропущено уроков", "int", 8), Col("из них по болезни", "int", 8)]
    rows = []
    forecast_quality = {s.pk: Quality() for s in data.subjects}
    final_quality = {s.pk: Quality() for s in data.subjects}
    for pupil in data.pupils:
        cells: list = [pupil.entry.student.short_name]
        failing = set()
        for subject in data.subjects:
            item = pupil.subjects.get(subject.pk)
            average = item.average.value if item else None
            value = (item.final or "") if item else ""
            if average is not None and average < threshold:
                failing.add(len(cells))
            cells.append(average)
            if value in FAILING:
                failing.add(len(cells))
            cells.append(value or ((item.suggestion.value or "") and f"({item.suggestion.value})") if item else "")
            forecast_quality[subject.pk].add(item.forecast if item else None, departed=pupil.entry.departed,
                                             rule=rule)
            final_quality[subject.pk].add(value or None, departed=pupil.entry.departed, rule=rule)
        count = attendance_data.by_student.get(pupil.entry.student.pk, metrics.AttendanceCount())
        cells += [count.missed, count.sick]
        rows.append(Row(cells, kind=departed_kind(pupil.entry), failing=frozenset(failing)))
    has_finals = any(q.n for q in final_quality.values())
    figures = final_quality if has_finals else forecast_quality
    for label, attribute in (("Успеваемость, %", "success"), ("Качество, %", "quality")):
        cells = [label + (" (по итоговым)" if has_finals else " (по прогнозу)")]
        for subject in data.subjects:
            cells += [None, getattr(figures[subject.pk], attribute)]
        rows.append(Row([*cells, None, None], kind="total"))
    doc = base_document(ctx, "Сводная ведомость класса за период", class_subtitle(school_class, term),
                        f"svodnaya-{school_class.name}")
    doc.sections.append(Section(tables=[Table("", columns, rows, sheet=school_class.name)]))
    doc.footnotes = [f"«ср.» — средний взвешенный балл за период (как в журнале); выделены средние ниже "
                     f"{grading.format_average(threshold)} и отметки «2», «н/а». «итог» — итоговая отметка, в скобках "
                     "— предлагаемая.", rule.footnote]
    return doc
