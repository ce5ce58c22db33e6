"""zhurnal backup-status [--keeper SLUG|-]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhurnal.ops import selectors, services
from zhurnal.ops.console import describe_status
from zhurnal.school.models import School


class Command(BaseCommand):
    help = ("Состояние резервных копий и проверок восстановления (как на странице «Резервные копии»); код выхода 2, "
            "если что-то требует внимания (для мониторинга). --keeper SLUG: какая школа ведёт копии (регион).")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--keeper", help="код школы, администратор которой ведёт копии; «-» — никакая")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["keeper"]:
            school = None
            if options["keeper"] != "-":
                school = School.objects.filter(slug=options["keeper"]).first()
                if school is None:
                    raise CommandError(f"Школы с кодом {options['keeper']!r} нет.")
            services.set_backup_keeper(actor=None, school=school)
            self.stdout.write(f"Копии ведёт: {school or 'оператор установки (ни одна школа)'}.")
        status = selectors.backup_status()
        self.stdout.write("\n".join(describe_status(status)))
        if status.warnings:
            raise SystemExit(2)
