"""The benchmark cases. Names are stable so that runs can be compared; add one per page or report.

Each case's ``make`` takes the data set's ``Context`` and returns a function that performs one operation through
the whole Django stack (test client, every middleware) and returns the response. Saves really write: every run
sends a new idempotency key and a value different from the one already in the cell, with the cell as it was
(its version, as the pages send it).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from bench.dataset import Context

JSON = {"HTTP_ACCEPT": "application/json"}


@dataclass
class Case:
    name: str
    make: Callable[[Context], Callable[[], object]]
    repeat: int = 20
    # Past psycopg's prepare_threshold (5; a statement is prepared on its sixth run): a server runs each statement
    # thousands of times, prepared, and the timed runs should see it so (planning costs PostgreSQL more than running).
    warmup: int = 6
    what: str = ""
    page: bool = True  # the answer must be 200; False for the form posts that redirect back


def get(client_name: str, url: Callable[[Context], str]) -> Callable[[Context], Callable[[], object]]:
    def make(ctx: Context):
        client = ctx.clients[client_name]
        path = url(ctx)
        return lambda: client.get(path)

    return make


def _alternating(values: tuple[str, ...]):
    return itertools.cycle(values)


def _cell_texts(lessons: list[int], students: list[int]) -> dict[tuple[int, int], str]:
    """What the cells hold now, as the pages show them: each save sends it as its version («base»)."""
    from zhurnal.journal.grading import format_cell
    from zhurnal.journal.models import Attendance, Mark

    absences = {(a.lesson_id, a.student_id): a.code
                for a in Attendance.objects.filter(lesson_id__in=lessons, student_id__in=students)}
    marks: dict[tuple[int, int], list] = {}
    for mark in Mark.objects.filter(lesson_id__in=lessons, student_id__in=students).order_by("position", "id"):
        marks.setdefault((mark.lesson_id, mark.student_id), []).append((mark.value, mark.modifier))
    return {(lesson, student): format_cell(absences.get((lesson, student), ""), marks.get((lesson, student), []))
            for lesson in lessons for student in students}


def mark_save(ctx: Context, cell: int = 0):
    """One cell through the endpoint the journal's script calls (JSON, with the row's new average)."""
    client = ctx.clients["saver"]
    lesson, student = ctx.ids["save_lessons"][0], ctx.ids["save_students"][cell]
    path = f"/journal/lessons/{lesson}/cells/{student}/"
    values = _alternating(("5", "4"))
    shown = _cell_texts([lesson], [student])

    def run():
        value = next(values)
        # As journal.js sends it: a URL-encoded body (URLSearchParams), not a multipart form.
        response = client.post(path, urlencode({"value": value, "base": shown[lesson, student],
                                                "key": str(uuid.uuid4()), "row": "1"}),
                               content_type="application/x-www-form-urlencoded", **JSON)
        shown[lesson, student] = value
        return response

    return run


def _column_post(client, lesson_id: int, students: list[int], value: str, shown: dict[tuple[int, int], str]):
    data = {}
    for n, student in enumerate(students):
        data[f"cell-{student}"] = value if n % 7 else "н"  # a few absences in every column
        data[f"key-{student}"] = str(uuid.uuid4())
        data[f"base-{student}"] = shown[lesson_id, student]
        shown[lesson_id, student] = data[f"cell-{student}"]
    return client.post(f"/journal/lessons/{lesson_id}/cells/", data)


def mark_column_save(ctx: Context):
    """A lesson's column of 30 cells in one request (the lesson page's form), each cell saved by the service."""
    client = ctx.clients["saver"]
    lesson, students = ctx.ids["save_lessons"][1], ctx.ids["save_students"]
    values = _alternating(("4", "5"))
    shown = _cell_texts([lesson], students)
    return lambda: _column_post(client, lesson, students, next(values), shown)


def mark_grid_save(ctx: Context):
    """1,800 cells: 60 lessons × 30 pupils, one column request per lesson (RosarioSIS's "1,800 grades")."""
    client = ctx.clients["saver"]
    lessons, students = ctx.ids["save_lessons"], ctx.ids["save_students"]
    values = _alternating(("3", "4"))
    shown = _cell_texts(lessons, students)

    def run():
        value = next(values)
        response = None
        for lesson in lessons:
            response = _column_post(client, lesson, students, value, shown)
        return response

    return run


def _on(ctx: Context) -> str:
    return ctx.day.isoformat()


class Made:
    """A file made outside a request (what the background task does), as the harness reads a response."""

    status_code = 200

    def __init__(self, content: bytes) -> None:
        self.content = content


def report_file(report: str, file_format: str, persona: str, params: Callable[[Context], dict]):
    """A report's file as the background task makes it: the document built and rendered in this process."""

    def make(ctx: Context):
        from django.contrib.auth import get_user_model

        from zhurnal.reports import catalog, documents
        from zhurnal.reports.context import ReportContext
        from zhurnal.school.models import School
        from zhurnal.school.roles import roles_in

        user = get_user_model().objects.get(pk=ctx.ids["logins"][persona])
        school = School.objects.get(pk=ctx.ids["school"])
        spec = catalog.ALL[report]
        render = documents.RENDERERS[file_format][0]

        def run():
            roles = roles_in(user, school)
            return Made(render(spec.build(ReportContext(roles=roles, params=params(ctx), user=user))))

        return run

    return make


def school_snapshot(ctx: Context):
    """One school's aggregated figures for its education department (the unit of the background refresh)."""
    from zhurnal.core.dates import today
    from zhurnal.reports.services import refresh_snapshot
    from zhurnal.school.models import School

    school = School.objects.get(pk=ctx.ids["school"])
    return lambda: Made(str(refresh_snapshot(school=school, today=today()).data).encode())


def mark_save_quiet(ctx: Context):
    """``mark_save`` (of the next pupil's cell) with the notifications' subscriber taken off for the save: what a
    mark costs without them. ``python -m bench.notifications_cost`` times the two interleaved."""
    from zhurnal.core import events
    from zhurnal.notifications import jobs

    run = mark_save(ctx, cell=1)

    def quiet():
        for kind in jobs.EVENTS:
            events.unsubscribe(kind, jobs.on_event)
        try:
            return run()
        finally:
            for kind in jobs.EVENTS:
                events.subscribe(kind, jobs.on_event)

    return quiet


def announcement_to_parents(ctx: Context):
    """The deputy publishes an announcement to every parent of the generated school (1,000+ with logins): the page
    answers once the readers' rows are written in one bulk insert; the notifications go out later, by the queue."""
    client = ctx.clients["deputy"]
    numbers = itertools.count(1)
    return lambda: client.post("/news/new/", {"title": f"Родительское собрание № {next(numbers)}",
                                              "body": "Собрание в четверг в 18:00.", "audience": "school",
                                              "to_parents": "on", "requires_ack": "on"})


CASES: list[Case] = [
    Case("framework_ceiling", get("admin", lambda c: "/health/"), repeat=200, warmup=20, what="GET /health/"),
    Case("class_list", get("director", lambda c: "/classes/"), what="список классов демо-школы"),
    Case("journal_grid", get("grid_teacher", lambda c: f"/journal/assignments/{c.ids['grid_assignment']}/"),
         what="журнал: 30 учеников × 60 уроков"),
    Case("journal_lesson", get("teacher", lambda c: f"/journal/lessons/{c.ids['lesson']}/"),
         what="страница урока"),
    Case("journal_index", get("teacher", lambda c: f"/journal/?on={_on(c)}"), what="журнал учителя: уроки дня"),
    Case("mark_save", mark_save, repeat=30, what="одна клетка (JSON, ключ повтора)"),
    Case("mark_save_quiet", mark_save_quiet, repeat=30, what="та же клетка без уведомлений (для сравнения)"),
    Case("announcement_to_parents", announcement_to_parents, repeat=5, warmup=1, page=False,
         what="объявление всем родителям школы (1 000+ получателей)"),
    Case("mark_column_save", mark_column_save, repeat=10, page=False, what="колонка урока: 30 клеток одним запросом"),
    Case("mark_grid_save", mark_grid_save, repeat=1, warmup=0, page=False, what="1 800 клеток: 60 запросов по 30"),
    Case("diary_week", get("guardian", lambda c: f"/diary/{c.ids['student']}/week/"), what="дневник: неделя"),
    Case("diary_subject", get("guardian", lambda c: f"/diary/{c.ids['student']}/subject/{c.ids['subject']}/"),
         what="дневник: предмет"),
    Case("diary_feed", get("guardian", lambda c: f"/diary/{c.ids['student']}/marks/"), what="дневник: новые отметки"),
    Case("diary_finals", get("guardian", lambda c: f"/diary/{c.ids['student']}/finals/"),
         what="дневник: итоговые отметки"),
    Case("timetable_class", get("deputy", lambda c: f"/timetable/class/{c.ids['class']}/?date={_on(c)}"),
         what="расписание класса на неделю"),
    Case("timetable_teacher", get("deputy", lambda c: f"/timetable/teacher/{c.ids['teacher_staff']}/?date={_on(c)}"),
         what="расписание учителя на неделю"),
    Case("timetable_school_day", get("deputy", lambda c: f"/timetable/day/?date={_on(c)}"),
         what="расписание школы на день"),
    Case("teacher_day", get("teacher", lambda c: f"/timetable/today/?date={_on(c)}"), what="мой день (учитель)"),
    Case("class_summary", get("class_teacher", lambda c: f"/reports/class_summary/?class={c.ids['class']}"),
         what="сводная ведомость класса за период (отчёт)"),
    Case("report_class_progress", get("class_teacher", lambda c: f"/reports/class_progress/?class={c.ids['class']}"
                                                                 f"&period={c.ids['first_period']}"),
         what="итоги успеваемости класса (30 учеников, страница)"),
    Case("report_class_teacher", get("class_teacher", lambda c: f"/reports/class_teacher_report/?class="
                                                                f"{c.ids['class']}"),
         what="отчёт классного руководителя за период (прогноз, пропуски, группа риска)"),
    Case("report_school_summary_html", get("deputy", lambda c: "/reports/school_summary_sheet/"), repeat=3, warmup=1,
         what="сводная ведомость успеваемости школы (1 000 учеников), страница"),
    Case("report_school_summary_xlsx", report_file("school_summary_sheet", "xlsx", "deputy", lambda c: {}), repeat=3,
         warmup=1, what="сводная ведомость успеваемости школы, XLSX (лист на класс)"),
    Case("report_year_journal_pdf", report_file("year_journal", "pdf", "class_teacher",
                                                lambda c: {"class": str(c.ids["class"])}), repeat=1, warmup=0,
         what="классный журнал класса за год, PDF"),
    Case("report_school_quality", get("deputy", lambda c: f"/reports/school_quality/?period={c.ids['first_period']}"),
         repeat=5, warmup=2, what="успеваемость и качество по классам, параллелям, предметам, учителям"),
    Case("report_municipal", get("municipal", lambda c: "/reports/municipal/"), repeat=10,
         what="показатели 100 школ управления образования"),
    Case("report_school_snapshot", school_snapshot, repeat=1, warmup=0,
         what="показатели одной школы для управления (фоновый пересчёт, на школу)"),
    Case("teacher_start_page", get("teacher", lambda c: f"/journal/today/?date={_on(c)}"),
         what="мой день: уроки и что не заполнено"),
    Case("attendance_week", get("class_teacher", lambda c: f"/journal/classes/{c.ids['class']}/attendance/"
                                                          f"?week={_on(c)}"), what="посещаемость класса за неделю"),
    Case("journal_control", get("deputy", lambda c: "/reports/control/"), what="контроль ведения журнала (неделя)"),
    Case("plan_coverage", get("deputy", lambda c: f"/plans/coverage/?on={_on(c)}"), what="выполнение КТП"),
    Case("diary_class_overview", get("class_teacher", lambda c: f"/diary/classes/{c.ids['class']}/"),
         what="кто читает дневник: класс"),
    Case("diary_school_activity", get("deputy", lambda c: "/diary/activity/"), what="кто читает дневник: школа"),
    Case("diary_class_paper", get("deputy", lambda c: f"/diary/classes/{c.ids['paper_class']}/paper.pdf"),
         repeat=3, warmup=1, what="недельные выписки класса для семей без электронного доступа (PDF)"),
]
