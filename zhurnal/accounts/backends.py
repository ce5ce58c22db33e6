"""Authentication backends: by password (Django's ``ModelBackend``) and by a one-time activation code, so that
code attempts go through the same lockout as passwords.

``authenticate(request, username=..., activation_code=...)`` returns the user when the code is valid now;
it does not spend the code (``services.activate_account`` does, together with setting the password).

Both read the signed-in user of every request in plain SQL (``UserRow``): through the ORM that read cost three
times the query itself.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from zhurnal.core.sql import columns, fetch, model_rows, table

from .models import User
from .services import find_activation_code


class UserRow:
    """``get_user`` (the user of the session, on every request) as one plain query, the rest as ``ModelBackend``."""

    def get_user(self, user_id):
        rows = model_rows(User, fetch(f"SELECT {columns(User)} FROM {table(User)} WHERE id = %s", [user_id]))  # noqa: S608
        if not rows:
            return None
        return rows[0] if self.user_can_authenticate(rows[0]) else None


class PasswordBackend(UserRow, ModelBackend):
    """Django's ``ModelBackend``: username and password."""


class ActivationCodeBackend(UserRow, ModelBackend):
    def authenticate(self, request, username=None, activation_code=None, **kwargs):
        if not username or not activation_code:
            return None
        user = User.objects.filter(username=username.strip()).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        code = find_activation_code(user, activation_code)
        if code is None or not code.is_active():
            return None
        return user
