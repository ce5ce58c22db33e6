"""No input gives a server error (issue 17, «Input that must never give a 500»).

Hypothesis walks the whole URL map (Django's resolver: every named pattern but the admin site), as every persona
of the test school (``tests/matrix_world.py``) and anonymously, with GET and POST, filling path parameters with the
world's real objects or with edge values, and query and form fields with what breaks hand-written parsing: huge
and 5,000-digit numbers, Unicode digits («²», «١٢»), NUL bytes, dates far away (9999-12-31, 0001-01-01), negative,
empty, repeated (arrays) and random text. Every request runs in a savepoint rolled back afterwards, so the world
stays the same. The test asserts that no request answers 500 (or raises).

Reproducible: ``derandomize=True`` and a fixed number of examples per URL (``EXAMPLES_PER_URL``); the request
count is printed (``-s``) and asserted to stay above a floor.
"""

from __future__ import annotations

import importlib
import re
import traceback
from urllib.parse import quote

import pytest
from django import forms
from django.apps import apps
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.matrix_world import build_world
from tests.test_access_matrix import EXPECTED, LOGGED_IN, ROUTES

EXAMPLES_PER_URL = 4
PERSONAS = (*LOGGED_IN, "anonymous")

EDGE_VALUES = [
    "", " ", "0", "-1", "1", "2", "-99999999999", "9" * 19, "9" * 40, "1" * 5000, "²", "١٢", "３", "1.5", "1e9",
    "NaN", "inf", "\x00", "a\x00b", "1\x00", "9999-12-31", "0001-01-01", "31.12.9999", "01.01.0001", "2026-02-30",
    "2026-13-01", "32.01.2026", "2026-11-18", "18.11.2026", "2026-11", "9999-12", "0000-00", "true", "on", "null",
    "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "//evil.example/", "http://evil.example/",
    "=HYPERLINK(\"http://x\")", "Иванов", "ё" * 300, "x" * 20000, "%00", "\ud800".encode("utf-8", "surrogatepass")
    .decode("utf-8", "replace"), "xlsx", "csv", "pdf", "all", "students",
]
# What broke hand-written parsing; each request gives every field name one of these (rotated by an offset that
# Hypothesis draws), so one request tries every parameter a view may read.
KILLERS = ["9999-12-31", "²", "1" * 5000, "\x00", "0001-01-01", "١٢", "9" * 19, "-1", "31.12.9999", "", "1\x00",
           "2026-02-30", "0", "9999-12", "NaN", "-99999999999999999999", "1.5", "a\x00b", "2026-11-18", "abc"]
PATH_EDGES = ["0", "1" * 25, "9" * 5000, "²", "-1", "abc", "%00", "1%00", "students", "xlsx", "a" * 300]

FIELD_NAMES = sorted({
    "action", "all", "allow_modifiers", "back", "behind", "class", "close_after_days", "code", "comment", "date",
    "departed", "direction", "edit_window_days", "fill", "find", "format", "from", "group", "is_active",
    "is_control", "is_default", "key", "kind", "lesson", "login", "min_marks", "mode", "month", "name", "next",
    "note", "notes", "on", "page", "past", "people", "period", "pk", "q", "range", "reason", "restart", "row",
    "school", "scope", "section", "short_name", "status", "student", "subject", "teacher", "text", "to", "token",
    "until", "valid_from", "value", "week", "weight", "work_type", "year", "homework", "homework_due", "topic",
    "control_type", "save", "add_guardian", "link", "info_channel", "consent_given_on", "plan", "target", "start_hour",
    "substitute", "username", "password", "otp_token", "cell-1", "value-1", "recipients", "subject_id", "body",
})


def _form_fields() -> set[str]:
    """Field names of every Django form of the project's apps."""
    names: set[str] = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("zhurnal."):
            continue
        for module_name in (f"{config.name}.forms", f"{config.name}.views"):
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, forms.BaseForm):
                    names.update(getattr(value, "base_fields", {}))
    return names


