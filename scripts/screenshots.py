"""Screenshots of real pages of the demo school for docs/screenshots/ (issue 18), and the grid's sizes.

    ZHURNAL_VAR_DIR=var/demo zhurnal demo --no-serve && ZHURNAL_VAR_DIR=var/demo zhurnal serve --port 8150
    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8150
"""

from __future__ import annotations

import sys
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
PASSWORD = "zhurnal2026"  # noqa: S105 - the demo's published password


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def wire_size(url: str, cookies: str, encoding: str) -> tuple[str, int]:
    """The bytes on the wire for an ``Accept-Encoding`` (what the application server itself sends)."""
    request = urllib.request.Request(url, headers={"Cookie": cookies, "Accept-Encoding": encoding})  # noqa: S310
    with urllib.request.urlopen(request) as response:  # noqa: S310 - the local demo server
        return response.headers.get("Content-Encoding", "—"), len(response.read())


def main(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)

        context = browser.new_context(locale="ru-RU", viewport={"width": 1366, "height": 900})
        page = context.new_page()
        log_in(page, base, "uchitel")
        page.goto(f"{base}/journal/today/")
        page.screenshot(path=str(OUT / "teacher-start-page-1366.png"), full_page=True)
        grid_url = page.locator("#my-groups a.tile").first.get_attribute("href")
        page.goto(f"{base}{grid_url}")
        page.wait_for_function("() => document.body.dataset.journalReady === '1'")
        page.screenshot(path=str(OUT / "grid-1366.png"))
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
        for path in (grid_url, "/journal/today/", "/static/journal/journal.js"):
            print(path, {encoding: wire_size(f"{base}{path}", cookies, encoding) for encoding in ("identity", "gzip", "br")})
        context.close()

        context = browser.new_context(locale="ru-RU", viewport={"width": 768, "height": 1024}, has_touch=True)
        page = context.new_page()
        log_in(page, base, "uchitel")
        page.goto(f"{base}{grid_url}")
        page.wait_for_function("() => document.body.dataset.journalReady === '1'")
        page.screenshot(path=str(OUT / "grid-768.png"))
        context.close()

        context = browser.new_context(locale="ru-RU", viewport={"width": 360, "height": 760}, has_touch=True,
                                      is_mobile=True, device_scale_factor=2)
        page = context.new_page()
        log_in(page, base, "roditel")
        page.goto(f"{base}/diary/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / "diary-360.png"))
        page.click(".diary-tabs a:has-text('Итоги')")
        page.wait_for_selector("#finals")
        page.screenshot(path=str(OUT / "diary-finals-360.png"))
        context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8150")
