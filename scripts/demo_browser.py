"""What every screenshot script needs: Debian's chromium as Playwright drives it here, the demo's log-in, and where
the pictures go (docs/screenshots/). The scripts import it from this folder (``python scripts/<name>.py``)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
# Without the background-networking flags the browser keeps trying to reach the closed network.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
PASSWORD = "zhurnal2026"  # noqa: S105 - the demo's published password
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {"viewport": {"width": 360, "height": 760}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


def launch(playwright):
    """Debian's chromium, headless; the pictures' folder made."""
    OUT.mkdir(parents=True, exist_ok=True)
    return playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def open_as(browser, base: str, username: str, **context):
    """A new page logged in as ``username`` in a Russian-speaking browser context (``DESKTOP`` unless told)."""
    page = browser.new_context(locale="ru-RU", **(context or DESKTOP)).new_page()
    log_in(page, base, username)
    return page
