"""``zhurnal demo``: migrate, build the demo school if it is absent, print its logins, serve it."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections

from zhurnal.ops.demo import DEMO_PASSWORD, DEMO_SLUG, DemoError, build_demo_school, demo_logins, demo_school
from zhurnal.school.models import School


class Command(BaseCommand):
    help = "Build the demo school (once), print its logins and serve it on http://127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="build and print the logins, do not serve")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--reset", action="store_true",
                            help="delete the database (SQLite) or its data and build the demo anew")
        parser.add_argument("--no-migrate", action="store_true", help="do not apply migrations first")

    def handle(self, *args, no_serve, host, port, reset, no_migrate, **options):
        if reset:
            self._reset()
        if not no_migrate:
            self.stdout.write("Подготовка базы данных…")
            call_command("migrate", interactive=False, verbosity=0)
        school = demo_school()
        if school is None:
            school = self._build()
        else:
            self.stdout.write(f"Демонстрационная школа «{school.short_name}» уже есть "
                              f"(построить заново: zhurnal demo --reset).")
        self._print_logins(school)
        if not no_serve:
            call_command("serve", host=host, port=port, no_migrate=True)

    def _build(self) -> School:
        others = list(School.objects.exclude(slug=DEMO_SLUG).values_list("short_name", flat=True)[:3])
        if others:
            raise CommandError(f"В этой базе уже есть школа «{others[0]}»: демонстрационная школа строится только "
                               f"в отдельной базе (задайте ZHURNAL_VAR_DIR или DATABASE_URL).")
        self.stdout.write("Строится демонстрационная школа:")
        began = time.perf_counter()
        try:
            demo = build_demo_school(progress=self._progress)
        except DemoError as exc:
            raise CommandError(f"{exc} Постройте демо в отдельной базе или запустите zhurnal demo --reset.") from exc
        took = time.perf_counter() - began
        self.stdout.write(self.style.SUCCESS(
            f"Готово за {took:.1f} с: {len(demo.classes)} классов, {len(demo.students)} обучающихся, "
            f"{len(demo.guardians)} законных представителей, {len(demo.staff)} сотрудников."))
        assert demo.school is not None
        return demo.school

    def _progress(self, label: str, seconds: float) -> None:
        self.stdout.write(f"  {label} — {seconds:.1f} с")

    def _print_logins(self, school: School) -> None:
        rows = [("Логин", "Пароль", "Кто это", "Что увидит")]
        rows += [(row.username, row.password, row.who, row.sees) for row in demo_logins(school)]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(f"Демонстрационные входы (пароль у всех: {DEMO_PASSWORD}):")
        for index, (login, password, who, sees) in enumerate(rows):
            cells = [cell.ljust(width) for cell, width in zip((login, password, who), widths, strict=True)]
            line = "  ".join([*cells, sees])
            self.stdout.write(self.style.MIGRATE_HEADING(line) if index == 0 else line)
        self.stdout.write("")
        from zhurnal.notifications.mail import outgoing_description

        self.stdout.write(f"Почта демо-школы (уведомления родителям и ученикам). {outgoing_description()}.")
        self.stdout.write("")

    def _reset(self) -> None:
        try:
            others = list(School.objects.exclude(slug=DEMO_SLUG).values_list("short_name", flat=True)[:1])
        except DatabaseError:
            others = []  # no tables yet: nothing to protect
        if others:
            raise CommandError(f"В базе есть школа «{others[0]}», кроме демонстрационной: сброс отменён.")
        connection = connections["default"]
        if connection.vendor != "sqlite":
            self.stdout.write("Удаляются все данные базы…")
            call_command("flush", interactive=False, verbosity=0)
            return
        name = str(connection.settings_dict["NAME"])
        if not name or ":memory:" in name or "mode=memory" in name:
            raise CommandError("База в памяти: сбрасывать нечего.")
        connections.close_all()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
        self.stdout.write(f"База данных {name} удалена.")
