"""Every report page makes the same number of queries for a small and a large school (classes, pupils,
lessons, marks): the report reads by class and by kind of row, never per pupil."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from zhurnal.journal.models import WorkType
from zhurnal.journal.testing import make_lessons, put_marks
from zhurnal.reports import catalog
from zhurnal.reports.testing import build_report_school
from zhurnal.school.models import Position
from zhurnal.school.testing import (
    class_group,
    make_assignment,
    make_class,
    make_guardian,
    make_staff,
    make_student,
    make_subject,
    page_queries,
)


def _grow(world, *, pupils: int, lessons: int, classes: int) -> None:
    """More pupils (with families), lessons and marks in 5А, and more classes with their own subjects."""
    s = world.s
    default = WorkType.objects.get(school=s.school, is_default=True)
    extra = [make_student(s.class_5a, f"Новиков{n:02d}") for n in range(pupils)]
    for pupil in extra[:3]:
        make_guardian(pupil)
    made = make_lessons(world.math, lessons, start=world.lessons["math"][-1].date, numbers=(4,))
    put_marks([(lesson, pupil, "4") for lesson in made for pupil in extra], work_type_id=default.pk)
    for n in range(classes):
        school_class = make_class(s.year, 6, "АБВГ"[n])
        teacher = make_staff(s.school, f"Шестакова{n}", [Position.TEACHER], username=False)
        assignment = make_assignment(teacher, make_subject(s.school, f"История {n}"), class_group(school_class))
        for _ in range(3):
            make_student(school_class)
        make_lessons(assignment, 3, start=world.lessons["math"][0].date, numbers=(5,))


def _counts(client, world, persona: str) -> dict[str, int]:
    client.force_login(get_user_model().objects.get(username=persona))
    out = {}
    for spec in (*catalog.REPORTS, catalog.CONTROL_SPEC):
        if not spec.allowed(_roles(world, persona)):
            continue
        count, _ = page_queries(client, f"/reports/{spec.key}/?period={world.quarter.pk}")
        out[spec.key] = count
    return out


def _roles(world, persona):
    from zhurnal.school.roles import roles_in

    return roles_in(get_user_model().objects.get(username=persona), world.s.school)


@pytest.mark.parametrize("persona", ["class_teacher", "deputy"])
def test_report_pages_make_constant_queries(db, client, persona):
    small = build_report_school()
    before = _counts(client, small, persona)
    _grow(small, pupils=25, lessons=20, classes=3)
    after = _counts(client, small, persona)
    differ = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
    # Reports over every class of the school read per class (the school-wide summary sheet and the year's journal
    # are made in the background); the rest must not grow at all.
    per_class = {"school_summary_sheet"}
    assert not {k: v for k, v in differ.items() if k not in per_class}, differ
