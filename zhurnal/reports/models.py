"""Reports' own records: the school's report settings (who counts in N, thresholds), report files made in the
background, the education department (управление образования) with its schools and officials, and the
aggregated figures of a school the department reads (never pupils' names).

Every figure is computed by ``metrics.py``; these rows only keep settings, files and snapshots of figures.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from zhurnal.school.models import School


class ReportSettings(models.Model):
    """A school's rules for its reports. Absent row = the defaults below (the common practice)."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="report_settings")
    exempt_in_n = models.BooleanField("«осв» учитываются в N", default=False)
    no_final_in_n = models.BooleanField("обучающиеся без итоговой отметки учитываются в N", default=False)
    departed_in_n = models.BooleanField("выбывшие до окончания периода учитываются в N", default=False)
    not_attested_in_n = models.BooleanField("«н/а» учитываются в N", default=True)
    missed_day_lessons = models.PositiveSmallIntegerField(
        "день пропущен, если пропущено уроков не меньше", default=0,
        help_text="0 — пропущены все уроки дня.")
    risk_average_below = models.DecimalField("группа риска: средний балл ниже", max_digits=3, decimal_places=2,
                                             default=Decimal("3.00"))
    risk_absences_in_row = models.PositiveSmallIntegerField("группа риска: пропусков «н» подряд", default=3)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "настройки отчётов"
        verbose_name_plural = "настройки отчётов"

    def __str__(self) -> str:
        return f"настройки отчётов {self.school_id}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "в очереди"
    RUNNING = "running", "готовится"
    DONE = "done", "готов"
    FAILED = "failed", "ошибка"


class ReportJob(models.Model):
    """A report file made in the background: who asked, for what (report key and its filters), progress, file."""

    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    report = models.CharField("отчёт", max_length=60)
    params = models.JSONField("параметры", default=dict)
    file_format = models.CharField("формат", max_length=8)
    title = models.CharField("название", max_length=300, blank=True)
    status = models.CharField("состояние", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField("готово, %", default=0)
    stage = models.CharField("этап", max_length=200, blank=True)
    error = models.TextField("ошибка", blank=True)
    file = models.FileField("файл", upload_to="reports/%Y/%m/", blank=True)
    filename = models.CharField("имя файла", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "файл отчёта"
        verbose_name_plural = "файлы отчётов"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.report} ({self.file_format}) — {self.get_status_display()}"


class Department(models.Model):
    """An education department (управление / отдел образования) and the schools it oversees."""

    name = models.CharField("наименование", max_length=300)
    schools = models.ManyToManyField(School, related_name="departments", blank=True, verbose_name="школы")

    class Meta:
        verbose_name = "управление образования"
        verbose_name_plural = "управления образования"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DepartmentOfficial(models.Model):
    """A specialist of the department: the «municipal» role, reading aggregated figures of its schools only."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="officials")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="department_roles")
    position = models.CharField("должность", max_length=200, blank=True)

    class Meta:
        verbose_name = "специалист управления образования"
        verbose_name_plural = "специалисты управления образования"
        constraints = [models.UniqueConstraint(fields=["department", "user"], name="official_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.department_id}"


class SchoolSnapshot(models.Model):
    """A school's aggregated figures (``metrics.school_aggregates``) as of ``computed_at`` — what the department
    reads. Numbers only: no names of pupils."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="report_snapshot")
    computed_at = models.DateTimeField("рассчитано")
    data = models.JSONField("показатели", default=dict)

    class Meta:
        verbose_name = "показатели школы"
        verbose_name_plural = "показатели школ"

    def __str__(self) -> str:
        return f"{self.school_id} на {self.computed_at:%d.%m.%Y %H:%M}"
