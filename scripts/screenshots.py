"""Screenshots of real pages of the demo school for docs/screenshots/ (issue 18), and the grid's sizes.

    ZHURNAL_VAR_DIR=var/demo zhurnal demo --no-serve && ZHURNAL_VAR_DIR=var/demo zhurnal serve --port 8150
    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8150
"""

from __future__ import annotations

import sys
import urllib.request

from demo_browser import OUT, PHONE, launch, open_as
from playwright.sync_api import sync_playwright


def wire_size(url: str, cookies: str, encoding: str) -> tuple[str, int]:
    """The bytes on the wire for an ``Accept-Encoding`` (what the application server itself sends)."""
    request = urllib.request.Request(url, headers={"Cookie": cookies, "Accept-Encoding": encoding})  # noqa: S310
    with urllib.request.urlopen(request) as response:  # noqa: S310 - the local demo server
        return response.headers.get("Content-Encoding", "—"), len(response.read())


def main(base: str) -> None:
    with sync_playwright() as p:
        browser = launch(p)

        page = open_as(browser, base, "uchitel")
        page.goto(f"{base}/journal/today/")
        page.screenshot(path=str(OUT / "teacher-start-page-1366.png"), full_page=True)
        grid_url = page.locator("#my-groups a.tile").first.get_attribute("href")
        page.goto(f"{base}{grid_url}")
        page.wait_for_function("() => document.body.dataset.journalReady === '1'")
        page.screenshot(path=str(OUT / "grid-1366.png"))
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
        for path in (grid_url, "/journal/today/", "/static/journal/journal.js"):
            print(path, {encoding: wire_size(f"{base}{path}", cookies, encoding) for encoding in ("identity", "gzip", "br")})
        page.context.close()

        page = open_as(browser, base, "uchitel", viewport={"width": 768, "height": 1024}, has_touch=True)
        page.goto(f"{base}{grid_url}")
        page.wait_for_function("() => document.body.dataset.journalReady === '1'")
        page.screenshot(path=str(OUT / "grid-768.png"))
        page.context.close()

        page = open_as(browser, base, "roditel", **PHONE)
        page.goto(f"{base}/diary/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / "diary-360.png"))
        page.click(".diary-tabs a:has-text('Итоги')")
        page.wait_for_selector("#finals")
        page.screenshot(path=str(OUT / "diary-finals-360.png"))
        page.context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8150")
