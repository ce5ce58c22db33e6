from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from .navigation import outside_school, start_url


@login_required
def home(request):
    if not request.roles.is_member:
        outside = outside_school(request.user)
        if outside is not None:
            return redirect(outside[1])
    return redirect(start_url(request.roles))


@login_required
def no_roles(request):
    return render(request, "core/no_roles.html")


@require_GET
def health(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def signed_in_again(request):
    """Where the journal's «Войти в новой вкладке» lands: the other tab saves what waited (app.js tells it)."""
    return render(request, "core/signed_in_again.html")
