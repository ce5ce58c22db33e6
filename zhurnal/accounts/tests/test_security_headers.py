"""Security headers, CSRF on every form (htmx included), secure cookies and HSTS in production."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from zhurnal.school.testing import PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def directives(csp: str) -> dict[str, str]:
    return {part.split()[0]: part for part in (p.strip() for p in csp.split(";")) if part}


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/activate/"])
def test_public_pages_carry_csp_without_inline_scripts_and_deny_framing(url, client):
    response = client.get(url)
    csp = directives(response["Content-Security-Policy"])
    assert csp["script-src"] == "script-src 'self'"
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    assert "<script>" not in html and " style=" not in html


def test_pages_of_logged_in_users_carry_the_same_headers(small_school, login):
    response = login("class_teacher").get(reverse("school:class_access", args=[small_school.class_5a.pk]))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.content.decode() and " style=" not in response.content.decode()


def test_post_without_csrf_token_is_refused(small_school):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/accounts/login/", {"username": "teacher", "password": PASSWORD}).status_code == 403
    client.force_login(small_school.users["teacher"])
    assert client.post(reverse("accounts:end_sessions")).status_code == 403


def test_htmx_request_passes_csrf_with_the_header_from_the_page(small_school):
    client = Client(enforce_csrf_checks=True)
    client.force_login(small_school.users["teacher"])
    page = client.get(reverse("accounts:security")).content.decode()
    token = page.split('hx-headers=\'{"X-CSRFToken": "', 1)[1].split('"', 1)[0]
    response = client.post(reverse("accounts:end_sessions"), HTTP_X_CSRFTOKEN=token, HTTP_HX_REQUEST="true")
    assert response.status_code == 302
    forged = client.post(reverse("accounts:end_sessions"), HTTP_X_CSRFTOKEN="x" * 64, HTTP_HX_REQUEST="true")
    assert forged.status_code == 403


def production_settings(var_dir: Path, **env) -> dict:
    """The settings as a production process sees them: DEBUG unset, a secret key, not under pytest."""
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DEBUG", "ZHURNAL_TESTING", "SECURE_COOKIES", "DATABASE_URL", "PYTEST_CURRENT_TEST"}}
    clean.update(SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="config.settings", ZHURNAL_VAR_DIR=str(var_dir),
                 **env)
    script = ("import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k, None) for k in "
              "['DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', "
              "'SESSION_COOKIE_HTTPONLY', 'X_FRAME_OPTIONS', 'SESSION_COOKIE_AGE', 'AXES_FAILURE_LIMIT']}))")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=clean, capture_output=True, text=True,
                         check=True, timeout=60)
    return json.loads(out.stdout)


def test_production_settings_turn_on_hsts_and_secure_cookies(tmp_path):
    prod = production_settings(tmp_path)
    assert prod["DEBUG"] is False
    assert prod["SESSION_COOKIE_SECURE"] is True and prod["CSRF_COOKIE_SECURE"] is True
    assert prod["SECURE_HSTS_SECONDS"] >= 31536000
    assert prod["SESSION_COOKIE_HTTPONLY"] is True
    assert prod["X_FRAME_OPTIONS"] == "DENY"
    assert prod["AXES_FAILURE_LIMIT"] == 5


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "ZHURNAL_TESTING", "SECRET_KEY"}}
    result = subprocess.run([sys.executable, "-c", "import config.settings"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
