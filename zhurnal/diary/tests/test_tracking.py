"""Diary views are counted per person and day; the class teacher and the deputy see who checks the diary at least
twice a week. The marks feed shows what is new since the person's last visit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhurnal.diary import selectors
from zhurnal.diary.models import DiaryView
from zhurnal.journal import services as journal
from zhurnal.school import services as school_services
from zhurnal.timetable.calendar import monday_of

from .conftest import put_cell, school_days_before

pytestmark = pytest.mark.django_db


def test_each_view_by_a_guardian_or_the_student_is_counted_per_day(diary, login):
    s = diary
    student = s.students["student"]
    guardian_id = student.guardian_links.get().guardian_id
    family = login("guardian")
    family.get(f"/diary/{student.pk}/week/")
    family.get(f"/diary/{student.pk}/marks/")
    family.get(f"/diary/{student.pk}/finals/")
    assert DiaryView.objects.get(guardian_id=guardian_id, date=s.today).count == 3
    login("student").get(f"/diary/{student.pk}/week/")
    assert DiaryView.objects.get(student=student, date=s.today).count == 1
    login("class_teacher").get(f"/diary/{student.pk}/week/")
    login("deputy").get(f"/diary/{student.pk}/week/")
    assert DiaryView.objects.count() == 2


def test_counting_a_view_is_one_statement_after_the_first_of_the_day(diary):
    from zhurnal.diary.services import count_diary_view

    s = diary
    student = s.students["student"]
    count_diary_view(student=student, guardian_id=None, viewer_is_student=True, on=s.today)
    with CaptureQueriesContext(connection) as ctx:
        count_diary_view(student=student, guardian_id=None, viewer_is_student=True, on=s.today)
    assert len(ctx.captured_queries) == 1
    assert DiaryView.objects.get(student=student).count == 2


def test_class_teacher_sees_who_checked_at_least_twice_this_week(diary, login):
    s = diary
    student = s.students["student"]
    guardian = student.guardian_links.get().guardian
    monday = monday_of(s.today)
    DiaryView.objects.create(school=s.school, guardian=guardian, date=monday, count=1)
    DiaryView.objects.create(school=s.school, guardian=guardian, date=monday + dt.timedelta(days=2), count=1)
    DiaryView.objects.create(school=s.school, student=student, date=monday, count=1)
    DiaryView.objects.create(school=s.school, guardian=guardian, date=monday - dt.timedelta(days=7), count=5)

    activity = selectors.class_week_activity(s.class_5a, monday)
    row = next(r for r in activity.rows if r.student.pk == student.pk)
    assert row.family_checks and row.guardians[0].views == 2 and row.views == 1
    assert [seen for _, seen in row.guardians[0].days] == [True, False, True, False, False, False, False]
    assert activity.families_checking == 1 and activity.students_checking == 0
    last_week = selectors.class_week_activity(s.class_5a, monday - dt.timedelta(days=7))
    assert next(r for r in last_week.rows if r.student.pk == student.pk).guardians[0].views == 5

    page = login("class_teacher").get(f"/diary/classes/{s.class_5a.pk}/?date={monday:%Y-%m-%d}").content.decode()
    assert "Проверяют: 1 из 3 семей" in page


def test_deputy_sees_the_school_table(diary, login):
    s = diary
    student = s.students["student"]
    guardian = student.guardian_links.get().guardian
    monday = monday_of(s.today)
    DiaryView.objects.create(school=s.school, guardian=guardian, date=monday, count=2)
    other = s.students["other_student"]
    other_link = other.guardian_links.get()
    school_services.link_guardian(actor=None, student=other, guardian=other_link.guardian, relation="мать",
                                  info_channel="paper")
    rows = {r.school_class.name: r for r in selectors.school_week_activity(s.year, monday)}
    assert rows["5А"].families == 1 and rows["5А"].families_checking == 1 and rows["5А"].students == 3
    assert rows["5Б"].families == 0 and rows["5Б"].paper == 1
    page = login("deputy").get(f"/diary/activity/?date={monday:%Y-%m-%d}").content.decode()
    assert 'id="school-activity"' in page and "5А" in page and "5Б" in page


def test_activity_tables_make_constant_queries(diary):
    s = diary
    monday = monday_of(s.today)
    with CaptureQueriesContext(connection) as few:
        selectors.class_week_activity(s.class_5a, monday)
        selectors.school_week_activity(s.year, monday)
    for student in s.class_5a.enrollments.all():
        DiaryView.objects.create(school=s.school, student=student.student, date=monday, count=3)
    with CaptureQueriesContext(connection) as many:
        selectors.class_week_activity(s.class_5a, monday)
        selectors.school_week_activity(s.year, monday)
    assert len(few.captured_queries) == len(many.captured_queries) == 7


def test_marks_feed_shows_what_is_new_since_the_last_visit(diary, login):
    s = diary
    student = s.students["student"]
    first, second, third = school_days_before(s, 3)
    put_cell(s, first, student, "4")
    client = login("guardian")
    page = client.get(f"/diary/{student.pk}/week/").content.decode()
    assert "Новые отметки: 1" in page
    feed = client.get(f"/diary/{student.pk}/marks/").content.decode()
    new_part = feed.split('id="feed-new"')[1].split('id="feed-earlier"')[0]
    assert ">4<" in new_part
    assert "Новые отметки" not in client.get(f"/diary/{student.pk}/week/").content.decode()

    put_cell(s, second, student, "5")
    put_cell(s, first, student, "3")  # a corrected mark is news as well
    feed = client.get(f"/diary/{student.pk}/marks/").content.decode()
    new_part, earlier = feed.split('id="feed-new"')[1].split('id="feed-earlier"')
    assert ">5<" in new_part and ">3<" in new_part and ">4<" not in feed
    assert "Новых отметок нет" not in new_part
    again = client.get(f"/diary/{student.pk}/marks/").content.decode()
    assert "Новых отметок нет" in again
    # The student's own "last visit" is his own.
    assert "Новые отметки: 2" in login("student").get(f"/diary/{student.pk}/week/").content.decode()


def test_feed_lists_marks_with_subject_work_type_and_comment(diary, login):
    s = diary
    student = s.students["student"]
    [lesson] = school_days_before(s, 1)
    put_cell(s, lesson, student, "5")
    mark = lesson.marks.get(student=student)
    journal.update_mark(actor=s.users["teacher"], mark=mark, work_type=mark.work_type, comment="Молодец",
                        today=lesson.date)
    feed = login("guardian").get(f"/diary/{student.pk}/marks/").content.decode()
    assert "Математика" in feed and "Ответ на уроке" in feed and "Молодец" in feed
