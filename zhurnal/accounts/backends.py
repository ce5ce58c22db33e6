"""Authentication backends: by password (Django's ``ModelBackend``) and by a one-time activation code, so that
code attempts go through the same lockout as passwords.

``authenticate(request, username=..., activation_code=...)`` returns the user when the code is valid now;
it does not spend the code (``services.activate_account`` does, together with setting the password).

Both read the signed-in user of every request in plain SQL (``UserRow``), with his schools: through the ORM that
read cost three times the query itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from zhurnal.core.sql import fetch_together, model_rows

from . import queries
from .models import User
from .services import find_activation_code

# (attribute, query of a user id): rows a higher app reads with the user of every request (``read_with_user``).
_READ_WITH_USER: list[tuple[str, Callable[[int], tuple[str, list]]]] = []


def read_with_user(attribute: str, query: Callable[[int], tuple[str, list]]) -> None:
    """The registration a higher app calls (in its ``AppConfig.ready``) for rows it needs on every request with
    the user: ``query(user_id)`` gives (SQL, parameters); its rows are read in the same round trip as the user
    (on PostgreSQL) and kept on him as ``attribute`` for the request."""
    if all(name != attribute for name, _ in _READ_WITH_USER):
        _READ_WITH_USER.append((attribute, query))


class UserRow(ModelBackend):
    """``get_user`` (the user of the session, on every request) as one plain query, the rest as ``ModelBackend``.
    The rows registered with ``read_with_user`` (the user's schools: every page's next query) are read in the same
    round trip on PostgreSQL and kept on the user for the request."""

    def get_user(self, user_id):
        user_rows, *companion_rows = fetch_together(
            queries.user_query(user_id), *(query(user_id) for _, query in _READ_WITH_USER))
        users = model_rows(User, user_rows)
        if not users or not self.user_can_authenticate(users[0]):
            return None
        for (attribute, _), rows in zip(_READ_WITH_USER, companion_rows, strict=True):
            setattr(users[0], attribute, rows)
        return users[0]


class PasswordBackend(UserRow):
    """Django's ``ModelBackend``: username and password."""


class ActivationCodeBackend(UserRow):
    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     activation_code: str | None = None, **kwargs: Any) -> User | None:
        if not username or not activation_code:
            return None
        user = User.objects.filter(username=username.strip()).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        code = find_activation_code(user, activation_code)
        if code is None or not code.is_active():
            return None
        return user
