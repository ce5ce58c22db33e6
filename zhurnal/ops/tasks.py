"""The backups' periodic job on the task queue: every hour, whatever the schedule says is due
(``backups.run_scheduled``: the weekly copy, the month's or year's archive, the restore drill). The same function
``zhurnal backup --scheduled`` runs from cron where no worker runs."""

from __future__ import annotations

from zhurnal.core.tasks import crontab, periodic_task

from . import backups


@periodic_task(crontab(minute="7"), name="ops.scheduled_backup")
def scheduled_backup() -> None:
    backups.run_scheduled()
