"""A copy that must not be restored is refused, and the database it was to go into is left empty: a changed
byte, a copy of the other engine, a copy made by a newer version, data that does not match after the restore,
a database that is not empty."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from zhurnal.ops import backups, engines
from zhurnal.ops.archive import CopyRefused, open_copy, sha256_file, sidecar, write_archive, write_sidecar
from zhurnal.ops.manifest import Manifest
from zhurnal.school.testing import build_small_school

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def copy(school_database, drives) -> Path:
    build_small_school()
    run = backups.take_backup(destinations=[drives.first], media_root=drives.media_root)
    assert run.ok, run.error
    return Path(run.copies.get().path)


@pytest.fixture
def scratch(tmp_path):
    source = engines.Target.default()
    with engines.scratch(source, tmp_path) as target:
        yield target


def assert_empty(target: engines.Target) -> None:
    engines.ensure_empty(target)  # raises if anything was left behind


def repack(copy: Path, tmp_path: Path, change) -> Path:
    """The copy re-made with a changed manifest, consistent in itself (its own checksums are right): as a copy
    made by another version would be."""
    work = tmp_path / "repack"
    work.mkdir()
    opened = open_copy(copy, work)
    manifest: Manifest = opened.manifest
    change(manifest)
    out = tmp_path / copy.name
    write_archive(out, manifest, opened.database_file, opened.media_dir)
    write_sidecar(out, sha256_file(out))
    return out


def test_a_changed_byte_is_refused(copy, scratch, tmp_path):
    damaged = tmp_path / copy.name
    shutil.copyfile(copy, damaged)
    shutil.copyfile(sidecar(copy), sidecar(damaged))
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    with pytest.raises(CopyRefused, match="Контрольная сумма файла не совпадает"):
        backups.restore_copy(damaged, target=scratch)
    sidecar(damaged).unlink()  # without its .sha256 the copy's own checks still catch it
    with pytest.raises(CopyRefused, match="повреждена"):
        backups.restore_copy(damaged, target=scratch)
    assert_empty(scratch)


def test_a_copy_of_the_other_engine_is_refused(copy, tmp_path):
    if engines.Target.default().engine == "sqlite":
        other = engines.Target(engine="postgresql", settings={"NAME": "zhurnal_bak_never_created",
                                                               "HOST": "127.0.0.1"})
        message = "Копия сделана с SQLite, а база назначения — PostgreSQL"
    else:
        other = engines.Target(engine="sqlite", settings={"NAME": str(tmp_path / "other.sqlite3")})
        message = "Копия сделана с PostgreSQL, а база назначения — SQLite"
    with pytest.raises(CopyRefused, match=message):
        backups.restore_copy(copy, target=other)
    assert not (tmp_path / "other.sqlite3").exists()


def test_a_copy_with_newer_migrations_is_refused(copy, scratch, tmp_path):
    def from_the_future(manifest: Manifest) -> None:
        manifest.migrations["journal"].append("9999_from_a_newer_version")
        manifest.app_version = "9.0.0"

    newer = repack(copy, tmp_path, from_the_future)
    with pytest.raises(CopyRefused, match=r"более новой версией программы \(9\.0\.0\).*journal\.9999_from"):
        backups.restore_copy(newer, target=scratch)
    assert_empty(scratch)


def test_data_that_differs_from_the_manifest_is_taken_back_out(copy, scratch, tmp_path):
    def wrong_figures(manifest: Manifest) -> None:
        manifest.hashes["journal.Mark"].sha256 = "0" * 64
        manifest.row_counts["school_student"] += 1

    tampered = repack(copy, tmp_path, wrong_figures)
    with pytest.raises(CopyRefused, match="не совпадают с копией.*school_student.*journal.Mark"):
        backups.restore_copy(tampered, target=scratch)
    assert_empty(scratch)


def test_a_file_the_manifest_does_not_name_is_refused(copy, scratch, tmp_path):
    import tarfile

    work = tmp_path / "unpacked"
    work.mkdir()
    opened = open_copy(copy, work)
    odd = tmp_path / copy.name
    with tarfile.open(copy, "r:gz") as source, tarfile.open(odd, "w:gz") as out:
        for member in source.getmembers():
            out.addfile(member, source.extractfile(member))
            if member.name == opened.manifest.database:
                extra = tmp_path / "evil.txt"
                extra.write_text("x")
                out.add(extra, arcname="media/../../evil.txt")
    with pytest.raises(CopyRefused, match="недопустимым путём"):
        backups.restore_copy(odd, target=scratch)
    assert not list(Path(drives_staging()).rglob("evil.txt"))
    assert_empty(scratch)


def drives_staging() -> str:
    from django.conf import settings

    return settings.ZHURNAL_BACKUP_STAGING


def test_restore_goes_only_into_an_empty_database(copy):
    live = engines.Target.default()
    with pytest.raises(CopyRefused, match="не пуста"):
        backups.restore_copy(copy, target=live)


def test_a_copy_restores_into_the_scratch_database_it_was_refused_nothing_from(copy, scratch):
    report = backups.restore_copy(copy, target=scratch)
    assert report.sidecar_checked
    assert report.figures.row_counts == report.manifest.row_counts
    assert report.pending_migrations == []
