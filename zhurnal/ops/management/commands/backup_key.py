"""zhurnal backup-key [--out FILE]"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zhurnal.ops.archive import new_key


class Command(BaseCommand):
    help = "Создать ключ шифрования копий (age): секретный ключ — в файл, открытый — для ZHURNAL_BACKUP_RECIPIENTS."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", help=f"файл секретного ключа (по умолчанию {settings.ZHURNAL_BACKUP_IDENTITY})")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["out"] or settings.ZHURNAL_BACKUP_IDENTITY)
        if path.exists():
            raise CommandError(f"{path} уже есть: старый ключ нужен для старых копий. Укажите другой --out.")
        secret, public = new_key()
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as out:
            # age's own layout (age-keygen), so the age tool reads it too.
            out.write(f"# zhurnal backup key, created: {timezone.now():%Y-%m-%dT%H:%M:%SZ}\n"
                      f"# public key: {public}\n{secret}\n")
        self.stdout.write(
            f"Секретный ключ записан в {path}.\n"
            f"Открытый ключ: {public}\n"
            f"1. Укажите его в настройке: ZHURNAL_BACKUP_RECIPIENTS={public}\n"
            f"2. Распечатайте файл {path} и сохраните копию ключа вне этого компьютера (флешка в сейфе директора):\n"
            "   без него копии не восстановить, если компьютер сломается.")