ALL_FIELDS = sorted(set(FIELD_NAMES) | _form_fields())
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _world_value(objects: dict, key: str) -> str:
    if key.startswith("="):
        return key[1:]
    value = objects[key]
    return value if isinstance(value, str) else str(value.pk)


def values(objects: dict) -> st.SearchStrategy[str]:
    real_ids = sorted({str(v.pk) for v in objects.values() if hasattr(v, "pk") and isinstance(v.pk, int)})
    return st.one_of(
        st.sampled_from(EDGE_VALUES),
        st.sampled_from(real_ids),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.text(max_size=30),
        st.dates().map(lambda d: d.isoformat()),
    )


def fields(objects: dict) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Every field name with a killer value (an offset drawn), a few names twice (arrays), and random pairs."""

    def flood(offset: int) -> list[tuple[str, str]]:
        return [(name, KILLERS[(offset + j) % len(KILLERS)]) for j, name in enumerate(FIELD_NAMES)]

    pair = st.tuples(st.sampled_from(ALL_FIELDS), values(objects))
    return st.builds(lambda flooded, extra: flooded + extra,
                     st.integers(min_value=0, max_value=len(KILLERS) - 1).map(flood),
                     st.lists(pair, max_size=4))


def build_path(route: str, args: dict, objects: dict, draw) -> str:
    def fill(match: re.Match) -> str:
        name = match["name"]
        real = args.get(name)
        choices = ([_world_value(objects, real)] if real else []) + PATH_EDGES
        return quote(draw(st.sampled_from(choices)), safe="")

    return "/" + PARAM.sub(fill, route)


def _encode(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.django_db
def test_no_input_gives_a_server_error(world, capsys):
    objects = world
    failures: list[str] = []
    sent = {"requests": 0}
    exceptions: list[str] = []

    def on_exception(sender, request=None, **kwargs):
        exceptions.append(traceback.format_exc())

    got_request_exception.connect(on_exception, weak=False, dispatch_uid="fuzz")
    clients: dict[str, Client] = {}
    for persona in PERSONAS:
        client = Client(raise_request_exception=False)
        if persona != "anonymous":
            client.force_login(objects[f"user_{persona}"])
        clients[persona] = client

    def request(persona: str, method: str, path: str, pairs: list[tuple[str, str]]) -> None:
        client = clients[persona]
        savepoint = transaction.savepoint()
        del exceptions[:]
        try:
            if method == "GET":
                url = path + ("?" + _encode(pairs) if pairs else "")
                response = client.get(url)
            else:
                url = path
                response = client.post(path, _encode(pairs), content_type="application/x-www-form-urlencoded",
                                       HTTP_ACCEPT="text/html")
            status = response.status_code
        except Exception:  # the test client itself failing is a server error too
            status, url = 500, path
            exceptions.append(traceback.format_exc())
        finally:
            transaction.savepoint_rollback(savepoint)
            sent["requests"] += 1
        if status >= 500:
            failures.append(f"{method} {url[:300]} as {persona} {repr(pairs)[:300]}: {status}\n"
                            f"{''.join(exceptions[-1:])[-1500:]}")
        if persona != "anonymous" and not client.session.get("_auth_user_id"):
            client.force_login(objects[f"user_{persona}"])  # the fuzz logged out or ended the session

    def walker(route: str, args: dict):
        @settings(max_examples=EXAMPLES_PER_URL, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        def one_url(data):
            path = build_path(route, args, objects, data.draw)
            persona = data.draw(st.sampled_from(PERSONAS))
            method = data.draw(st.sampled_from(("GET", "POST")))
            pairs = data.draw(fields(objects))
            request(persona, method, path, pairs)

        return one_url

    try:
        for name, route in ROUTES.items():
            walker(route, EXPECTED[name].args if name in EXPECTED else {})()
    finally:
        got_request_exception.disconnect(dispatch_uid="fuzz")
    with capsys.disabled():
        print(f"\nfuzz: {sent['requests']} requests over {len(ROUTES)} URLs, {len(failures)} server errors")
    assert sent["requests"] >= len(ROUTES) * EXAMPLES_PER_URL
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:15])
