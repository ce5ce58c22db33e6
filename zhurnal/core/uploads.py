"""Uploaded files, checked by what they contain, and files served back with safe headers.

Every upload (homework attachments, imports, message attachments, any future one) goes through
``check_upload(upload, kinds)``: the file's extension must be one of the allowed kinds AND its content (magic
bytes; for zip containers the parts inside; for text the absence of binary bytes) must be of that kind. An
``.exe`` renamed ``homework.pdf`` is refused with a Russian message. Every stored file goes back to people
through ``file_response``: the content type recorded at upload, ``attachment`` (inline only for pictures and
PDF, when asked), a filename safe in every browser, and ``X-Content-Type-Options: nosniff``.

Requests too large are stopped while they arrive: ``RequestSizeLimitMiddleware`` refuses a declared
``Content-Length`` over ``ZHURNAL_MAX_REQUEST_BYTES`` before anything reads the body, and ``CountingUploadHandler``
(first in ``FILE_UPLOAD_HANDLERS``) counts the bytes of a body that did not declare its length. Both answer the
styled 413 page naming the limit.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, BinaryIO, overload

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files import File
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

HEAD_BYTES = 8192
TEXT_SCAN_BYTES = 256 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class UploadTooLarge(RequestDataTooBig):
    """A request body over the limit; ``core.errors.bad_request`` answers it with the 413 page naming ``limit``."""

    def __init__(self, limit: int):
        super().__init__(f"request body over {limit} bytes")
        self.limit = limit


def megabytes(size: int) -> str:
    """«10 МБ», «2,5 МБ», «512 КБ» — a limit as people read it."""
    if size < 1024 * 1024:
        return f"{size / 1024:.3g}".replace(".", ",") + " КБ"
    return f"{size / (1024 * 1024):.3g}".replace(".", ",") + " МБ"


# --- content checks ---------------------------------------------------------------------------------------------


def _zip_names(data: BinaryIO) -> set[str] | None:
    try:
        with zipfile.ZipFile(data) as archive:
            return {info.filename for info in archive.infolist()}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return None


def _ooxml(folder: str) -> Callable[[bytes, BinaryIO], bool]:
    """An Office Open XML book (docx/xlsx/pptx): a zip with ``[Content_Types].xml`` and its main folder."""

    def check(head: bytes, data: BinaryIO) -> bool:
        if not head.startswith(ZIP_MAGIC):
            return False
        names = _zip_names(data)
        return names is not None and "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)

    return check


def _odf(mimetype: str) -> Callable[[bytes, BinaryIO], bool]:
    """An OpenDocument file: a zip whose first member ``mimetype`` names the type (stored, so in the head)."""

    def check(head: bytes, data: BinaryIO) -> bool:
        return (head.startswith(ZIP_MAGIC) and head[30:38] == b"mimetype"
                and mimetype.encode() in head[38:38 + 80] and _zip_names(data) is not None)

    return check


def _ole(stream: str) -> Callable[[bytes, BinaryIO], bool]:
    """An old Office 97–2003 file: the OLE compound file holding a stream of the program's own name."""
    needle = stream.encode("utf-16-le")

    def check(head: bytes, data: BinaryIO) -> bool:
        if not head.startswith(OLE_MAGIC):
            return False
        data.seek(0)
        return needle in data.read()  # bounded by the upload limit

    return check


def _magic(*starts: bytes, within: int = 0) -> Callable[[bytes, BinaryIO], bool]:
    def check(head: bytes, data: BinaryIO) -> bool:
        if within:
            return any(start in head[:within] for start in starts)
        return head.startswith(starts)

    return check


def _webp(head: bytes, data: BinaryIO) -> bool:
    return head.startswith(b"RIFF") and head[8:12] == b"WEBP"


def _mp3(head: bytes, data: BinaryIO) -> bool:
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


_CONTROL = bytes(range(0, 32)).replace(b"\t", b"").replace(b"\n", b"").replace(b"\r", b"").replace(b"\f", b"")


def _text(head: bytes, data: BinaryIO) -> bool:
    """Plain text in an encoding Russian programs save: UTF-8 (BOM or not), UTF-16 with BOM, Windows-1251 —
    and no control bytes an editor would not write."""
    data.seek(0)
    sample = data.read(TEXT_SCAN_BYTES)
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = sample.decode("utf-16")
        except UnicodeDecodeError:
            return len(sample) == TEXT_SCAN_BYTES  # cut in the middle of a character
        return not any(ch in text for ch in _CONTROL.decode())
    if any(byte in _CONTROL for byte in sample):
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:
            try:
                sample.decode("cp1251")
            except UnicodeDecodeError:
                return False
    return True


def _xml(head: bytes, data: BinaryIO) -> bool:
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip()
    return stripped.startswith(b"<") and _text(head, data)


NOT_A_TABLE = ("Файл «{name}» не является таблицей Excel (.xlsx) или CSV. Сохраните таблицу в Excel как «Книга "
               "Excel (.xlsx)» или «CSV (разделители — точка с запятой)».")


