"""The bell, the list, the settings pages: each person sees and sets only his own; bad input changes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhurnal.notifications import kinds
from zhurnal.notifications.models import KindSetting, Notification, NotificationSettings, SchoolKindDefault

pytestmark = pytest.mark.django_db


def notify(small_school, username, count, **fields):
    user = small_school.users[username]
    return [Notification.objects.create(school=small_school.school, user=user, kind=kinds.MARK,
                                        title=f"Новая отметка у Иванова Ивана: {n % 5 + 1}", url="/diary/",
                                        student=small_school.students["student"], **fields) for n in range(count)]


def page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_bell_counts_the_persons_unread_notifications(small_school, login):
    notify(small_school, "guardian", 3)
    notify(small_school, "other_guardian", 5)
    page = login("guardian").get("/notifications/settings/").content.decode()
    assert 'id="bell"' in page and 'data-count="3"' in page
    assert "Уведомления: непрочитанных 3" in page
    fragment = login("guardian").get("/notifications/bell/").content.decode()
    assert fragment.startswith('<a class="bell bell-unread" id="bell"') and 'data-count="3"' in fragment
    assert 'data-count="0"' in login("teacher").get("/notifications/bell/").content.decode()


def test_the_list_shows_only_ones_own_in_a_fixed_number_of_queries(small_school, login):
    notify(small_school, "guardian", 2)
    client = login("guardian")
    client.get("/notifications/")  # the person's standing and menu are cached on the first page
    small = page_queries(client, "/notifications/")
    notify(small_school, "guardian", 40)
    assert page_queries(client, "/notifications/") == small
    notify(small_school, "other_guardian", 1, body="Чужое")
    page = client.get("/notifications/").content.decode()
    assert "Чужое" not in page
    assert page.count('class="notification notification-unread"') == 42


def test_opening_marks_read_and_another_persons_notification_does_not_exist(small_school, login):
    mine, = notify(small_school, "guardian", 1)
    theirs, = notify(small_school, "other_guardian", 1)
    client = login("guardian")
    assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    response = client.post(f"/notifications/{mine.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/diary/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    notify(small_school, "guardian", 2)
    client.post("/notifications/read/")
    assert not Notification.objects.filter(user=small_school.users["guardian"], read_at__isnull=True).exists()
    assert Notification.objects.filter(user=small_school.users["other_guardian"], read_at__isnull=True).exists()


def test_a_notification_never_leads_off_the_site(small_school, login):
    evil, = notify(small_school, "guardian", 1)
    Notification.objects.filter(pk=evil.pk).update(url="https://evil.example/")
    assert login("guardian").post(f"/notifications/{evil.pk}/open/")["Location"] == "/notifications/"


def _settings_form(**changes):
    form = {f"mode_{code}": kind.default for code, kind in kinds.KINDS.items()}
    form.update(by_email="on", email="", quiet_from="21:00", quiet_to="08:00", digest_time="18:00", weekly_day="6")
    form.update(changes)
    return form


def test_families_set_how_they_are_told_and_staff_see_their_own_kinds(small_school, login):
    page = login("guardian").get("/notifications/settings/").content.decode()
    assert "Новые, изменённые и удалённые отметки" in page and "Прогноз «2» за период" in page
    assert "Тихие часы с" in page and 'value="21:00"' in page and 'value="18:00"' in page
    teacher_page = login("teacher").get("/notifications/settings/").content.decode()
    assert "Новые сообщения" in teacher_page and "Новые, изменённые и удалённые отметки" not in teacher_page
    client = login("guardian")
    response = client.post("/notifications/settings/", _settings_form(mode_mark="daily", quiet_from="22:30",
                                                                       email="mama@example.org"))
    assert response.status_code == 302
    own = NotificationSettings.objects.get(user=small_school.users["guardian"])
    assert f"{own.quiet_from:%H:%M}" == "22:30" and own.email == "mama@example.org"
    assert list(KindSetting.objects.filter(user=small_school.users["guardian"]).values_list("kind", "mode")) == [
        ("mark", "daily")]  # only what differs from the school's default is kept


@pytest.mark.parametrize(("field", "value", "message"), [
    ("quiet_from", "25:00", "Тихие часы: начало: нужно время в виде ЧЧ:ММ, например 21:00."),
    ("email", "мама@", "Адрес для уведомлений «мама@» — не адрес электронной почты."),
    ("mode_mark", "hourly", "«Новые, изменённые и удалённые отметки»: выберите, как присылать."),
    ("weekly_day", "9", "День еженедельной сводки: выберите день недели."),
])
def test_bad_settings_are_refused_with_a_russian_message_and_change_nothing(small_school, login, field, value,
                                                                           message):
    response = login("guardian").post("/notifications/settings/", _settings_form(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not NotificationSettings.objects.exists() and not KindSetting.objects.exists()


def test_the_school_defaults_are_set_by_the_director_and_read_by_the_deputy(small_school, login):
    form = {f"mode_{code}": kind.default for code, kind in kinds.KINDS.items()}
    form.update(mode_homework="never", urgent_attendance="on", quiet_from="22:00", quiet_to="07:00",
                digest_time="19:00", low_average_below="3,5", absences_limit="4")
    assert login("teacher").get("/notifications/school/").status_code == 403
    assert login("deputy").get("/notifications/school/").status_code == 200
    assert login("deputy").post("/notifications/school/", form).status_code == 403
    assert login("director").post("/notifications/school/", {**form, "low_average_below": "семь"}).status_code == 200
    assert not SchoolKindDefault.objects.exists()
    assert login("director").post("/notifications/school/", form).status_code == 302
    assert SchoolKindDefault.objects.get(kind="homework").mode == "never"
    assert SchoolKindDefault.objects.get(kind="attendance").urgent
    # The parent's page now offers the school's default and marks the urgent kind.
    page = login("guardian").get("/notifications/settings/").content.decode()
    assert "школа считает срочным" in page and 'value="22:00"' in page
