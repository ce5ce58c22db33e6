"""The «Безопасность» page every user has: password, two-factor authentication, login history, sessions."""

from __future__ import annotations

from base64 import b32encode
from functools import wraps

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken

from zhurnal.core.forms import error_messages

from .. import selectors, services
from ..devices import describe_device
from ..forms import EnrolmentForm, PasswordConfirmForm, RussianPasswordChangeForm
from ..middleware import SETUP_2FA_KEY
from ..models import Authenticator
from ..qr import qr_data_uri
from ..signals import staff_2fa_required


def post_only(view):
    """POST-only actions: anonymous visitors are sent to the login page, a GET is answered with 405."""

    @wraps(view)
    @login_required
    @require_POST
    def wrapper(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    return wrapper


def _two_factor_state(user) -> dict:
    device = Authenticator.objects.filter(user=user, confirmed=True).first()
    recovery_left = StaticToken.objects.filter(device__user=user).count() if device else 0
    return {"totp": device, "recovery_left": recovery_left, "two_factor_required": staff_2fa_required(user)}


@never_cache
@login_required
def security(request):
    history = [(event, describe_device(event.user_agent)) for event in selectors.login_history(request.user, 30)]
    return render(request, "accounts/security.html", {
        **_two_factor_state(request.user), "history": history,
        "password_form": RussianPasswordChangeForm(request.user),
        "disable_form": PasswordConfirmForm(user=request.user),
    })


@never_cache
@login_required
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
def password_change(request):
    form = RussianPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(user=request.user, new_password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            form.add_error("new_password1", error)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "Пароль изменён. На других устройствах нужно войти заново.")
            return redirect("accounts:security")
    return render(request, "accounts/password_change.html", {"form": form})


@post_only
def end_sessions(request):
    services.end_sessions(actor=request.user, user=request.user)
    update_session_auth_hash(request, request.user)  # this browser stays logged in
    messages.success(request, "Выполнен выход на всех остальных устройствах и в других браузерах.")
    return redirect("accounts:security")


def _show_recovery_codes(request, codes: list[str], *, first_time: bool):
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "first_time": first_time})


@never_cache
@login_required
@sensitive_post_parameters("token", "password")
def two_factor_setup(request):
    """Connect an authenticator app: scan the QR code, type the first code; then the recovery codes, once."""
    user = request.user
    device = Authenticator.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and request.POST.get("restart"):
        services.start_totp_enrolment(user=user)
        return redirect("accounts:two_factor_setup")
    if request.method == "POST" and device is not None and form.is_valid():
        try:
            recovery = services.confirm_totp_device(user=user, device=device, token=form.cleaned_data["token"],
                                                    password=request.POST.get("password", ""))
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else "token", errors)
        else:
            device.refresh_from_db()
            otp_login(request, device)
            request.session.pop(SETUP_2FA_KEY, None)
            messages.success(request, "Двухфакторная аутентификация включена. Теперь при входе, кроме пароля, "
                                      "нужен код из приложения.")
            return _show_recovery_codes(request, recovery, first_time=True)
    state = _two_factor_state(user)
    if device is None:  # a first phone, or another one (confirmed only with the password or the current code)
        device = services.start_totp_enrolment(user=user)
    secret = b32encode(device.bin_key).decode() if device is not None else ""
    return render(request, "accounts/two_factor_setup.html", {
        **state, "device": device, "form": form,
        "qr": qr_data_uri(device.config_url) if device is not None else "",
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "forced": bool(request.session.get(SETUP_2FA_KEY)),
    })


@post_only
@sensitive_post_parameters("password")
def recovery_codes(request):
    try:
        codes = services.regenerate_recovery_codes(user=request.user, password=request.POST.get("password", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:security")
    return _show_recovery_codes(request, codes, first_time=False)


@post_only
@sensitive_post_parameters("password")
def two_factor_disable(request):
    if staff_2fa_required(request.user):
        messages.error(request, "Школа требует от сотрудников двухфакторную аутентификацию, отключить её нельзя. "
                                "Если вы сменили телефон, подключите новое приложение.")
        return redirect("accounts:security")
    form = PasswordConfirmForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "Двухфакторная аутентификация не отключена: " + " ".join(error_messages(form, "password")))
        return redirect("accounts:security")
    services.disable_two_factor(actor=request.user, user=request.user)
    messages.success(request, "Двухфакторная аутентификация отключена.")
    return redirect("accounts:security")
