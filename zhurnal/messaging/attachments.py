"""Files of messages, announcements and help requests: the homework files' kinds and size limit, checked by
the file's content as well as its name through ``zhurnal.core.uploads`` (the one content check)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import get_valid_filename

from zhurnal.core import uploads
from zhurnal.journal.services.lesson_record import HOMEWORK_KINDS, HOMEWORK_MAX_BYTES

MAX_FILES = 10


@dataclass(frozen=True)
class CheckedFile:
    upload: Any
    name: str  # the name the person gave it (shown, offered on download)
    stored_name: str  # a fresh name on disk
    size: int
    content_type: str


def checked_upload(upload: Any, *, field: str = "files") -> CheckedFile:
    """The upload if its type is accepted, by name and by content, and its size within the limit; else a
    ``ValidationError`` in Russian naming the file."""
    checked = uploads.check_upload(upload, HOMEWORK_KINDS, max_bytes=HOMEWORK_MAX_BYTES, field=field)
    stored = get_valid_filename(f"{uuid.uuid4().hex[:16]}{checked.extension}")
    return CheckedFile(upload=upload, name=checked.name, stored_name=stored, size=checked.size,
                       content_type=checked.content_type)


def checked_uploads(uploads, *, field: str = "files") -> list[CheckedFile]:
    uploads = [u for u in uploads or () if u]
    if len(uploads) > MAX_FILES:
        raise ValidationError({field: f"Можно приложить не больше {MAX_FILES} файлов."})
    return [checked_upload(upload, field=field) for upload in uploads]
