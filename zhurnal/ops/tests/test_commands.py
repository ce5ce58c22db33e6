"""The console commands as an administrator types them: a copy, its check, the drill, the status, and the restore
into a new, empty database (the day the computer died)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from zhurnal.audit.models import AuditEntry
from zhurnal.core.cli import main
from zhurnal.ops import backups, engines
from zhurnal.ops.models import BackupRun, RestoreDrill
from zhurnal.school.models import School, Student

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_backup_check_drill_and_status_from_the_console(working_school, drives, capsys):
    text = run("backup", "--drill")
    assert "записана и проверена" in text and "Диск 1" in text and "Диск 2" in text
    assert "Проверка восстановления" in text and "успешно" in text
    copy = Path(BackupRun.objects.get().copies.first().path)
    checked = run("restore", str(copy), "--check")
    assert f"Копия {copy.name} цела" in checked and "1 загруженных файлов" in checked
    main(["restore-drill", str(copy)])  # the console's spelling, with a hyphen
    assert "успешно" in capsys.readouterr().out
    assert RestoreDrill.objects.filter(ok=True).count() == 2
    with pytest.raises(SystemExit) as status:  # the two test "drives" share a disk: a warning, exit code 2
        run("backup_status")
    assert status.value.code == 2


def test_a_failed_copy_is_an_error_of_the_command(school_database, drives):
    for drive in drives.both:
        (drive.path / ".zhurnal-backup").unlink()
    with pytest.raises(CommandError, match="Копия не сделана"):
        run("backup")
    assert BackupRun.objects.get().ok is False


def test_restore_brings_the_journal_back_into_a_new_empty_database(working_school, drives, tmp_path):
    backup_run = backups.take_backup(destinations=drives.both, media_root=drives.media_root)
    copy = Path(backup_run.copies.first().path)
    students = Student.objects.count()
    connection = connections["default"]
    with engines.scratch(engines.Target.default(), tmp_path) as new_database:
        original = connection.settings_dict["NAME"]
        connections.close_all()
        connection.settings_dict["NAME"] = new_database.name  # the new computer's empty database
        try:
            text = run("restore", str(copy), "--media-root", str(tmp_path / "new-media"))
            assert "числа строк и контрольные суммы совпали" in text
            assert Student.objects.count() == students
            assert School.objects.filter(slug="school-1").exists()
            entry = AuditEntry.objects.get(verb="backup.restored")
            assert entry.after["copy"] == copy.name
            assert len(list((tmp_path / "new-media").rglob("*.pdf"))) == 1
            with pytest.raises(CommandError, match="не пуста"):
                run("restore", str(copy))
        finally:
            connections.close_all()
            connection.settings_dict["NAME"] = original
