from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from .forms import LoginForm
from .middleware import SESSION_SCHOOL_KEY


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


logout = auth_views.LogoutView.as_view()


@require_POST
def switch_school(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    try:
        wanted = int(request.POST.get("school", ""))
    except ValueError as exc:
        raise Http404 from exc
    if wanted not in {s.pk for s in request.schools}:
        raise Http404
    request.session[SESSION_SCHOOL_KEY] = wanted
    return redirect("core:home")
