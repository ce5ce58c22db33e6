"""The uploaded file between the preview and the confirmation, under a token bound to user and school."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

UPLOAD_TTL = dt.timedelta(hours=2)
UPLOAD_DIR = "imports"
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32,64}")


class UploadMissing(Exception):
    """No such upload (already imported, cancelled, or never made)."""


class UploadExpired(UploadMissing):
    """The upload is older than ``UPLOAD_TTL``."""


class UploadForeign(Exception):
    """The token belongs to another user or school."""


@dataclass
class StoredUpload:
    token: str
    kind: str
    filename: str
    data: bytes
    year_id: int | None
    default_order: str
    created: dt.datetime


def _paths(token: str) -> tuple[str, str]:
    if not TOKEN_RE.fullmatch(token):
        raise UploadMissing(token)
    return f"{UPLOAD_DIR}/{token}.json", f"{UPLOAD_DIR}/{token}.data"


def store_upload(*, data: bytes, filename: str, kind: str, user_id: int, school_id: int,
                 year_id: int | None = None, default_order: str = "") -> str:
    """Keep the uploaded bytes server-side and return the random token that names them."""
    sweep_expired_uploads()
    token = secrets.token_urlsafe(32)
    meta_path, data_path = _paths(token)
    meta = {"kind": kind, "filename": filename, "user": user_id, "school": school_id, "year": year_id,
            "order": default_order, "created": timezone.now().isoformat()}
    default_storage.save(data_path, ContentFile(data))
    default_storage.save(meta_path, ContentFile(json.dumps(meta).encode()))
    return token


def load_upload(*, token: str, user_id: int, school_id: int, kind: str) -> StoredUpload:
    meta_path, data_path = _paths(token)
    try:
        with default_storage.open(meta_path) as handle:
            meta = json.loads(handle.read())
        with default_storage.open(data_path) as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError, KeyError) as exc:
        raise UploadMissing(token) from exc
    if meta.get("user") != user_id or meta.get("school") != school_id or meta.get("kind") != kind:
        raise UploadForeign(token)
    created = dt.datetime.fromisoformat(meta["created"])
    if timezone.now() - created > UPLOAD_TTL:
        discard_upload(token)
        raise UploadExpired(token)
    return StoredUpload(token=token, kind=meta["kind"], filename=meta["filename"], data=data, year_id=meta["year"],
                        default_order=meta["order"], created=created)


def discard_upload(token: str) -> None:
    for path in _paths(token):
        default_storage.delete(path)


def sweep_expired_uploads() -> None:
    try:
        _, names = default_storage.listdir(UPLOAD_DIR)
    except FileNotFoundError:
        return
    now = timezone.now()
    for name in names:
        token, _, suffix = name.rpartition(".")
        if suffix != "json" or not TOKEN_RE.fullmatch(token):
            continue
        try:
            with default_storage.open(f"{UPLOAD_DIR}/{name}") as handle:
                created = dt.datetime.fromisoformat(json.loads(handle.read())["created"])
        except (FileNotFoundError, ValueError, KeyError):
            continue
        if now - created > UPLOAD_TTL:
            discard_upload(token)