@dataclass(frozen=True)
class Kind:
    """One kind of file people may upload: its extensions, the content type it is served with, a reader's name
    for it (in messages), and the check of its content."""

    name: str
    label: str
    extensions: tuple[str, ...]
    content_type: str
    check: Callable[[bytes, BinaryIO], bool]
    inline: bool = False  # safe to show in the browser (pictures, PDF); everything else downloads
    refusal: str = ""  # a message of its own when the content is not of this kind ({name} is the file's name)


KINDS: dict[str, Kind] = {kind.name: kind for kind in [
    Kind("pdf", "PDF", (".pdf",), "application/pdf", _magic(b"%PDF-", within=1024), inline=True),
    Kind("png", "рисунок PNG", (".png",), "image/png", _magic(b"\x89PNG\r\n\x1a\n"), inline=True),
    Kind("jpeg", "фотография JPEG", (".jpg", ".jpeg"), "image/jpeg", _magic(b"\xff\xd8\xff"), inline=True),
    Kind("gif", "рисунок GIF", (".gif",), "image/gif", _magic(b"GIF87a", b"GIF89a"), inline=True),
    Kind("webp", "рисунок WebP", (".webp",), "image/webp", _webp, inline=True),
    Kind("docx", "документ Word", (".docx",),
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ooxml("word/")),
    Kind("xlsx", "таблица Excel", (".xlsx",),
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ooxml("xl/"), refusal=NOT_A_TABLE),
    Kind("pptx", "презентация PowerPoint", (".pptx",),
         "application/vnd.openxmlformats-officedocument.presentationml.presentation", _ooxml("ppt/")),
    Kind("odt", "документ OpenDocument", (".odt",), "application/vnd.oasis.opendocument.text",
         _odf("application/vnd.oasis.opendocument.text")),
    Kind("ods", "таблица OpenDocument", (".ods",), "application/vnd.oasis.opendocument.spreadsheet",
         _odf("application/vnd.oasis.opendocument.spreadsheet")),
    Kind("odp", "презентация OpenDocument", (".odp",), "application/vnd.oasis.opendocument.presentation",
         _odf("application/vnd.oasis.opendocument.presentation")),
    Kind("doc", "документ Word 97–2003", (".doc",), "application/msword", _ole("WordDocument")),
    Kind("xls", "таблица Excel 97–2003 (.xls)", (".xls",), "application/vnd.ms-excel", _ole("Workbook")),
    Kind("ppt", "презентация PowerPoint 97–2003", (".ppt",), "application/vnd.ms-powerpoint",
         _ole("PowerPoint Document")),
    Kind("rtf", "документ RTF", (".rtf",), "application/rtf", _magic(b"{\\rtf")),
    Kind("mp3", "запись MP3", (".mp3",), "audio/mpeg", _mp3),
    Kind("txt", "текст", (".txt",), "text/plain; charset=utf-8", _text),
    Kind("csv", "таблица CSV", (".csv",), "text/csv; charset=utf-8", _text, refusal=NOT_A_TABLE),
    Kind("xml", "файл XML", (".xml",), "application/xml", _xml),
    Kind("fet", "файл FET", (".fet",), "application/xml", _xml),
]}

# The kinds each place accepts, by name.
HOMEWORK_KINDS = ("pdf", "doc", "docx", "odt", "rtf", "txt", "xls", "xlsx", "ods", "ppt", "pptx", "odp", "jpeg",
                  "png", "gif", "webp", "mp3")
