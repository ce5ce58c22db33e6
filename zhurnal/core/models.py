"""The core's own tables: the task queue's record of the jobs that must run only once."""

from __future__ import annotations

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
