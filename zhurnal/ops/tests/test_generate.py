"""``zhurnal generate``: counts, realistic density, integrity of the bulk-written rows, and the app reading them."""

import datetime as dt
import uuid
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef

from zhurnal.diary import selectors as diary_selectors
from zhurnal.journal import selectors as journal_selectors
from zhurnal.journal import services as journal_services
from zhurnal.journal.models import Attendance, LessonRecord, Mark
from zhurnal.ops.generate import GENERATED_PASSWORD, class_counts, weekly_slots
from zhurnal.school import services as school_services
from zhurnal.school.models import (
    Enrollment,
    Group,
    GroupKind,
    GroupMembership,
    GuardianLink,
    School,
    SchoolClass,
    Student,
    Subject,
    TeachingAssignment,
)
from zhurnal.school.selectors import periods_for_grade
from zhurnal.timetable.models import Lesson, TimetableEntry

UNTIL = dt.date(2026, 10, 16)  # a Friday of the first quarter of 2026/2027
SCHOOL_DAYS = sum(1 for n in range(46) if (dt.date(2026, 9, 1) + dt.timedelta(days=n)).isoweekday() <= 5)


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """Two schools of sixty, generated once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("generate", schools=2, students_per_school=60, until=UNTIL, seed=3, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def region(generated, db):
    return generated


def test_generate_reports_its_rate_and_makes_two_schools_of_sixty(region):
    assert "строк/с" in region
    assert "[2/2] region-002" in region
    schools = School.objects.filter(slug__startswith="region-").order_by("slug")
    assert [s.slug for s in schools] == ["region-001", "region-002"]
    for school in schools:
        assert Student.objects.filter(school=school).count() == 60
        assert Enrollment.objects.filter(school=school).count() == 60
        grades = set(SchoolClass.objects.filter(school=school).values_list("grade", flat=True))
        assert grades == set(range(1, 12))
        # Every class has its whole-class group; every pupil one or two guardians with a login.
        assert Group.objects.filter(school=school, kind=GroupKind.CLASS).count() == len(grades)
        per_student = Counter(GuardianLink.objects.filter(school=school).values_list("student_id", flat=True))
        assert set(per_student.values()) <= {1, 2} and len(per_student) == 60


def test_generated_logins_work_with_the_published_password(region):
    pupil = Student.objects.filter(school__slug="region-001").select_related("user").first()
    assert pupil.user.is_active and pupil.user.check_password(GENERATED_PASSWORD)


def test_marks_have_a_realistic_density_and_respect_the_rules(region):
    school = School.objects.get(slug="region-001")
    marks = Mark.objects.filter(school=school)
    graded_pupils = Student.objects.filter(school=school, enrollments__school_class__grade__gte=2).count()
    per_day = marks.count() / graded_pupils / SCHOOL_DAYS
    assert 3.0 <= per_day <= 5.0
    # First-formers and subjects without marks get none; nothing after the date; nobody marked while away.
    assert not marks.filter(lesson__assignment__group__school_class__grade=1).exists()
    assert not marks.filter(lesson__assignment__subject__without_marks=True).exists()
    assert not marks.filter(lesson__date__gt=UNTIL).exists()
    assert not Attendance.objects.filter(school=school, lesson__date__gt=UNTIL).exists()
    away = Attendance.objects.filter(school=school, code__in=["н", "б", "уп"]).values_list("lesson_id", "student_id")
    assert not set(away) & set(marks.values_list("lesson_id", "student_id"))
    assert Attendance.objects.filter(school=school).count() > 0
    assert LessonRecord.objects.filter(school=school, control_type__is_control=True).exists()
    values = Counter(marks.values_list("value", flat=True))
    assert values.most_common(1)[0][0] == "4" and set(values) <= {"2", "3", "4", "5"}


def test_rows_refer_to_rows_of_the_same_school(region):
    """PostgreSQL loads with reference checks off: check every reference here, on both databases."""
    marks = Mark.objects.count()
    assert marks > 0
    assert Mark.objects.filter(lesson__school_id=F("school_id"), student__school_id=F("school_id"),
                               work_type__school_id=F("school_id")).count() == marks
    attendance = Attendance.objects.count()
    assert Attendance.objects.filter(lesson__school_id=F("school_id"),
                                     student__school_id=F("school_id")).count() == attendance
    lessons = Lesson.objects.count()
    assert Lesson.objects.filter(assignment__school_id=F("school_id"), entry__assignment_id=F("assignment_id"),
                                 actual_teacher_id=F("assignment__teacher_id")).count() == lessons
    assignments = TeachingAssignment.objects.count()
    assert TeachingAssignment.objects.filter(group__school_id=F("school_id"), teacher__school_id=F("school_id"),
                                             subject__school_id=F("school_id")).count() == assignments
    in_own_class = Exists(Enrollment.objects.filter(student_id=OuterRef("student_id"),
                                                    school_class_id=OuterRef("group__school_class_id")))
    assert GroupMembership.objects.filter(in_own_class).count() == GroupMembership.objects.count()


def test_the_timetable_has_no_clashes_and_lessons_follow_it(region):
    for school in School.objects.filter(slug__startswith="region-"):
        entries = TimetableEntry.objects.filter(school=school)
        by_teacher = entries.values("assignment__teacher", "weekday", "number").annotate(n=Count("id"))
        assert max(row["n"] for row in by_teacher) == 1
        by_room = entries.values("room", "weekday", "number").annotate(n=Count("id"))
        assert max(row["n"] for row in by_room) == 1
        by_class = entries.filter(assignment__group__kind=GroupKind.CLASS).values(
            "assignment__group", "weekday", "number").annotate(n=Count("id"))
        assert max(row["n"] for row in by_class) == 1
        # Lessons exist for the whole year, none in the autumn vacation.
        assert Lesson.objects.filter(school=school, date__gt=dt.date(2027, 5, 1)).exists()
        assert not Lesson.objects.filter(school=school, date__range=(dt.date(2026, 10, 26),
                                                                     dt.date(2026, 11, 4))).exists()


def test_the_services_work_on_after_generation(region):
    """Sequences were reset: new rows through the services do not collide with the generated keys."""
    school = School.objects.get(slug="region-002")
    subject = school_services.save_subject(actor=None, school=school, name="Астрономия")
    assert subject.pk > Subject.objects.exclude(pk=subject.pk).order_by("-pk").first().pk
    assignment = TeachingAssignment.objects.filter(school=school, group__kind=GroupKind.CLASS,
                                                   group__school_class__grade=7).select_related("teacher__user").first()
    lesson = Lesson.objects.filter(assignment=assignment, date__lte=UNTIL).order_by("-date").first()
    student = Student.objects.filter(enrollments__school_class=assignment.group.school_class).first()
    Mark.objects.filter(lesson=lesson, student=student).delete()
    Attendance.objects.filter(lesson=lesson, student=student).delete()
    result = journal_services.save_cell(actor=assignment.teacher.user, lesson=lesson, student=student, text="5",
                                        key=uuid.uuid4(), today=UNTIL)
    assert result.changed
    assert Mark.objects.filter(lesson=lesson, student=student).get().value == "5"


def test_journal_grid_and_diary_read_generated_data(region, client):
    school_class = SchoolClass.objects.get(school__slug="region-001", grade=5)
    assignment = TeachingAssignment.objects.select_related("group__school_class", "subject", "teacher__user").get(
        group__school_class=school_class, group__kind=GroupKind.CLASS, subject__name="Математика")
    periods = list(periods_for_grade(school_class.year, 5))
    period = periods[0]
    grid = journal_selectors.journal_grid(assignment, period, periods=periods, grade=5, today=UNTIL)
    pupils = Student.objects.filter(enrollments__school_class=school_class).count()
    assert len(grid.rows) == pupils
    marked = Mark.objects.filter(lesson__assignment=assignment).count()
    assert marked > 0

    client.force_login(assignment.teacher.user)
    page = client.get(f"/journal/assignments/{assignment.pk}/?period={period.pk}")
    assert page.status_code == 200
    some = Mark.objects.filter(lesson__assignment=assignment).select_related("student").first()
    assert some.student.last_name in page.content.decode()

    link = GuardianLink.objects.filter(student__enrollments__school_class=school_class).select_related(
        "guardian__user", "student").first()
    week = diary_selectors.diary_week(link.student, UNTIL, today=UNTIL, user_id=None)
    lessons = [item for day in week.span.days for item in day.lessons]
    assert lessons and any(item.marks for item in lessons)
    client.force_login(link.guardian.user)
    diary = client.get(f"/diary/{link.student_id}/week/?date={UNTIL:%Y-%m-%d}")
    assert diary.status_code == 200
    assert "Математика" in diary.content.decode()
    subject = client.get(f"/diary/{link.student_id}/subject/{assignment.subject_id}/?period={period.pk}")
    assert subject.status_code == 200


def test_generate_numbers_on_after_existing_generated_schools(region):
    out = StringIO()
    call_command("generate", schools=1, students_per_school=22, until=UNTIL, stdout=out)
    assert School.objects.filter(slug="region-003").exists()
    assert get_user_model().objects.filter(username="region-003-s22").exists()


def test_generate_refuses_nonsense(db):
    before = School.objects.count()
    with pytest.raises(CommandError, match="хотя бы одна школа"):
        call_command("generate", schools=0, stdout=StringIO())
    with pytest.raises(CommandError, match="не меньше 11"):
        call_command("generate", schools=1, students_per_school=5, stdout=StringIO())
    with pytest.raises(CommandError, match="не распознана"):
        call_command("generate", "--schools", "1", "--until", "завтра", stdout=StringIO())
    assert School.objects.count() == before


def test_class_sizes_add_up_and_stay_near_twenty_five():
    for students in (11, 60, 600, 1100):
        counts = class_counts(students)
        assert sum(sum(sizes) for sizes in counts.values()) == students
        assert set(counts) == set(range(1, 12))
    assert all(20 <= size <= 30 for sizes in class_counts(600).values() for size in sizes)


def test_weekly_slots_place_every_hour_once_without_gaps():
    import random

    hours = {"rus": 5, "math": 5, "lit": 3, "eng": 3, "pe": 2, "hist": 2, "bio": 1, "geo": 1, "music": 1, "art": 1,
             "tech": 2}
    slots = weekly_slots(hours, random.Random(1))
    assert {k: len(v) for k, v in slots.items()} == hours
    taken = [slot for subject_slots in slots.values() for slot in subject_slots]
    assert len(taken) == len(set(taken)) == sum(hours.values())
    for day in range(1, 6):
        numbers = sorted(n for d, n in taken if d == day)
        assert numbers == list(range(1, len(numbers) + 1))
