"""The demo's plans: every group has one with the right hours, past lessons follow it, a few groups lag."""

import datetime as dt
import random

import pytest

from zhurnal.audit.models import AuditEntry
from zhurnal.planning import services
from zhurnal.planning.demo import build_demo_plans, demo_items
from zhurnal.planning.exchange import SectionItem, TopicItem
from zhurnal.planning.selectors import coverage_for_assignments
from zhurnal.school.models import TeachingAssignment
from zhurnal.timetable.models import Lesson

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 10, 5)


def test_every_assignment_gets_a_plan_and_its_past_lessons_follow_it_with_a_few_lagging(ktp):
    report = build_demo_plans(school=ktp.school, year=ktp.year, today=TODAY, rng=random.Random(7))
    assignments = list(TeachingAssignment.objects.filter(year=ktp.year))
    assert report.plans + report.shared == len(assignments)
    assert len(report.lagging) == 2
    for assignment in assignments:
        plan = services.plan_of(assignment)
        topics = list(plan.topics.all())
        assert sum(t.hours for t in topics) == int(assignment.hours_per_week * 34)
        assert any(t.control for t in topics)
        past = Lesson.objects.filter(assignment=assignment, cancelled=False, date__lte=TODAY).order_by("date", "number")
        recorded = [lesson.topic for lesson in past]
        if assignment.pk in report.lagging:
            assert recorded[-1] == "" and recorded[0] != ""
            assert 2 <= recorded.count("") <= 5
            assert coverage_for_assignments([assignment.pk], TODAY)[assignment.pk].status == "behind"
        else:
            assert all(recorded)
            assert coverage_for_assignments([assignment.pk], TODAY)[assignment.pk].status == "on_track"
        titles = {t.title for t in topics}
        assert set(recorded) - {""} <= titles
        assert not Lesson.objects.filter(assignment=assignment, date__gt=TODAY).exclude(topic="").exists()
    entry = AuditEntry.objects.filter(verb="lesson.topic_from_plan").first()
    assert entry.actor is not None


def test_demo_topics_are_real_subject_topics_with_control_works_and_exact_hours():
    items = demo_items("Математика", 5, 170, random.Random(1), with_marks=True)
    topics = [i for i in items if isinstance(i, TopicItem)]
    assert sum(t.hours for t in topics) == 170
    titles = [t.title for t in topics]
    assert "Сложение и вычитание натуральных чисел" in titles
    assert "Контрольная работа № 1 по теме «Натуральные числа и нуль»" in titles
    assert items[0] == SectionItem("Натуральные числа и нуль")
    assert all(t.homework for t in topics if not t.control)
    assert demo_items("Математика", 5, 170, random.Random(1), with_marks=True) == items


@pytest.mark.parametrize("subject, grade, hours, with_marks", [
    ("Музыка", 3, 34, True), ("Группа продлённого дня", None, 850, False), ("Шахматы", None, 34, False),
    ("Физическая культура", 1, 66, True), ("Неизвестный курс", 7, 17, True), ("Химия", 8, 68, True),
])
def test_demo_plans_fit_any_hours(subject, grade, hours, with_marks):
    items = demo_items(subject, grade, hours, random.Random(3), with_marks=with_marks)
    topics = [i for i in items if isinstance(i, TopicItem)]
    assert sum(t.hours for t in topics) == hours
    assert all(1 <= t.hours <= 100 for t in topics)
    assert bool(any(t.control for t in topics)) == (with_marks and grade != 1)
    assert not services.validate_items(items)
