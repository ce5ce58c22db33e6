"""Login throttling on django-axes: per login, slowing down; per address, only against mass guessing.

- **Per login.** After ``AXES_FAILURE_LIMIT`` failures the login is locked for a cool-off that doubles with each
  further lock within a day (``ZHURNAL_LOCKOUT_BASE_MINUTES`` … ``ZHURNAL_LOCKOUT_MAX_MINUTES``): a forgotten
  password costs a few minutes, a guesser gets a handful of tries an hour.
- **Per address.** Many people share one address (a school behind one NAT), so the address is locked only after
  ``ZHURNAL_ADDRESS_FAILURE_LIMIT`` failures within ``ZHURNAL_ADDRESS_WINDOW_MINUTES`` — password spraying, not a
  class mistyping.
- **A success forgives only itself.** A successful login erases the failures against that login from that
  address, never failures against other logins (anyone with an account could otherwise guess without limit) nor
  against the same login from elsewhere.

``LoginThrottle`` is django-axes' database handler with those rules (``AXES_HANDLER``); ``cool_off`` is its
``AXES_COOLOFF_TIME``.
"""

from __future__ import annotations

import datetime as dt

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from .models import LoginEvent

# The reason of a failure refused because the login (or the address) was already locked: such refusals do not make
# the next lock longer (someone hammering a locked login must not lock its owner out for hours).
LOCKED_OUT_REASON = "вход временно заблокирован после неудачных попыток"
MEMORY = dt.timedelta(hours=24)  # how long earlier locks make the next one longer


def _base() -> dt.timedelta:
    return dt.timedelta(minutes=settings.ZHURNAL_LOCKOUT_BASE_MINUTES)


def address_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.ZHURNAL_ADDRESS_WINDOW_MINUTES)


def _username(request, credentials=None) -> str:
    if request is None:
        return ""
    return (get_client_username(request, credentials) or "").strip()


def login_cool_off(username: str, now: dt.datetime | None = None) -> dt.timedelta:
    """How long the login stays locked: the base, doubled for every earlier lock within a day, up to the cap."""
    if not username:
        return _base()
    now = now or timezone.now()
    failures = (LoginEvent.objects.filter(username=username, succeeded=False, at__gte=now - MEMORY)
                .exclude(reason=LOCKED_OUT_REASON).count())
    # A lock takes ``limit - 1`` plain failures; the one that reaches the limit is recorded as the lockout.
    locks = failures // max(settings.AXES_FAILURE_LIMIT - 1, 1)
    cap = dt.timedelta(minutes=settings.ZHURNAL_LOCKOUT_MAX_MINUTES)
    return min(cap, _base() * 2 ** max(locks - 1, 0))


def cool_off(request=None) -> dt.timedelta:
    """``AXES_COOLOFF_TIME``: how long the failures against the login of this request are remembered."""
    return login_cool_off(_username(request))


def address_locked(request) -> bool:
    """Too many failures from the request's address within the window, against any logins (counted in the login
    history, so that the per-login records need not live as long as the address window)."""
    if not settings.ZHURNAL_LOCKOUT_BY_ADDRESS or request is None:
        return False
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return False
    failures = (LoginEvent.objects.filter(address=address, succeeded=False, at__gte=timezone.now() - address_window())
                .exclude(reason=LOCKED_OUT_REASON).count())
    return failures >= settings.ZHURNAL_ADDRESS_FAILURE_LIMIT


class LoginThrottle(AxesDatabaseHandler):
    """django-axes' database handler, with a limit per login and a separate, higher one per address, and a reset
    on success limited to the login and address that succeeded."""

    def get_failures(self, request, credentials=None) -> int:
        username = _username(request, credentials)
        limit = get_failure_limit(request, credentials)
        login = 0
        if username:
            since = timezone.now() - login_cool_off(username)
            login = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
                n=Sum("failures_since_start"))["n"] or 0
        if address_locked(request):
            return max(login, limit)
        return login

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = _username(request, credentials)
        address = getattr(request, "axes_ip_address", None)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=address).delete()
        return count
