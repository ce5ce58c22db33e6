"""The whole way of a notification with the real parts: a cell saved in its own transaction, the events after
commit, the real queue (Redis on the PostgreSQL leg, a SQLite file on the SQLite leg) worked off by the real
worker, Django's SMTP backend talking to a real SMTP server (aiosmtpd) on this computer."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from zhurnal.core import tasks
from zhurnal.core.dates import today
from zhurnal.journal import services as journal
from zhurnal.notifications import jobs, kinds, services
from zhurnal.notifications.models import Delivery, DeliveryStatus, Notification
from zhurnal.school.testing import make_guardian

from .conftest import build_family

pytestmark = pytest.mark.django_db(transaction=True)


def subject(message) -> str:
    return str(message["Subject"]).strip()


def workers() -> int:
    # SQLite's shared-memory test database: one worker thread (its writes are serialised anyway).
    return 1 if connection.vendor == "sqlite" else 2


def run_queue() -> None:
    with tasks.running_worker(workers=workers()):
        tasks.wait_until_idle(timeout=60)


def choose(user, school, *, mode: str = "now", quiet: tuple[dt.time, dt.time] = (dt.time(0), dt.time(0)),
           digest: dt.time = dt.time(18)) -> None:
    """The person's settings: every kind of the journal ``mode``; no quiet hours unless given."""
    services.save_settings(user=user, school_id=school.pk, modes=dict.fromkeys(kinds.KINDS, mode), by_email=True,
                           email="", by_push=False, quiet_from=quiet[0], quiet_to=quiet[1], digest_time=digest,
                           weekly_day=6)


@pytest.fixture
def world(small_school, settings, real_queue, smtp_server):
    settings.ZHURNAL_NOTIFY_REPLACE_SECONDS = 0
    _, lessons = build_family(small_school)
    lesson = [lesson for lesson in lessons if lesson.date <= today()][-1]
    pupil = small_school.students["student"]
    father = make_guardian(pupil, last_name="Иванов", username="father", relation="отец")
    father.user.email = "papa@example.org"
    father.user.save(update_fields=["email"])
    users = small_school.users
    school = small_school.school
    choose(users["guardian"], school)  # the mother: immediately
    choose(father.user, school, mode="daily")  # the father: the daily digest
    choose(users["student"], school, mode="never")
    choose(users["teacher"], school)
    return small_school, lesson, pupil, father.user, smtp_server


def test_a_saved_mark_mails_each_guardian_who_chose_immediately_naming_the_child(world):
    school, lesson, pupil, father, smtp = world
    teacher = school.users["teacher"]
    journal.save_cell(actor=teacher, lesson=lesson, student=pupil, text="5")
    run_queue()
    to_mother = smtp.to("mama@example.org")
    assert len(to_mother) == 1
    assert subject(to_mother[0]) == "Новая отметка у Иванова Ивана: 5"
    assert "Математика" in to_mother[0].get_content()
    assert smtp.to("papa@example.org") == []  # his digest comes at 18:00
    assert smtp.to("teacher@example.org") == [] and smtp.to("ivan@example.org") == []
    assert len(smtp.messages) == 1
    held = Delivery.objects.get(user=father, channel="email")
    assert held.status == DeliveryStatus.HELD


def test_a_rolled_back_mark_sends_nothing(world):
    school, lesson, pupil, _, smtp = world
    with transaction.atomic():
        journal.save_cell(actor=school.users["teacher"], lesson=lesson, student=pupil, text="2")
        transaction.set_rollback(True)
    run_queue()
    assert smtp.messages == []
    assert not Notification.objects.exists()


def test_the_same_event_retried_sends_one_email(world):
    school, lesson, pupil, _, smtp = world
    teacher = school.users["teacher"]
    key = "00000000000000000000000000000001"
    change = {"student_id": pupil.pk, "before": {"student": pupil.pk, "cell": "", "absence": "", "marks": []},
              "after": {"student": pupil.pk, "cell": "4", "absence": "", "marks": ["4 (Работа на уроке)"]}}
    for _ in range(3):  # queued three times (a retry, a second worker's copy): one notification, one e-mail
        jobs.dispatch("journal.cells_saved", school.school.pk, teacher.pk, {"lesson_id": lesson.pk,
                                                                           "changes": [change]}, key)
    run_queue()
    assert len(smtp.to("mama@example.org")) == 1
    assert Notification.objects.filter(user=school.users["guardian"]).count() == 1
    # A cell saved again with its idempotency key (the teacher's retry): the journal changes nothing, tells nobody.
    first = journal.save_cell(actor=teacher, lesson=lesson, student=pupil, text="3", key="7f1e1a32-0000-4000-8000-0000000000aa")
    journal.save_cell(actor=teacher, lesson=lesson, student=pupil, text="3", key="7f1e1a32-0000-4000-8000-0000000000aa")
    assert first.changed
    run_queue()
    assert len(smtp.to("mama@example.org")) == 2  # the first mark's and the change's: not a third


