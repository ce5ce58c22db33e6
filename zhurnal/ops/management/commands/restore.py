"""zhurnal restore COPY [--identity KEYFILE] [--check] [--no-migrate]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from zhurnal.ops import backups, services
from zhurnal.ops.archive import CopyRefused, default_identity, load_identities, open_copy
from zhurnal.ops.engines import Target


class Command(BaseCommand):
    help = ("Восстановить журнал из копии в пустую базу (DATABASE_URL или var/zhurnal.sqlite3) и проверить числа "
            "строк и контрольные суммы. --check: только проверить копию, ничего не восстанавливая.")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("copy", help="файл копии (zhurnal-…tar.gz или …tar.gz.age)")
        parser.add_argument("--identity", help="файл секретного ключа age (для зашифрованных копий)")
        parser.add_argument("--check", action="store_true", help="только проверить копию")
        parser.add_argument("--no-migrate", action="store_true",
                            help="не обновлять базу до этой версии программы после восстановления")
        parser.add_argument("--media-root", help="куда положить загруженные файлы (по умолчанию MEDIA_ROOT)")

    def handle(self, *args: Any, **options: Any) -> None:
        copy = Path(options["copy"])
        key = Path(options["identity"]) if options["identity"] else default_identity()
        target = Target.default()
        try:
            identities = load_identities(key) if key is not None and copy.name.endswith(".age") else None
            if options["check"]:
                self._check(copy, target, identities)
                return
            connections.close_all()
            report = backups.restore_copy(copy, target=target, identities=identities,
                                          media_root=Path(options["media_root"] or settings.MEDIA_ROOT))
        except CopyRefused as error:
            raise CommandError(f"Копия не восстановлена: {error}") from error
        connections.close_all()
        manifest = report.manifest
        self.stdout.write(
            f"Восстановлено из {copy.name} (копия от {timezone.localtime(manifest.taken_at):%d.%m.%Y %H:%M}, "
            f"версия программы {manifest.app_version}) в {report.target}:\n"
            f"  {report.figures.total_rows} строк в {len(report.figures.row_counts)} таблицах, "
            f"{report.media_files} загруженных файлов; числа строк и контрольные суммы совпали с описанием копии.\n"
            f"  время {report.seconds['total']:.1f} с")
        if report.pending_migrations and not options["no_migrate"]:
            self.stdout.write(f"Копия сделана более старой версией: обновляю базу ({len(report.pending_migrations)} "
                              "изменений)…")
            call_command("migrate", verbosity=0)
        services.record_restore(actor=None, copy_name=copy.name, taken_at=manifest.taken_at,
                                figures={"rows": report.figures.total_rows, "media_files": report.media_files})
        self.stdout.write("Готово. Запустите журнал (zhurnal serve) и проверьте последние отметки.")

    def _check(self, copy: Path, target: Target, identities: Any) -> None:
        with backups.workdir("check-") as work:
            opened = open_copy(copy, work, identities=identities,
                               check=lambda manifest: backups.refusal_by_manifest(manifest, target))
        manifest = opened.manifest
        self.stdout.write(
            f"Копия {copy.name} цела: {filesizeformat(opened.size)}, сделана "
            f"{timezone.localtime(manifest.taken_at):%d.%m.%Y %H:%M} версией {manifest.app_version} "
            f"({manifest.engine}); {sum(manifest.row_counts.values())} строк, {len(opened.media)} загруженных файлов; "
            f"контрольные суммы файлов совпали{'' if opened.sidecar_checked else ' (файла .sha256 рядом нет)'}.")
