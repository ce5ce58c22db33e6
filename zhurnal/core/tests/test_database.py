"""The application's PostgreSQL sessions use the planner costs of a database that fits in memory."""

import pytest
from django.db import connection

from config.settings import postgres_session_settings


def test_the_random_page_cost_is_the_applications_and_can_be_left_to_the_server(monkeypatch):
    assert postgres_session_settings() == {"options": "-c random_page_cost=1.1"}
    monkeypatch.setenv("DB_RANDOM_PAGE_COST", "2")
    assert postgres_session_settings() == {"options": "-c random_page_cost=2"}
    monkeypatch.setenv("DB_RANDOM_PAGE_COST", "")
    assert postgres_session_settings() == {}
    monkeypatch.setenv("DB_RANDOM_PAGE_COST", "fast")
    with pytest.raises(ValueError):
        postgres_session_settings()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner setting")
def test_a_postgresql_session_plans_with_it():
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
