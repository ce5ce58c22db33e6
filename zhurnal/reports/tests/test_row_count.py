"""A generated 1,000-pupil school: every pupil of the school-wide summary sheet of progress appears exactly once in
the HTML page, in the XLSX (a sheet per class) and in the PDF — never cut, never doubled."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.test import TestCase
from pypdf import PdfReader

from zhurnal.reports.models import ReportJob


@pytest.mark.django_db(transaction=True)
def test_every_pupil_once_in_the_school_summary(client):
    from zhurnal.core.dates import today
    from zhurnal.ops.generate import generate_region
    from zhurnal.school.models import Enrollment, Position, SchoolClass, StaffMember

    region = generate_region(schools=1, students_per_school=1000, until=dt.date(2026, 9, 3))
    school = region.schools[0]
    deputy = StaffMember.objects.filter(school__slug=school.slug, positions__position=Position.DEPUTY).first()
    classes = SchoolClass.objects.filter(school__slug=school.slug)
    on = today()
    pupils = {e.student for e in Enrollment.objects.filter(school_class__in=classes).select_related("student")}
    assert len(pupils) >= 1000
    expected = Counter(p.short_name for p in pupils)
    client.force_login(get_user_model().objects.get(pk=deputy.user_id))

    html = client.get("/reports/school_summary_sheet/").content.decode()
    rows = re.findall(r'<tbody>.*?</tbody>', html, flags=re.S)
    names = Counter(re.sub(r"<[^>]+>", "", m).strip() for body in rows
                    for m in re.findall(r'<th scope="row">(.*?)</th>', body, flags=re.S))
    names = Counter({re.sub(r"\s*\(выбыл\)$", "", k): v for k, v in names.items()})
    assert names == expected

    files = {}
    for fmt in ("xlsx", "pdf"):
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post("/reports/school_summary_sheet/export/", {"format": fmt})
        job = ReportJob.objects.filter(file_format=fmt).latest("pk")
        assert job.status == "done", job.error
        files[fmt] = b"".join(client.get(f"/reports/jobs/{job.pk}/file/").streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    assert len(book.worksheets) == classes.count()
    in_sheets = Counter()
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        header = next(i for i, row in enumerate(rows) if row[0] == "Обучающийся")
        for row in rows[header + 1:]:
            if not row[0] or str(row[0]).startswith("Столбцы"):
                break  # the table ends: its note, the footnotes and signatures follow
            in_sheets[row[0]] += 1
    assert in_sheets == expected
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(files["pdf"])).pages)
    for name, count in expected.items():
        assert text.count(name) == count, name
    assert on  # the page and the files read the school of today's year
