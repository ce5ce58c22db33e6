"""The fan-out on the tests' immediate queue: who is told of a saved cell, in what words, and what is not told."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from zhurnal.core.dates import today
from zhurnal.notifications import kinds, selectors, services
from zhurnal.notifications.models import Delivery, DeliveryStatus, Notification

pytestmark = pytest.mark.django_db


def past_lesson(lessons):
    return [lesson for lesson in lessons if lesson.date <= today()][-1]


@pytest.fixture(autouse=True)
def _no_window(settings):
    settings.ZHURNAL_NOTIFY_REPLACE_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _quiet_never(*users):
    # Quiet hours off for the test's people: what is sent must not depend on the hour the suite runs at.
    import datetime as dt

    for user in users:
        services.save_settings(user=user, school_id=user_school(user), modes={}, by_email=True, email="",
                               by_push=True, quiet_from=dt.time(0, 0), quiet_to=dt.time(0, 0),
                               digest_time=dt.time(18, 0), weekly_day=6)


def user_school(user):
    from zhurnal.school.models import School

    return School.objects.get(slug="school-1").pk


def test_a_saved_mark_tells_the_parent_and_the_pupil_naming_the_child_and_not_the_teacher(save, small_school, family):
    _, lessons = family
    users = small_school.users
    _quiet_never(users["guardian"], users["student"], users["teacher"])
    lesson = past_lesson(lessons)
    save(actor=users["teacher"], lesson=lesson, student=small_school.students["student"], text="5")
    parent = Notification.objects.get(user=users["guardian"])
    assert parent.kind == kinds.MARK
    assert parent.title == "Новая отметка у Иванова Ивана: 5"
    pupil = Notification.objects.get(user=users["student"])
    assert pupil.title == "Новая отметка: 5"
    assert not Notification.objects.filter(user=users["teacher"]).exists()
    assert not Notification.objects.filter(user=users["other_guardian"]).exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["ivan@example.org", "mama@example.org"]
    assert "Иванова Ивана" in next(m for m in mail.outbox if m.to == ["mama@example.org"]).subject
    assert selectors.unread_count(users["guardian"]) == 1


def test_nobody_is_told_of_his_own_action(save, small_school, family):
    _, lessons = family
    admin = small_school.users["admin"]
    # The journal administrator who is also the pupil's parent saves his own child's mark: he is not told.
    from zhurnal.school.models import Guardian, GuardianLink

    guardian = Guardian.objects.create(school=small_school.school, last_name="Админова", first_name="Анна",
                                       user=admin)
    GuardianLink.objects.create(school=small_school.school, student=small_school.students["student"],
                                guardian=guardian)
    save(actor=admin, lesson=past_lesson(lessons), student=small_school.students["student"], text="4")
    assert not Notification.objects.filter(user=admin).exists()
    assert Notification.objects.filter(user=small_school.users["guardian"]).count() == 1


def test_a_correction_within_the_window_replaces_the_notification(save, small_school, family, settings):
    settings.ZHURNAL_NOTIFY_REPLACE_SECONDS = 600
    _, lessons = family
    users = small_school.users
    lesson, pupil = past_lesson(lessons), small_school.students["student"]
    save(actor=users["teacher"], lesson=lesson, student=pupil, text="3")
    save(actor=users["teacher"], lesson=lesson, student=pupil, text="4")
    parent = Notification.objects.get(user=users["guardian"], kind=kinds.MARK)
    assert parent.title == "Новая отметка у Иванова Ивана: 4"
    delivery = Delivery.objects.get(notification=parent, channel="email")
    assert delivery.status == DeliveryStatus.PENDING and delivery.due_at > timezone.now()
    assert mail.outbox == []  # the e-mail waits for the window's end
    # Corrected back to nothing: there is nothing to tell.
    save(actor=users["teacher"], lesson=lesson, student=pupil, text="")
    assert not selectors.notifications_of(users["guardian"]).filter(kind=kinds.MARK).exists()
    assert selectors.unread_count(users["guardian"]) == 0


def test_changes_read_out_of_order_still_tell_the_first_state_and_the_last(small_school, family, settings):
    """Several workers may take a cell's two events in either order: the notification is the same."""
    import datetime as dt

    settings.ZHURNAL_NOTIFY_REPLACE_SECONDS = 600
    mother = small_school.users["guardian"]
    start = timezone.now()

    def news(before, after, seconds):
        return services.News(kind=kinds.MARK, school_id=small_school.school.pk, user_id=mother.pk, title=after,
                             group_key="cell:1:1:mark", before=before, after=after,
                             describe=lambda was, now: f"{was or '—'} → {now or '—'}",
                             at=start + dt.timedelta(seconds=seconds))

    services.record_news(news=news("2", "4", 30))  # the correction comes first
    services.record_news(news=news("", "2", 0))
    notification = Notification.objects.get(user=mother)
    assert notification.title == "— → 4" and not notification.hidden
    services.record_news(news=news("4", "", 60))
    notification.refresh_from_db()
    assert notification.hidden  # a mark set and removed within the window: nothing to tell


def test_absence_and_lateness_are_their_own_kind(save, small_school, family):
    _, lessons = family
    users = small_school.users
    save(actor=users["teacher"], lesson=past_lesson(lessons), student=small_school.students["student"],
                      text="оп")
    parent = Notification.objects.get(user=users["guardian"])
    assert parent.kind == kinds.ATTENDANCE
    assert parent.title == "Опоздание на урок у Иванова Ивана"


def test_never_means_nothing_at_all(save, small_school, family):
    import datetime as dt

    _, lessons = family
    users = small_school.users
    services.save_settings(user=users["guardian"], school_id=small_school.school.pk,
                           modes={kinds.MARK: "never"}, by_email=True, email="", by_push=False,
                           quiet_from=dt.time(21), quiet_to=dt.time(8), digest_time=dt.time(18), weekly_day=6)
    save(actor=users["teacher"], lesson=past_lesson(lessons), student=small_school.students["student"],
                      text="5")
    assert not Notification.objects.filter(user=users["guardian"]).exists()
