"""Screenshots of the mail, announcements and help desk for docs/messaging.md, from a running demo:

    ZHURNAL_VAR_DIR=var/demo zhurnal demo --no-serve && ZHURNAL_VAR_DIR=var/demo zhurnal serve --port 8105
    .venv/bin/python scripts/messaging_screenshots.py http://127.0.0.1:8105
"""

from __future__ import annotations

import sys

from demo_browser import OUT, PHONE, launch, open_as
from playwright.sync_api import sync_playwright


def shot(page, name: str, *, full: bool = True) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / name), full_page=full)


def main(base: str) -> None:
    with sync_playwright() as p:
        browser = launch(p)

        page = open_as(browser, base, "klassruk")
        page.goto(f"{base}/mail/")
        shot(page, "mail-inbox-1366.png")
        page.goto(f"{base}/mail/new/")
        shot(page, "mail-compose-1366.png")
        page.goto(f"{base}/news/")
        page.click("text=Родительское собрание 5А")
        page.click("text=Кто прочитал")
        shot(page, "announcement-report-1366.png")
        page.context.close()

        page = open_as(browser, base, "roditel", **PHONE)
        page.goto(f"{base}/mail/")
        shot(page, "mail-inbox-360.png")
        page.click("text=Контрольная работа по математике")
        shot(page, "mail-thread-360.png")
        page.goto(f"{base}/news/")
        page.click("text=Родительское собрание 5А")
        shot(page, "announcement-360.png")
        page.goto(f"{base}/help/")
        shot(page, "help-360.png")
        page.context.close()

        page = open_as(browser, base, "admin")
        page.goto(f"{base}/help/requests/")
        shot(page, "help-requests-1366.png")
        page.context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8105")
