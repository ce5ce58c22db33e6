"""``core.sql.model_rows`` builds the same instances as the ORM — dates, datetimes, booleans, decimals and JSON
included, on SQLite (which returns text and integers) as on PostgreSQL."""

import pytest

from zhurnal.accounts.models import User
from zhurnal.core.sql import columns, fetch, model_rows, table
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
