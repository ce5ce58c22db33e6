"""The copy as a file: a gzip-compressed tar, optionally encrypted with age, with a ``.sha256`` beside it.

    manifest.json                     first: engine, migrations, version, counts, hashes, the dump's checksum
    database/zhurnal.sqlite3 | .pgdump
    media/…                           the uploaded files (MEDIA_ROOT)
    media-index.json                  last: each uploaded file's size and SHA-256

A copy is refused on any doubt: a whole-file checksum that differs from its ``.sha256``, a damaged gzip stream, an
age file that does not decrypt (age authenticates every chunk), a member whose checksum differs from the manifest,
a member the manifest does not name, a path outside the copy.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

import pyrage
from django.conf import settings
from pyrage import x25519

from .manifest import Manifest

MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database/zhurnal.sqlite3", "postgresql": "database/zhurnal.pgdump"}
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


class CopyRefused(Exception):
    """A copy that must not be restored; the message says why, in Russian."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def write_sidecar(path: Path, digest: str) -> None:
    """``sha256sum``'s format: ``sha256sum -c`` (Linux) checks the copy by it."""
    sidecar(path).write_text(f"{digest}  {path.name}\n", encoding="ascii")


def read_sidecar(path: Path) -> str | None:
    try:
        text = sidecar(path).read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError):
        return None
    return text[0].lower() if text else None


# --- encryption (age) -----------------------------------------------------------------------------------------


def recipients() -> list[x25519.Recipient]:
    """The public keys copies are encrypted to (``ZHURNAL_BACKUP_RECIPIENTS``); none: copies are not encrypted."""
    try:
        return [x25519.Recipient.from_str(text) for text in settings.ZHURNAL_BACKUP_RECIPIENTS]
    except pyrage.RecipientError as error:
        raise CopyRefused(f"ZHURNAL_BACKUP_RECIPIENTS: не открытый ключ age ({error})") from error


def new_key() -> tuple[str, str]:
    """A new key pair: (the secret identity, its public key)."""
    identity = x25519.Identity.generate()
    return str(identity), str(identity.to_public())


def load_identities(path: Path) -> list[x25519.Identity]:
    """The secret keys of an age identity file (lines ``AGE-SECRET-KEY-…``; ``#`` starts a comment)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CopyRefused(f"Не удалось прочитать ключ {path}: {getattr(error, 'strerror', None) or error}") from error
    identities = []
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            try:
                identities.append(x25519.Identity.from_str(line))
            except pyrage.IdentityError as error:
                raise CopyRefused(f"{path}: это не секретный ключ age") from error
    if not identities:
        raise CopyRefused(f"{path}: в файле нет секретного ключа age")
    return identities


def default_identity() -> Path | None:
    path = settings.ZHURNAL_BACKUP_IDENTITY
    return Path(path) if path and Path(path).is_file() else None


def encrypt(plain: Path, out: Path, to: list[x25519.Recipient]) -> None:
    pyrage.encrypt_file(str(plain), str(out), list(to))


def decrypt(copy: Path, out: Path, identities: list[x25519.Identity]) -> None:
    try:
        pyrage.decrypt_file(str(copy), str(out), list(identities))
    except pyrage.DecryptError as error:
        raise CopyRefused(f"Копия не расшифровывается этим ключом или повреждена ({error}).") from error


# --- writing --------------------------------------------------------------------------------------------------


class _Hashing(io.RawIOBase):
    """A file read through, its SHA-256 taken on the way (tar reads each member once)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


@dataclass
class MediaSummary:
    files: int = 0
    bytes: int = 0


def media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def write_archive(target: Path, manifest: Manifest, database_file: Path, media_root: Path | None,
                  compresslevel: int = 6) -> MediaSummary:
    """The copy's tar.gz. The manifest is known before (the dump is a finished file); the uploaded files are
    hashed as they are written, into the index that closes the copy."""
    index: dict[str, dict[str, int | str]] = {}
    summary = MediaSummary()
    with tarfile.open(target, "w:gz", compresslevel=compresslevel, format=tarfile.PAX_FORMAT) as tar:
        _add_bytes(tar, MANIFEST, manifest.to_json())
        tar.add(database_file, arcname=manifest.database, recursive=False)
        if media_root is not None:
            for path in media_files(media_root):
                name = MEDIA_PREFIX + path.relative_to(media_root).as_posix()
                try:
                    info = tar.gettarinfo(str(path), arcname=name)
                    with path.open("rb") as stream:
                        hashing = _Hashing(stream)
                        tar.addfile(info, io.BufferedReader(hashing, CHUNK))
                except FileNotFoundError:
                    continue  # removed while the copy was made: the database copy no longer names it
                index[name] = {"size": info.size, "sha256": hashing.digest.hexdigest()}
                summary.files += 1
                summary.bytes += info.size
        _add_bytes(tar, manifest.media_index, json.dumps({"files": index}, ensure_ascii=False,
                                                         sort_keys=True).encode())
    return summary


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


# --- reading --------------------------------------------------------------------------------------------------


