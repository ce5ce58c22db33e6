"""The core's own tables: the task queue's record of the jobs that must run only once, and the idempotency keys
of writes a client may retry (``idempotency.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TaskKey(models.Model):
    """One job that must happen at most once (an e-mail to one recipient about one event, one periodic run of a
    job in a region with several workers). Claimed before the job runs, marked done after it; a failed run
    deletes its claim so that the retry may claim it again (``zhurnal.core.tasks.run_once``)."""

    class State(models.TextChoices):
        RUNNING = "running", "выполняется"
        DONE = "done", "выполнено"

    key = models.CharField(max_length=200, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    claimed_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["done_at"], name="core_taskkey_done_at")]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"


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
