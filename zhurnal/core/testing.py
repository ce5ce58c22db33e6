"""Test helpers that know no domain: users, and a page's queries as a user meets it."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth import get_user_model

PASSWORD = "zhurnal-test-1"  # noqa: S105
_counter = itertools.count(1)


def make_user(username: str | None = None, **extra: Any):
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


def page_queries(client, url: str) -> tuple[int, Any]:
    """The queries of a page as a user meets it: after one visit, so what is cached per school (roles, rules,
    periods — see ``zhurnal.core.stamps``) is not counted; a page's own queries must not grow with its data.
    Returns (count, response)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries), response



def sample_file(kind: str) -> bytes:
    """The smallest file whose content ``core.uploads.check_upload`` accepts as ``kind`` (pdf, png, jpeg, gif,
    webp, docx, xlsx, pptx, odt, txt, csv): what tests upload instead of a few magic-less bytes."""
    import io
    import zipfile

    if kind in {"docx", "xlsx", "pptx"}:
        folder = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}[kind]
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:  # fixed timestamps: the same bytes on every call
            archive.writestr(zipfile.ZipInfo("[Content_Types].xml"), '<?xml version="1.0"?><Types/>')
            archive.writestr(zipfile.ZipInfo(folder), '<?xml version="1.0"?><root/>')
        return out.getvalue()
    if kind == "odt":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
        return out.getvalue()
    return {
        "pdf": b"%PDF-1.4\n% homework\n%%EOF\n",
        "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        "gif": b"GIF89a\x01\x00\x01\x00",
        "webp": b"RIFF\x1a\x00\x00\x00WEBPVP8 ",
        "txt": "Прочитать § 12, ответить на вопросы.\n".encode(),
        "csv": "Фамилия;Имя\nИванов;Иван\n".encode(),
    }[kind]
