"""Screenshots of the mail, announcements and help desk for docs/messaging.md, from a running demo:

    ZHURNAL_VAR_DIR=var/demo zhurnal demo --no-serve && ZHURNAL_VAR_DIR=var/demo zhurnal serve --port 8105
    .venv/bin/python scripts/messaging_screenshots.py http://127.0.0.1:8105
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
PASSWORD = "zhurnal2026"  # noqa: S105 - the demo's published password
PHONE = {"viewport": {"width": 360, "height": 760}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def shot(page, name: str, *, full: bool = True) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / name), full_page=full)


def main(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)

        context = browser.new_context(locale="ru-RU", viewport={"width": 1366, "height": 900})
        page = context.new_page()
        log_in(page, base, "klassruk")
        page.goto(f"{base}/mail/")
        shot(page, "mail-inbox-1366.png")
        page.goto(f"{base}/mail/new/")
        shot(page, "mail-compose-1366.png")
        page.goto(f"{base}/news/")
        page.click("text=Родительское собрание 5А")
        page.click("text=Кто прочитал")
        shot(page, "announcement-report-1366.png")
        context.close()

        context = browser.new_context(locale="ru-RU", **PHONE)
        page = context.new_page()
        log_in(page, base, "roditel")
        page.goto(f"{base}/mail/")
        shot(page, "mail-inbox-360.png")
        page.click("text=Контрольная работа по математике")
        shot(page, "mail-thread-360.png")
        page.goto(f"{base}/news/")
        page.click("text=Родительское собрание 5А")
        shot(page, "announcement-360.png")
        page.goto(f"{base}/help/")
        shot(page, "help-360.png")
        context.close()

        context = browser.new_context(locale="ru-RU", viewport={"width": 1366, "height": 900})
        page = context.new_page()
        log_in(page, base, "admin")
        page.goto(f"{base}/help/requests/")
        shot(page, "help-requests-1366.png")
        context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8105")
