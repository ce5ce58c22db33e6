"""Charts as SVG made on the server with pygal (no script, the app's own font), shown in the page and in the PDF."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pygal
from pygal.style import Style

from .documents import Chart

STYLE = Style(
    background="white", plot_background="white", foreground="#222", foreground_strong="#111",
    foreground_subtle="#bbb", font_family="DejaVu Sans, sans-serif", colors=("#2f6db5", "#d9822b", "#3a9a5b",
                                                                             "#b53a3a", "#7a4fb5"),
    label_font_size=11, major_label_font_size=11, legend_font_size=11, title_font_size=13, value_font_size=10,
)


def _config(chart_class, title: str, width: int, height: int, **extra):
    chart = chart_class(style=STYLE, width=width, height=height, title=title, js=(), disable_xml_declaration=True,
                        explicit_size=True, legend_at_bottom=True, print_values=True, margin=10, **extra)
    return chart


def _numbers(values: Sequence[Decimal | int | None]) -> list[float | None]:
    return [None if v is None else float(v) for v in values]


def bars(title: str, labels: Sequence[str], series: dict[str, Sequence[Decimal | int | None]], *,
         percent: bool = False, width: int = 640, height: int = 300) -> Chart:
    chart = _config(pygal.Bar, title, width, height, range=(0, 100) if percent else None,
                    value_formatter=(lambda x: f"{x:.1f}%".replace(".", ",")) if percent
                    else (lambda x: f"{x:g}".replace(".", ",")))
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, _numbers(values))
    return Chart(title, chart.render(is_unicode=True))


def lines(title: str, labels: Sequence[str], series: dict[str, Sequence[Decimal | int | None]], *,
          width: int = 640, height: int = 300, low: float | None = None, high: float | None = None) -> Chart:
    extra = {"range": (low, high)} if low is not None and high is not None else {}
    chart = _config(pygal.Line, title, width, height, value_formatter=lambda x: f"{x:g}".replace(".", ","),
                    x_label_rotation=0, **extra)
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, _numbers(values))
    return Chart(title, chart.render(is_unicode=True))
