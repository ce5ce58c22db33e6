"""Secrets kept encrypted at rest: the keys of people's authenticator apps (TOTP).

Fernet (``cryptography``) with a key derived from the settings: ``ZHURNAL_SEALING_KEY`` if set (keep it apart from
the database copies), else ``SECRET_KEY``; each of ``SECRET_KEY_FALLBACKS`` still opens what it sealed, so a key
rotation keeps every phone working. A copy of the database alone does not give anyone the codes of the school's
phones.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac

_SALT = "zhurnal.accounts.sealing"


def _fernet_for(secret: str | bytes) -> Fernet:
    key = salted_hmac(_SALT, "fernet", secret=secret, algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _box() -> MultiFernet:
    primary = getattr(settings, "ZHURNAL_SEALING_KEY", "") or settings.SECRET_KEY
    secrets = [primary, settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([_fernet_for(secret) for secret in dict.fromkeys(secrets)])


def seal(raw: bytes) -> str:
    return _box().encrypt(raw).decode()


def unseal(sealed: str) -> bytes:
    return _box().decrypt(sealed.encode())
