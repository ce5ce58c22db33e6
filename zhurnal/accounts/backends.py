"""Authentication by a one-time activation code, so that code attempts go through the same lockout as passwords.

``authenticate(request, username=..., activation_code=...)`` returns the user when the code is valid now;
it does not spend the code (``services.activate_account`` does, together with setting the password).
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .models import User
from .services import find_activation_code


class ActivationCodeBackend(ModelBackend):
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
