"""Alerts that fire once when a value crosses (the journal's own average, forecast and absences), final marks
that wait for the day families see them, homework, and the news other apps publish."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from zhurnal.core import events
from zhurnal.core.dates import today
from zhurnal.journal import services as journal
from zhurnal.notifications import kinds, services
from zhurnal.notifications.models import Notification, ThresholdState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.ZHURNAL_NOTIFY_REPLACE_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def past(lessons, count):
    done = [lesson for lesson in lessons if lesson.date <= today()]
    return done[-count:]


def school_rules(small_school, **changes):
    values = {"modes": {code: kind.default for code, kind in kinds.KINDS.items()}, "urgent": set(),
              "low_average_below": "3.00", "absences_limit": 5, "quiet_from": dt.time(21), "quiet_to": dt.time(8),
              "digest_time": dt.time(18)}
    values.update(changes)
    services.save_school_settings(actor=small_school.users["director"], school=small_school.school, **values)


def alerts(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind).order_by("pk").values_list("title", flat=True))


def test_a_low_average_alert_fires_once_when_it_crosses_and_again_after_it_recovered(save, small_school, family):
    _, lessons = family
    teacher, pupil, mother = small_school.users["teacher"], small_school.students["student"], small_school.users["guardian"]
    first, second, third, fourth, fifth = past(lessons, 5)
    save(actor=teacher, lesson=first, student=pupil, text="2")
    assert alerts(mother, kinds.LOW_AVERAGE) == ["Иванов Иван. Средний балл по предмету «Математика» ниже 3,00: 2,00"]
    assert alerts(small_school.users["student"], kinds.LOW_AVERAGE) == [
        "Средний балл по предмету «Математика» ниже 3,00: 2,00"]
    save(actor=teacher, lesson=second, student=pupil, text="2")  # still below: nothing new
    assert len(alerts(mother, kinds.LOW_AVERAGE)) == 1
    save(actor=teacher, lesson=third, student=pupil, text="5")
    save(actor=teacher, lesson=fourth, student=pupil, text="5")  # 3,50: recovered
    assert not ThresholdState.objects.filter(kind=kinds.LOW_AVERAGE).exists()
    save(actor=teacher, lesson=fifth, student=pupil, text="1/1")  # 2,67: below again — a new crossing
    assert len(alerts(mother, kinds.LOW_AVERAGE)) == 2


def test_the_forecast_two_fires_only_where_families_see_the_forecast(save, small_school, family, settings):
    _, lessons = family
    teacher, pupil, mother = small_school.users["teacher"], small_school.students["student"], small_school.users["guardian"]
    lesson_a, lesson_b, lesson_c = past(lessons, 3)
    settings.ZHURNAL_FORECAST_DAYS = 0  # outside the window the diary hides the forecast: so do notifications
    for lesson in (lesson_a, lesson_b):
        save(actor=teacher, lesson=lesson, student=pupil, text="2")
    assert alerts(mother, kinds.FORECAST) == []
    settings.ZHURNAL_FORECAST_DAYS = 400
    save(actor=teacher, lesson=lesson_c, student=pupil, text="2")
    assert len(alerts(mother, kinds.FORECAST)) == 1
    assert "«2»" in alerts(mother, kinds.FORECAST)[0]


def test_unexcused_absences_alert_when_they_reach_the_schools_limit(save, small_school, family):
    _, lessons = family
    school_rules(small_school, absences_limit=2)
    teacher, pupil, mother = small_school.users["teacher"], small_school.students["student"], small_school.users["guardian"]
    first, second, third = past(lessons, 3)
    save(actor=teacher, lesson=first, student=pupil, text="н")
    save(actor=teacher, lesson=second, student=pupil, text="б")  # sick: not counted
    assert alerts(mother, kinds.ABSENCES) == []
    save(actor=teacher, lesson=third, student=pupil, text="н")
    assert alerts(mother, kinds.ABSENCES)[0].endswith(": 2")
    save(actor=teacher, lesson=second, student=pupil, text="н")  # 3: already told
    assert len(alerts(mother, kinds.ABSENCES)) == 1


def test_a_final_mark_is_told_from_the_day_families_see_it(committed, small_school, family):
    from zhurnal.core import tasks
    from zhurnal.school.models import ReportingPeriod

    maths, _ = family
    period = ReportingPeriod.objects.filter(period_set__year=small_school.year, start__lte=today(),
                                            end__gte=today()).first()
    pupil, mother = small_school.students["student"], small_school.users["guardian"]
    committed(journal.set_final_mark, actor=small_school.users["teacher"], assignment=maths, student=pupil,
              period=period, value="4", reason="по итогам контрольных")
    if today() < period.end - dt.timedelta(days=2):
        assert alerts(mother, kinds.FINAL) == []  # the diary shows it two days before the period ends
        scheduled = tasks.queue.scheduled()
        assert any(job.name == "notifications.dispatch" and job.eta.date() == period.end - dt.timedelta(days=2)
                   for job in scheduled)
        tasks.queue.flush()
    else:
        assert alerts(mother, kinds.FINAL) == [
            f"Итоговая отметка у Иванова Ивана по предмету «Математика» за {period.name}: «4»"]


def test_homework_tells_the_groups_families(committed, small_school, family):
    _, lessons = family
    lesson = past(lessons, 1)[0]
    committed(journal.save_lesson_record, actor=small_school.users["teacher"], lesson=lesson,
              homework="№ 245, 247")
    titles = alerts(small_school.users["guardian"], kinds.HOMEWORK)
    assert titles == [f"Домашнее задание у Иванова Ивана: Математика, урок {lesson.date:%d.%m.%Y}"]
    assert Notification.objects.get(user=small_school.users["guardian"], kind=kinds.HOMEWORK).body == "№ 245, 247"
    assert alerts(small_school.users["other_guardian"], kinds.HOMEWORK) == []  # 5Б is another group
    # Homework defaults to the daily digest: no e-mail now.
    assert [m for m in mail.outbox if "Домашнее" in m.subject] == []


def test_messages_and_announcements_reach_the_recipients_messaging_names(django_capture_on_commit_callbacks,
                                                                         small_school, family):
    users = small_school.users
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("messaging.message_sent", school_id=small_school.school.pk, actor_id=users["teacher"].pk,
                       message_id=1, thread_id=1, recipient_user_ids=[users["guardian"].pk, users["teacher"].pk],
                       subject="Экскурсия", sender_name="Учителева А. А.", url="/mail/1/",
                       student_ids=[small_school.students["student"].pk])
        events.publish("messaging.announcement_published", school_id=small_school.school.pk,
                       actor_id=users["director"].pk, announcement_id=3, recipient_user_ids=[users["guardian"].pk],
                       title="Родительское собрание", url="/announcements/3/", requires_ack=True, urgent=True)
    assert alerts(users["guardian"], kinds.MESSAGE) == [
        "Новое сообщение от Учителева А. А. по поводу Иванова Ивана: Экскурсия"]
    assert alerts(users["teacher"], kinds.MESSAGE) == []  # his own
    announcement = Notification.objects.get(user=users["guardian"], kind=kinds.ANNOUNCEMENT)
    assert announcement.urgent and announcement.body == "Просим подтвердить ознакомление."