# Imports read XLSX and CSV; an old .xls passes the check so that the reader can say how to save it as .xlsx.
SPREADSHEET_KINDS = ("xlsx", "csv", "txt", "xls")
TIMETABLE_KINDS = ("fet", "xml", "csv", "txt")


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed: its kind, the content type to store and serve it with, its clean name and size."""

    kind: Kind
    name: str
    extension: str
    size: int

    @property
    def content_type(self) -> str:
        return self.kind.content_type


def allowed_text(kinds: Iterable[str]) -> str:
    return ", ".join(dict.fromkeys(ext.lstrip(".") for name in kinds for ext in KINDS[name].extensions))


def check_upload(upload: Any, allowed_kinds: Iterable[str], *, max_bytes: int | None = None,
                 field: str = "file") -> CheckedUpload:
    """The upload's kind, when its name AND its content are of one of ``allowed_kinds`` (names of ``KINDS``), it
    is not empty and not over ``max_bytes``. Otherwise ``ValidationError({field: <Russian message>})``.
    The file is left at its start."""
    allowed = tuple(allowed_kinds)
    unknown = [name for name in allowed if name not in KINDS]
    if unknown:
        raise ValueError(f"unknown upload kinds: {unknown}")
    original = PurePath(str(getattr(upload, "name", "") or "файл").replace("\\", "/")).name or "файл"
    original = original.replace("\x00", "")[:200]
    extension = PurePath(original).suffix.lower()
    kind = next((KINDS[name] for name in allowed if extension in KINDS[name].extensions), None)
    if kind is None:
        raise ValidationError({field: f"«{original}»: такой тип файла не принимается. "
                                      f"Можно: {allowed_text(allowed)}."})
    size = int(getattr(upload, "size", 0) or 0)
    if size <= 0:
        raise ValidationError({field: f"«{original}»: файл пустой."})
    if max_bytes is not None and size > max_bytes:
        raise ValidationError({field: f"«{original}»: файл больше {megabytes(max_bytes)} — такой файл не "
                                      "загружается."})
    stream = _stream(upload)
    try:
        stream.seek(0)
        head = stream.read(HEAD_BYTES)
        ok = kind.check(head, stream)
    finally:
        stream.seek(0)
    if not ok and kind.refusal:
        raise ValidationError({field: kind.refusal.format(name=original)})
    if not ok:
        raise ValidationError({field: f"«{original}»: по содержимому это не {kind.label}, хотя имя оканчивается "
                                      f"на «{extension}». Такой файл не принимается: сохраните его заново в нужном "
                                      "формате."})
    return CheckedUpload(kind=kind, name=original, extension=extension, size=size)


def check_bytes(data: bytes, filename: str, allowed_kinds: Iterable[str], *, max_bytes: int | None = None,
                field: str = "file") -> CheckedUpload:
    """``check_upload`` for a file already read into memory."""
    upload = _Named(data, filename)
    return check_upload(upload, allowed_kinds, max_bytes=max_bytes, field=field)


class _Named(io.BytesIO):
    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name
        self.size = len(data)


def _stream(upload: Any) -> BinaryIO:
    if hasattr(upload, "seek") and hasattr(upload, "read"):
        return upload
    return upload.open("rb")


# --- serving ----------------------------------------------------------------------------------------------------


def content_type_for(filename: str) -> str:
    """The content type a stored file is served with, from its extension among the known kinds."""
    extension = PurePath(filename).suffix.lower()
    for kind in KINDS.values():
        if extension in kind.extensions:
            return kind.content_type
    return "application/octet-stream"


@overload
def file_response(file: bytes, *, filename: str, content_type: str = "", inline: bool = False) -> HttpResponse: ...
@overload
def file_response(file: BinaryIO | File, *, filename: str, content_type: str = "",
                  inline: bool = False) -> FileResponse: ...
def file_response(file: BinaryIO | File | bytes, *, filename: str, content_type: str = "", inline: bool = False) -> \
        HttpResponseBase:
    """A file for people to download: the given content type (else the kind's by extension, else
    ``application/octet-stream``), ``attachment`` unless ``inline`` is asked for a picture or a PDF, the name
    in a form every browser reads, and ``X-Content-Type-Options: nosniff`` so that nothing is run as HTML."""
    content_type = content_type or content_type_for(filename)
    show = inline and any(content_type.split(";")[0] == kind.content_type for kind in KINDS.values() if kind.inline)
    response: HttpResponseBase = (HttpResponse(file, content_type=content_type) if isinstance(file, bytes)
                                             else FileResponse(file, content_type=content_type))
    response["Content-Disposition"] = content_disposition_header(as_attachment=not show, filename=filename) or ""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"  # files hold personal data
    if not show:
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- size limit while the request arrives -----------------------------------------------------------------------


def limit(setting: str):
    """A view that accepts less than the whole application (imports: ``ZHURNAL_MAX_IMPORT_BYTES``): its requests
    are stopped at that size (plus room for the form around the file) while they arrive."""

    def decorate(view):
        view.max_upload_setting = setting
        return view

    return decorate


FORM_ROOM = 64 * 1024


def request_limit(request: HttpRequest | None = None) -> tuple[int, int]:
    """(the body size at which a request is stopped, the file size to name on the 413 page) for this request's
    view."""
    setting = None
    if request is not None:
        match = getattr(request, "resolver_match", None)
        if match is None:
            from django.urls import Resolver404, resolve

            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
        setting = getattr(match.func, "max_upload_setting", None) if match is not None else None
    if setting:
        named = getattr(settings, setting)
        return named + FORM_ROOM, named
    return settings.ZHURNAL_MAX_REQUEST_BYTES, settings.ZHURNAL_MAX_UPLOAD_BYTES


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is over the limit before anything reads it: the 413 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except (TypeError, ValueError):
            length = 0
        if length > min(settings.ZHURNAL_MAX_REQUEST_BYTES, settings.ZHURNAL_MAX_IMPORT_BYTES):
            stop, named = request_limit(request)
            if length > stop:
                from .errors import too_large

                return too_large(request, limit=named)
        return self.get_response(request)


class CountingUploadHandler(FileUploadHandler):
    """Counts the bytes of uploaded files as they arrive and stops at the limit (a body that did not declare its
    length, or an ASGI stream): the request answers 413."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0
        self.stop: int | None = None
        self.named = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.stop is None:
            self.stop, self.named = request_limit(self.request)
        if self.received > self.stop:
            raise UploadTooLarge(self.named)
        return raw_data

    def file_complete(self, file_size):
        return None
