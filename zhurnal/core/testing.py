"""Test helpers that know no domain: users, and a page's queries as a user meets it."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth import get_user_model

PASSWORD = "zhurnal-test-1"  # noqa: S105
_counter = itertools.count(1)


def make_user(username: str | None = None, **extra: Any):
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


def page_queries(client, url: str) -> tuple[int, Any]:
    """The queries of a page as a user meets it: after one visit, so what is cached per school (roles, rules,
    periods — see ``zhurnal.core.stamps``) is not counted; a page's own queries must not grow with its data.
    Returns (count, response)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries), response

