"""The weekly count of logins per role that feeds the user-activity report."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhurnal.accounts import services
from zhurnal.accounts.models import LoginEvent
from zhurnal.school.access import selectors
from zhurnal.school.roles import Role
from zhurnal.school.testing import make_guardian, make_student

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
MONDAY = dt.date(2026, 11, 16)


def logged_in(user, when: dt.datetime, succeeded: bool = True) -> None:
    event = services.record_login_event(user=user, username=user.username, kind="password", succeeded=succeeded)
    LoginEvent.objects.filter(pk=event.pk).update(at=when)


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 0, tzinfo=MOSCOW)


def test_weekly_logins_by_role_counts_logins_and_people(small_school):
    users = small_school.users
    logged_in(users["teacher"], at(16, 8))
    logged_in(users["teacher"], at(20, 15))
    logged_in(users["class_teacher"], at(17, 9))  # a class teacher who also teaches counts under both roles
    logged_in(users["guardian"], at(18, 19))
    logged_in(users["other_guardian"], at(22, 23))  # Sunday 23:00 in Moscow: still this week
    logged_in(users["student"], at(23, 0))  # next Monday 00:00: next week
    logged_in(users["student"], at(15, 23))  # the Sunday before
    logged_in(users["director"], at(19, 10), succeeded=False)  # failures are not logins
    logged_in(users["other_school_admin"], at(19, 10))  # another school's people do not count

    week = selectors.weekly_logins_by_role(small_school.school, MONDAY)

    assert set(week) == set(Role.LABELS)
    assert week[Role.TEACHER] == (3, 2)
    assert week[Role.CLASS_TEACHER] == (1, 1)
    assert week[Role.GUARDIAN] == (2, 2)
    assert week[Role.STUDENT] == (0, 0)
    assert week[Role.DIRECTOR] == (0, 0)
    assert week[Role.JOURNAL_ADMIN] == (0, 0)


def test_weekly_logins_make_constant_queries(small_school):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            selectors.weekly_logins_by_role(small_school.school, MONDAY)
        return len(ctx.captured_queries)

    small = count()
    for _ in range(30):
        student = make_student(small_school.class_5a)
        guardian = make_guardian(student, username=f"g{student.pk}")
        logged_in(guardian.user, at(17, 12))
    assert count() == small
