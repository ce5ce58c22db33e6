import datetime as dt
import random
from collections import defaultdict

import pytest

from zhurnal.school import services as school_services
from zhurnal.school.models import GroupKind, JournalKind
from zhurnal.school.testing import (
    class_group,
    make_assignment,
    make_class,
    make_school,
    make_staff,
    make_subject,
    make_year,
)
from zhurnal.timetable.demo import build_demo_timetable
from zhurnal.timetable.models import Lesson, Substitution, TimetableEntry

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)
HOURS = {"Русский язык": 5, "Литература": 3, "Математика": 5, "История": 2, "Биология": 1, "Физическая культура": 2,
         "Музыка": 1, "Изобразительное искусство": 1}


def small_demo_school():
    school = make_school("Демо-школа", slug="demo-timetable")
    year = make_year(school)
    subjects = {name: make_subject(school, name) for name in [*HOURS, "Английский язык", "ГПД"]}
    teachers = defaultdict(list)
    for name, count in [("Русский язык", 2), ("Математика", 2), ("Английский язык", 3), ("История", 1),
                        ("Биология", 1), ("Физическая культура", 1), ("Музыка", 1)]:
        teachers[name] = [make_staff(school, f"{name.split()[0][:6]}ова{n}", username=False) for n in range(count)]
    teachers["Литература"] = teachers["Русский язык"]
    teachers["Изобразительное искусство"] = teachers["Музыка"]
    for n, (grade, letter) in enumerate([(5, "А"), (5, "Б"), (6, "А"), (6, "Б")]):
        school_class = make_class(year, grade, letter)
        for subject, hours in HOURS.items():
            pool = teachers[subject]
            make_assignment(pool[n % len(pool)], subjects[subject], class_group(school_class), hours=str(hours))
        english = teachers["Английский язык"]
        for half in (1, 2):
            group = school_services.create_group(actor=None, year=year, name=f"{school_class.name} англ. {half}",
                                                 kind=GroupKind.SUBGROUP, school_class=school_class)
            make_assignment(english[(n + half) % 3], subjects["Английский язык"], group, hours="3")
    gpd = school_services.create_group(actor=None, year=year, name="ГПД", kind=GroupKind.CROSS,
                                       journal_kind=JournalKind.EXTENDED_DAY)
    make_assignment(make_staff(school, "Воспитателева", username=False), subjects["ГПД"], gpd, hours="10")
    return school, year, teachers


def test_demo_timetable_is_full_conflict_free_and_has_lessons_and_substitutions():
    school, year, teachers = small_demo_school()
    featured = teachers["Математика"][0]
    result = build_demo_timetable(school=school, year=year, today=TODAY, rng=random.Random(7),
                                  featured_teacher=featured)
    entries = list(TimetableEntry.objects.filter(year=year).select_related("assignment__group__school_class",
                                                                           "assignment__subject"))
    assert result.rows == len(entries) == 4 * (20 + 6) + 10
    per_class_day = defaultdict(set)
    for entry in entries:
        school_class = entry.assignment.group.school_class
        if school_class is not None:
            per_class_day[(school_class.pk, entry.weekday)].add(entry.number)
    assert all(4 <= len(numbers) <= 7 for numbers in per_class_day.values())
    assert len(per_class_day) == 4 * 5
    # The two English subgroups of a class learn at the same time, in two rooms.
    english = defaultdict(list)
    for entry in entries:
        if entry.assignment.group.kind == GroupKind.SUBGROUP:
            english[(entry.assignment.group.school_class_id, entry.weekday, entry.number)].append(entry.room_id)
    assert english and all(len(rooms) == 2 and rooms[0] != rooms[1] for rooms in english.values())
    # Lessons from 1 September, none in the autumn vacation.
    assert Lesson.objects.filter(school=school, date=dt.date(2026, 9, 1)).exists()
    assert not Lesson.objects.filter(school=school, date__range=(dt.date(2026, 10, 26), dt.date(2026, 11, 4))).exists()
    assert result.lessons == Lesson.objects.filter(school=school).count() > 3000
    # A few substitutions in the weeks before today, and the featured teacher takes one from today on.
    subs = list(Substitution.objects.filter(school=school))
    assert len(subs) == len(result.substitutions) >= 3
    assert any(s.date < TODAY for s in subs)
    assert any(s.substitute == featured and s.date >= TODAY for s in subs)


def test_demo_timetable_is_the_same_for_the_same_seed():
    school, year, _ = small_demo_school()
    build_demo_timetable(school=school, year=year, today=TODAY, rng=random.Random(3))
    first = sorted(TimetableEntry.objects.values_list("assignment_id", "weekday", "number", "room__name"))
    TimetableEntry.objects.all().update(valid_to=dt.date(2026, 9, 1))
    from zhurnal.school.models import TeachingAssignment
    from zhurnal.timetable.demo import _schedule_week

    again = _schedule_week(list(TeachingAssignment.objects.filter(year=year).select_related(
        "teacher", "subject", "group__school_class").order_by("pk")), random.Random(3))
    assert sorted((a.pk, day, number) for a, day, number in again) == sorted(row[:3] for row in first)
