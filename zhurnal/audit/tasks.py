"""The access log's retention on the task queue: every night, readings older than the retention are removed."""

from __future__ import annotations

from zhurnal.core.tasks import crontab, periodic_task

from . import services


@periodic_task(crontab(hour="3", minute="17"), name="audit.purge_access_log")
def purge_access_log() -> None:
    services.purge_access_log()