def test_in_quiet_hours_the_mail_waits_for_the_digest(world):
    school, lesson, pupil, _, smtp = world
    mother = school.users["guardian"]
    now = timezone.localtime()
    quiet = ((now - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0),
             (now + dt.timedelta(hours=1)).time().replace(second=0, microsecond=0))
    choose(mother, school.school, quiet=quiet, digest=(now + dt.timedelta(hours=3)).time().replace(second=0,
                                                                                                  microsecond=0))
    journal.save_cell(actor=school.users["teacher"], lesson=lesson, student=pupil, text="н")
    run_queue()
    assert smtp.to("mama@example.org") == []
    held = Delivery.objects.get(user=mother, channel="email")
    assert held.status == DeliveryStatus.HELD
    assert held.due_at > timezone.now() + dt.timedelta(hours=2)
    assert Notification.objects.get(user=mother).read_at is None  # the bell shows it at once
    jobs.send_due_digests(now=held.due_at)
    digest = smtp.to("mama@example.org")
    assert len(digest) == 1 and "Сводка" in subject(digest[0])
    assert "Пропуск урока у Иванова Ивана" in digest[0].get_content()
    jobs.send_due_digests(now=held.due_at)
    assert len(smtp.to("mama@example.org")) == 1  # sent once


def test_an_urgent_kind_goes_out_in_quiet_hours(world):
    school, lesson, pupil, _, smtp = world
    mother = school.users["guardian"]
    now = timezone.localtime()
    choose(mother, school.school, quiet=((now - dt.timedelta(hours=1)).time(), (now + dt.timedelta(hours=1)).time()))
    services.save_school_settings(actor=school.users["director"], school=school.school,
                                  modes={code: kind.default for code, kind in kinds.KINDS.items()},
                                  urgent={kinds.ATTENDANCE}, low_average_below="3.00", absences_limit=5,
                                  quiet_from=dt.time(21), quiet_to=dt.time(8), digest_time=dt.time(18))
    journal.save_cell(actor=school.users["teacher"], lesson=lesson, student=pupil, text="н")
    run_queue()
    assert len(smtp.to("mama@example.org")) == 1


def test_the_digest_keeps_the_latest_state_of_a_changed_mark(world):
    school, lesson, pupil, father, smtp = world
    teacher = school.users["teacher"]
    journal.save_cell(actor=teacher, lesson=lesson, student=pupil, text="3")
    journal.save_cell(actor=teacher, lesson=lesson, student=pupil, text="4")  # after the window: a second notification
    journal.save_cell(actor=teacher, lesson=lesson, student=pupil, text="5")
    run_queue()
    assert Notification.objects.filter(user=father, kind=kinds.MARK).count() == 3
    due = max(Delivery.objects.filter(user=father).values_list("due_at", flat=True))
    assert jobs.send_due_digests(now=due) == 1
    digest = smtp.to("papa@example.org")
    assert len(digest) == 1
    text = digest[0].get_content()
    assert "Отметка у Иванова Ивана изменена: 4 → 5" in text
    assert "Новая отметка у Иванова Ивана: 3" not in text and "3 → 4" not in text
    assert subject(digest[0]).endswith(": 1")


def test_within_the_window_a_corrected_mark_is_one_email_with_the_correction(world, settings):
    settings.ZHURNAL_NOTIFY_REPLACE_SECONDS = 2
    school, lesson, pupil, _, smtp = world
    teacher = school.users["teacher"]
    journal.save_cell(actor=teacher, lesson=lesson, student=pupil, text="2")
    journal.save_cell(actor=teacher, lesson=lesson, student=pupil, text="4")
    with tasks.running_worker(workers=workers()):
        tasks.wait_until_idle(timeout=60)
        assert smtp.to("mama@example.org") == []  # due when the window closes, 2 s on
        deadline = time.monotonic() + 30
        while not smtp.to("mama@example.org") and time.monotonic() < deadline:
            time.sleep(0.2)
        tasks.wait_until_idle(timeout=60)
    to_mother = smtp.to("mama@example.org")
    assert [subject(m) for m in to_mother] == ["Новая отметка у Иванова Ивана: 4"]


def test_one_smtp_connection_carries_the_emails_that_follow(world):
    school, lesson, pupil, _, smtp = world
    teacher = school.users["teacher"]
    journal.save_cell(actor=teacher, lesson=lesson, student=pupil, text="3")
    journal.save_cell(actor=teacher, lesson=lesson, student=pupil, text="4")  # after the window: a second e-mail
    with tasks.running_worker(workers=1):
        tasks.wait_until_idle(timeout=60)
    assert [subject(m) for m in smtp.to("mama@example.org")] == ["Новая отметка у Иванова Ивана: 3",
                                                                "Отметка у Иванова Ивана изменена: 3 → 4"]
    assert smtp.connections == 1


def test_a_connection_the_server_closed_is_replaced_and_the_email_sent_once(smtp_server, caplog):
    import logging

    from django.core.mail import EmailMessage

    from zhurnal.notifications import mail

    def letter(n: int) -> EmailMessage:
        return EmailMessage(subject=f"Письмо {n}", body="Текст", to=["mama@example.org"])

    mail.send(letter(1))
    mail.send(letter(2))
    assert smtp_server.connections == 1
    smtp_server.drop()
    with caplog.at_level(logging.INFO, logger="zhurnal.notifications"):
        mail.send(letter(3))
    assert "SMTP connection closed by the server" in caplog.text
    assert [subject(m) for m in smtp_server.messages] == ["Письмо 1", "Письмо 2", "Письмо 3"]
    assert smtp_server.connections == 2
