from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

SESSION_SCHOOL_KEY = "zhurnal_school_id"  # the school a person with several works in now (switch_school)


def client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


# Set at login (see signals.py); checked here without a database query on every request.
SETUP_2FA_KEY = "zhurnal_2fa_setup_required"
UNVERIFIED_2FA_KEY = "zhurnal_2fa_unverified"


class TwoFactorGateMiddleware:
    """Staff of a school that requires a second factor cannot work until they set one up; a login that skipped
    the second step of a user who has one is ended."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is None or not (session.get(UNVERIFIED_2FA_KEY) or session.get(SETUP_2FA_KEY)):
            return self.get_response(request)
        if not request.user.is_authenticated:
            return self.get_response(request)
        if session.get(UNVERIFIED_2FA_KEY):
            if getattr(request.user, "is_verified", lambda: False)():
                del session[UNVERIFIED_2FA_KEY]
            else:
                logout(request)
                messages.warning(request, "Для этой учётной записи включена двухфакторная аутентификация: "
                                          "войдите снова и введите код из приложения.")
                return redirect("accounts:login")
        if session.get(SETUP_2FA_KEY):
            allowed = {reverse("accounts:two_factor_setup"), reverse("accounts:logout")}
            if request.path not in allowed:
                return redirect("accounts:two_factor_setup")
        return self.get_response(request)
