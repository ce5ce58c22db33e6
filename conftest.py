import os

os.environ.setdefault("ZHURNAL_TESTING", "1")

import pytest  # noqa: E402


@pytest.fixture
def small_school(db):
    from zhurnal.school.testing import build_small_school

    return build_small_school()


@pytest.fixture
def login(client):
    """``login("teacher")`` logs the test client in as a persona of ``small_school``."""

    def _login(username: str):
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.get(username=username))
        return client

    return _login
