"""Backups: the school's schedule and retention (``BackupPolicy``), every copy taken (``BackupRun``) and where it
was written (``BackupCopy``), every restore drill (``RestoreDrill``).

The copies themselves are files on the destinations (``zhurnal/ops/archive.py``); these rows are what the
administrator's page and the schedule read. Every write goes through ``services.py``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Weekday(models.IntegerChoices):
    MONDAY = 0, "понедельник"
    TUESDAY = 1, "вторник"
    WEDNESDAY = 2, "среда"
    THURSDAY = 3, "четверг"
    FRIDAY = 4, "пятница"
    SATURDAY = 5, "суббота"
    SUNDAY = 6, "воскресенье"


class Month(models.IntegerChoices):
    JANUARY = 1, "январь"
    FEBRUARY = 2, "февраль"
    MARCH = 3, "март"
    APRIL = 4, "апрель"
    MAY = 5, "май"
    JUNE = 6, "июнь"
    JULY = 7, "июль"
    AUGUST = 8, "август"
    SEPTEMBER = 9, "сентябрь"
    OCTOBER = 10, "октябрь"
    NOVEMBER = 11, "ноябрь"
    DECEMBER = 12, "декабрь"


class CopyKind(models.TextChoices):
    """A copy's rung on the retention ladder: the first copy of a month is the monthly archive, the first copy of
    the archive month (July by default: the school year is closed) the yearly one."""

    WEEKLY = "weekly", "еженедельная"
    MONTHLY = "monthly", "ежемесячный архив"
    YEARLY = "yearly", "годовой архив"


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", "по расписанию"
    CONSOLE = "console", "вручную (команда)"


class BackupPolicy(models.Model):
    """The one schedule of this installation (a single row). ``school`` is the school whose administrator keeps
    the copies: on one computer the school itself; in a region, none (the region's operator), unless set."""

    school = models.ForeignKey("school.School", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name="школа, которая ведёт копии")
    weekday = models.PositiveSmallIntegerField("день еженедельной копии", choices=Weekday.choices,
                                               default=Weekday.FRIDAY)
    at = models.TimeField("время копии", default=dt.time(18, 0))
    yearly_month = models.PositiveSmallIntegerField("месяц годового архива", choices=Month.choices,
                                                    default=Month.JULY)
    keep_weekly_months = models.PositiveSmallIntegerField(
        "хранить еженедельные копии, месяцев", default=3, validators=[MinValueValidator(1), MaxValueValidator(24)])
    keep_monthly_months = models.PositiveSmallIntegerField(
        "хранить ежемесячные архивы, месяцев", default=12, validators=[MinValueValidator(1), MaxValueValidator(60)])
    keep_yearly_years = models.PositiveSmallIntegerField(
        "хранить годовые архивы, лет", default=5, validators=[MinValueValidator(5), MaxValueValidator(25)])
    drill_every_days = models.PositiveSmallIntegerField(
        "проверять восстановление каждые, дней", default=30, validators=[MinValueValidator(1), MaxValueValidator(92)])
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "расписание резервного копирования"
        verbose_name_plural = "расписание резервного копирования"
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="backup_policy_weekday"),
            models.CheckConstraint(condition=models.Q(yearly_month__gte=1, yearly_month__lte=12),
                                   name="backup_policy_month"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()}, {self.at:%H:%M}"


class BackupRun(models.Model):
    """One copy taken: the archive made once, then written to each destination (``BackupCopy``)."""

    started_at = models.DateTimeField("начало")
    finished_at = models.DateTimeField("окончание")
    kind = models.CharField("вид", max_length=8, choices=CopyKind.choices)
    trigger = models.CharField("запуск", max_length=8, choices=Trigger.choices)
    engine = models.CharField("СУБД", max_length=12)
    file_name = models.CharField("файл", max_length=200, blank=True)
    size = models.BigIntegerField("размер, байт", default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    encrypted = models.BooleanField("зашифрована", default=False)
    ok = models.BooleanField("успешно", default=False)
    error = models.TextField("ошибка", blank=True)
    # Row counts, data hashes and timings of the manifest (for the page and the report; the copy holds it all).
    figures = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "резервная копия"
        verbose_name_plural = "резервные копии"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["ok", "kind", "started_at"])]

    def __str__(self) -> str:
        return self.file_name or f"копия {self.started_at:%Y-%m-%d %H:%M}"


class BackupCopy(models.Model):
    """A run's archive on one destination: written, read back and checked, then old copies pruned there."""

    run = models.ForeignKey(BackupRun, on_delete=models.CASCADE, related_name="copies")
    destination = models.CharField("место хранения", max_length=500)
    label = models.CharField("носитель", max_length=100, blank=True)
    path = models.CharField("путь", max_length=700, blank=True)
    ok = models.BooleanField("записана и проверена", default=False)
    error = models.TextField("ошибка", blank=True)
    pruned = models.PositiveIntegerField("удалено старых копий", default=0)
    finished_at = models.DateTimeField("записана")

    class Meta:
        verbose_name = "копия на носителе"
        verbose_name_plural = "копии на носителях"
        ordering = ["-finished_at", "-id"]
        indexes = [models.Index(fields=["destination", "ok", "finished_at"])]

    def __str__(self) -> str:
        return self.path or self.destination


class RestoreDrill(models.Model):
    """A restore rehearsal: a copy restored into a scratch database, its counts and hashes compared."""

    started_at = models.DateTimeField("начало")
    finished_at = models.DateTimeField("окончание")
    trigger = models.CharField("запуск", max_length=8, choices=Trigger.choices)
    copy_path = models.CharField("копия", max_length=700, blank=True)
    copy_taken_at = models.DateTimeField("копия сделана", null=True, blank=True)
    engine = models.CharField("СУБД", max_length=12)
    ok = models.BooleanField("успешно", default=False)
    error = models.TextField("ошибка", blank=True)
    figures = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "проверка восстановления"
        verbose_name_plural = "проверки восстановления"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"проверка {self.started_at:%Y-%m-%d %H:%M}"
