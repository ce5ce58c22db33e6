"""Web Push (RFC 8030/8291/8292): the application's VAPID keys and the sending of a notification to each browser a
person subscribed.

The keys come from the settings (``ZHURNAL_VAPID_PRIVATE_KEY``: a PEM text or a file; the public key is derived),
else they are generated once into ``VAR_DIR/vapid-private.pem``. A push carries the notification's tag: a later
push of the same thing (a corrected mark) replaces it on the device.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
from functools import lru_cache, partial
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from zhurnal.core.tasks import run_once

from .models import Notification, PushSubscription

log = logging.getLogger("zhurnal.notifications.push")

_lock = threading.Lock()
TTL = 24 * 60 * 60  # a phone that is off for a day gets it when it comes back


def _key_file() -> Path:
    return Path(settings.VAR_DIR) / "vapid-private.pem"


@lru_cache(maxsize=1)
def vapid() -> Vapid:
    """The application's VAPID key pair (from the settings, or generated once into ``VAR_DIR``)."""
    configured = getattr(settings, "ZHURNAL_VAPID_PRIVATE_KEY", "")
    if configured:
        if os.path.isfile(configured):
            return Vapid.from_file(configured)
        return Vapid.from_pem(configured.encode()) if "BEGIN" in configured else Vapid.from_string(configured)
    path = _key_file()
    with _lock:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            key = Vapid()
            key.generate_keys()
            temporary = path.with_suffix(".tmp")
            key.save_key(str(temporary))
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
    return Vapid.from_file(str(path))


def public_key() -> str:
    """The application server key the browser subscribes with (base64url of the uncompressed point)."""
    raw = vapid().public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def payload(notification: Notification) -> str:
    from .mail import absolute

    return json.dumps({"title": notification.title, "body": notification.body[:300],
                       "url": absolute(notification.url) if notification.url else "",
                       "tag": notification.group_key or f"n{notification.pk}"}, ensure_ascii=False)


def send_to_user(notification: Notification, *, key: str) -> int:
    """Push the notification to every browser of its person, each once for ``key``; subscriptions the push
    service says are gone are forgotten. How many were sent now."""
    sent = 0
    data = payload(notification)
    for subscription in PushSubscription.objects.filter(user_id=notification.user_id):
        if run_once(f"{key}:{subscription.pk}", partial(_send, subscription, data)):
            sent += 1
    return sent


def _send(subscription: PushSubscription, data: str) -> None:
    try:
        webpush({"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh,
                                                             "auth": subscription.auth}},
                data=data, vapid_private_key=vapid(), vapid_claims={"sub": f"mailto:{settings.DEFAULT_FROM_EMAIL}"},
                ttl=TTL, timeout=10)
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):  # the browser unsubscribed: nothing to retry
            log.info("push subscription %s is gone (%s): forgotten", subscription.pk, status)
            subscription.delete()
            return
        raise
