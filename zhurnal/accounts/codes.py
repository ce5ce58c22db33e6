"""Activation codes and generated logins: how they look, how they are typed back, how they are stored.

A code is 10 characters from an alphabet without look-alikes (no I, L, O, 0, 1), printed as
``ABCDE-FGH23``; about 49 bits, and every attempt to use one goes through the login lockout.
Only a keyed hash (HMAC with the secret key) is stored.
"""

from __future__ import annotations

import base64
import re
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
_HASH_SALT = "zhurnal.accounts.activation_code"

# What a parent types on a Russian keyboard layout when the code shows a Latin look-alike.
_CYRILLIC_LOOKALIKES = str.maketrans("АВЕКМНРСТУХ", "ABEKMHPCTYX")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def normalize_code(raw: str) -> str:
    """What the person typed → the code as issued: any case, spaces, dashes, Cyrillic look-alikes."""
    code = (raw or "").upper().translate(_CYRILLIC_LOOKALIKES)
    return re.sub(r"[\s\-‐–—_.]", "", code)


def hash_code(code: str, secret: str | bytes | None = None) -> str:
    return salted_hmac(_HASH_SALT, normalize_code(code), secret=secret, algorithm="sha256").hexdigest()


def candidate_hashes(code: str) -> list[str]:
    """The hash under the current secret key and under each fallback key (so a key rotation keeps codes valid)."""
    return [hash_code(code)] + [hash_code(code, secret) for secret in settings.SECRET_KEY_FALLBACKS]


# --- recovery codes of the second factor ----------------------------------------------------------------------

_RECOVERY_SALT = "zhurnal.accounts.recovery_code"


def normalize_recovery_code(raw: str) -> str:
    """As typed → as issued: spaces and dashes dropped, lower case (what the second login step accepts)."""
    return "".join((raw or "").split()).lower().replace("-", "")


def hash_recovery_code(code: str, secret: str | bytes | None = None) -> str:
    """What is stored of a recovery code: a keyed hash (HMAC-SHA256 with the secret key), 96 bits written in the
    16 characters django-otp's static token column holds. The code itself is shown once, when it is made."""
    digest = salted_hmac(_RECOVERY_SALT, normalize_recovery_code(code), secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()


def recovery_code_hashes(code: str) -> list[str]:
    """The hash under the current secret key and each fallback key (a key rotation keeps the codes working)."""
    return [hash_recovery_code(code)] + [hash_recovery_code(code, secret) for secret in settings.SECRET_KEY_FALLBACKS]


# --- logins -----------------------------------------------------------------------------------------------

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
}


def latin(text: str) -> str:
    """Russian → Latin letters, lower case, anything else kept: Фёдор Юрьевич → fedor yurevich."""
    return "".join(_TRANSLIT.get(ch, ch) for ch in (text or "").lower())


def transliterate(text: str) -> str:
    """Russian → Latin letters for a login, lower case, only a–z and digits kept."""
    return re.sub(r"[^a-z0-9]", "", latin(text))


def login_base(last_name: str, first_name: str = "", patronymic: str = "") -> str:
    """«Иванов Пётр Сергеевич» → ``ivanov.ps``."""
    surname = transliterate(last_name) or "user"
    initials = "".join(transliterate(name)[:1] for name in (first_name, patronymic) if name)
    return f"{surname}.{initials}" if initials else surname
