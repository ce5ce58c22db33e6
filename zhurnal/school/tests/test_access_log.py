"""The access log of personal data (152-ФЗ): cards opened and lists taken, read and filtered by the administrator
and the director, kept for the retention period."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from zhurnal.audit.models import AccessKind, AccessRecord
from zhurnal.audit.services import purge_access_log, record_access

pytestmark = pytest.mark.django_db


def test_opening_a_pupils_card_and_exporting_a_list_are_both_in_the_access_log(small_school, client):
    pupil = small_school.students["student"]
    client.force_login(small_school.users["class_teacher"])
    assert client.get(reverse("school:student_detail", args=[pupil.pk])).status_code == 200
    client.force_login(small_school.users["admin"])
    export = client.get(reverse("school:export_download", args=["students", "xlsx"]),
                        {"class": small_school.class_5a.pk}, REMOTE_ADDR="10.20.30.40")
    assert export.status_code == 200

    card = AccessRecord.objects.get(kind=AccessKind.STUDENT_CARD)
    assert card.actor == small_school.users["class_teacher"] and card.school == small_school.school
    assert "Иванов Иван" in card.what and card.target_id == str(pupil.pk)
    listed = AccessRecord.objects.get(kind=AccessKind.LIST_EXPORT)
    assert listed.actor == small_school.users["admin"] and listed.rows == 3 and "5А" in listed.what

    page = client.get(reverse("school:access_log"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "карточка обучающегося" in html and "выгрузка списка" in html
    assert "Классова" in html and "Админова" in html
    only_cards = client.get(reverse("school:access_log"), {"kind": "student_card"}).content.decode()
    assert "карточка обучающегося" in only_cards and "выгрузка списка" not in only_cards.split("<tbody>")[1]
    by_admin = client.get(reverse("school:access_log"),
                          {"person": small_school.users["admin"].pk}).content.decode().split("<tbody>")[1]
    assert "выгрузка списка" in by_admin and "карточка обучающегося" not in by_admin


def test_activation_code_lists_are_in_the_access_log_with_their_rows(small_school, client):
    client.force_login(small_school.users["class_teacher"])
    response = client.post(reverse("school:class_issue", args=[small_school.class_5a.pk]), {"scope": "all"})
    assert response.status_code == 200
    record = AccessRecord.objects.get(kind=AccessKind.ACTIVATION_CODES)
    assert record.rows >= 1 and "5А" in record.what


def test_a_family_reading_its_own_card_is_not_a_third_partys_access(small_school, client):
    client.force_login(small_school.users["guardian"])
    assert client.get(reverse("school:student_detail", args=[small_school.students["student"].pk])).status_code == 200
    assert not AccessRecord.objects.exists()


def test_only_the_administrator_and_the_director_read_the_log(small_school, client):
    for persona, status in (("admin", 200), ("director", 200), ("deputy", 403), ("class_teacher", 403),
                            ("guardian", 403)):
        client.force_login(small_school.users[persona])
        assert client.get(reverse("school:access_log")).status_code == status, persona


def test_the_log_shows_only_its_own_school(small_school, client):
    record_access(actor=small_school.users["other_school_admin"], school=small_school.other_school,
                  kind=AccessKind.STUDENT_CARD, what="Карточка обучающегося: Сидоров Иван")
    client.force_login(small_school.users["admin"])
    assert "Сидоров" not in client.get(reverse("school:access_log")).content.decode()


def test_a_wrong_filter_gets_a_russian_message(small_school, client):
    client.force_login(small_school.users["admin"])
    response = client.get(reverse("school:access_log"), {"since": "2026-12-10", "until": "2026-12-01"})
    assert response.status_code == 400
    assert "Дата «С» позже даты «По»" in response.content.decode()
    response = client.get(reverse("school:access_log"), {"kind": "nonsense"})
    assert response.status_code == 400 and "Неизвестный вид обращения" in response.content.decode()


def test_readings_older_than_the_retention_are_purged(small_school, settings):
    settings.ZHURNAL_ACCESS_LOG_DAYS = 30
    old = record_access(actor=small_school.users["admin"], school=small_school.school, kind=AccessKind.LIST_EXPORT,
                        what="Обучающиеся", rows=3)
    AccessRecord.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=31))
    recent = record_access(actor=small_school.users["admin"], school=small_school.school,
                           kind=AccessKind.LIST_EXPORT, what="Обучающиеся", rows=3)
    assert purge_access_log() == 1
    assert list(AccessRecord.objects.all()) == [recent]


def test_the_purge_runs_on_the_task_queue():
    from zhurnal.audit import tasks

    assert tasks.purge_access_log.name == "audit.purge_access_log"
