"""Logging in and out: password, the second step with a code, first login with an activation code, lockout."""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice

from zhurnal.core import params
from zhurnal.core.templatetags.zhurnal import plural
from zhurnal.core.view_helpers import own_path

from .. import lockout, services
from ..forms import ActivationForm, LoginForm, TokenForm
from ..middleware import SESSION_SCHOOL_KEY, client_address
from ..models import LoginKind, User
from ..signals import note_login

PENDING_KEY = "zhurnal_2fa_pending"
PENDING_SECONDS = 5 * 60
PENDING_TRIES = 5
MODEL_BACKEND = "zhurnal.accounts.backends.PasswordBackend"


def lockout_message(request=None, credentials=None) -> str:
    if lockout.address_locked(request):
        minutes = plural(int(lockout.address_window().total_seconds() // 60), "минуту,минуты,минут")
        return (f"С этого адреса было слишком много неудачных попыток входа в разные учётные записи. Вход с него "
                f"приостановлен на {minutes} — затем ограничение снимется само. Если это сеть школы, сообщите "
                f"администратору электронного журнала.")
    username = (credentials or {}).get("username") or (request.POST.get("username", "") if request else "")
    minutes = plural(int(lockout.login_cool_off(username.strip()).total_seconds() // 60), "минуту,минуты,минут")
    return (f"Слишком много неудачных попыток входа в эту учётную запись. Вход в неё временно заблокирован "
            f"на {minutes} — затем блокировка снимется сама (после каждой следующей серии ошибок — дольше). "
            f"Если вы забыли пароль, попросите новый код активации у классного руководителя или администратора "
            f"электронного журнала.")


def lockout_response(request, original_response=None, credentials=None):
    """What django-axes shows when a login or an activation attempt is locked out: the same page, explained."""
    name = getattr(getattr(request, "resolver_match", None), "url_name", "")
    form: forms.Form
    if name == "activate":
        form = ActivationForm(initial={"username": (credentials or {}).get("username", "")}, request=request)
        template = "accounts/activate.html"
    else:
        form = LoginForm(request, initial={"username": (credentials or {}).get("username", "")})
        template = "accounts/login.html"
    return render(request, template, {"form": form, "lockout": lockout_message(request, credentials)},
                  status=settings.AXES_HTTP_RESPONSE_CODE)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if user_has_device(user, confirmed=True):
            # The password was right; the login happens only after the code from the app (or a recovery code).
            self.request.session[PENDING_KEY] = {
                "user": user.pk, "backend": getattr(user, "backend", MODEL_BACKEND), "at": time.time(), "tries": 0,
                "next": self.get_redirect_url(),
            }
            return redirect("accounts:login_verify")
        note_login(self.request, LoginKind.PASSWORD)
        return super().form_valid(form)


def _pending(request) -> tuple[User, dict] | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None
    return user, pending


@never_cache
@sensitive_post_parameters("token")
def login_verify(request):
    """Step two of the login for users with two-factor authentication."""
    found = _pending(request)
    if found is None:
        messages.warning(request, "Время на ввод кода истекло. Войдите ещё раз.")
        return redirect("accounts:login")
    user, pending = found
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, throttled = services.match_second_factor(user=user, token=form.cleaned_data["token"])
        if device is not None:
            request.session.pop(PENDING_KEY, None)
            recovery = isinstance(device, StaticDevice)
            note_login(request, LoginKind.RECOVERY if recovery else LoginKind.TWO_FACTOR, user=user, device=device)
            login(request, user, backend=pending.get("backend", MODEL_BACKEND))
            if recovery:
                left = device.token_set.count()
                messages.warning(request, f"Вы вошли по резервному коду. Осталось "
                                          f"{plural(left, 'резервный код,резервных кода,резервных кодов')}; "
                                          f"при необходимости создайте новые на странице «Безопасность».")
            return redirect(own_path(request, pending.get("next", ""), reverse("core:home")))
        pending["tries"] = pending.get("tries", 0) + 1
        request.session[PENDING_KEY] = pending
        services.record_login_event(
            user=user, username=user.username, kind=LoginKind.TWO_FACTOR, succeeded=False,
            reason="вход временно заблокирован после неверных кодов" if throttled else "неверный код подтверждения",
            address=client_address(request), user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        if pending["tries"] >= PENDING_TRIES:
            request.session.pop(PENDING_KEY, None)
            messages.error(request, "Слишком много неверных кодов. Войдите заново с логином и паролем.")
            return redirect("accounts:login")
        form.add_error("token", "Слишком много неверных кодов подряд: подождите минуту и попробуйте снова."
                       if throttled else "Код не подошёл. Введите шесть цифр, которые приложение показывает "
                                         "сейчас, или один из резервных кодов.")
    return render(request, "accounts/login_verify.html", {"form": form, "pending_user": user})


@never_cache
@sensitive_post_parameters("code", "password1", "password2")
def activate(request):
    """First login with the code from the paper slip: set a password and go in."""
    initial = {"username": request.GET.get("login", "")[:150]}
    form = ActivationForm(request.POST or None, initial=initial, request=request)
    if request.method == "POST" and form.is_valid() and form.user is not None:
        try:
            user = services.activate_account(user=form.user, code=form.cleaned_data["code"],
                                              password=form.cleaned_data["password1"])
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            note_login(request, LoginKind.ACTIVATION)
            login(request, user, backend=MODEL_BACKEND)
            messages.success(request, f"Пароль сохранён. Дальше входите с логином {user.username} и этим паролем; "
                                      f"код активации больше не понадобится.")
            return redirect("core:home")
    return render(request, "accounts/activate.html", {"form": form})


logout = auth_views.LogoutView.as_view()


@require_POST
def switch_school(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    wanted = params.id_param(request.POST, "school", required=True)
    if wanted not in {s.pk for s in request.schools}:
        raise Http404
    request.session[SESSION_SCHOOL_KEY] = wanted
    return redirect("core:home")
