"""What every view of a school needs: a member of the active school, 403/404, scoped fetching, dates from the
address."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme

from . import params, stamps
from .forms import apply_errors

T = TypeVar("T")


def school_view(view):
    """Login required, and the user must hold some role in the active school (otherwise 404: nothing to see)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.roles.is_member:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def parse_date(value: str) -> dt.date | None:
    """ДД.ММ.ГГГГ or ГГГГ-ММ-ДД between 1900 and 2200, else None (``core.params``; for a value from the address,
    ``params.date_param`` also keeps it within the school's years)."""
    return params.parse_date(value)


def scoped(queryset, **lookup):
    """Fetch through a scoper: what the user may not see does not exist for him."""
    return get_object_or_404(queryset, **lookup)


def save_form(request, form: forms.BaseForm | None, save: Callable[[dict[str, Any]], T], *,
              success: str | Callable[[T], str], then: str | Callable[[T], str],
              warnings: Callable[[T], Iterable[str]] | None = None) -> HttpResponse | None:
    """A submitted form through its service: when the form is valid, ``save(form.cleaned_data)``, flash ``success``
    (and after it any ``warnings`` about what was saved) and redirect to ``then`` (a URL or a URL name; each a text,
    or made from what ``save`` returned). None when there is nothing to save or the service refused (its
    ``ValidationError`` is then on the form): the view shows the page with the form again."""
    if form is None or not form.is_valid():
        return None
    try:
        result = save(form.cleaned_data)
    except ValidationError as error:
        apply_errors(form, error)
        return None
    messages.success(request, success(result) if callable(success) else success)
    for warning in warnings(result) if warnings is not None else ():
        messages.warning(request, warning)
    return redirect(then(result) if callable(then) else then)


def school_row(request, model, pk: int, *related: str):
    """The active school's row ``pk`` of a watched model, from the school's cache (``stamps.cached_row``), else
    404. Whether the user may see it is the caller's to check."""
    school = request.roles.school
    found = stamps.cached_row(school, model, pk, *related) if school is not None else None
    if found is None:
        raise Http404
    return found


def own_path(request, url: str | None, default: str) -> str:
    """Where a form's ``next`` (or ``back``) may send the browser: a path of this application on this host, else
    ``default`` — never another site (``//evil.example``, ``https://…``, ``/\\evil``, ``javascript:``)."""
    url = (url or "").strip()
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                               require_https=request.is_secure()):
        return url
    return default


@contextmanager
def flash_outcome(request, success: str | Callable[[], str]) -> Iterator[None]:
    """Around the write of a plain form that goes back to a page: the write's refusal (``ValidationError``) is shown
    there, a message for each of its messages, and goes no further; otherwise ``success`` is shown (a text, or
    made once the write is done)."""
    try:
        yield
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success() if callable(success) else success)
