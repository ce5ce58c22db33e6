"""Every write about logins: activation codes, passwords, sessions, second factors, login history.

Keyword-only, one transaction each, audited.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from zhurnal.audit.services import record, record_many
from zhurnal.audit.verbs import Verb

from . import codes
from .models import ActivationCode, Authenticator, LoginEvent, LoginKind, User
from .permissions import login_schools, refusal_for, school_manages_login

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Приложение-генератор кодов"
RECOVERY_DEVICE_NAME = "Резервные коды"


def code_lifetime() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "ZHURNAL_ACTIVATION_CODE_DAYS", 30))


def record_login_change(
    *, actor: User | None, verb: Verb, user: User, target: Model | None = None, before: Any = None, after: Any = None,
) -> None:
    """A change to a login goes into the audit log of every school the login belongs to (one entry each): each
    school sees what happened to its people's logins, whoever made the change."""
    target = target if target is not None else user
    schools = sorted(school for school in login_schools(user) if school is not None)
    if not schools:
        record(actor=actor, verb=verb, target=target, before=before, after=after)
    for school_id in schools:
        record_many(actor=actor, verb=verb, school=school_id, changes=[(target, before, after)])


# --- logins and activation codes ----------------------------------------------------------------------------


def unique_login(base: str) -> str:
    taken = {name.lower() for name in User.objects.filter(username__istartswith=base)
             .values_list("username", flat=True)}
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def find_activation_code(user: User, raw_code: str) -> ActivationCode | None:
    """The code of this login that matches what was typed, whatever its state."""
    return ActivationCode.objects.filter(user=user, code_hash__in=codes.candidate_hashes(raw_code)).first()


def code_refusal(code: ActivationCode | None, now: dt.datetime | None = None) -> str:
    """Why a typed code does not open the login, in words for the person at the keyboard."""
    now = now or timezone.now()
    if code is None:
        return ("Неверный логин или код активации. Введите их точно так, как напечатано на листке; "
                "код можно вводить без дефиса, заглавными или строчными буквами.")
    if code.used_at is not None:
        return (f"Этот код уже использован {timezone.localtime(code.used_at):%d.%m.%Y}. Войдите со своим паролем; "
                "если вы его не помните, попросите у классного руководителя или администратора новый код.")
    if code.revoked_at is not None:
        return ("Этот код больше не действует: вместо него выдан новый. Используйте последний выданный код "
                "или попросите новый у классного руководителя или администратора.")
    if code.expires_at <= now:
        return (f"Срок действия кода истёк {timezone.localtime(code.expires_at):%d.%m.%Y}. Попросите новый код "
                "у классного руководителя или администратора электронного журнала.")
    return ""


@transaction.atomic
def activate_account(*, user: User, code: str, password: str) -> User:
    """The first login with a code: the code is spent, the password set, every older session ended."""
    now = timezone.now()
    activation = (
        ActivationCode.objects.select_for_update()
        .filter(user=user, code_hash__in=codes.candidate_hashes(code)).first()
    )
    refusal = code_refusal(activation, now)
    if refusal or activation is None:
        raise ValidationError({"code": refusal})
    if not user.is_active:
        raise ValidationError({"username": "Учётная запись отключена. Обратитесь к администратору школы."})
    password_validation.validate_password(password, user)
    activation.used_at = now
    activation.save(update_fields=["used_at"])
    user.set_password(password)
    user.session_stamp = secrets.token_hex(16)
    user.save(update_fields=["password", "session_stamp"])
    record_login_change(actor=user, verb=Verb.ACTIVATION_CODE_USE, user=user, target=activation,
                        after={"user": user.username, "school": activation.school_id})
    return user


# --- passwords and sessions -------------------------------------------------------------------------------


@transaction.atomic
def change_password(*, user: User, new_password: str) -> User:
    """A new password; the caller keeps the current session with ``update_session_auth_hash``."""
    password_validation.validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record_login_change(actor=user, verb=Verb.PASSWORD_CHANGE, user=user)
    return user


@transaction.atomic
def end_sessions(*, actor: User, user: User) -> User:
    """Log the user out everywhere: every session made before this moment stops being valid."""
    user.session_stamp = secrets.token_hex(16)
    user.save(update_fields=["session_stamp"])
    record_login_change(actor=actor, verb=Verb.SESSIONS_END_ALL, user=user)
    return user


# --- two-factor authentication ----------------------------------------------------------------------------


REAUTH_REFUSAL = ("Введите текущий пароль (или код из приложения, которое уже подключено): без него второй фактор "
                  "не меняется — так никто, кроме вас, не подменит ваш телефон, даже за оставленным открытым "
                  "компьютером.")


