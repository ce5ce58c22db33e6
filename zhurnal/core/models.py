"""What core keeps in the database: the idempotency keys of writes a client may retry (``idempotency.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class WriteKey(models.Model):
    """An idempotency key of a write a client may retry: a replay returns ``result`` and writes nothing."""

    school = models.ForeignKey(settings.ZHURNAL_SCHOOL_MODEL, on_delete=models.CASCADE)
    key = models.UUIDField(unique=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    verb = models.CharField(max_length=40)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "ключ повтора запроса"
        verbose_name_plural = "ключи повтора запросов"
        # The index keeps the name it was created with in the journal app (the table moved, see migrations).
        indexes = [models.Index(fields=["school", "created_at"], name="journal_wri_school__5ac3bf_idx")]

    def __str__(self) -> str:
        return str(self.key)
