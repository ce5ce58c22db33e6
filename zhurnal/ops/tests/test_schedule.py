"""The schedule (what is due, which rung a copy takes) and the retention ladder, then the scheduled run itself."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from zhurnal.ops import backups, schedule
from zhurnal.ops.archive import sidecar
from zhurnal.ops.destinations import MARKER, CopyFile, copy_name, parse_copy_name
from zhurnal.ops.models import BackupPolicy, BackupRun, CopyKind, RestoreDrill, Weekday


def local(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))  # noqa: DTZ001


POLICY = BackupPolicy(weekday=Weekday.FRIDAY, at=dt.time(18, 0), yearly_month=7, keep_weekly_months=3,
                      keep_monthly_months=12, keep_yearly_years=5, drill_every_days=30)


def test_the_last_slot_is_the_latest_friday_evening():
    assert schedule.last_slot(local(2026, 12, 7, 10, 0), POLICY) == local(2026, 12, 4, 18, 0)  # Monday
    assert schedule.last_slot(local(2026, 12, 11, 17, 59), POLICY) == local(2026, 12, 4, 18, 0)
    assert schedule.last_slot(local(2026, 12, 11, 18, 0), POLICY) == local(2026, 12, 11, 18, 0)


def test_a_copy_is_due_once_per_slot_and_caught_up_after_a_day_off():
    assert schedule.copy_due(local(2026, 12, 4, 18, 5), POLICY, None)
    assert schedule.copy_due(local(2026, 12, 4, 18, 5), POLICY, local(2026, 12, 4, 9, 0))  # before the slot
    assert not schedule.copy_due(local(2026, 12, 4, 19, 0), POLICY, local(2026, 12, 4, 18, 5))
    # The computer was off on Friday evening: Monday morning's run makes the copy.
    assert schedule.copy_due(local(2026, 12, 7, 8, 0), POLICY, local(2026, 11, 27, 18, 5))


def test_the_first_copy_of_a_month_is_its_archive_and_of_july_the_years():
    assert schedule.kind_for(local(2026, 12, 4, 18, 0), POLICY, last_monthly=local(2026, 11, 6, 18, 0),
                             last_yearly=local(2026, 7, 3, 18, 0)) == CopyKind.MONTHLY
    assert schedule.kind_for(local(2026, 12, 11, 18, 0), POLICY, last_monthly=local(2026, 12, 4, 18, 0),
                             last_yearly=local(2026, 7, 3, 18, 0)) == CopyKind.WEEKLY
    assert schedule.kind_for(local(2027, 7, 2, 18, 0), POLICY, last_monthly=local(2027, 6, 4, 18, 0),
                             last_yearly=local(2026, 7, 3, 18, 0)) == CopyKind.YEARLY
    # Summer off: the first copy in August still makes the year's archive; a first-ever copy in December not.
    assert schedule.kind_for(local(2027, 8, 27, 18, 0), POLICY, last_monthly=local(2027, 6, 4, 18, 0),
                             last_yearly=local(2026, 7, 3, 18, 0)) == CopyKind.YEARLY
    assert schedule.kind_for(local(2026, 12, 4, 18, 0), POLICY, last_monthly=None,
                             last_yearly=None) == CopyKind.MONTHLY


def test_drills_are_due_by_the_policys_days():
    assert schedule.drill_due(local(2026, 12, 7, 9), POLICY, None)
    assert not schedule.drill_due(local(2026, 12, 7, 9), POLICY, local(2026, 11, 20, 9))
    assert schedule.drill_due(local(2026, 12, 20, 9), POLICY, local(2026, 11, 20, 9))
    assert not schedule.drill_overdue(local(2026, 12, 20, 9), POLICY, local(2026, 11, 20, 9))
    assert schedule.drill_overdue(local(2026, 12, 22, 9), POLICY, local(2026, 11, 20, 9))


def ladder_of_copies(now: dt.datetime, years: int = 7) -> list[CopyFile]:
    """A copy every Friday for ``years``, with the rungs the schedule gives them."""
    copies: list[CopyFile] = []
    moment = schedule.last_slot(now, POLICY)
    start = schedule.months_before(now, 12 * years)
    last_monthly = last_yearly = None
    slots = []
    while moment > start:
        slots.append(moment)
        moment -= dt.timedelta(days=7)
    for moment in reversed(slots):
        kind = schedule.kind_for(moment, POLICY, last_monthly=last_monthly, last_yearly=last_yearly)
        if kind != CopyKind.WEEKLY:
            last_monthly = moment
        if kind == CopyKind.YEARLY:
            last_yearly = moment
        copies.append(CopyFile(path=Path(copy_name(moment, kind, encrypted=False)), taken_at=moment, kind=kind,
                               encrypted=False))
    return copies


def test_the_ladder_keeps_weeks_for_three_months_months_for_a_year_years_for_five():
    now = local(2026, 12, 7, 9, 0)
    copies = ladder_of_copies(now)
    pruned = schedule.to_prune(copies, now, POLICY)
    kept = [c for c in copies if c not in pruned]
    by_kind = {kind: [c for c in kept if c.kind == kind] for kind in CopyKind.values}
    assert all(c.taken_at >= local(2026, 9, 7, 0, 0) for c in by_kind[CopyKind.WEEKLY])
    assert len(by_kind[CopyKind.WEEKLY]) >= 10  # the last three months' Fridays, less the months' first ones
    assert sorted(c.taken_at.month for c in by_kind[CopyKind.MONTHLY] if c.taken_at < local(2026, 9, 1)) == \
        [1, 2, 3, 4, 5, 6, 8]  # a year back: January to August 2026 (July's is the year's)
    assert [c.taken_at.year for c in by_kind[CopyKind.YEARLY]] == [2022, 2023, 2024, 2025, 2026]
    assert all(c.taken_at < local(2026, 12, 7) - dt.timedelta(days=90) for c in pruned)
    assert copies[-1] not in pruned and copies[-2] not in pruned


def test_the_newest_copies_stay_however_old():
    now = local(2026, 12, 7, 9, 0)
    old = [CopyFile(Path(f"c{i}"), local(2024, 1, 5 + i, 18), CopyKind.WEEKLY, False) for i in range(3)]
    assert schedule.to_prune(old, now, POLICY) == old[:1]


def test_copy_names_are_read_back():
    moment = local(2026, 12, 4, 18, 0, 5)
    parsed = parse_copy_name(Path(copy_name(moment, CopyKind.MONTHLY, encrypted=True)))
    assert parsed is not None
    assert (parsed.taken_at, parsed.kind, parsed.encrypted) == (moment, CopyKind.MONTHLY, True)
    assert parse_copy_name(Path("zhurnal-notes.txt")) is None


@pytest.mark.django_db(transaction=True)
def test_the_scheduled_run_does_what_is_due_and_prunes(school_database, drives):
    monday = local(2026, 12, 7, 10, 0)
    # Old copies on the first drive from before, and a file of the school's own that is no copy.
    for moment, kind in ((local(2026, 1, 9, 18), CopyKind.WEEKLY), (local(2026, 8, 7, 18), CopyKind.WEEKLY),
                         (local(2026, 8, 14, 18), CopyKind.WEEKLY)):
        path = drives.first.path / copy_name(moment, kind, encrypted=False)
        path.write_bytes(b"old")
        sidecar(path).write_text("x")
    (drives.first.path / "приказ.docx").write_bytes(b"keep me")

    outcome = backups.run_scheduled(monday, destinations=drives.both)
    assert outcome.backup is not None and outcome.backup.ok, outcome.backup and outcome.backup.error
    assert outcome.backup.kind == CopyKind.MONTHLY
    assert outcome.drill is not None and outcome.drill.ok, outcome.drill and outcome.drill.error
    # Weekly copies older than three months go, but the newest two copies stay, whatever their age.
    kept = copy_name(local(2026, 8, 14, 18), CopyKind.WEEKLY, encrypted=False)
    names = sorted(p.name for p in drives.first.path.iterdir())
    assert names == sorted([MARKER, "приказ.docx", outcome.backup.file_name, outcome.backup.file_name + ".sha256",
                            kept, kept + ".sha256"])
    assert outcome.backup.copies.get(destination=drives.first.key).pruned == 2

    again = backups.run_scheduled(monday + dt.timedelta(hours=1), destinations=drives.both)
    assert again.backup is None and again.drill is None and again.note

    # Friday evening: the weekly copy; the second drive is unplugged (its marker gone): written to the first.
    (drives.second.path / MARKER).unlink()
    friday = local(2026, 12, 11, 18, 30)
    weekly = backups.run_scheduled(friday, destinations=drives.both).backup
    assert weekly is not None and weekly.ok and weekly.kind == CopyKind.WEEKLY
    assert [c.ok for c in weekly.copies.order_by("id")] == [True]
    # Plugged in on Monday: the next hourly run sees the second drive lacks the week's copy.
    (drives.second.path / MARKER).write_text('{"label": "Диск 2"}')
    catch_up = backups.run_scheduled(local(2026, 12, 14, 9, 0), destinations=drives.both).backup
    assert catch_up is not None and [c.ok for c in catch_up.copies.order_by("id")] == [True, True]


@pytest.mark.django_db(transaction=True)
def test_unplugged_drives_are_one_failure_per_slot_not_one_per_hour(school_database, drives):
    for drive in drives.both:
        (drive.path / MARKER).unlink()
    friday = local(2026, 12, 11, 18, 30)
    first = backups.run_scheduled(friday, destinations=drives.both)
    assert first.backup is not None and not first.backup.ok
    assert "Ни один носитель" in first.backup.error
    assert first.drill is None
    backups.run_scheduled(friday + dt.timedelta(hours=1), destinations=drives.both)
    assert BackupRun.objects.count() == 1
    assert RestoreDrill.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_second_scheduled_run_at_the_same_time_does_nothing(school_database, drives):
    with backups.run_lock() as got_it:
        assert got_it
        outcome = backups.run_scheduled(local(2026, 12, 11, 18, 30), destinations=drives.both)
    assert outcome.backup is None and "уже выполняется" in outcome.note


@pytest.mark.django_db(transaction=True)
def test_the_task_queue_runs_the_schedule_every_hour(school_database, drives):
    from zhurnal.core import tasks

    job = tasks.registered("ops.scheduled_backup")
    slot = job.task_class()
    hourly = [minute for minute in range(60) if slot.validate_datetime(
        dt.datetime(2026, 12, 7, 7, minute))]  # noqa: DTZ001 - the queue's UTC clock
    assert hourly == [7]
    job.call_local()
    run = BackupRun.objects.get()
    assert run.ok and run.trigger == "schedule"
