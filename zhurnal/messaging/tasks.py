"""The mail's background jobs."""

from __future__ import annotations

from zhurnal.core.tasks import task


@task(name="messaging.announce")
def announce(announcement_id: int) -> None:
    """Tell the readers of an announcement published for a later time, when that time comes."""
    from .services import announce_when_due

    announce_when_due(announcement_id=announcement_id)


@task(name="messaging.fan_out")
def fan_out(announcement_id: int) -> None:
    """Write an announcement's readers and tell them (after the page that published it has answered)."""
    from .services import fan_out_announcement

    fan_out_announcement(announcement_id=announcement_id)