def confirm_identity(*, user: User, secret: str) -> None:
    """Re-authentication before the second factor changes: the current password, or a code of the authenticator
    already connected. Raises a ``ValidationError`` on the ``password`` field otherwise."""
    secret = (secret or "").strip()
    if secret and user.check_password(secret):
        return
    digits = "".join(secret.split())
    if digits.isdigit():
        for device in Authenticator.objects.filter(user=user, confirmed=True):
            if device.verify_token(digits):
                return
    raise ValidationError({"password": REAUTH_REFUSAL})


def _stored_form(device: Any, token: str) -> str:
    """What the device keeps of the code: recovery codes are stored as keyed hashes (the hash under whichever secret
    key, current or fallback, made it); the app's codes are checked as typed."""
    if not isinstance(device, StaticDevice):
        return token
    hashes = codes.recovery_code_hashes(token)
    return next((h for h in hashes if device.token_set.filter(token=h).exists()), hashes[0])


@transaction.atomic
def match_second_factor(*, user: User, token: str) -> tuple[Any, bool]:
    """The login's second step: the device that accepts the code, and whether a device refused to check it for
    now (too many wrong codes). Six digits go to the authenticator app, anything else to the recovery codes — so
    a mistyped code of one kind does not slow down the other. The devices are read locked (``for_verify``) and a
    code used is spent in the same transaction: one code, one login."""
    wants_recovery = not (token.isdigit() and len(token) == 6)
    devices = [d for d in devices_for_user(user, confirmed=True, for_verify=True)
               if isinstance(d, StaticDevice) == wants_recovery]
    throttled = False
    for device in devices:
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            throttled = True
            continue
        if device.verify_token(_stored_form(device, token)):
            return device, False
    return None, throttled


@transaction.atomic
def start_totp_enrolment(*, user: User) -> Authenticator:
    """A new, unconfirmed authenticator for the user (replacing an unfinished one)."""
    Authenticator.objects.filter(user=user, confirmed=False).delete()
    return Authenticator.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    tokens = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=codes.hash_recovery_code(t)) for t in tokens])
    return tokens


@transaction.atomic
def confirm_totp_device(*, user: User, device: Authenticator, token: str, password: str) -> list[str]:
    """The first code from the app proves it is set up, the password (or a code of the app connected so far) that
    it is the user; returns the recovery codes (shown once)."""
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError({"token": "Начните подключение заново."})
    token = "".join(ch for ch in (token or "") if ch.isdigit())
    if len(token) != device.digits or not device.verify_token(token):
        raise ValidationError({"token": "Код не подошёл. Введите шесть цифр, которые приложение показывает "
                                        "сейчас, и проверьте, что время на телефоне установлено верно."})
    confirm_identity(user=user, secret=password)
    Authenticator.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    recovery = _new_recovery_codes(user)
    record_login_change(actor=user, verb=Verb.TWO_FACTOR_ENABLE, user=user)
    return recovery


@transaction.atomic
def regenerate_recovery_codes(*, user: User, password: str) -> list[str]:
    """New recovery codes (the old ones stop working), after the password or a code from the app."""
    if not Authenticator.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError({"token": "Сначала подключите приложение-генератор кодов."})
    confirm_identity(user=user, secret=password)
    recovery = _new_recovery_codes(user)
    record_login_change(actor=user, verb=Verb.TWO_FACTOR_RECOVERY_CODES, user=user)
    return recovery


@transaction.atomic
def disable_two_factor(*, actor: User, user: User, school: Model | None = None) -> None:
    """Remove the user's second factor: by himself, or by the administrator when the phone is lost.

    The administrator's reset also ends the user's sessions; a school resets only a login wholly its own.
    """
    if school is not None and not school_manages_login(school, user):
        raise ValidationError({"user": refusal_for(user)})
    Authenticator.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    by_someone_else = getattr(actor, "pk", None) != user.pk
    if by_someone_else:
        user.session_stamp = secrets.token_hex(16)
        user.save(update_fields=["session_stamp"])
    record_login_change(actor=actor, verb=Verb.TWO_FACTOR_RESET if by_someone_else else Verb.TWO_FACTOR_DISABLE, user=user,
                        after={"by_school": getattr(school, "pk", None)} if school is not None else None)


# --- login history ------------------------------------------------------------------------------------------


def record_login_event(
    *, user: User | None, username: str, kind: str, succeeded: bool, address: str | None = None,
    user_agent: str = "", reason: str = "", at: dt.datetime | None = None,
) -> LoginEvent:
    """One line of the login history (``at``: when, now by default — the demo's history is older). Not audited:
    the history is itself the log."""
    if kind not in LoginKind.values:
        raise ValueError(f"unknown login kind {kind!r}")
    return LoginEvent.objects.create(
        user=user, username=(username or "")[:150], kind=kind, succeeded=succeeded, reason=reason[:200],
        address=address or None, user_agent=(user_agent or "")[:300], at=at or timezone.now(),
    )
