"""One settings module for every environment; everything that varies comes from the environment.

SQLite in ``var/`` unless ``DATABASE_URL`` is set; ``DEBUG`` off unless asked for;
a secret key is required whenever ``DEBUG`` is off.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ZHURNAL_VAR_DIR", BASE_DIR / "var"))


TRUE_WORDS = frozenset({"1", "true", "yes", "on", "да"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "нет"})


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no setting: 1, true, yes, on (or 0, false, no, off), in any case; unset or empty: ``default``.
    Anything else stops the start with the variable named: ``SECURE_COOKIES=flase`` must not quietly mean off."""
    value = os.environ.get(name, "")
    word = value.strip().lower()
    if not word:
        return default
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is neither yes nor no: write 1, true, yes, on or 0, false, no, off.")


def env_int(name: str, default: int) -> int:
    """A whole-number setting; unset or empty: ``default``; anything else stops the start with the variable named."""
    value = os.environ.get(name, "")
    if not value.strip():
        return default
    try:
        return int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def random_page_cost() -> float | None:
    """PostgreSQL's ``random_page_cost`` for the application's sessions (``DB_RANDOM_PAGE_COST``, default 1.1;
    empty: the server's own). A school's journal fits in memory many times over, so a random read costs about
    what a sequential one does: with the server's default of 4 PostgreSQL scans a whole table of students or
    lesson records to join a page's thirty rows (0.4–0.6 ms each time) instead of looking them up by their index
    (0.1 ms). Set on each new connection (``zhurnal.core.apps``), not as a start-up option: a pooler refuses those."""
    text = os.environ.get("DB_RANDOM_PAGE_COST", "1.1").strip()
    if not text:
        return None
    value = float(text)
    if not 0 < value < 1000:  # also refuses nan and inf: a typo fails at start-up, not at the first connection
        raise ImproperlyConfigured(f"DB_RANDOM_PAGE_COST: {text!r} is not a cost between 0 and 1000")
    return value


def database_from_url(url: str) -> dict:
    """Translate ``postgres://user:pass@host:port/name`` or ``sqlite:///path`` into Django's form."""
    parsed = urlparse(url)
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "zhurnal",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            # Parameters bound by the server, so psycopg prepares a statement run a few times on a connection
            # and PostgreSQL reuses its plan: planning the journal's many-join lookups cost more than running them.
            # Off (DB_SERVER_SIDE_BINDING=0) behind a pooler that cannot keep prepared statements (PgBouncer
            # before 1.21 in transaction mode).
            "OPTIONS": {"server_side_binding": env_bool("DB_SERVER_SIDE_BINDING", True),
                        "prepare_threshold": 5 if env_bool("DB_SERVER_SIDE_BINDING", True) else None},
        }
    if parsed.scheme == "sqlite":
        return sqlite_database(Path(unquote(parsed.path)))
    raise ImproperlyConfigured(f"DATABASE_URL: unsupported scheme {parsed.scheme!r}")


def sqlite_database(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # WAL lets the diary read while a teacher writes; IMMEDIATE avoids lock upgrades.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
            "transaction_mode": "IMMEDIATE",
        },
    }


DEBUG = env_bool("DEBUG")
TESTING = env_bool("ZHURNAL_TESTING") or "pytest" in sys.modules
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see docs/deployment.md).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if not DEBUG else "*")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "zhurnal.core",
    "zhurnal.accounts",
    "zhurnal.audit",
    "zhurnal.school",
    "zhurnal.timetable",
    "zhurnal.planning",
    "zhurnal.journal",
    "zhurnal.diary",
    "zhurnal.reports",
    "zhurnal.messaging",
    "zhurnal.notifications",
    "zhurnal.ops",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside WhiteNoise: static files served from the apps are compressed too (collected ones come compressed).
    "zhurnal.core.compression.CompressionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Refuses a body declared over ZHURNAL_MAX_REQUEST_BYTES before anything reads it (the 413 page).
    "zhurnal.core.uploads.RequestSizeLimitMiddleware",
    # A NUL in the query or a plain form: the 400 page (core.params).
    "zhurnal.core.params.NulGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zhurnal.core.middleware.SecurityHeadersMiddleware",
    "zhurnal.school.middleware.ActiveSchoolMiddleware",
    "zhurnal.accounts.middleware.TwoFactorGateMiddleware",
    # Last, so that it turns a lockout flagged during the view into the login page with the lockout message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "zhurnal.core.templating.DjangoTemplates",  # Django's, freeing a page's data once rendered
        "NAME": "django",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhurnal.school.context_processors.roles",
            ],
            # {% url %} with the address remembered per process (zhurnal/core/templatetags/cached_url.py).
            "builtins": ["zhurnal.core.templatetags.cached_url"],
        },
    }
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": sqlite_database(VAR_DIR / "zhurnal.sqlite3")}

