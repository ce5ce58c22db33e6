"""The ``zhurnal`` console command: Django's management commands under friendlier names.

    zhurnal demo [--no-serve]   migrate, build the demo school if absent, print logins, serve
    zhurnal serve [--host H] [--port P] [--threads N] [--worker auto|yes|no]
    zhurnal worker [--workers N] [--no-periodic]   work off the task queue (a region; serve starts one itself)
    zhurnal backup [--scheduled] [--drill]   a copy to the two drives; restore COPY; restore-drill
    zhurnal migrate | createsuperuser | <any manage.py command> (restore-drill = restore_drill)
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

USAGE = __doc__ or ""


def _demo_environment() -> None:
    """The demo runs with DEBUG off, like a school would, on plain HTTP on 127.0.0.1."""
    # Not from config.settings: importing it without a secret key raises, and the key is what we make here.
    var_dir = Path(os.environ.get("ZHURNAL_VAR_DIR", Path(__file__).resolve().parents[2] / "var"))
    var_dir.mkdir(parents=True, exist_ok=True)
    key_file = var_dir / "secret_key"
    if not os.environ.get("SECRET_KEY"):
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        os.environ["SECRET_KEY"] = key_file.read_text().strip()
    os.environ.setdefault("SECURE_COOKIES", "0")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return
    if "-" in argv[0] and not argv[0].startswith("-"):
        argv[0] = argv[0].replace("-", "_")  # zhurnal restore-drill: Django's command names use underscores
    if argv[0] in {"demo", "serve", "worker"}:
        _demo_environment()
    if argv[0] == "demo":
        # No mail leaves the computer from the demo: its e-mails are files (the worker that serve starts inherits it).
        var_dir = Path(os.environ.get("ZHURNAL_VAR_DIR", Path(__file__).resolve().parents[2] / "var"))
        os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
        os.environ.setdefault("EMAIL_FILE_PATH", str(var_dir / "outbox"))
    from django.core.management import execute_from_command_line

    execute_from_command_line(["zhurnal", *argv])


if __name__ == "__main__":
    main()
