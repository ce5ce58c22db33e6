"""Logins, the codes that activate them, the login history and each school's security settings.

What a person may do comes from school relations (see ``roles.py``), never from flags here.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import sealing


class User(AbstractUser):
    """A login. What the person may do comes from school relations, never from flags here."""

    patronymic = models.CharField("отчество", max_length=150, blank=True)
    # Folded into the session hash: changing it ends every session of the user ("log out everywhere").
    session_stamp = models.CharField(max_length=32, blank=True, default="", editable=False)

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"

    @property
    def display_name(self) -> str:
        parts = [self.last_name, self.first_name, self.patronymic]
        name = " ".join(p for p in parts if p)
        return name or self.username

    def _get_session_auth_hash(self, secret=None):
        return salted_hmac(
            "zhurnal.accounts.User.get_session_auth_hash",
            f"{self.password}\x00{self.session_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class PersonKind(models.TextChoices):
    STAFF = "staff", "сотрудник"
    STUDENT = "student", "обучающийся"
    GUARDIAN = "guardian", "родитель (законный представитель)"


class ActivationCode(models.Model):
    """A one-time code the school hands out on paper; the first login with it sets the password.

    Only a keyed hash is stored, so a code can be printed only at the moment it is issued.
    A new code for the same person revokes the previous one.
    """

    school = models.ForeignKey("school.School", on_delete=models.CASCADE, related_name="activation_codes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activation_codes")
    person_kind = models.CharField("для кого", max_length=16, choices=PersonKind.choices)
    code_hash = models.CharField(max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField("выдан", default=timezone.now)
    expires_at = models.DateTimeField("действует до")
    used_at = models.DateTimeField("использован", null=True, blank=True)
    revoked_at = models.DateTimeField("отозван", null=True, blank=True)

    class Meta:
        verbose_name = "код активации"
        verbose_name_plural = "коды активации"
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["school", "user"]),
            models.Index(fields=["user", "code_hash"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(issued_at__lt=models.F("expires_at")),
                                   name="activation_code_expires_after_issue"),
        ]

    def __str__(self) -> str:
        return f"код для {self.user_id} до {self.expires_at:%d.%m.%Y}"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.revoked_at is None and self.expires_at > now


class SchoolSecurity(models.Model):
    """A school's own security rules, set by its journal administrator."""

    school = models.OneToOneField("school.School", on_delete=models.CASCADE, related_name="security")
    require_staff_2fa = models.BooleanField(
        "требовать двухфакторную аутентификацию от сотрудников", default=False,
        help_text="Сотрудник без подключённого приложения-генератора кодов после входа сразу попадает на "
                  "страницу подключения и не может работать, пока не подключит его.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "настройки безопасности школы"
        verbose_name_plural = "настройки безопасности школ"

    def __str__(self) -> str:
        return f"безопасность: {self.school_id}"


class LoginKind(models.TextChoices):
    PASSWORD = "password", "логин и пароль"
    TWO_FACTOR = "two_factor", "код подтверждения"
    RECOVERY = "recovery", "резервный код"
    ACTIVATION = "activation", "код активации"


class LoginEvent(models.Model):
    """One login attempt, successful or not: when, from where, from what device."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="login_events"
    )
    username = models.CharField("введённый логин", max_length=150, blank=True)
    kind = models.CharField("способ", max_length=16, choices=LoginKind.choices, default=LoginKind.PASSWORD)
    succeeded = models.BooleanField("успешно")
    reason = models.CharField("причина отказа", max_length=200, blank=True)
    at = models.DateTimeField("время", default=timezone.now)
    address = models.GenericIPAddressField("адрес", null=True, blank=True)
    user_agent = models.CharField("устройство", max_length=300, blank=True)

    class Meta:
        verbose_name = "вход в систему"
        verbose_name_plural = "история входов"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "at"]),
            models.Index(fields=["at", "succeeded"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {'ok' if self.succeeded else 'fail'}"


def new_sealed_key() -> str:
    """A fresh 20-byte TOTP secret, sealed."""
    return sealing.seal(os.urandom(20))


class Authenticator(TimestampMixin, ThrottlingMixin, Device):
    """A person's authenticator app (TOTP, RFC 6238), as django-otp's ``TOTPDevice`` — whose checking it reuses —
    but with the secret sealed at rest (``sealing``: Fernet, a key from the settings) instead of stored in hex."""

    sealed_key = models.TextField(default=new_sealed_key, editable=False)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "приложение-генератор кодов"
        verbose_name_plural = "приложения-генераторы кодов"

    @property
    def bin_key(self) -> bytes:
        return sealing.unseal(self.sealed_key)

    # The checking (with throttling, drift and no reuse of a code), the set-up address and the throttle factor are
    # django-otp's own, over the same fields.
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings
