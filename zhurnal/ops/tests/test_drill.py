"""The restore drill on this database's engine: a copy of a working school taken while a teacher keeps saving marks,
restored into an empty database, gives back the same row counts and the same hashes; the copy holds every save
whole or not at all."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from django.db import connections

from zhurnal.audit.models import AuditEntry
from zhurnal.journal import services as journal
from zhurnal.journal.models import Attendance, FinalMark, HomeworkAttachment, Mark
from zhurnal.ops import backups, engines, queries
from zhurnal.ops.archive import open_copy
from zhurnal.ops.manifest import HASHED_MODELS, measure
from zhurnal.ops.models import BackupCopy, RestoreDrill

pytestmark = pytest.mark.django_db(transaction=True)


class MarkSaver(threading.Thread):
    """A teacher saving one new mark after another through the journal's service, as the grid does."""

    def __init__(self, working) -> None:
        super().__init__(daemon=True)
        self.cells = [(lesson, student) for lesson in working.lessons for student in working.students]
        self.teacher = working.teacher
        self.saved = 0
        self.errors: list[Exception] = []
        self.stop = threading.Event()
        self.progress = threading.Condition()

    def run(self) -> None:
        try:
            for lesson, student in self.cells:
                if self.stop.is_set():
                    break
                journal.save_cell(actor=self.teacher, lesson=lesson, student=student, text="5", key=uuid.uuid4())
                with self.progress:
                    self.saved += 1
                    self.progress.notify_all()
        except Exception as error:  # noqa: BLE001 - reported to the test
            self.errors.append(error)
        finally:
            connections.close_all()

    def wait_for(self, count: int) -> None:
        with self.progress:
            assert self.progress.wait_for(lambda: self.saved >= count or not self.is_alive(), timeout=60)
        assert not self.errors, self.errors
        assert self.saved >= count, "the saving thread ran out of cells"


def lesson_ids(working) -> list[int]:
    return [lesson.pk for lesson in working.lessons]


def test_copy_taken_while_marks_are_saved_restores_identically(working_school, drives):
    saver = MarkSaver(working_school)
    assert len(saver.cells) > 60
    thread_lessons = lesson_ids(working_school)
    saver.start()
    try:
        saver.wait_for(3)
        before = Mark.objects.filter(lesson_id__in=thread_lessons).count()
        run = backups.take_backup(destinations=drives.both, media_root=drives.media_root)
        assert run.ok, run.error
        after_copy = saver.saved
        saver.wait_for(after_copy + 3)  # saves go on after the copy: it was taken amid them
    finally:
        saver.stop.set()
        saver.join(timeout=60)
    assert not saver.errors, saver.errors
    assert run.figures["media_files"] == 1
    assert [c.ok for c in BackupCopy.objects.filter(run=run).order_by("id")] == [True, True]
    copy = Path(BackupCopy.objects.filter(run=run).first().path)

    # Restored into a scratch database (as the drill does, which drops it): the same counts and hashes as the
    # copy says, and every save is in it whole (its mark and its audit entry) or not at all.
    source = engines.Target.default()
    with backups.workdir("test-") as work, engines.scratch(source, work) as scratch:
        report = backups.restore_copy(copy, target=scratch, media_root=work / "media")
        manifest = report.manifest
        with engines.reader_for(scratch) as reader:
            restored = measure(reader)
            marks_in_copy = _count(reader, "journal_mark", "lesson_id", thread_lessons)
            cells_in_copy = sum(1 for row in reader.rows("audit_auditentry", ["verb", "target_type", "target_id"],
                                                         "id")
                                if row[0] == "journal.cell" and row[1] == "timetable.lesson"
                                and int(row[2]) in thread_lessons)
        assert (work / "media").is_dir()
        assert [p.read_bytes()[:5] for p in (work / "media").rglob("*.pdf")] == [b"%PDF-"]
    assert restored.row_counts == manifest.row_counts
    assert {k: v.sha256 for k, v in restored.hashes.items()} == {k: v.sha256 for k, v in manifest.hashes.items()}
    assert set(manifest.hashes) == set(HASHED_MODELS)
    assert before <= marks_in_copy < Mark.objects.filter(lesson_id__in=thread_lessons).count()
    q1_cells = AuditEntry.objects.filter(verb="journal.cell").exclude(target_id__in=[str(i) for i in thread_lessons])
    assert cells_in_copy == marks_in_copy  # one new mark, one audit entry per save
    assert manifest.row_counts["journal_finalmark"] == FinalMark.objects.count() > 0
    assert manifest.row_counts["journal_attendance"] == Attendance.objects.count() > 0
    assert manifest.row_counts["journal_homeworkattachment"] == HomeworkAttachment.objects.count() == 1
    assert q1_cells.count() > 0
    assert manifest.engine == source.engine
    assert manifest.last_migrations["ops"] == "0001_initial"


def _count(reader, table: str, column: str, values: list[int]) -> int:
    return sum(1 for row in reader.rows(table, [column], "id") if row[0] in values)


def test_copy_figures_are_those_of_the_live_database_when_nobody_writes(working_school, drives):
    run = backups.take_backup(destinations=drives.both, media_root=drives.media_root)
    assert run.ok, run.error
    with engines.reader_for(engines.Target.default()) as reader:
        live = measure(reader)
    # The copy's own records are written after its snapshot: the rest is the same.
    assert {t: c for t, c in live.row_counts.items() if not t.startswith("ops_")} == \
        {t: c for t, c in _manifest(run, drives).row_counts.items() if not t.startswith("ops_")}
    assert {k: v.sha256 for k, v in live.hashes.items()} == \
        {k: v.sha256 for k, v in _manifest(run, drives).hashes.items()}


def _manifest(run, drives):
    copy = Path(run.copies.first().path)
    with backups.workdir("manifest-") as work:
        return open_copy(copy, work).manifest


def test_the_drill_leaves_no_scratch_database_behind(working_school, drives):
    run = backups.take_backup(destinations=drives.both, media_root=drives.media_root)
    assert run.ok, run.error
    drill = backups.run_drill(destinations=drives.both)
    assert drill.ok, drill.error
    assert drill.figures["rows"] == run.figures["rows"] > 0
    assert drill.figures["media_files"] == 1
    assert drill.copy_taken_at == run.started_at
    assert RestoreDrill.objects.filter(ok=True).count() == 1
    target = drill.figures["target"]
    if connections["default"].vendor == "postgresql":
        name = target.split()[1]
        admin = engines.pg_connect(connections["default"].settings_dict, autocommit=True)
        try:
            assert not queries.database_exists(admin, name)
        finally:
            admin.close()
    else:
        assert not Path(target.split(" ", 1)[1]).exists()
