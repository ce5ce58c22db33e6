"""The benchmark cases. Names are stable so that runs can be compared; add one per page or report.

Each case's ``make`` takes the data set's ``Context`` and returns a function that performs one operation through
the whole Django stack (test client, every middleware) and returns the response. Saves really write: every run
sends a new idempotency key and a value different from the one already in the cell.
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


def mark_save(ctx: Context):
    """One cell through the endpoint the journal's script calls (JSON, with the row's new average)."""
    client = ctx.clients["saver"]
    path = f"/journal/lessons/{ctx.ids['save_lessons'][0]}/cells/{ctx.ids['save_students'][0]}/"
    values = _alternating(("5", "4"))
    # As journal.js sends it: a URL-encoded body (URLSearchParams), not a multipart form.
    return lambda: client.post(path, urlencode({"value": next(values), "key": str(uuid.uuid4()), "row": "1"}),
                               content_type="application/x-www-form-urlencoded", **JSON)


def _column_post(client, lesson_id: int, students: list[int], value: str):
    data = {}
    for n, student in enumerate(students):
        data[f"cell-{student}"] = value if n % 7 else "н"  # a few absences in every column
        data[f"key-{student}"] = str(uuid.uuid4())
    return client.post(f"/journal/lessons/{lesson_id}/cells/", data)


def mark_column_save(ctx: Context):
    """A lesson's column of 30 cells in one request (the lesson page's form), each cell saved by the service."""
    client = ctx.clients["saver"]
    lesson, students = ctx.ids["save_lessons"][1], ctx.ids["save_students"]
    values = _alternating(("4", "5"))
    return lambda: _column_post(client, lesson, students, next(values))


def mark_grid_save(ctx: Context):
    """1,800 cells: 60 lessons × 30 pupils, one column request per lesson (RosarioSIS's "1,800 grades")."""
    client = ctx.clients["saver"]
    lessons, students = ctx.ids["save_lessons"], ctx.ids["save_students"]
    values = _alternating(("3", "4"))

    def run():
        value = next(values)
        response = None
        for lesson in lessons:
            response = _column_post(client, lesson, students, value)
        return response

    return run


def _on(ctx: Context) -> str:
    return ctx.day.isoformat()


CASES: list[Case] = [
    Case("framework_ceiling", get("admin", lambda c: "/health/"), repeat=200, warmup=20, what="GET /health/"),
    Case("class_list", get("director", lambda c: "/classes/"), what="список классов демо-школы"),
    Case("journal_grid", get("grid_teacher", lambda c: f"/journal/assignments/{c.ids['grid_assignment']}/"),
         what="журнал: 30 учеников × 60 уроков"),
    Case("journal_lesson", get("teacher", lambda c: f"/journal/lessons/{c.ids['lesson']}/"),
         what="страница урока"),
    Case("journal_index", get("teacher", lambda c: f"/journal/?on={_on(c)}"), what="журнал учителя: уроки дня"),
    Case("mark_save", mark_save, repeat=30, what="одна клетка (JSON, ключ повтора)"),
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
    Case("teacher_start_page", get("teacher", lambda c: f"/journal/today/?date={_on(c)}"),
         what="мой день: уроки и что не заполнено"),
    Case("class_summary", get("class_teacher", lambda c: f"/journal/classes/{c.ids['class']}/summary/"),
         what="сводная ведомость класса за период"),
    Case("attendance_week", get("class_teacher", lambda c: f"/journal/classes/{c.ids['class']}/attendance/"
                                                          f"?week={_on(c)}"), what="посещаемость класса за неделю"),
    Case("journal_control", get("deputy", lambda c: "/journal/control/"), what="контроль ведения журнала"),
    Case("plan_coverage", get("deputy", lambda c: f"/plans/coverage/?on={_on(c)}"), what="выполнение КТП"),
    Case("diary_class_overview", get("class_teacher", lambda c: f"/diary/classes/{c.ids['class']}/"),
         what="кто читает дневник: класс"),
    Case("diary_school_activity", get("deputy", lambda c: "/diary/activity/"), what="кто читает дневник: школа"),
    Case("diary_class_paper", get("deputy", lambda c: f"/diary/classes/{c.ids['paper_class']}/paper.pdf"),
         repeat=3, warmup=1, what="недельные выписки класса для семей без электронного доступа (PDF)"),
]
