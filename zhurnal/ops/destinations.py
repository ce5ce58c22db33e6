"""Where copies go: two folders, usually on two external drives (``ZHURNAL_BACKUP_DESTINATIONS``).

A destination is used only once it has been prepared (``zhurnal backup-drive PATH --label "Диск 1"``), which leaves
a small marker file there. An unplugged drive leaves an empty mount point (Linux) or no folder at all (Windows):
without the marker the copy is not written, rather than filling the computer's own disk unnoticed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

from .models import CopyKind

MARKER = ".zhurnal-backup"
COPY_NAME = re.compile(
    r"^zhurnal-(?P<date>\d{4}-\d{2}-\d{2})_(?P<time>\d{6})-(?P<kind>weekly|monthly|yearly)\.tar\.gz(?P<age>\.age)?$")


@dataclass(frozen=True)
class CopyFile:
    """A copy found on a destination, as its name tells."""

    path: Path
    taken_at: dt.datetime  # aware
    kind: str
    encrypted: bool

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def copy_name(taken_at: dt.datetime, kind: str, *, encrypted: bool) -> str:
    local = timezone.localtime(taken_at)
    return f"zhurnal-{local:%Y-%m-%d_%H%M%S}-{kind}.tar.gz{'.age' if encrypted else ''}"


def parse_copy_name(path: Path) -> CopyFile | None:
    match = COPY_NAME.match(path.name)
    if match is None:
        return None
    naive = dt.datetime.strptime(f"{match['date']} {match['time']}", "%Y-%m-%d %H%M%S")  # noqa: DTZ007 - local time
    return CopyFile(path=path, taken_at=timezone.make_aware(naive), kind=CopyKind(match["kind"]).value,
                    encrypted=bool(match["age"]))


@dataclass(frozen=True)
class DestinationState:
    ready: bool
    problem: str = ""
    label: str = ""
    free_bytes: int | None = None
    device: int | None = None


@dataclass(frozen=True)
class Destination:
    path: Path

    @property
    def key(self) -> str:
        """How runs name this destination (``BackupCopy.destination``)."""
        return str(self.path)

    def marker(self) -> dict[str, str] | None:
        try:
            data = json.loads((self.path / MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def state(self) -> DestinationState:
        if not self.path.is_dir():
            return DestinationState(False, "папки нет: носитель не подключён")
        marker = self.marker()
        if marker is None:
            return DestinationState(False, "носитель не подключён или не подготовлен (нет файла .zhurnal-backup)")
        label = str(marker.get("label", ""))
        if not os.access(self.path, os.W_OK):
            return DestinationState(False, "запись запрещена", label)
        usage = shutil.disk_usage(self.path)
        return DestinationState(True, "", label, usage.free, self.path.stat().st_dev)

    def copies(self) -> list[CopyFile]:
        """The copies on this destination, oldest first (the names of other files are left alone)."""
        if not self.path.is_dir():
            return []
        found = [parsed for entry in self.path.iterdir() if (parsed := parse_copy_name(entry)) and entry.is_file()]
        return sorted(found, key=lambda c: c.taken_at)


def configured() -> list[Destination]:
    """The destinations of the settings, in their order."""
    return [Destination(Path(p)) for p in settings.ZHURNAL_BACKUP_DESTINATIONS]


def prepare(path: Path, label: str) -> Destination:
    """Make ``path`` a destination: the folder (on the drive) and its marker."""
    path.mkdir(parents=True, exist_ok=True)
    marker = {"label": label, "id": uuid.uuid4().hex, "prepared_at": timezone.now().isoformat()}
    (path / MARKER).write_text(json.dumps(marker, ensure_ascii=False), encoding="utf-8")
    return Destination(path)


def database_device() -> int | None:
    """The device holding the SQLite database (``None`` on PostgreSQL): a copy on it is no copy."""
    connection = connections["default"]
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    try:
        return Path(name).resolve().parent.stat().st_dev
    except OSError:
        return None


def layout_warnings(destinations: list[Destination]) -> list[str]:
    """Two copies on one drive, or a copy on the computer's own disk, survive nothing the regulation guards
    against."""
    warnings = []
    if len(destinations) < 2:
        warnings.append("Указано меньше двух мест хранения: положение требует копий на двух внешних носителях.")
    states = [(d, d.state()) for d in destinations]
    devices = [s.device for _, s in states if s.ready]
    if len(devices) != len(set(devices)):
        warnings.append("Два места хранения находятся на одном носителе: при его поломке пропадут обе копии.")
    own = database_device()
    for destination, state in states:
        if state.ready and own is not None and state.device == own:
            warnings.append(f"«{state.label or destination.path}» на том же диске, что и база журнала: "
                            "это не внешний носитель.")
    return warnings
