"""The demo journal: realistic marks and attendance, the first period closed with final marks, corrections."""

import datetime as dt
import random

import pytest

from zhurnal.audit.models import AuditEntry
from zhurnal.journal.demo import average_marks_per_student_day, build_demo_journal
from zhurnal.journal.models import Attendance, FinalMark, LessonRecord, Mark, PeriodReopening
from zhurnal.school.testing import make_student
from zhurnal.timetable.models import Lesson
from zhurnal.timetable.testing import put

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)  # the first quarter ended on 25 October and closed on 31 October


def test_the_demo_fills_the_journal_from_september_to_today(small_school):
    school = small_school
    for _ in range(17):
        make_student(school.class_5a)  # twenty in 5А
    maths = school.class_5a.groups.get(kind="class").assignments.get(subject=school.math)
    russian = school.class_5a.groups.get(kind="class").assignments.get(subject=school.russian)
    for weekday in range(1, 6):
        put(maths, weekday, 1)
        put(russian, weekday, 2)
    report = build_demo_journal(school=school.school, year=school.year, today=TODAY, rng=random.Random(3))

    lessons = Lesson.objects.filter(school=school.school, date__lte=TODAY, assignment__in=[maths, russian])
    assert not Mark.objects.filter(lesson__date__gt=TODAY).exists()
    # About two marks a day per student over two lessons; absences about five to eight per cent.
    cells = sum(1 for _ in lessons.filter(assignment=maths)) * 20 * 2
    assert 0.5 < report.marks / cells < 0.8
    assert 0.03 < report.absences / cells < 0.09
    assert Attendance.objects.filter(code="б").exists() and Attendance.objects.filter(code="уп").exists()
    # Students differ: the best average is well above the weakest.
    averages = {}
    for student_id, value in Mark.objects.filter(lesson__assignment=maths).values_list("student_id", "value"):
        averages.setdefault(student_id, []).append(int(value))
    means = sorted(sum(v) / len(v) for v in averages.values())
    assert means[-1] - means[0] > 0.8
    # Past lessons have topics, homework mostly; control works are marked as such.
    past = lessons.filter(date__lt=TODAY)
    assert past.exclude(topic="").count() > 0.9 * past.count()
    assert past.exclude(homework="").count() > 0.8 * past.count()
    assert LessonRecord.objects.filter(control_type__is_control=True).exists()
    # The first quarter is closed with final marks; a couple differ from the suggestion, with reasons.
    finals = FinalMark.objects.filter(period__number=1)
    assert finals.count() == report.final_marks > 30
    assert all(f.reason for f in finals.filter(flagged=True))
    assert not FinalMark.objects.filter(period__number=2).exists()
    # Corrections in the reopened quarter are in the audit log with their reasons.
    assert PeriodReopening.objects.count() == 1
    late = AuditEntry.objects.filter(verb="journal.cell", after__late=True)
    assert late.count() == report.corrections == 2
    assert all(entry.reason for entry in late)
    assert average_marks_per_student_day(school.school) > 0


def test_the_demo_gives_grade_one_attendance_and_topics_but_no_marks(small_school):
    from zhurnal.school.testing import class_group, make_assignment, make_class, make_subject

    school = small_school
    first_grade = make_class(school.year, 1, "А")
    for _ in range(15):
        make_student(first_grade)
    assignment = make_assignment(school.staff["teacher"], make_subject(school.school, "Окружающий мир"),
                                 class_group(first_grade))
    for weekday in range(1, 6):
        put(assignment, weekday, 3)
    build_demo_journal(school=school.school, year=school.year, today=TODAY, rng=random.Random(7))
    lessons = Lesson.objects.filter(assignment=assignment, date__lt=TODAY)
    assert not Mark.objects.filter(lesson__assignment=assignment).exists()
    assert Attendance.objects.filter(lesson__assignment=assignment).exists()
    assert lessons.exclude(topic="").exists() and not lessons.exclude(homework="").exists()
    assert not FinalMark.objects.filter(assignment=assignment).exists()
