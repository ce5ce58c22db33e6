"""Files of messages, announcements and help requests: the homework files' limits (types, size), checked by the
file's content as well as its name.

``checked_upload`` is the one door; it leans on ``zhurnal.core.uploads`` once that lands (the shared content
check), and until then on the small signature table below."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import get_valid_filename

from zhurnal.journal.services.lesson_record import HOMEWORK_MAX_BYTES, HOMEWORK_TYPES

MAX_FILES = 10

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old Office formats
_ZIP = b"PK\x03\x04"  # OOXML and OpenDocument
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".doc": (_OLE,), ".xls": (_OLE,), ".ppt": (_OLE,),
    ".docx": (_ZIP,), ".xlsx": (_ZIP,), ".pptx": (_ZIP,), ".odt": (_ZIP,), ".ods": (_ZIP,), ".odp": (_ZIP,),
    ".rtf": (b"{\\rtf",),
    ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".mp3": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
}


@dataclass(frozen=True)
class CheckedFile:
    upload: Any
    name: str  # the name the person gave it (shown, offered on download)
    stored_name: str  # a fresh name on disk
    size: int
    content_type: str


def _looks_like(extension: str, head: bytes) -> bool:
    if extension == ".txt":
        if b"\x00" in head:
            return False
        for encoding in ("utf-8", "cp1251"):
            try:
                head.decode(encoding)
                return True
            except UnicodeDecodeError as error:
                if error.start >= len(head) - 4:  # a character cut by the end of the sample
                    return True
        return False
    return head.startswith(SIGNATURES.get(extension, (b"",)))


def checked_upload(upload: Any, *, field: str = "files") -> CheckedFile:
    """The upload if its type is accepted, by name and by content, and its size within the limit; else a
    ``ValidationError`` in Russian naming the file."""
    original = PurePath(getattr(upload, "name", "") or "файл").name
    extension = PurePath(original).suffix.lower()
    content_type = HOMEWORK_TYPES.get(extension)
    if content_type is None:
        allowed = ", ".join(sorted(e.lstrip(".") for e in HOMEWORK_TYPES))
        raise ValidationError({field: f"«{original}»: такой тип файла не принимается. Можно: {allowed}."})
    size = getattr(upload, "size", 0) or 0
    if size <= 0:
        raise ValidationError({field: f"«{original}»: файл пустой."})
    if size > HOMEWORK_MAX_BYTES:
        raise ValidationError({field: f"«{original}»: файл больше {HOMEWORK_MAX_BYTES // (1024 * 1024)} МБ."})
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if not _looks_like(extension, head):
        raise ValidationError({field: f"«{original}»: содержимое файла не похоже на {extension.lstrip('.')}. "
                                      "Сохраните файл заново в этом формате или выберите другой."})
    stored = get_valid_filename(f"{uuid.uuid4().hex[:16]}{extension}")
    return CheckedFile(upload=upload, name=original[:200], stored_name=stored, size=size, content_type=content_type)


def checked_uploads(uploads, *, field: str = "files") -> list[CheckedFile]:
    uploads = [u for u in uploads or () if u]
    if len(uploads) > MAX_FILES:
        raise ValidationError({field: f"Можно приложить не больше {MAX_FILES} файлов."})
    return [checked_upload(upload, field=field) for upload in uploads]
