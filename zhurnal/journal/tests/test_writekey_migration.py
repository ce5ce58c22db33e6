"""The idempotency keys moved from the journal to core: migrating forwards keeps every stored key (and a retry of a
write made before the move is still recognised), and migrating back restores the journal's table."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from zhurnal.core import idempotency
from zhurnal.core.models import WriteKey

BEFORE = [("journal", "0003_mark_student_updated")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_stored_keys_survive_the_move_to_core_and_back():
    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    school = old.get_model("school", "School").objects.create(name="МБОУ «Школа № 9»", short_name="Школа № 9",
                                                              slug="school-9", config_stamp="a" * 32)
    key = uuid.uuid4()
    old.get_model("journal", "WriteKey").objects.create(school_id=school.pk, key=key, verb="mark",
                                                        result={"mark": 41})

    _migrate(executor.loader.graph.leaf_nodes())
    stored = WriteKey.objects.get(key=key)
    assert (stored.school_id, stored.verb, stored.result) == (school.pk, "mark", {"mark": 41})
    assert idempotency.replay(key, school_id=school.pk, verb="mark", scope={"mark": 41}) == {"mark": 41}
    assert "core_writekey" in connection.introspection.table_names()
    assert "journal_writekey" not in connection.introspection.table_names()

    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    assert old.get_model("journal", "WriteKey").objects.get(key=key).result == {"mark": 41}
    _migrate(executor.loader.graph.leaf_nodes())
    assert WriteKey.objects.filter(key=key).exists()