# Each process keeps its own cache: what is cached is versioned by the school's stamp, read from the database
# on every request (zhurnal/core/stamps.py), so app servers need no shared cache to stay correct. The
# local-memory cache pickles what it keeps, so every reader gets its own copy (stamps.cached relies on it).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "zhurnal",
                      "OPTIONS": {"MAX_ENTRIES": env_int("ZHURNAL_CACHE_ENTRIES", 50_000)}}}

DB_RANDOM_PAGE_COST = random_page_cost()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# The tenant: every school-owned row points at it. Core (the per-school cache, idempotency keys) names it by this
# setting, as Django names the user model, so that it imports no domain app.
ZHURNAL_SCHOOL_MODEL = "school.School"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses any attempt while the account or address is locked out
    "zhurnal.accounts.backends.PasswordBackend",  # Django's ModelBackend; the session's user read in plain SQL
    "zhurnal.accounts.backends.ActivationCodeBackend",
]

# Login throttling (zhurnal/accounts/lockout.py, docs/security.md): after AXES_FAILURE_LIMIT failures a login is locked
# for ZHURNAL_LOCKOUT_BASE_MINUTES, doubled with each further lock within a day up to ZHURNAL_LOCKOUT_MAX_MINUTES;
# passwords and activation codes alike. An address (a whole school behind one NAT) is locked only after
# ZHURNAL_ADDRESS_FAILURE_LIMIT failures within ZHURNAL_ADDRESS_WINDOW_MINUTES (mass guessing). A successful login
# erases only the failures against that login from that address.
AXES_HANDLER = "zhurnal.accounts.lockout.LoginThrottle"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
ZHURNAL_LOCKOUT_BASE_MINUTES = env_int("ZHURNAL_LOCKOUT_BASE_MINUTES", 5)
ZHURNAL_LOCKOUT_MAX_MINUTES = env_int("ZHURNAL_LOCKOUT_MAX_MINUTES", 240)
ZHURNAL_LOCKOUT_BY_ADDRESS = env_bool("ZHURNAL_LOCKOUT_BY_ADDRESS", True)
ZHURNAL_ADDRESS_FAILURE_LIMIT = env_int("ZHURNAL_ADDRESS_FAILURE_LIMIT", 100)
ZHURNAL_ADDRESS_WINDOW_MINUTES = env_int("ZHURNAL_ADDRESS_WINDOW_MINUTES", 15)
AXES_COOLOFF_TIME = "zhurnal.accounts.lockout.cool_off"
AXES_USE_ATTEMPT_EXPIRATION = True  # each attempt is forgotten after its own cool-off, not the last request's
# Attempts are recorded per login and address; LoginThrottle applies its own limit to each (the address's read from
# the login history), not axes' shared one.
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_RESET_ON_SUCCESS = True  # LoginThrottle.reset_user_attempts: that login from that address only
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock lifts on time even if someone keeps trying
AXES_LOCKOUT_CALLABLE = "zhurnal.accounts.views.auth.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # successful logins are kept in our own login history
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT \
    else ("REMOTE_ADDR",)
AXES_VERBOSE = False
AXES_HTTP_RESPONSE_CODE = 429  # axes' own default, named here so the lockout page can use it
# Never keep what was typed into a secret field in the failed-attempt records (the activation form has the new
# password and the code; the second login step has the one-time code).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "password1", "password2", "token",
                             "csrfmiddlewaretoken"]

OTP_TOTP_ISSUER = "Журнал"
# The key that seals the authenticator apps' secrets (zhurnal/accounts/sealing.py); empty: derived from SECRET_KEY.
# Set it, and keep it apart from the database copies, so that a stolen backup does not open the second factor.
ZHURNAL_SEALING_KEY = os.environ.get("ZHURNAL_SEALING_KEY", "")
ZHURNAL_ACTIVATION_CODE_DAYS = env_int("ZHURNAL_ACTIVATION_CODE_DAYS", 30)
# The access log of personal data (152-ФЗ): readings of cards and exports are kept this many days, then purged
# every night (zhurnal.audit.tasks).
ZHURNAL_ACCESS_LOG_DAYS = env_int("ZHURNAL_ACCESS_LOG_DAYS", 1095)
# The diary: families see final marks from this many days before a period ends, the forecast from this many.
ZHURNAL_FINALS_VISIBLE_DAYS = env_int("ZHURNAL_FINALS_VISIBLE_DAYS", 2)
ZHURNAL_FORECAST_DAYS = env_int("ZHURNAL_FORECAST_DAYS", 14)

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files straight from the apps: one computer, no separate web server needed. `zhurnal serve` collects
# them first (each with its .gz and .br beside it, see STORAGES) and serves the collected ones.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

