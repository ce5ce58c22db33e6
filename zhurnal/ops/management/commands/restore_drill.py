"""zhurnal restore-drill [COPY] [--identity KEYFILE]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhurnal.ops import backups
from zhurnal.ops.archive import CopyRefused, load_identities
from zhurnal.ops.console import describe_drill
from zhurnal.ops.models import Trigger


class Command(BaseCommand):
    help = ("Проверка восстановления: копия (по умолчанию — самая новая на носителях) восстанавливается во "
            "временную базу, числа строк и контрольные суммы сверяются с описанием копии, временная база удаляется.")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("copy", nargs="?", help="файл копии")
        parser.add_argument("--identity", help="файл секретного ключа age (для зашифрованных копий)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            identities = load_identities(Path(options["identity"])) if options["identity"] else None
        except CopyRefused as error:
            raise CommandError(str(error)) from error
        drill = backups.run_drill(copy=Path(options["copy"]) if options["copy"] else None, identities=identities,
                                  trigger=Trigger.CONSOLE)
        self.stdout.write("\n".join(describe_drill(drill)))
        if not drill.ok:
            raise CommandError("Проверка восстановления не прошла.")
