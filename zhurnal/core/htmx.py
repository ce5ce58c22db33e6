"""Small helpers for pages that render whole or as an htmx fragment of the same template."""

from __future__ import annotations

from django.shortcuts import render


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render_page(request, template: str, context: dict, *, fragment: str | None = None, status: int = 200):
    """Render the whole page, or only ``template#fragment`` (a partial template) when htmx asks for it."""
    if fragment and is_htmx(request):
        return render(request, fragment, context, status=status)
    return render(request, template, context, status=status)
