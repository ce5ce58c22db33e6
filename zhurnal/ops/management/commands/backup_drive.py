"""zhurnal backup-drive [PATH --label LABEL]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from zhurnal.ops.destinations import configured, layout_warnings, prepare


class Command(BaseCommand):
    help = ("Подготовить папку на внешнем носителе для копий (PATH --label «Диск 1») или, без аргументов, "
            "показать настроенные места хранения и их состояние.")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="папка на носителе, например E:\\zhurnal-copies")
        parser.add_argument("--label", help="как называть носитель на странице, например «Диск 1 (синий)»")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["path"]:
            if not options["label"]:
                raise CommandError("Укажите --label: как называть этот носитель, например «Диск 1».")
            destination = prepare(Path(options["path"]), options["label"])
            self.stdout.write(f"Готово: {destination.path} — «{options['label']}». Добавьте эту папку в "
                              "ZHURNAL_BACKUP_DESTINATIONS.")
        destinations = configured()
        if not destinations:
            self.stdout.write("Места хранения не настроены (ZHURNAL_BACKUP_DESTINATIONS).")
        for destination in destinations:
            state = destination.state()
            copies = destination.copies() if state.ready else []
            self.stdout.write(
                f"{destination.path}: " + (f"«{state.label}», свободно {filesizeformat(state.free_bytes or 0)}, копий "
                                           f"{len(copies)}" if state.ready else f"недоступен — {state.problem}"))
        for warning in layout_warnings(destinations):
            self.stdout.write(f"Внимание: {warning}")
