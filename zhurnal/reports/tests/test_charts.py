"""Charts are SVG made on the server: the page holds the picture itself (an ``<img>`` of an SVG data URI: the page runs nothing to draw it),
and the PDF draws the same picture — its title and axis labels come back from the PDF's text, and nowhere else in
the document holds the chart's title."""

from __future__ import annotations

import base64
import re

import pytest
from django.contrib.auth import get_user_model

from zhurnal.reports.tests.test_reports import _norm, pdf_text

# report → (persona, query, the chart's title, labels drawn on its axes)
CHARTS = {
    "class_progress": ("class_teacher", "q1", "Успеваемость и качество: 5А класс", ["1 четверть"]),
    "class_attendance": ("class_teacher", "q1", "Пропущено уроков по месяцам", ["сентябрь 2026"]),
    "report_cards": ("class_teacher", "q1", "Средний балл по неделям", []),
    "school_quality": ("deputy", "q1", "Качество знаний по параллелям", ["5 кл."]),
}


def _svgs(html: str) -> list[str]:
    return [base64.b64decode(data).decode() for data in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)]


@pytest.mark.parametrize("key", sorted(CHARTS))
def test_chart_is_server_svg_in_page_and_pdf(report_school, client, key):
    persona, query, title, labels = CHARTS[key]
    query = query.replace("q1", f"period={report_school.quarter.pk}")
    client.force_login(get_user_model().objects.get(username=persona))
    html = client.get(f"/reports/{key}/?{query}").content.decode()
    svgs = [svg for svg in _svgs(html) if title in svg]
    assert svgs, key
    svg = svgs[0]
    assert svg.lstrip().startswith("<svg") and ("<rect" in svg or "<path" in svg)
    for label in labels:
        assert label in svg, label
    page_text = re.sub(r'src="data:[^"]+"|alt="[^"]*"', "", html)
    assert title not in page_text  # the title below comes from the picture only
    pdf = client.get(f"/reports/{key}/?{query}&format=pdf").content
    text = _norm(pdf_text(pdf))
    assert _norm(title) in text, key
    for label in labels:
        assert _norm(label) in text, label
