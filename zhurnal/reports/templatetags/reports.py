from __future__ import annotations

from typing import Any

from django import template

from ..documents import Col, cell_text

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
