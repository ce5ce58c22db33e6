"""The menu of an education department's specialist (the «municipal» role), who holds no role in a school."""

from __future__ import annotations

from django.urls import reverse

from zhurnal.core.navigation import NavItem

from .permissions import is_municipal


def municipal_menu(user) -> tuple[tuple[NavItem, ...], str] | None:
    if not is_municipal(user):
        return None
    url = reverse("reports:municipal")
    return (NavItem("Показатели школ", url), NavItem("Безопасность", reverse("accounts:security"))), url
