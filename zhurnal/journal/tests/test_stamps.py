"""The per-school cache (stamps.py): roles, rules and periods are read once per change, and a change — made here,
by another process or rolled back — is never hidden by it. Access depends on it, so each way a person loses a
role is checked on the very next request."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhurnal.core import stamps
from zhurnal.journal.policies import policy_for
from zhurnal.journal.services import ensure_journal_setup
from zhurnal.school import services
from zhurnal.school.models import GuardianLink, School, StaffMember, StaffPosition, TeachingAssignment
from zhurnal.school.roles import cached_roles_in, roles_in
from zhurnal.school.testing import build_small_school, page_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def small():
    return build_small_school()


def diary_url(small) -> str:
    return reverse("diary:week", args=[small.students["student"].pk])


def fresh(school: School) -> School:
    """The school as the next request loads it."""
    return School.objects.get(pk=school.pk)


def tables_read(queries) -> str:
    return " ".join(q["sql"] for q in queries.captured_queries)


def test_roles_are_read_once_then_served_from_the_cache(client, small):
    client.force_login(small.users["teacher"])
    url = reverse("school:class_list")
    _, response = page_queries(client, url)
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    sql = tables_read(queries)
    assert '"school_staffposition"."staff_id" =' not in sql  # the roles' own queries
    assert '"school_guardian"."user_id" =' not in sql


def test_a_guardian_unlinked_from_a_child_loses_the_diary_on_the_next_request(client, small):
    client.force_login(small.users["guardian"])
    assert client.get(diary_url(small)).status_code == 200
    services.unlink_guardian(actor=None, link=GuardianLink.objects.get(guardian__user=small.users["guardian"]))
    assert client.get(diary_url(small)).status_code == 404


def test_a_deactivated_teacher_loses_the_school_on_the_next_request(client, small):
    client.force_login(small.users["teacher"])
    assert client.get(reverse("school:class_list")).status_code == 200
    services.deactivate_staff(actor=None, staff=small.staff["teacher"])
    assert client.get(reverse("school:class_list")).status_code in (302, 404)


def test_positions_written_in_bulk_still_change_roles(client, small):
    """save_staff writes positions with bulk_create (no signal): it bumps the stamp itself."""
    teacher = small.staff["teacher"]
    client.force_login(small.users["teacher"])
    assert client.get(reverse("journal:control")).status_code == 403
    services.save_staff(actor=None, school=small.school, staff=teacher, last_name=teacher.last_name,
                        first_name=teacher.first_name, positions=["teacher", "deputy"])
    assert client.get(reverse("journal:control")).status_code == 200


def test_a_change_by_another_process_is_seen_through_the_stamp_in_the_database(small):
    """Another app server's change reaches this process only through the school row: no signal fires here."""
    user = small.users["teacher"]
    school = fresh(small.school)
    assert cached_roles_in(user, school).staff is not None
    StaffMember.objects.filter(user=user, school=small.school).update(is_active=False)  # no signal
    assert cached_roles_in(user, fresh(small.school)).staff is not None  # stamp unchanged: still cached
    School.objects.filter(pk=small.school.pk).update(config_stamp=stamps.new_stamp())  # what bump() writes
    assert cached_roles_in(user, fresh(small.school)).staff is None


def test_a_rolled_back_change_leaves_the_cache_and_the_stamp_as_they_were(small):
    user = small.users["teacher"]
    before = fresh(small.school).config_stamp
    with pytest.raises(RuntimeError), transaction.atomic():
        StaffPosition.objects.filter(staff__user=user).delete()
        raise RuntimeError
    school = fresh(small.school)
    assert school.config_stamp == before
    assert cached_roles_in(user, school).roles == roles_in(user, school).roles


def test_cached_roles_equal_computed_roles_for_every_persona(small):
    school = fresh(small.school)
    for user in small.users.values():
        assert cached_roles_in(user, school) == roles_in(user, school)
        assert cached_roles_in(user, school).school is school


