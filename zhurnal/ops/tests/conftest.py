"""A school at work for the backup tests: its database as a school has it, destinations on "drives", and a
journal with marks, absences, final marks, an uploaded file and the audit log they leave."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from zhurnal.ops.destinations import Destination, prepare

# The first quarter of the 2026/2027 year (closed by today): its marks and final marks are entered "back then".
IN_Q1 = dt.date(2026, 10, 23)


@pytest.fixture
def school_database(transactional_db, tmp_path):
    """On SQLite, the application's database as a school has it — a file in WAL mode, which teachers' requests
    (other connections, other threads) write while the copy is taken; the test database is in memory, so it is
    copied into a file for the test and put back after. On PostgreSQL, the test database itself."""
    connection = connections["default"]
    if connection.vendor != "sqlite":
        yield connection.settings_dict["NAME"]
        return
    memory_name = connection.settings_dict["NAME"]
    keeper = sqlite3.connect(memory_name, uri=True)  # keeps the in-memory test database alive meanwhile
    path = tmp_path / "school.sqlite3"
    on_disk = sqlite3.connect(path)
    keeper.backup(on_disk)
    on_disk.execute("PRAGMA journal_mode=WAL")
    on_disk.close()
    connection.settings_dict["NAME"] = str(path)  # the same dict every thread's new connection is made from
    connection.close()
    try:
        yield str(path)
    finally:
        connections.close_all()
        connection.settings_dict["NAME"] = memory_name
        connection.ensure_connection()  # back to the in-memory database before its keeper lets go of it
        keeper.close()


@dataclass
class Drives:
    first: Destination
    second: Destination
    media_root: Path
    identity: Path | None = None

    @property
    def both(self) -> list[Destination]:
        return [self.first, self.second]


@pytest.fixture
def drives(settings, tmp_path) -> Drives:
    """Two prepared destinations, the uploaded files' folder and the staging folder, all in the test's folder."""
    first = prepare(tmp_path / "drive-1" / "zhurnal", "Диск 1")
    second = prepare(tmp_path / "drive-2" / "zhurnal", "Диск 2")
    settings.ZHURNAL_BACKUP_DESTINATIONS = [str(first.path), str(second.path)]
    settings.ZHURNAL_BACKUP_STAGING = str(tmp_path / "staging")
    settings.ZHURNAL_BACKUP_RECIPIENTS = []
    settings.ZHURNAL_BACKUP_IDENTITY = str(tmp_path / "no-key.txt")
    settings.ZHURNAL_DRILL_DATABASE_PREFIX = "zhurnal_bak_drill_"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Drives(first=first, second=second, media_root=tmp_path / "media")


@dataclass
class WorkingSchool:
    school: Any
    teacher: Any
    lessons: list  # maths in 5А, every school day up to today
    students: list
    figures: dict[str, int] = field(default_factory=dict)


def build_working_school(students_per_class: int = 8) -> WorkingSchool:
    """The small school with a term of maths: marks and absences in the first quarter, its final marks, a
    homework file, and the current quarter's lessons left empty for the marks saved during the copy."""
    from zhurnal.core.dates import today
    from zhurnal.journal import services
    from zhurnal.school.models import Student, TeachingAssignment
    from zhurnal.school.selectors import periods_for_grade
    from zhurnal.school.testing import build_small_school, class_group
    from zhurnal.timetable.models import Lesson
    from zhurnal.timetable.testing import put

    small = build_small_school(students_per_class=students_per_class)
    services.ensure_journal_setup(school=small.school)
    maths = TeachingAssignment.objects.get(group=class_group(small.class_5a), subject=small.math)
    for weekday in range(1, 6):
        put(maths, weekday, 1)
    lessons = list(Lesson.objects.filter(assignment=maths).order_by("date", "number"))
    pupils = sorted(small.class_5a.enrollments.values_list("student", flat=True))
    students = list(Student.objects.filter(pk__in=pupils).order_by("pk"))
    teacher = small.users["teacher"]
    q1 = [lesson for lesson in lessons if lesson.date <= dt.date(2026, 10, 23)]
    for index, lesson in enumerate(q1):  # a column at a time, as the grid's column form saves
        cells = [services.CellInput(student, "н" if (index + number) % 11 == 0 else
                                    "54"[(index * number) % 2] + ("-" if number == 3 else ""), uuid.uuid4())
                 for number, student in enumerate(students)]
        services.save_cells(actor=teacher, lesson=lesson, cells=cells, today=IN_Q1)
    quarter = periods_for_grade(small.year, 5).first()
    for student in students:
        services.set_final_mark(actor=teacher, assignment=maths, student=student, period=quarter, value="4",
                                reason="по итогам четверти", today=dt.date(2026, 10, 26))
    services.add_homework_attachment(actor=teacher, lesson=q1[-1],
                                     upload=SimpleUploadedFile("задание.pdf", b"%PDF-1.4\n% homework\n%%EOF\n"),
                                     today=IN_Q1)
    current = [lesson for lesson in lessons if dt.date(2026, 11, 9) <= lesson.date <= today()]
    return WorkingSchool(school=small.school, teacher=teacher, lessons=current, students=students)


@pytest.fixture
def working_school(school_database, drives) -> WorkingSchool:
    return build_working_school()
