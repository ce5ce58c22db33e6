from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One change, append-only: who, when, what, old → new, why, from where."""

    school = models.ForeignKey("school.School", null=True, blank=True, on_delete=models.PROTECT)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    verb = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "запись журнала изменений"
        verbose_name_plural = "журнал изменений"
        indexes = [
            models.Index(fields=["school", "target_type", "target_id"]),
            models.Index(fields=["school", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.verb} {self.target_type}#{self.target_id}"


class AccessKind(models.TextChoices):
    STUDENT_CARD = "student_card", "карточка обучающегося"
    GUARDIAN_CARD = "guardian_card", "карточка законного представителя"
    LOGIN_CARD = "login_card", "учётная запись и история входов"
    LIST_EXPORT = "list_export", "выгрузка списка"
    ACTIVATION_CODES = "activation_codes", "список кодов активации"
    REPORT_EXPORT = "report_export", "файл отчёта"
    DIARY_PRINT = "diary_print", "печать дневника или выписки"


class AccessRecord(models.Model):
    """One reading of personal data (152-ФЗ): who opened which card or took which file, when, from where, how many
    rows. Append-only; purged after ``settings.ZHURNAL_ACCESS_LOG_DAYS`` (``services.purge_access_log``)."""

    school = models.ForeignKey("school.School", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField("когда")
    kind = models.CharField("что", max_length=32, choices=AccessKind.choices)
    what = models.CharField("подробно", max_length=300)
    rows = models.PositiveIntegerField("строк", null=True, blank=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    address = models.GenericIPAddressField("адрес", null=True, blank=True)

    class Meta:
        verbose_name = "обращение к персональным данным"
        verbose_name_plural = "журнал доступа к персональным данным"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["school", "at"]),
            models.Index(fields=["school", "actor", "at"]),
            models.Index(fields=["school", "kind", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.what}"
