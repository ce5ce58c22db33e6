"""Numbers the way a Russian school writes them: «4,67», «1,5», «2»."""

from __future__ import annotations

from decimal import Decimal

from django import template

from zhurnal.journal.grading import format_average

register = template.Library()


@register.filter
def avg(value: Decimal | None) -> str:
    """An average with two decimals and a comma: «4,67»."""
    return format_average(value) if value is not None else ""


@register.filter
def num(value: Decimal | int | None) -> str:
    """A weight or a product without trailing zeros: «1,5», «2», «7,5»."""
    if value is None:
        return ""
    number = Decimal(value).normalize()
    text = f"{number:f}"
    return text.replace(".", ",")


FAILING = frozenset({"1", "2", "нз", "н/а"})


@register.filter
def failing(value) -> bool:
    """A final mark (or forecast) that means the subject is not passed: «2», «1», «нз», «н/а»."""
    return str(value or "").strip().rstrip("+-−") in FAILING
