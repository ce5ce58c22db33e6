"""The application's PostgreSQL sessions use the planner costs of a database that fits in memory."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from config.settings import random_page_cost


def test_the_random_page_cost_is_the_applications_and_can_be_left_to_the_server(monkeypatch):
    monkeypatch.delenv("DB_RANDOM_PAGE_COST", raising=False)
    assert random_page_cost() == 1.1
    monkeypatch.setenv("DB_RANDOM_PAGE_COST", "2")
    assert random_page_cost() == 2
    monkeypatch.setenv("DB_RANDOM_PAGE_COST", "")
    assert random_page_cost() is None
    for wrong in ("fast", "nan", "inf", "-1", "0"):
        monkeypatch.setenv("DB_RANDOM_PAGE_COST", wrong)
        with pytest.raises((ValueError, ImproperlyConfigured)):
            random_page_cost()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner setting")
def test_a_postgresql_connection_plans_with_it():
    with connection.cursor() as cursor:  # set when the connection was opened
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