SESSION_ENGINE = "zhurnal.accounts.sessions"  # Django's database store, read in plain SQL
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "zhurnal.core.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Uploads: imports are small spreadsheets; anything larger is refused before parsing.
ZHURNAL_MAX_IMPORT_BYTES = env_int("ZHURNAL_MAX_IMPORT_BYTES", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The largest file any page accepts (homework attachments, message attachments); a whole request may be 1 MB more
# (the form around the file). Larger requests are stopped while they arrive (zhurnal.core.uploads).
ZHURNAL_MAX_UPLOAD_BYTES = env_int("ZHURNAL_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
ZHURNAL_MAX_REQUEST_BYTES = ZHURNAL_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "zhurnal.core.uploads.CountingUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Backups (docs/operations.md): the destination folders (two external drives), separated like PATH (";" on Windows,
# ":" elsewhere); the age public keys copies are encrypted to; the secret key file a drill decrypts with; the
# computer's own folder where a copy is assembled before it is written to the drives.
ZHURNAL_BACKUP_DESTINATIONS = [p.strip() for p in os.environ.get("ZHURNAL_BACKUP_DESTINATIONS", "").split(os.pathsep)
                               if p.strip()]
ZHURNAL_BACKUP_RECIPIENTS = env_list("ZHURNAL_BACKUP_RECIPIENTS")
ZHURNAL_BACKUP_IDENTITY = os.environ.get("ZHURNAL_BACKUP_IDENTITY", str(VAR_DIR / "backup-key.txt"))
ZHURNAL_BACKUP_STAGING = os.environ.get("ZHURNAL_BACKUP_STAGING", str(VAR_DIR / "backup-work"))
ZHURNAL_PG_BIN_DIR = os.environ.get("ZHURNAL_PG_BIN_DIR", "")  # pg_dump/pg_restore, when not in a usual place
ZHURNAL_DRILL_DATABASE_PREFIX = os.environ.get("ZHURNAL_DRILL_DATABASE_PREFIX", "")  # default: "<database>_drill_"

# The task queue (zhurnal/core/tasks.py): on one computer a queue in a local SQLite file that `zhurnal serve` and
# `zhurnal demo` work off in a child process; in a region Redis (ZHURNAL_QUEUE_URL=redis://host:6379/0) and
# `zhurnal worker` on as many machines as needed. "immediate" runs each task at once in the process that queues
# it (the tests' default: nothing waits in a queue that no worker reads).
ZHURNAL_QUEUE_URL = os.environ.get("ZHURNAL_QUEUE_URL", "immediate" if TESTING else f"sqlite:///{VAR_DIR / 'queue.sqlite3'}")
ZHURNAL_QUEUE_WORKERS = env_int("ZHURNAL_QUEUE_WORKERS", 2)  # threads of one worker process
# `zhurnal serve` starts a worker by itself when the queue is the local file (unset) or when asked (1); never (0).
ZHURNAL_SERVE_WORKER = os.environ.get("ZHURNAL_SERVE_WORKER", "")

EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "zhurnal@localhost")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)  # STARTTLS (usually port 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # TLS from the start (usually port 465)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "outbox"))  # the file backend's folder (demo)

# Notifications (docs/notifications.md): the address links in e-mails and pushes point to; how often the header's
# bell asks for the unread count; the Web Push VAPID key (a PEM text or file; generated into VAR_DIR when unset).
ZHURNAL_SITE_URL = os.environ.get("ZHURNAL_SITE_URL", "http://127.0.0.1:8000")
ZHURNAL_BELL_POLL_SECONDS = env_int("ZHURNAL_BELL_POLL_SECONDS", 60)
# A mark corrected within this many seconds replaces its notification (its e-mail leaves when the time is up).
ZHURNAL_NOTIFY_REPLACE_SECONDS = env_int("ZHURNAL_NOTIFY_REPLACE_SECONDS", 600)
ZHURNAL_VAPID_PRIVATE_KEY = os.environ.get("ZHURNAL_VAPID_PRIVATE_KEY", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
