"""Authentication backends: by password (Django's ``ModelBackend``) and by a one-time activation code, so that
code attempts go through the same lockout as passwords.

``authenticate(request, username=..., activation_code=...)`` returns the user when the code is valid now;
it does not spend the code (``services.activate_account`` does, together with setting the password).

Both read the signed-in user of every request in plain SQL (``UserRow``), with his schools: through the ORM that
read cost three times the query itself.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from zhurnal.core.sql import columns, fetch_together, model_rows, table

from .models import User
from .roles import SCHOOL_ROWS, schools_query
from .services import find_activation_code


class UserRow:
    """``get_user`` (the user of the session, on every request) as one plain query, the rest as ``ModelBackend``.
    The rows of the user's schools (``roles.schools_of``: every page's next query) are read in the same round
    trip on PostgreSQL and kept on the user for the request."""

    def get_user(self, user_id):
        user_rows, school_rows = fetch_together(
            (f"SELECT {columns(User)} FROM {table(User)} WHERE id = %s", [user_id]),  # noqa: S608
            schools_query(user_id))
        users = model_rows(User, user_rows)
        if not users or not self.user_can_authenticate(users[0]):
            return None
        setattr(users[0], SCHOOL_ROWS, school_rows)
        return users[0]


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
