"""The mail's background jobs."""

from __future__ import annotations

from zhurnal.core.tasks import task


@task(name="messaging.announce")
def announce(announcement_id: int) -> None:
    """Tell the readers of an announcement published for a later time, when that time comes."""
    from .services import announce_when_due

    announce_when_due(announcement_id=announcement_id)