def test_new_rules_are_read_at_once_even_through_an_instance_loaded_before(small):
    ensure_journal_setup(school=small.school)
    school = fresh(small.school)
    day = dt.date(2026, 10, 1)
    assert policy_for(school, day).threshold_5 == Decimal("4.5")
    from zhurnal.journal.models import GradingPolicy

    GradingPolicy.objects.create(school_id=school.pk, valid_from=dt.date(2026, 9, 15), threshold_5=Decimal("4.6"))
    assert policy_for(school, day).threshold_5 == Decimal("4.6")  # same instance, old stamp: the generation moved
    assert policy_for(fresh(small.school), day).threshold_5 == Decimal("4.6")


@pytest.mark.django_db(transaction=True)
def test_every_watched_change_replaces_the_stamp_when_it_commits():
    small = build_small_school()
    before = fresh(small.school).config_stamp
    with transaction.atomic():
        TeachingAssignment.objects.filter(school=small.school).first().save()
        assert fresh(small.school).config_stamp == before  # not before the commit
    assert fresh(small.school).config_stamp != before


@pytest.mark.django_db(transaction=True)
def test_a_transaction_of_many_changes_writes_the_stamp_once():
    """An import of many pupils rewrites the school row once, not once per pupil."""
    small = build_small_school()
    student, teacher = small.students["student"], small.staff["teacher"]
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        for n in range(5):
            student.first_name = f"Имя{n}"
            student.save()
        services.save_staff(actor=None, school=small.school, staff=teacher, last_name=teacher.last_name,
                            first_name="Новое", positions=["teacher", "deputy"])
    assert sum('UPDATE "school_school"' in q["sql"] for q in queries.captured_queries) == 1
    stamp = fresh(small.school).config_stamp
    with transaction.atomic():
        student.save()
    assert fresh(small.school).config_stamp != stamp  # and the next transaction writes its own


def test_a_cached_row_is_read_once_and_a_change_to_it_or_its_related_rows_is_seen_next_time(small):
    from zhurnal.school.selectors import assignment_of
    from zhurnal.school.testing import make_staff, make_subject

    assignment = TeachingAssignment.objects.get(teacher=small.staff["teacher"])
    assert assignment_of(fresh(small.school), assignment.pk).subject.name == "Математика"
    with CaptureQueriesContext(connection) as queries:
        cached = assignment_of(fresh(small.school), assignment.pk)
    assert len(queries) == 1  # the school row only
    assert (cached.group.school_class, cached.teacher, cached.year) == (small.class_5a, small.staff["teacher"],
                                                                        small.year)
    services.save_subject(actor=None, school=small.school, subject=small.math, name="Алгебра")
    assert assignment_of(fresh(small.school), assignment.pk).subject.name == "Алгебра"
    newcomer = make_staff(small.school, "Новикова")
    services.save_assignment(actor=None, year=small.year, teacher=newcomer, subject=make_subject(small.school, "Химия"),
                             group=assignment.group, assignment=assignment)
    changed = assignment_of(fresh(small.school), assignment.pk)
    assert (changed.teacher, changed.subject.name) == (newcomer, "Химия")
    student = small.students["student"]
    services.save_student(actor=None, school=small.school, student=student, last_name="Иваненко")
    assert stamps.cached_row(fresh(small.school), type(student), student.pk).last_name == "Иваненко"


def test_a_cached_row_is_only_of_its_school_and_only_of_watched_models(small):
    from zhurnal.journal.models import Mark
    from zhurnal.school.models import Enrollment, Student

    other = small.other_school_student
    assert stamps.cached_row(fresh(small.school), Student, other.pk) is None
    school = fresh(small.school)
    with CaptureQueriesContext(connection) as queries:
        assert stamps.cached_row(school, Student, other.pk) is None  # a miss is not remembered: ids are guessable
    assert len(queries) == 1
    assert stamps.cached_row(fresh(small.other_school), Student, other.pk) == other
    with pytest.raises(ValueError, match="not watched"):
        stamps.cached_row(small.school, Mark, 1)
    with pytest.raises(ValueError, match="not watched"):
        stamps.cached_row(small.school, Student, 1, "user")  # a related model that is not watched
    with pytest.raises(ValueError, match="not watched"):
        stamps.cached_row(small.school, Enrollment, 1)
