"""``core.sql.model_rows`` builds the same instances as the ORM — dates, datetimes, booleans, decimals and JSON
included, on SQLite (which returns text and integers) as on PostgreSQL — and ``insert_rows`` and ``update_row``
write what the ORM's ``save`` would, also in a ``pipeline``."""

import uuid

import pytest
from django.utils import timezone

from zhurnal.accounts.models import User
from zhurnal.audit.models import AuditEntry
from zhurnal.core.models import WriteKey
from zhurnal.core.sql import (
    columns,
    fetch,
    fetch_together,
    insert_rows,
    model_rows,
    pipeline,
    table,
    update_row,
)
from zhurnal.journal.models import GradingPolicy, Mark, WorkType
from zhurnal.school.models import School
from zhurnal.timetable.models import Lesson

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [User, School, GradingPolicy, Lesson, Mark])
def test_plain_rows_are_the_orms_instances(journal, model):
    if model is Mark:
        Mark.objects.create(school=journal.school.school, lesson=journal.lessons[0], value="4", modifier="+",
                            student=journal.school.students["student"], comment="у доски",
                            work_type=WorkType.objects.filter(school=journal.school.school).first())
    expected = list(model.objects.order_by("pk"))
    assert expected, model
    got = model_rows(model, fetch(f"SELECT {columns(model)} FROM {table(model)} ORDER BY id", []))  # noqa: S608
    fields = [f.attname for f in model._meta.concrete_fields]
    assert [[getattr(row, name) for name in fields] for row in got] == \
        [[getattr(row, name) for name in fields] for row in expected]


def test_some_fields_and_unknown_ones(small_school):
    fields = ["created_at", "id"]  # in any order: the select list and the rows follow the model's
    got = model_rows(School, fetch(f"SELECT {columns(School, fields)} FROM {table(School)} ORDER BY id", []),  # noqa: S608
                     fields)
    assert [(s.pk, s.created_at) for s in got] == list(School.objects.order_by("id").values_list("id", "created_at"))
    with pytest.raises(ValueError):
        columns(School, ["id", "no_such_field"])


def _values(row, skip=("id", "created_at", "updated_at")):
    return {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields if f.attname not in skip}


def test_plain_inserts_write_what_the_orm_writes(small_school):
    school, actor = small_school.school, small_school.users["teacher"]
    before = timezone.now()
    entries = [
        {"school_id": school.pk, "actor_id": actor.pk, "verb": "journal.cell", "target_type": "timetable.lesson",
         "target_id": "7", "before": {"cell": "5", "marks": ["5 (ответ)"], "n": 1.5}, "after": None,
         "reason": "ошибка «при вводе»", "address": "2001:db8::1"},
        {"school_id": school.pk, "actor_id": None, "verb": "journal.cell", "target_type": "timetable.lesson",
         "target_id": "8", "before": None, "after": [], "reason": "", "address": None},
    ]
    insert_rows(AuditEntry, entries)
    for entry in entries:
        AuditEntry.objects.create(**{**entry, "target_id": f"orm-{entry['target_id']}"})
    written = AuditEntry.objects.filter(verb="journal.cell").order_by("id")
    plain = list(written.exclude(target_id__startswith="orm-"))
    orm = list(written.filter(target_id__startswith="orm-"))
    assert [{**_values(e), "target_id": ""} for e in plain] == [{**_values(e), "target_id": ""} for e in orm]
    assert all(before <= e.created_at <= timezone.now() for e in plain)
    # A missing JSON value is SQL NULL, as the ORM stores it; an empty list is JSON.
    assert written.filter(after__isnull=True).count() == 2
    assert written.filter(before__isnull=True).count() == 2

    key = uuid.uuid4()
    insert_rows(WriteKey, [{"school_id": school.pk, "key": key, "actor_id": actor.pk, "verb": "cell",
                            "result": {"text": "4−", "late": False}}])
    stored = WriteKey.objects.get()
    assert (stored.key, stored.result, stored.actor_id) == (key, {"text": "4−", "late": False}, actor.pk)
    assert WriteKey.objects.filter(key=str(key)).exists()


