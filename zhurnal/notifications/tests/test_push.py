"""Web Push: the browser's subscription (JSON only), and pushes sent by the real worker to a push service on this
computer that decrypts them with the subscription's keys."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from zhurnal.core import tasks
from zhurnal.core.dates import today
from zhurnal.journal import services as journal
from zhurnal.notifications import kinds, push, services
from zhurnal.notifications.models import PushSubscription

from .conftest import build_family


def test_subscribing_takes_json_only_and_keeps_the_browser(small_school, login, push_endpoint):
    client = login("guardian")
    url = "/notifications/push/subscribe/"
    body = {"endpoint": push_endpoint.url + "a", "keys": {"p256dh": push_endpoint.p256dh,
                                                          "auth": push_endpoint.auth_text}}
    as_form = client.post(url, body)
    assert as_form.status_code == 415
    assert "application/json" in as_form.json()["errors"][0]
    assert not PushSubscription.objects.exists()
    broken = client.post(url, "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["errors"] == ["Тело запроса — не JSON."]
    no_keys = client.post(url, {"endpoint": push_endpoint.url + "a"}, content_type="application/json")
    assert no_keys.status_code == 400
    assert client.post(url, body, content_type="application/json").status_code == 201
    subscription = PushSubscription.objects.get()
    assert subscription.user == small_school.users["guardian"]
    key = client.get("/notifications/push/key/").json()["key"]
    assert key == push.public_key() and len(key) == 87  # 65 bytes, base64url
    # Another person cannot drop it; its owner can.
    assert login("other_guardian").post("/notifications/push/unsubscribe/", {"endpoint": subscription.endpoint},
                                        content_type="application/json").status_code == 404
    assert login("guardian").post("/notifications/push/unsubscribe/", {"endpoint": subscription.endpoint},
                                  content_type="application/json").status_code == 200
    assert not PushSubscription.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_saved_mark_is_pushed_encrypted_to_the_parents_browser(small_school, settings, real_queue, push_endpoint):
    settings.ZHURNAL_NOTIFY_REPLACE_SECONDS = 0
    _, lessons = build_family(small_school)
    lesson = [lesson for lesson in lessons if lesson.date <= today()][-1]
    mother = small_school.users["guardian"]
    services.save_settings(user=mother, school_id=small_school.school.pk, modes={kinds.MARK: "now"}, by_email=False,
                           email="", by_push=True, quiet_from=dt.time(0), quiet_to=dt.time(0),
                           digest_time=dt.time(18), weekly_day=6)
    services.subscribe_push(user=mother, endpoint=push_endpoint.url + "mother", p256dh=push_endpoint.p256dh,
                            auth=push_endpoint.auth_text)
    journal.save_cell(actor=small_school.users["teacher"], lesson=lesson, student=small_school.students["student"],
                      text="4")
    with tasks.running_worker(workers=1 if connection.vendor == "sqlite" else 2):
        tasks.wait_until_idle(timeout=60)
    assert len(push_endpoint.received) == 1
    request = push_endpoint.received[0]
    assert request["path"] == "/push/mother"
    assert request["headers"]["content-encoding"] == "aes128gcm"
    assert "Иванова".encode() not in request["body"]  # only the browser can read it
    message = push_endpoint.decrypt(request["body"])
    assert message["title"] == "Новая отметка у Иванова Ивана: 4"
    assert message["tag"] == f"cell:{lesson.pk}:{small_school.students['student'].pk}:mark"
    assert message["url"].startswith(settings.ZHURNAL_SITE_URL + "/diary/")
    claims = push_endpoint.vapid_claims(request["headers"], push.public_key())
    assert claims["aud"] == push_endpoint.url.rsplit("/push/", 1)[0]
    assert claims["sub"] == f"mailto:{settings.DEFAULT_FROM_EMAIL}"


@pytest.mark.django_db(transaction=True)
def test_a_gone_subscription_is_forgotten(small_school, settings, real_queue, push_endpoint):
    settings.ZHURNAL_NOTIFY_REPLACE_SECONDS = 0
    _, lessons = build_family(small_school)
    lesson = [lesson for lesson in lessons if lesson.date <= today()][-1]
    mother = small_school.users["guardian"]
    services.save_settings(user=mother, school_id=small_school.school.pk, modes={}, by_email=False, email="",
                           by_push=True, quiet_from=dt.time(0), quiet_to=dt.time(0), digest_time=dt.time(18),
                           weekly_day=6)
    services.subscribe_push(user=mother, endpoint=push_endpoint.url + "gone", p256dh=push_endpoint.p256dh,
                            auth=push_endpoint.auth_text)
    push_endpoint.status = 410
    journal.save_cell(actor=small_school.users["teacher"], lesson=lesson, student=small_school.students["student"],
                      text="5")
    with tasks.running_worker(workers=1 if connection.vendor == "sqlite" else 2):
        tasks.wait_until_idle(timeout=60)
    assert len(push_endpoint.received) == 1
    assert not PushSubscription.objects.exists()


def test_the_vapid_key_is_generated_once_into_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.ZHURNAL_VAPID_PRIVATE_KEY = ""
    push.vapid.cache_clear()
    try:
        first = push.public_key()
        assert (tmp_path / "vapid-private.pem").exists()
        assert oct((tmp_path / "vapid-private.pem").stat().st_mode & 0o777) == "0o600"
        push.vapid.cache_clear()
        assert push.public_key() == first
    finally:
        push.vapid.cache_clear()
