"""zhurnal backup [--scheduled] [--drill] [--kind weekly|monthly|yearly] [--to DIR ...]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhurnal.ops import backups
from zhurnal.ops.console import describe_drill, describe_run
from zhurnal.ops.destinations import Destination
from zhurnal.ops.models import CopyKind, Trigger


class Command(BaseCommand):
    help = ("Резервная копия журнала на носители (ZHURNAL_BACKUP_DESTINATIONS) — во время работы школы. "
            "--scheduled: только то, что положено по расписанию (для cron / планировщика заданий, раз в час).")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scheduled", action="store_true",
                            help="сделать копию и проверку восстановления, только если они положены по расписанию")
        parser.add_argument("--drill", action="store_true",
                            help="после копии проверить восстановление из неё во временную базу")
        parser.add_argument("--kind", choices=CopyKind.values, help="вид копии (по умолчанию — по расписанию)")
        parser.add_argument("--to", action="append", default=[], metavar="DIR",
                            help="записать в эту папку (подготовленную: zhurnal backup-drive) вместо настроенных")

    def handle(self, *args: Any, **options: Any) -> None:
        destinations = [Destination(Path(p)) for p in options["to"]] or None
        if options["scheduled"]:
            outcome = backups.run_scheduled(destinations=destinations)
            if outcome.note:
                self.stdout.write(outcome.note)
            if outcome.backup:
                self.stdout.write("\n".join(describe_run(outcome.backup)))
            if outcome.drill:
                self.stdout.write("\n".join(describe_drill(outcome.drill)))
            if (outcome.backup and not outcome.backup.ok) or (outcome.drill and not outcome.drill.ok):
                raise CommandError("Копирование по расписанию не удалось (подробности выше).")
            return
        run = backups.take_backup(trigger=Trigger.CONSOLE, kind=options["kind"], destinations=destinations)
        self.stdout.write("\n".join(describe_run(run)))
        if not run.ok:
            raise CommandError("Копия не сделана.")
        if options["drill"]:
            copy = next((Path(c.path) for c in run.copies.all() if c.ok), None)
            drill = backups.run_drill(copy=copy, trigger=Trigger.CONSOLE)
            self.stdout.write("\n".join(describe_drill(drill)))
            if not drill.ok:
                raise CommandError("Проверка восстановления не прошла.")