def test_many_rows_go_in_several_statements(small_school, django_assert_num_queries):
    rows = [{"school_id": small_school.school.pk, "actor_id": None, "verb": "v", "target_type": "t",
             "target_id": str(n), "before": {"n": n}, "after": None, "reason": "", "address": None}
            for n in range(250)]
    with django_assert_num_queries(3):  # 10 columns: 90 rows a statement
        insert_rows(AuditEntry, rows)
    assert [(e.target_id, e.before) for e in AuditEntry.objects.filter(verb="v").order_by("id")] == \
        [(str(n), {"n": n}) for n in range(250)]
    with django_assert_num_queries(0):
        insert_rows(AuditEntry, [])


def test_a_plain_update_sets_the_values_and_the_time_of_change(journal):
    work_type = WorkType.objects.filter(school=journal.school.school).first()
    mark = Mark.objects.create(school=journal.school.school, lesson=journal.lessons[0], value="4",
                               student=journal.school.students["student"], work_type=work_type)
    assert update_row(Mark, mark.pk, {"value": "3", "modifier": "-", "position": 2}) == 1
    stored = Mark.objects.get(pk=mark.pk)
    assert (stored.value, stored.modifier, stored.position, stored.comment) == ("3", "-", 2, "")
    assert stored.updated_at > mark.updated_at and stored.created_at == mark.created_at
    assert update_row(Mark, 2**62, {"value": "5"}) == 0


def test_plain_writes_refuse_unknown_fields_and_models_something_listens_to(small_school):
    with pytest.raises(ValueError, match="no_such_field"):
        insert_rows(AuditEntry, [{"verb": "v", "no_such_field": 1}])
    with pytest.raises(ValueError, match="listened"):  # stamps.watch: a change must replace the school's stamp
        update_row(WorkType, 1, {"name": "x"})


def test_writes_in_a_pipeline_are_all_done_in_order_and_their_errors_raised(small_school):
    from django.db import IntegrityError, transaction

    school = small_school.school
    key = uuid.uuid4()
    row = {"school_id": school.pk, "key": key, "actor_id": None, "verb": "cell", "result": {}}
    with transaction.atomic(), pipeline():
        insert_rows(WriteKey, [row])
        update_row(WriteKey, WriteKey.objects.get(key=key).pk, {"verb": "mark"})  # sees the insert before it
        insert_rows(AuditEntry, [{"school_id": school.pk, "actor_id": None, "verb": "v", "target_type": "t",
                                  "target_id": "1", "before": None, "after": None, "reason": "", "address": None}])
    assert WriteKey.objects.get(key=key).verb == "mark" and AuditEntry.objects.filter(verb="v").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic(), pipeline():  # a key is used once
        insert_rows(WriteKey, [{**row, "key": uuid.uuid4()}])
        insert_rows(WriteKey, [row])
    assert WriteKey.objects.count() == 1  # the transaction rolled back as a whole


def test_queries_fetched_together_answer_as_each_alone(small_school):
    from django.db import DatabaseError, transaction

    queries = [(f"SELECT id, name FROM {table(School)} ORDER BY id", []),  # noqa: S608
               (f"SELECT id, username FROM {table(User)} WHERE id > %s ORDER BY id", [0]),  # noqa: S608
               ("SELECT 1 WHERE 1 = 0", [])]
    assert fetch_together(*queries) == [fetch(*query) for query in queries]
    assert fetch_together(*queries)[1]
    with pytest.raises(DatabaseError), transaction.atomic():  # raised as Django's, the others' rows dropped
        fetch_together(("SELECT 1", []), (f"SELECT no_such_column FROM {table(School)}", []))  # noqa: S608
    assert fetch("SELECT 1", []) == [(1,)]


@pytest.mark.django_db(transaction=True)
def test_a_pipeline_reconnects_when_the_server_dropped_the_connection():
    """As Django's cursor does before a request's first statement (``CONN_HEALTH_CHECKS``)."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's pipelines")
    backend = fetch("SELECT pg_backend_pid()", [])[0][0]
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
    finally:
        other.close()
    connection.health_check_done = False  # a new request (``close_old_connections`` at its start)
    assert fetch_together(("SELECT 1", [])) == [[(1,)]]
    assert fetch("SELECT pg_backend_pid()", [])[0][0] != backend
