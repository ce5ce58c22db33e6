"""The session store and the session's user, read in plain SQL: the same answers as Django's own."""

import datetime as dt
from importlib import import_module

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from zhurnal.accounts.backends import ActivationCodeBackend, PasswordBackend
from zhurnal.accounts.models import User
from zhurnal.accounts.sessions import SessionStore
from zhurnal.school.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_saved_session_reads_back_and_an_expired_one_is_empty():
    store = SessionStore()
    store["school"] = 7
    store.create()
    key = store.session_key
    assert SessionStore(key).load() == {"school": 7}
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    expired = SessionStore(key)
    assert expired.load() == {}
    assert expired.session_key is None  # a new key is issued on save, never the expired one again
    assert SessionStore("no-such-key-000000000000000000000").load() == {}


@pytest.mark.parametrize("backend", [PasswordBackend, ActivationCodeBackend])
def test_the_sessions_user_is_the_same_user_as_djangos_backend_reads(small_school, backend):
    user = small_school.users["teacher"]
    ours, django = backend().get_user(user.pk), ModelBackend().get_user(user.pk)
    assert ours.pk == django.pk
    assert all(getattr(ours, f.attname) == getattr(django, f.attname) for f in User._meta.concrete_fields)
    assert ours.password == django.password  # the session's hash is checked against it
    assert backend().get_user(10**9) is None
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert backend().get_user(user.pk) is None


def test_the_sessions_user_comes_with_his_schools(small_school, django_assert_num_queries):
    """Read in the user's round trip (one on PostgreSQL), the schools are what ``schools_of`` reads alone."""
    from zhurnal.school.roles import schools_of

    teacher = small_school.users["teacher"]
    with django_assert_num_queries(2):
        user = PasswordBackend().get_user(teacher.pk)
    with django_assert_num_queries(0):
        schools = schools_of(user)
    assert schools == schools_of(User.objects.get(pk=teacher.pk)) == [small_school.school]
    assert all(school.config_stamp for school in schools)


def test_a_logged_in_teacher_is_let_in_until_he_logs_out_or_his_password_changes(small_school):
    client = Client()
    assert client.post("/accounts/login/", {"username": "teacher", "password": PASSWORD}).status_code == 302
    assert client.get("/journal/").status_code == 200
    user = small_school.users["teacher"]
    user.set_password("another-long-passphrase-42")
    user.save()
    assert client.get("/journal/").status_code == 302  # the session's password hash no longer matches


def test_a_session_signed_in_before_the_password_backend_was_renamed_stays_signed_in(small_school):
    from types import SimpleNamespace

    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connection

    migration = import_module("zhurnal.accounts.migrations.0003_sessions_password_backend")
    user = small_school.users["teacher"]
    store = SessionStore()
    store.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: migration.OLD,
                  HASH_SESSION_KEY: user.get_session_auth_hash()})
    store.create()
    pending = SessionStore()
    pending[migration.PENDING_KEY] = {"user": user.pk, "backend": migration.OLD, "tries": 0}
    pending.create()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    assert client.get("/journal/").status_code == 302  # an unknown backend: Django signs the session out

    migration.rename(migration.OLD, migration.NEW)(apps, SimpleNamespace(connection=connection))

    assert client.get("/journal/").status_code == 200
    assert SessionStore(pending.session_key).load()[migration.PENDING_KEY]["backend"] == migration.NEW
