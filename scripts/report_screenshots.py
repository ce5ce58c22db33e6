"""Screenshots of the main reports for docs/reports.md, from a running demo (``zhurnal demo``):

    DEBUG=1 .venv/bin/python scripts/report_screenshots.py http://127.0.0.1:8140

Playwright drives Debian's chromium; the first quarter's id and last week are read from the demo's database.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import django
from demo_browser import OUT, ROOT, launch, open_as


def main(base: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from zhurnal.core.dates import today
    from zhurnal.school.models import ReportingPeriod, School

    school = School.objects.get(slug="demo")
    q1 = ReportingPeriod.objects.filter(school=school, period_set__grade_from=1, number=1).first()
    monday = today() - dt.timedelta(days=today().weekday())
    last_week = (monday - dt.timedelta(days=7)).isoformat()
    shots = [
        ("zavuch", "/reports/", "reports-index", 1366, 900),
        ("klassruk", f"/reports/class_progress/?period={q1.pk}", "class-progress", 1366, 1100),
        ("klassruk", "/reports/class_summary/", "class-summary", 1366, 900),
        ("klassruk", "/reports/class_attendance/", "class-attendance", 1366, 1000),
        ("klassruk", "/reports/class_teacher_report/", "class-teacher-report", 1366, 1200),
        ("zavuch", f"/reports/school_quality/?period={q1.pk}", "school-quality", 1366, 1200),
        ("zavuch", f"/reports/control/?week={last_week}", "deputy-control-demo", 1366, 900),
        ("zavuch", f"/reports/user_activity/?week={last_week}", "user-activity", 1366, 1100),
        ("uo", "/reports/municipal/", "municipal", 1366, 700),
    ]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        contexts = {}
        for login, path, name, width, height in shots:
            if login not in contexts:
                contexts[login] = open_as(browser, base, login, viewport={"width": width, "height": height})
            page = contexts[login]
            page.set_viewport_size({"width": width, "height": height})
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / f"{name}.png"))
            print(name)
        # The PDF of the class's progress results, its first page as a picture.
        page = contexts["klassruk"]
        response = page.request.get(f"{base}/reports/class_progress/?period={q1.pk}&format=pdf")
        pdf = OUT / "class-progress.pdf"
        pdf.write_bytes(response.body())
        command = ["/usr/bin/pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(pdf),
                   str(OUT / "pdf-class-progress")]
        subprocess.run(command, check=True)  # noqa: S603 - our own file names
        pdf.unlink()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8140")
