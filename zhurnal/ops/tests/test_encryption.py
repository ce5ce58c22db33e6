"""Copies encrypted with age: unreadable without the key, restored with it, refused with another."""

from __future__ import annotations

import stat
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from zhurnal.ops import backups, engines
from zhurnal.ops.archive import CopyRefused, load_identities, new_key
from zhurnal.school.testing import build_small_school

pytestmark = pytest.mark.django_db(transaction=True)


def write_key(path: Path) -> str:
    secret, public = new_key()
    path.write_text(f"# a comment line\n{secret}\n", encoding="ascii")
    return public


def test_an_encrypted_copy_round_trips_only_with_its_key(school_database, drives, settings, tmp_path):
    public = write_key(tmp_path / "key.txt")
    write_key(tmp_path / "other-key.txt")
    settings.ZHURNAL_BACKUP_RECIPIENTS = [public]
    settings.ZHURNAL_BACKUP_IDENTITY = str(tmp_path / "key.txt")
    build_small_school()
    run = backups.take_backup(destinations=drives.both, media_root=drives.media_root)
    assert run.ok and run.encrypted, run.error
    copy = Path(run.copies.first().path)
    assert copy.name.endswith(".tar.gz.age")
    assert copy.read_bytes().startswith(b"age-encryption.org/v1")
    assert "Иванов".encode() not in copy.read_bytes()

    with backups.workdir("t-") as work, engines.scratch(engines.Target.default(), work) as scratch:
        with pytest.raises(CopyRefused, match="нужен секретный ключ"):
            backups.restore_copy(copy, target=scratch)
        with pytest.raises(CopyRefused, match="не расшифровывается"):
            backups.restore_copy(copy, target=scratch, identities=load_identities(tmp_path / "other-key.txt"))
        report = backups.restore_copy(copy, target=scratch, identities=load_identities(tmp_path / "key.txt"))
        assert report.figures.row_counts == report.manifest.row_counts
    drill = backups.run_drill(copy=copy)  # the key from ZHURNAL_BACKUP_IDENTITY
    assert drill.ok, drill.error


def test_a_wrong_public_key_in_the_settings_fails_the_copy_visibly(school_database, drives, settings):
    settings.ZHURNAL_BACKUP_RECIPIENTS = ["age1notakey"]
    run = backups.take_backup(destinations=drives.both, media_root=drives.media_root)
    assert not run.ok
    assert "ZHURNAL_BACKUP_RECIPIENTS" in run.error
    assert not list(drives.first.path.glob("zhurnal-*"))


def test_backup_key_writes_a_private_key_file_once(settings, tmp_path):
    path = tmp_path / "keys" / "backup-key.txt"
    out = StringIO()
    call_command("backup_key", out=str(path), stdout=out)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    public = out.getvalue().split("ZHURNAL_BACKUP_RECIPIENTS=")[1].split()[0]
    assert public.startswith("age1")
    assert len(load_identities(path)) == 1
    with pytest.raises(CommandError, match="уже есть"):
        call_command("backup_key", out=str(path), stdout=StringIO())
