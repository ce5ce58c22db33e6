"""Items of the page header beside the user's name (the mail's unread count, the notifications' bell, the help
link): a higher app registers a ``HeaderItem`` from its ``AppConfig.ready`` (``register_header_item``), so core and
the base template know none of them. Each item renders itself for a request, cheaply (one query at most): it runs
on every page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class HeaderItem:
    order: int  # the place in the header, across apps
    render: Callable[[Any], str | None]  # request → safe HTML, or None to show nothing


_ITEMS: list[HeaderItem] = []


def register_header_item(item: HeaderItem) -> None:
    """Add an item to every page's header (registering the same item again is a no-op)."""
    if item not in _ITEMS:
        _ITEMS.append(item)
    _ITEMS.sort(key=lambda entry: entry.order)


def header_items(request: Any) -> list[SafeString]:
    """The rendered items of a signed-in person's header, in order."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return []
    rendered = []
    for item in _ITEMS:
        html = item.render(request)
        if html:
            rendered.append(mark_safe(html))  # noqa: S308 - each item escapes what it renders
    return rendered
