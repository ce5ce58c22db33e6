import pytest


def build_family(small_school):
    """The small school's 5А maths with a lesson on every school day (the first), the parent, the pupil and the
    teacher with e-mail addresses: (maths assignment, its lessons)."""
    from zhurnal.journal import services
    from zhurnal.school.models import TeachingAssignment
    from zhurnal.school.testing import class_group
    from zhurnal.timetable.models import Lesson
    from zhurnal.timetable.testing import put

    services.ensure_journal_setup(school=small_school.school)
    maths = TeachingAssignment.objects.select_related("group__school_class", "subject").get(
        group=class_group(small_school.class_5a), subject=small_school.math)
    for weekday in range(1, 6):
        put(maths, weekday, 1)
    users = small_school.users
    for name, address in (("guardian", "mama@example.org"), ("student", "ivan@example.org"),
                          ("teacher", "teacher@example.org"), ("other_guardian", "petrova@example.org")):
        users[name].email = address
        users[name].save(update_fields=["email"])
    return maths, list(Lesson.objects.filter(assignment=maths).select_related("assignment").order_by("date"))


@pytest.fixture
def family(small_school):
    return build_family(small_school)


class PushEndpoint:
    """A push service on this computer (RFC 8030): it takes the POSTs of the application server, checks the VAPID
    header and decrypts each payload with the subscription's own keys (RFC 8291, aes128gcm), as a browser would."""

    def __init__(self):
        import base64
        import os

        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        self.private_key = ec.generate_private_key(ec.SECP256R1())
        raw = self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                         serialization.PublicFormat.UncompressedPoint)
        self.auth = os.urandom(16)
        self.p256dh = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        self.auth_text = base64.urlsafe_b64encode(self.auth).decode().rstrip("=")
        self.received: list[dict] = []
        self.status = 201

    def start(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's hook name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                endpoint.received.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                self.send_response(endpoint.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/push/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def decrypt(self, body: bytes) -> dict:
        import json

        import http_ece

        return json.loads(http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth,
                                           version="aes128gcm"))

    def vapid_claims(self, headers: dict, public_key: str) -> dict:
        """The VAPID JWT's claims, its signature checked with the application's public key (RFC 8292)."""
        import base64
        import json

        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

        def unb64(text: str) -> bytes:
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

        scheme, _, params = headers["authorization"].partition(" ")
        assert scheme == "vapid"
        values = dict(part.strip().split("=", 1) for part in params.split(","))
        assert values["k"] == public_key
        header, claims, signature = values["t"].split(".")
        raw = unb64(signature)
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(public_key))
        key.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                   f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
        return json.loads(unb64(claims))


@pytest.fixture
def push_endpoint():
    endpoint = PushEndpoint().start()
    try:
        yield endpoint
    finally:
        endpoint.stop()


@pytest.fixture
def save(django_capture_on_commit_callbacks):
    """``journal.save_cell`` with its commit's callbacks run (the events' subscribers, the jobs on the tests'
    immediate queue)."""
    from zhurnal.journal import services as journal

    def _save(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return journal.save_cell(**kwargs)

    return _save


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``committed(service, **kwargs)``: any write with its commit's callbacks run."""

    def _run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return _run
