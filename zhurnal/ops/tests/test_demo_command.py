"""``zhurnal demo`` as a school would run it: a fresh database, DEBUG off, a real server answering."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhurnal.ops.demo import DEMO_PASSWORD, DEMO_SLUG, LOGINS
from zhurnal.school.models import School

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_demo_is_not_built_into_a_database_that_holds_another_school(small_school):
    with pytest.raises(CommandError, match="уже есть школа"):
        call_command("demo", no_serve=True, no_migrate=True, stdout=StringIO())
    assert not School.objects.filter(slug=DEMO_SLUG).exists()


@pytest.mark.django_db
def test_reset_refuses_to_delete_a_database_that_holds_another_school(small_school):
    with pytest.raises(CommandError, match="сброс отменён"):
        call_command("demo", no_serve=True, no_migrate=True, reset=True, stdout=StringIO())
    assert School.objects.filter(pk=small_school.school.pk).exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_answering(url: str, process: subprocess.Popen, output: list[str], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("zhurnal demo stopped:\n" + "".join(output))
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own server on 127.0.0.1
                return
        except OSError:
            time.sleep(0.2)  # a server process coming up: there is nothing to wait on but the port
    pytest.fail("zhurnal demo did not answer in time:\n" + "".join(output))


@pytest.fixture
def fresh_database_url():
    """On the PostgreSQL leg, a new empty database beside the test one; on the SQLite leg, none (var/ is used)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield None
        return
    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = f"{parsed.path.lstrip('/') or 'zhurnal'}_democmd"
    server = parsed._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    yield parsed._replace(path=f"/{name}").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_zhurnal_demo_builds_a_fresh_database_and_serves_the_login_page(tmp_path, fresh_database_url):
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "ZHURNAL_TESTING", "DJANGO_SETTINGS_MODULE"}}
    env["ZHURNAL_VAR_DIR"] = str(tmp_path)
    if fresh_database_url:
        env["DATABASE_URL"] = fresh_database_url
    process = subprocess.Popen(
        [sys.executable, "-m", "zhurnal.core.cli", "demo", "--port", str(port)], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{base}/health/", process, output, time.monotonic() + 900)
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with browser.open(f"{base}/") as response:  # an anonymous visitor lands on the login form
            login_page = response.read().decode()
            assert response.url.startswith(f"{base}/accounts/login/")
        assert 'name="username"' in login_page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "klassruk",
                                       "password": DEMO_PASSWORD}).encode()
        request = urllib.request.Request(f"{base}/accounts/login/", data=form,  # noqa: S310 - our own server
                                         headers={"Referer": base + "/"})
        with browser.open(request) as response:
            assert re.search(r"/classes/\d+/$", response.url), response.url
            assert "5А" in response.read().decode()
    finally:
        process.terminate()
        process.wait(timeout=20)
        reader.join(timeout=5)
    text = "".join(output)
    assert "Готово за" in text
    # The task queue's worker came up with the server, in a local file, and went down with it.
    worker_pid = int(re.search(r"обработчик запущен \(процесс (\d+)\)", text).group(1))
    assert (tmp_path / "queue.sqlite3").exists()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(worker_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the task queue's worker outlived zhurnal demo")
    for username in LOGINS:
        assert re.search(rf"^{username}\s+{DEMO_PASSWORD}\s", text, re.M), username
    assert (tmp_path / "zhurnal.sqlite3").exists() != bool(fresh_database_url)
    assert (tmp_path / "secret_key").exists()