@dataclass
class OpenedCopy:
    """A copy checked member by member and unpacked into ``workdir``."""

    path: Path
    manifest: Manifest
    database_file: Path
    media_dir: Path
    media: dict[str, dict[str, int | str]] = field(default_factory=dict)
    size: int = 0
    sha256: str = ""
    sidecar_checked: bool = False


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(part in ("..", "") for part in path.parts) or "\\" in name:
        raise CopyRefused(f"В копии файл с недопустимым путём: {name!r}.")
    return path


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> tuple[int, str]:
    if not member.isfile():
        raise CopyRefused(f"В копии не файл: {member.name!r}.")
    source = tar.extractfile(member)
    assert source is not None
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def open_copy(path: Path, workdir: Path, *, identities: list[x25519.Identity] | None = None,
              check: Callable[[Manifest], None] | None = None) -> OpenedCopy:
    """Check the copy at ``path`` and unpack it into ``workdir``; ``check(manifest)`` may refuse it before the
    (long) unpacking, by the manifest alone. Raises ``CopyRefused``."""
    if not path.is_file():
        raise CopyRefused(f"Файла копии нет: {path}.")
    size = path.stat().st_size
    digest = sha256_file(path)
    expected = read_sidecar(path)
    if expected is not None and expected != digest:
        raise CopyRefused(f"Контрольная сумма файла не совпадает с {sidecar(path).name}: копия повреждена или "
                          "изменена.")
    archive = path
    if path.name.endswith(".age"):
        if not identities:
            raise CopyRefused("Копия зашифрована: нужен секретный ключ (--identity или ZHURNAL_BACKUP_IDENTITY).")
        archive = workdir / "copy.tar.gz"
        decrypt(path, archive, identities)
    try:
        opened = _unpack(archive, workdir, check)
    except (tarfile.TarError, gzip.BadGzipFile, zlib.error, EOFError, UnicodeDecodeError,
            json.JSONDecodeError) as error:
        raise CopyRefused(f"Копия повреждена: {error}.") from error
    finally:
        if archive != path:
            archive.unlink(missing_ok=True)
    opened.path, opened.size, opened.sha256, opened.sidecar_checked = path, size, digest, expected is not None
    return opened


def _unpack(archive: Path, workdir: Path, check: Callable[[Manifest], None] | None) -> OpenedCopy:
    media_dir = workdir / "media"
    with tarfile.open(archive, "r:gz") as tar:  # gzip checks its CRC at the end
        first = tar.next()
        if first is None or first.name != MANIFEST or not first.isfile():
            raise CopyRefused("Это не копия журнала: нет описания копии (manifest.json) в начале файла.")
        raw = tar.extractfile(first)
        assert raw is not None
        try:
            manifest = Manifest.from_json(raw.read())
        except (ValueError, TypeError, KeyError) as error:
            raise CopyRefused(f"Описание копии не читается: {error}.") from error
        if check is not None:
            check(manifest)
        database_file: Path | None = None
        found: dict[str, dict[str, int | str]] = {}
        index: dict[str, dict[str, int | str]] | None = None
        while (member := tar.next()) is not None:  # on from the manifest, in the order written
            if index is not None:
                raise CopyRefused(f"Лишний файл после описания файлов: {member.name!r}.")
            if member.name == manifest.database:
                if database_file is not None:
                    raise CopyRefused("В копии две базы данных.")
                database_file = workdir / PurePosixPath(manifest.database).name
                size, sha = _extract(tar, member, database_file)
                if size != manifest.database_size or sha != manifest.database_sha256:
                    raise CopyRefused("Контрольная сумма базы данных в копии не совпадает с описанием: копия "
                                      "повреждена или изменена.")
            elif member.name.startswith(MEDIA_PREFIX):
                relative = _safe_relative(member.name[len(MEDIA_PREFIX):])
                size, sha = _extract(tar, member, media_dir / relative)
                found[member.name] = {"size": size, "sha256": sha}
            elif member.name == manifest.media_index and member.isfile():
                stream = tar.extractfile(member)
                assert stream is not None
                index = json.loads(stream.read()).get("files", {})
            else:
                raise CopyRefused(f"В копии файл, которого нет в описании: {member.name!r}.")
    if database_file is None:
        raise CopyRefused("В копии нет базы данных.")
    if index is None:
        raise CopyRefused("Копия не дописана: нет описания загруженных файлов в конце.")
    if index != found:
        changed = sorted(set(index) ^ set(found) | {k for k in index if k in found and index[k] != found[k]})
        raise CopyRefused(f"Загруженные файлы в копии не совпадают с описанием: {', '.join(changed[:5])}.")
    return OpenedCopy(path=archive, manifest=manifest, database_file=database_file, media_dir=media_dir,
                      media=found)


def place_media(opened: OpenedCopy, media_root: Path) -> int:
    """Put the copy's uploaded files into an empty (or absent) ``media_root``."""
    if media_root.exists() and any(media_root.iterdir()):
        raise CopyRefused(f"Папка загруженных файлов {media_root} не пуста: восстановление только в пустую.")
    media_root.mkdir(parents=True, exist_ok=True)
    count = 0
    for name in opened.media:
        relative = _safe_relative(name[len(MEDIA_PREFIX):])
        target = media_root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(opened.media_dir / relative, target)
        count += 1
    return count


def write_to(destination: Path, staged: Path) -> Path:
    """Copy ``staged`` onto a destination under a temporary name, flush it to the drive, read it back and compare
    its checksum, then give it its name and its ``.sha256``. A drive that loses bits is caught now, not on the day
    of the restore."""
    final = destination / staged.name
    partial = destination / f".{staged.name}.partial"
    try:
        with staged.open("rb") as source, partial.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
        expected = sha256_file(staged)
        if sha256_file(partial) != expected:
            raise OSError(f"копия на {destination} прочитана не такой, какой записана")
        os.replace(partial, final)
        write_sidecar(final, expected)
    finally:
        partial.unlink(missing_ok=True)
    return final
