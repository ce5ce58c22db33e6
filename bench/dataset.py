"""The benchmark data set, built afresh in each database:

- the demo school (``zhurnal demo``'s, built through the services): the lists of a full school;
- the journal's benchmark grid (``zhurnal.journal.testing.build_grid_dataset``): 30 pupils × 60 lessons, ~1,800 marks;
- a grid to save into: 30 pupils × 60 lessons that have all taken place (two a day from 1 September), empty at first;
- one generated school (``zhurnal generate``, 600 pupils, lessons and marks for the whole academic year, to its
  last day): the diary, the timetable and the reports read a school holding a full year of data (the pages show
  today's week and period; the marks after today are the rest of the year's).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.test import Client

from zhurnal.core.dates import today as school_today

GENERATED_STUDENTS = 600


@dataclass
class Context:
    """What the cases need: logged-in clients, the ids of interesting objects, the school day the pages show."""

    clients: dict[str, Client]
    ids: dict[str, Any]
    day: dt.date
    size: dict[str, int] = field(default_factory=dict)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def last_school_day(today: dt.date) -> dt.date:
    day = today
    while day.isoweekday() > 5:
        day -= dt.timedelta(days=1)
    return day


def build_save_grid(*, students: int = 30, lessons: int = 60):
    """30 pupils, 60 past lessons (two a day from the year's start), no marks: what ``mark_grid_save`` fills."""
    from zhurnal.journal import services as journal_services
    from zhurnal.journal.testing import make_lessons
    from zhurnal.school import testing as school_testing
    from zhurnal.school.models import Position
    from zhurnal.school.periods import academic_year_start
    from zhurnal.school.selectors import periods_for_grade

    today = school_today()
    school = school_testing.make_school("Школа для замеров сохранения", slug="bench-save")
    year = school_testing.make_year(school, start=academic_year_start(today))
    journal_services.ensure_journal_setup(school=school)
    teacher = school_testing.make_staff(school, "Сохранова", [Position.TEACHER], username="bench-saver")
    school_class = school_testing.make_class(year, 10, "А")
    subject = school_testing.make_subject(school, "Физика")
    assignment = school_testing.make_assignment(teacher, subject, school_testing.class_group(school_class), hours="5")
    pupils = [school_testing.make_student(school_class, f"Сохранов{n:02d}", first_name="Илья") for n in range(students)]
    period = periods_for_grade(year, 10).first()
    made = make_lessons(assignment, lessons, start=period.start, numbers=(1, 2))
    if made[-1].date > today:
        raise RuntimeError("the save grid needs 30 school days behind today; run the benchmark later in the year")
    return teacher.user, made, pupils


def build_dataset() -> Context:
    from zhurnal.journal.models import Mark
    from zhurnal.journal.testing import build_grid_dataset
    from zhurnal.ops.demo import build_demo_school
    from zhurnal.ops.generate import generate_region
    from zhurnal.school.models import (
        GroupKind,
        GuardianLink,
        InfoChannel,
        Position,
        School,
        SchoolClass,
        StaffMember,
        Student,
        Subject,
        TeachingAssignment,
    )
    from zhurnal.school.periods import academic_year_start
    from zhurnal.timetable.models import Lesson

    users = get_user_model().objects
    today = school_today()
    day = last_school_day(today)

    demo = build_demo_school()
    grid = build_grid_dataset()
    saver, save_lessons, save_pupils = build_save_grid()
    # The generator stops at the end of the academic year that ``until`` falls in.
    year_end = academic_year_start(today).replace(year=academic_year_start(today).year + 1) - dt.timedelta(days=1)
    region = generate_region(schools=1, students_per_school=GENERATED_STUDENTS, until=year_end)
    slug = region.schools[0].slug

    school_class = SchoolClass.objects.get(school__slug=slug, grade=5, letter="А")
    maths = Subject.objects.get(school__slug=slug, name="Математика")
    assignment = TeachingAssignment.objects.select_related("teacher").get(
        group__school_class=school_class, group__kind=GroupKind.CLASS, subject=maths)
    link = (GuardianLink.objects.filter(student__enrollments__school_class=school_class, guardian__user__isnull=False)
            .select_related("student", "guardian").order_by("student__last_name", "student_id").first())
    deputy = StaffMember.objects.filter(school__slug=slug, positions__position=Position.DEPUTY).first()
    lesson = Lesson.objects.filter(assignment=assignment, date__lte=day).order_by("-date", "-number").first()
    paper_class = (SchoolClass.objects.filter(school__slug=slug, enrollments__student__guardian_links__info_channel=
                                              InfoChannel.PAPER)
                   .annotate(n=Count("enrollments__student", distinct=True)).order_by("-n", "pk").first())

    logins = {
        "admin": users.get(username="admin").pk,
        "director": users.get(username="director").pk,
        "grid_teacher": grid.teacher_user.pk,
        "saver": saver.pk,
        "teacher": assignment.teacher.user_id,
        "class_teacher": school_class.class_teacher.user_id,
        "deputy": deputy.user_id,
        "guardian": link.guardian.user_id,
    }
    past = [x for x in grid.lessons if x.date <= today]
    ids = {
        "demo_class": demo.classes["5А"].pk,
        "grid_assignment": grid.assignment.pk,
        "grid_lesson": past[-1].pk,
        "grid_student": grid.students[0].pk,
        "save_lessons": [x.pk for x in save_lessons],
        "save_students": [p.pk for p in save_pupils],
        "class": school_class.pk,
        "assignment": assignment.pk,
        "teacher_staff": assignment.teacher_id,
        "lesson": lesson.pk,
        "student": link.student_id,
        "subject": maths.pk,
        "paper_class": paper_class.pk,
    }
    size = {
        "schools": School.objects.count(),
        "demo_students": len(demo.students),
        "demo_classes": len(demo.classes),
        "grid": f"{len(grid.students)}×{len(grid.lessons)}, {grid.marks} marks",
        "generated_students": Student.objects.filter(school__slug=slug).count(),
        "generated_lessons": region.schools[0].lessons,
        "generated_marks": region.schools[0].marks,
        "marks_total": Mark.objects.count(),
    }
    return Context(clients=clients_for(logins), ids={**ids, "logins": logins}, day=day, size=size)


def clients_for(logins: dict[str, int]) -> dict[str, Client]:
    users = get_user_model().objects.in_bulk(logins.values())
    return {name: client_for(users[pk]) for name, pk in logins.items()}


def save_context(ctx: Context, path: Path) -> None:
    """What ``--reuse`` needs to measure again on this data set without building it."""
    path.parent.mkdir(parents=True, exist_ok=True)  # a fresh clone has no bench/data before the first build
    path.write_text(json.dumps({"ids": ctx.ids, "day": ctx.day.isoformat(), "size": ctx.size}))


def load_context(path: Path) -> Context:
    saved = json.loads(path.read_text())
    return Context(clients=clients_for(saved["ids"]["logins"]), ids=saved["ids"],
                   day=dt.date.fromisoformat(saved["day"]), size=saved["size"])
