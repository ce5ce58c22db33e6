"""The backups page: who sees it, what it warns about, the schedule form, a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from zhurnal.audit.models import AuditEntry
from zhurnal.core.testing import page_queries
from zhurnal.ops import selectors, services
from zhurnal.ops.models import BackupPolicy, CopyKind, Trigger, Weekday
from zhurnal.school.testing import make_school

URL = "/backups/"


@pytest.fixture
def keeper(small_school, drives):
    """School № 1 keeps the installation's copies (the test installation holds two schools)."""
    services.set_backup_keeper(actor=None, school=small_school.school)
    return small_school


def record_copy(drives, *, days_ago: float, ok: bool = True, kind: str = CopyKind.WEEKLY, on=None):
    started = timezone.now() - dt.timedelta(days=days_ago)
    destinations = on if on is not None else drives.both
    return services.record_backup(
        started_at=started, finished_at=started + dt.timedelta(seconds=5), kind=kind, trigger=Trigger.SCHEDULE,
        engine="sqlite", file_name=f"zhurnal-{days_ago}.tar.gz", size=1_200_000, sha256="a" * 64, encrypted=False,
        error="" if ok else "диск заполнен", figures={"rows": 10, "tables": 2},
        copies=[services.CopyOutcome(destination=d.key, label=d.state().label, ok=ok, path=str(d.path / "x"),
                                     error="" if ok else "диск заполнен", finished_at=started)
                for d in destinations])


def record_drill(*, days_ago: float, ok: bool = True):
    started = timezone.now() - dt.timedelta(days=days_ago)
    return services.record_drill(started_at=started, finished_at=started, trigger=Trigger.SCHEDULE,
                                 copy_path="/media/disk1/zhurnal-x.tar.gz", copy_taken_at=started, engine="sqlite",
                                 ok=ok, error="" if ok else "контрольная сумма не совпадает",
                                 figures={"size": 10, "rows": 10, "tables": 2, "media_files": 0,
                                          "seconds": {"total": 1.5}})


@pytest.mark.parametrize(("persona", "status"), [
    ("admin", 200), ("director", 200), ("deputy", 403), ("teacher", 403), ("class_teacher", 403),
    ("guardian", 403), ("student", 403), ("other_school_admin", 404),
])
def test_who_sees_the_backups_page(keeper, login, persona, status):
    assert login(persona).get(URL).status_code == status


def test_strangers_are_sent_to_log_in(keeper, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_no_school_keeps_the_copies_of_a_region_unless_named(small_school, drives, login):
    # Two schools and none named: the copies are the region operator's; no school has the page.
    assert selectors.keeper_school_id() is None
    assert login("admin").get(URL).status_code == 404


def test_the_only_school_of_an_installation_keeps_its_copies(db):
    school = make_school("Единственная", slug="only")
    assert selectors.keeper_school_id() == school.pk


def test_the_menu_shows_the_page_to_whom_may_open_it(keeper, login):
    assert "Резервные копии" in login("admin").get(reverse("school:class_list")).content.decode()
    assert "Резервные копии" in login("director").get(reverse("school:class_list")).content.decode()
    assert "Резервные копии" not in login("deputy").get(reverse("school:class_list")).content.decode()
    assert "Резервные копии" not in login("other_school_admin").get(reverse("timetable:index")).content.decode()


def test_the_page_warns_of_old_copies_missing_drills_and_failures(keeper, drives, login):
    record_copy(drives, days_ago=9, kind=CopyKind.MONTHLY)
    page = login("admin").get(URL).content.decode()
    assert "Последняя копия на «Диск 1» — 9 дн. назад" in page
    assert "Последняя копия на «Диск 2» — 9 дн. назад" in page
    assert "ещё ни разу не проверялось" in page

    record_copy(drives, days_ago=1, on=[drives.first])
    record_copy(drives, days_ago=0.5, ok=False, on=[drives.second])
    record_drill(days_ago=40)
    record_drill(days_ago=2, ok=False)
    page = login("admin").get(URL).content.decode()
    assert "Последняя копия на «Диск 1»" not in page
    assert "Последняя копия на «Диск 2» — 9 дн. назад" in page
    assert "Запись на «Диск 2» сегодня" in page and "диск заполнен" in page
    assert "Последняя успешная проверка восстановления — 40 дн. назад" in page
    assert "не прошла: контрольная сумма не совпадает" in page


def test_a_fresh_copy_on_both_drives_and_a_recent_drill_leave_no_schedule_warnings(keeper, drives, login):
    record_copy(drives, days_ago=3, kind=CopyKind.MONTHLY)
    record_drill(days_ago=3)
    status = selectors.backup_status()
    assert not [w for w in status.warnings if "Последняя" in w or "провер" in w or "архив" in w]
    # Both test "drives" are folders of one disk: the page says so.
    assert any("на одном носителе" in w for w in status.warnings)
    assert "Диск 1" in login("director").get(URL).content.decode()


def test_an_unplugged_drive_is_shown(keeper, drives, login):
    (drives.second.path / ".zhurnal-backup").unlink()
    page = login("admin").get(URL).content.decode()
    assert "недоступен" in page and "не подготовлен" in page


def test_the_administrator_sets_the_schedule(keeper, login):
    response = login("admin").post(URL, {
        "weekday": Weekday.SATURDAY, "at": "09:30", "yearly_month": 6, "keep_weekly_months": 2,
        "keep_monthly_months": 18, "keep_yearly_years": 10, "drill_every_days": 14})
    assert response.status_code == 302
    policy = BackupPolicy.objects.get()
    assert (policy.weekday, policy.at, policy.yearly_month, policy.keep_yearly_years) == (5, dt.time(9, 30), 6, 10)
    entry = AuditEntry.objects.get(verb="backup.schedule")
    assert entry.school_id == keeper.school.pk and entry.after["at"] == "09:30"


def test_the_schedule_refuses_less_than_five_years_of_archives(keeper, login):
    response = login("admin").post(URL, {
        "weekday": Weekday.FRIDAY, "at": "25:00", "yearly_month": 7, "keep_weekly_months": 3,
        "keep_monthly_months": 12, "keep_yearly_years": 3, "drill_every_days": 30})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Годовые архивы хранятся не меньше 5 лет" in page
    assert "Время копии: введите в виде ЧЧ:ММ" in page
    policy = BackupPolicy.objects.get()
    assert (policy.keep_yearly_years, policy.at) == (5, dt.time(18, 0))  # nothing changed


def test_the_director_reads_but_does_not_set_the_schedule(keeper, login):
    client = login("director")
    assert "Сохранить расписание" not in client.get(URL).content.decode()
    assert client.post(URL, {"weekday": 1, "at": "10:00"}).status_code == 403


def test_the_page_makes_the_same_queries_for_few_and_many_copies(keeper, drives, login):
    client = login("admin")
    record_copy(drives, days_ago=3)
    record_drill(days_ago=3)
    few, _ = page_queries(client, URL)
    for n in range(30):
        record_copy(drives, days_ago=4 + n, ok=n % 3 != 0)
        record_drill(days_ago=4 + n, ok=n % 4 != 0)
    many, response = page_queries(client, URL)
    assert few == many
    assert response.content.decode().count('<tr><td data-label="Когда">') == 10 + 5
