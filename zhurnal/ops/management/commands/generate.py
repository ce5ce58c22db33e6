"""``zhurnal generate --schools N``: a region of generated schools for benchmarks and load tests."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from zhurnal.ops.generate import GENERATED_PASSWORD, SchoolReport, generate_region


def _date(value: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a school-local date, no time
        except ValueError:
            continue
    raise CommandError(f"Дата «{value}» не распознана: укажите ГГГГ-ММ-ДД или ДД.ММ.ГГГГ.")


def _n(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u00a0")


class Command(BaseCommand):
    help = ("Generate N realistic schools (classes, staff, families, timetables, lessons, marks, attendance) in "
            "bulk, bypassing the services. For benchmarks and load tests only: never on a school's database.")

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, required=True, help="how many schools to add")
        parser.add_argument("--students-per-school", type=int, default=600, help="pupils per school (600)")
        parser.add_argument("--until", type=_date, default=None,
                            help="lessons are filled (topics, marks, attendance) up to this date; default today")
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same region")

    def handle(self, *args, schools, students_per_school, until, seed, **options):
        if schools < 1:
            raise CommandError("--schools: нужна хотя бы одна школа.")
        if students_per_school < 11:
            raise CommandError("--students-per-school: нужно не меньше 11 обучающихся (хотя бы по одному на "
                               "параллель).")

        def progress(school: SchoolReport, done: int, total: int) -> None:
            self.stdout.write(
                f"[{done}/{total}] {school.slug}: {_n(school.students)} обучающихся, {_n(school.lessons)} уроков, "
                f"{_n(school.marks)} отметок, {_n(school.attendance)} пропусков — {school.seconds:.1f} с, "
                f"{_n(school.rows / school.seconds)} строк/с", ending="\n")
            self.stdout.flush()

        report = generate_region(schools=schools, students_per_school=students_per_school, until=until, seed=seed,
                                 progress=progress)
        marks = report.counts.get("journal_mark", 0)
        if report.indexes_rebuilt:
            self.stdout.write(f"Индексы уроков, отметок и посещаемости построены заново ({report.indexes_rebuilt}) "
                              f"за {report.index_seconds:.1f} с.")
        self.stdout.write(self.style.SUCCESS(
            f"Готово: школ — {len(report.schools)}, строк — {_n(report.rows)} (из них отметок — {_n(marks)}) за "
            f"{report.seconds:.1f} с: {_n(report.rate)} строк/с."))
        self.stdout.write(f"Пароль всех созданных логинов: {GENERATED_PASSWORD} (логины вида region-001-t1, "
                          f"region-001-s1, region-001-p1, region-001-director).")
