from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from ..documents import Col, Table, cell_text
from ..documents import table_html as render_table

register = template.Library()


@register.filter
def index(sequence, i: int):
    try:
        return sequence[i]
    except (IndexError, TypeError):
        return None


@register.filter
def cell(value: Any, col: Col | None) -> str:
    return cell_text(value, col.kind if col is not None else "text")


@register.simple_tag
def table_html(table: Table, pdf: bool) -> SafeString:
    return mark_safe(render_table(table, pdf=bool(pdf)))  # noqa: S308 - every text escaped by render_table
