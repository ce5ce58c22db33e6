"""Settings read from the environment refuse what they do not understand, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import env_bool, env_int

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("text", "value"), [("1", True), ("true", True), ("Yes", True), (" ON ", True), ("да", True),
                                             ("0", False), ("false", False), ("No", False), ("off", False),
                                             ("нет", False)])
def test_a_yes_or_no_is_read_in_its_usual_spellings(monkeypatch, text, value):
    monkeypatch.setenv("ZHURNAL_SOME_SWITCH", text)
    assert env_bool("ZHURNAL_SOME_SWITCH", default=not value) is value


def test_unset_or_empty_means_the_default(monkeypatch):
    monkeypatch.delenv("ZHURNAL_SOME_SWITCH", raising=False)
    assert env_bool("ZHURNAL_SOME_SWITCH", default=True) is True
    monkeypatch.setenv("ZHURNAL_SOME_SWITCH", "  ")
    assert env_bool("ZHURNAL_SOME_SWITCH", default=True) is True
    monkeypatch.setenv("ZHURNAL_SOME_NUMBER", "")
    assert env_int("ZHURNAL_SOME_NUMBER", 5) == 5


@pytest.mark.parametrize("text", ["flase", "ture", "2", "y", "enabled"])
def test_a_misspelt_switch_is_refused_with_its_name(monkeypatch, text):
    monkeypatch.setenv("SECURE_COOKIES", text)
    with pytest.raises(ImproperlyConfigured, match=f"SECURE_COOKIES='{text}'"):
        env_bool("SECURE_COOKIES", default=True)


@pytest.mark.parametrize("text", ["ten", "1.5", "5 minutes"])
def test_a_number_that_is_not_one_is_refused_with_its_name(monkeypatch, text):
    monkeypatch.setenv("AXES_FAILURE_LIMIT", text)
    with pytest.raises(ImproperlyConfigured, match="AXES_FAILURE_LIMIT"):
        env_int("AXES_FAILURE_LIMIT", 5)
    monkeypatch.setenv("AXES_FAILURE_LIMIT", " 7 ")
    assert env_int("AXES_FAILURE_LIMIT", 5) == 7


def test_the_application_does_not_start_with_secure_cookies_flase():
    """The real start-up: settings imported in a fresh process stop with the variable and its value named."""
    env = {**os.environ, "SECURE_COOKIES": "flase", "SECRET_KEY": "a-test-key", "DEBUG": "0"}
    env.pop("ZHURNAL_TESTING", None)
    done = subprocess.run([sys.executable, "-c", "import config.settings"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "SECURE_COOKIES='flase'" in done.stderr
