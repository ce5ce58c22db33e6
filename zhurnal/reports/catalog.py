"""Every report: its key (its address ``/reports/<key>/`` and URL name ``reports:<key>``), title, whom it serves,
its filters, how it is built, its file formats, and whether its files are made in the background."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from zhurnal.school.roles import SchoolRoles

from . import class_reports, permissions, school_reports
from .context import Filter, ReportContext
from .documents import Document

CLASS_TEACHER = "Классному руководителю"
TEACHER = "Учителю-предметнику"
ADMINISTRATION = "Администрации школы"


def class_and_period(ctx: ReportContext) -> list[Filter]:
    term, periods = ctx.class_term()
    return [ctx.class_filter(), ctx.period_filter(periods, term.period)]


def class_and_period_only(ctx: ReportContext) -> list[Filter]:
    term, periods = ctx.class_term(allow_year=False)
    return [ctx.class_filter(), ctx.period_filter(periods, term.period, allow_year=False)]


def class_only(ctx: ReportContext) -> list[Filter]:
    return [ctx.class_filter()]


def teacher_and_period(ctx: ReportContext) -> list[Filter]:
    chosen = ctx.chosen_period(ctx.all_periods)
    return [ctx.teacher_filter(), ctx.period_filter(ctx.all_periods, chosen, label_sets=True)]


def teacher_and_period_only(ctx: ReportContext) -> list[Filter]:
    chosen = ctx.chosen_period(ctx.all_periods, allow_year=False)
    return [ctx.teacher_filter(), ctx.period_filter(ctx.all_periods, chosen, allow_year=False, label_sets=True)]


def teacher_only(ctx: ReportContext) -> list[Filter]:
    return [ctx.teacher_filter()]


def school_period(ctx: ReportContext) -> list[Filter]:
    return [school_reports.school_period(ctx)[1]]


def week_only(ctx: ReportContext) -> list[Filter]:
    return [ctx.week_filter()]


def date_only(ctx: ReportContext) -> list[Filter]:
    year = ctx.year
    days = [year.start] + [m for m in _month_starts(year.start, min(ctx.today, year.end)) if m != year.start]
    last = min(ctx.today, year.end)
    if last not in days:
        days.append(last)
    if ctx.on not in days:
        days.append(ctx.on)
    return [Filter("on", "На дату", [(d.isoformat(), f"{d:%d.%m.%Y}") for d in sorted(days)], ctx.on.isoformat())]


def _month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    from .metrics import months_between

    return months_between(start, end)


def no_filters(ctx: ReportContext) -> list[Filter]:
    return []


@dataclass(frozen=True)
class ReportSpec:
    key: str
    title: str
    audience: str
    description: str
    build: Callable[..., Document]
    filters: Callable[[ReportContext], list[Filter]]
    allowed: Callable[[SchoolRoles], bool]
    formats: tuple[str, ...] = ("pdf", "xlsx", "csv")
    background: bool = False  # files made by the task queue (reports that take more than about a second)
    links: tuple[tuple[str, str], ...] = ()  # (label, URL name) of related pages shown above the report

    @property
    def url_name(self) -> str:
        return f"reports:{self.key}"


CLASS = permissions.can_read_class_reports
SUBJECT = permissions.can_read_teacher_reports
SCHOOL = permissions.can_read_school_reports
CONTROL = permissions.can_read_control

REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec("class_summary", "Сводная ведомость класса за период", CLASS_TEACHER,
               "Средние баллы и итоговые отметки по предметам, пропуски; успеваемость и качество.",
               class_reports.class_summary, class_and_period_only, CLASS),
    ReportSpec("class_attendance", "Отчёт о посещаемости класса (по месяцам)", CLASS_TEACHER,
               "Пропуски уроков и дней каждого обучающегося по месяцам, с графиком.",
               class_reports.attendance_by_month, class_and_period, CLASS),
    ReportSpec("class_teacher_report", "Отчёт классного руководителя за учебный период", CLASS_TEACHER,
               "До конца периода — предварительный (по прогнозу): движение, успеваемость, пропуски, группа риска.",
               class_reports.class_teacher_report, class_and_period_only, CLASS),
    ReportSpec("class_progress", "Итоги успеваемости класса за учебный период", CLASS_TEACHER,
               "N, «5»…«2», н/а, осв, успеваемость, качество, СОУ, средний балл по предметам; график по периодам.",
               class_reports.class_progress, class_and_period, CLASS),
    ReportSpec("class_summary_sheet", "Сводная ведомость учёта успеваемости", CLASS_TEACHER,
               "Обучающиеся × предметы × периоды и год. Хранится 25 лет.",
               class_reports.summary_sheet, class_only, CLASS),
    ReportSpec("class_attendance_sheet", "Сводная ведомость учёта посещаемости", CLASS_TEACHER,
               "Уроки по расписанию, пропуски по причинам, опоздания, пропущенные дни.",
               class_reports.attendance_sheet, class_and_period, CLASS),
    ReportSpec("class_movement", "Сводная ведомость учёта движения обучающихся", CLASS_TEACHER,
               "Прибытие, выбытие, переводы с номерами приказов.", class_reports.class_movement, class_only, CLASS),
    ReportSpec("report_cards", "Табели успеваемости и письма родителям", CLASS_TEACHER,
               "На каждого обучающегося: отметки, средний балл, итоговая отметка по каждому предмету.",
               class_reports.report_cards, class_and_period_only, CLASS, formats=("pdf", "xlsx")),
    ReportSpec("year_journal", "Классный журнал за год (для печати)", CLASS_TEACHER,
               "Бумажная форма журнала: уроки, темы, задания, отметки, пропуски, сводная ведомость.",
               school_reports.year_journal, class_only, CLASS, formats=("pdf", "xlsx"), background=True),
    ReportSpec("teacher_preliminary", "Предварительный отчёт учителя за учебный период", TEACHER,
               "Прогноз итоговых отметок по каждому классу и группа риска.",
               class_reports.teacher_preliminary, teacher_and_period_only, SUBJECT),
    ReportSpec("teacher_progress", "Итоги успеваемости классов учителя", TEACHER,
               "Качество по каждому классу и предмету учителя.", class_reports.teacher_progress, teacher_and_period,
               SUBJECT),
    ReportSpec("teacher_summary", "Сводная ведомость по классам учителя", TEACHER,
               "Итоговые отметки за периоды и год по предметам учителя, лист на класс.",
               class_reports.teacher_summary, teacher_only, SUBJECT, formats=("pdf", "xlsx")),
    ReportSpec("school_quality", "Успеваемость и качество по классам, параллелям, предметам, учителям", ADMINISTRATION,
               "С изменением по сравнению с предыдущим периодом.", school_reports.school_quality, school_period, SCHOOL),
    ReportSpec("school_summary_sheet", "Сводная ведомость учёта успеваемости (вся школа)", ADMINISTRATION,
               "Все классы, лист на класс.", school_reports.school_summary_sheet, no_filters, SCHOOL,
               formats=("pdf", "xlsx"), background=True),
    ReportSpec("final_data", "Итоговые данные по обучающимся", ADMINISTRATION,
               "Итог каждого обучающегося за период, лист на класс.", school_reports.final_data, school_period, SCHOOL,
               formats=("pdf", "xlsx")),
    ReportSpec("school_movement", "Динамика движения обучающихся по школе", ADMINISTRATION,
               "Прибытие и выбытие по месяцам, приказы.", school_reports.school_movement, no_filters, SCHOOL),
    ReportSpec("class_occupancy", "Наполняемость классов", ADMINISTRATION,
               "На начало года, прибыло, выбыло, на дату.", school_reports.class_occupancy, date_only, SCHOOL),
    ReportSpec("filling_months", "Наполняемость текущих отметок", ADMINISTRATION,
               "Отметок на обучающегося по месяцам.", school_reports.filling_months, no_filters, CONTROL),
    ReportSpec("user_activity", "Отчёт об активности пользователей (еженедельный)", ADMINISTRATION,
               "Входы по ролям и дням, родители, открывающие дневник дважды в неделю.",
               school_reports.user_activity, week_only, SCHOOL),
    ReportSpec("introduction", "Отчёт о введении ЭД и ЭЖ (приложение 2)", ADMINISTRATION,
               "Выдача и активация логинов, согласия родителей, работа учителей в системе.",
               school_reports.introduction, no_filters, SCHOOL, formats=("pdf", "xlsx")),
)

BY_KEY = {spec.key: spec for spec in REPORTS}
CONTROL_SPEC = ReportSpec("control", "Контроль заполнения журнала", ADMINISTRATION,
                          "Уроки без темы и домашнего задания, контрольные без отметок, накопляемость, КТП.",
                          school_reports.control, school_reports.filling_filters, CONTROL,
                          links=(("Правила оценивания", "journal:rules"), ("Выполнение КТП", "planning:coverage"),
                                 ("Наполняемость отметок", "reports:filling_months")))
ALL = {**BY_KEY, "control": CONTROL_SPEC}


def visible_reports(roles: SchoolRoles) -> list[ReportSpec]:
    return [spec for spec in (*REPORTS, CONTROL_SPEC) if spec.allowed(roles)]
