"""Login history and the two-factor gate, fed by Django's login signals (so every way of logging in is seen)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django_otp import user_has_device
from django_otp.models import Device

from .lockout import LOCKED_OUT_REASON
from .middleware import SETUP_2FA_KEY, UNVERIFIED_2FA_KEY, client_address
from .models import LoginKind, SchoolSecurity, User
from .services import record_login_event

# What a login view tells the login signal about the login it is doing: the way in, and the verified second factor
# (django-otp keeps ``user.otp_device`` in the new session).
_KIND_ATTRIBUTE = "zhurnal_login_kind"
_DEVICE_ATTRIBUTE = "otp_device"


def note_login(request: HttpRequest, kind: LoginKind, *, user: User | None = None, device: Device | None = None) -> None:
    """Called by a login view just before ``login()``: how the user came in and with which verified device."""
    setattr(request, _KIND_ATTRIBUTE, kind)
    if user is not None and device is not None:
        setattr(user, _DEVICE_ATTRIBUTE, device)


def staff_2fa_required(user) -> bool:
    """Is the user active staff in any school that requires a second factor from its staff?"""
    return SchoolSecurity.objects.filter(
        require_staff_2fa=True, school__staff__user=user, school__staff__is_active=True
    ).exists()


def _user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "") if request is not None else ""


@receiver(user_logged_in, dispatch_uid="zhurnal.accounts.login_succeeded")
def login_succeeded(sender, request, user, **kwargs):
    kind = getattr(request, _KIND_ATTRIBUTE, LoginKind.PASSWORD)
    record_login_event(user=user, username=user.get_username(), kind=kind, succeeded=True,
                       address=client_address(request) if request is not None else None,
                       user_agent=_user_agent(request))
    if request is None or not hasattr(request, "session"):
        return
    verified = getattr(user, _DEVICE_ATTRIBUTE, None) is not None
    if verified:
        return
    if user_has_device(user, confirmed=True):
        # Logged in by a path that skipped the second step (e.g. another login form): the gate sends him back.
        request.session[UNVERIFIED_2FA_KEY] = True
    elif staff_2fa_required(user):
        request.session[SETUP_2FA_KEY] = True


@receiver(user_login_failed, dispatch_uid="zhurnal.accounts.login_failed")
def login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username") or ""
    kind = LoginKind.ACTIVATION if "activation_code" in (credentials or {}) else LoginKind.PASSWORD
    if getattr(request, "axes_locked_out", False):
        reason = LOCKED_OUT_REASON
    elif kind == LoginKind.ACTIVATION:
        reason = "неверный или недействующий код активации"
    else:
        reason = "неверный логин или пароль"
    record_login_event(
        user=User.objects.filter(username=username).first() if username else None, username=username, kind=kind,
        succeeded=False, reason=reason, address=client_address(request) if request is not None else None,
        user_agent=_user_agent(request),
    )
