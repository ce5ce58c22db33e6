from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordMixin

from .models import User
from .services import code_refusal, find_activation_code

CHOOSING_HINT = ("Не короче 8 символов, не только из цифр, не похожий на ваш логин или имя и не из списка "
             "распространённых паролей (вроде «12345678» или «qwerty123»). Никому его не сообщайте.")


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Неверный логин или пароль. Проверьте раскладку клавиатуры и регистр букв.",
        "inactive": "Учётная запись отключена. Обратитесь к администратору школы.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Логин"
        self.fields["username"].widget.attrs.update(autocomplete="username", autocapitalize="none")
        self.fields["password"].label = "Пароль"
        self.fields["password"].widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})

    def clean_username(self):
        return (self.cleaned_data.get("username") or "").strip()


class ActivationForm(SetPasswordMixin, forms.Form):
    """Login and code from the paper slip, and the new password: one page, nothing saved unless all is right."""

    error_messages = {"password_mismatch": "Пароли не совпадают. Введите один и тот же пароль дважды."}

    username = forms.CharField(label="Логин", max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none",
                                                             "spellcheck": "false"}))
    code = forms.CharField(label="Код активации", max_length=40,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "characters",
                                                         "spellcheck": "false"}),
                           help_text="Напечатан на листке, который выдал классный руководитель или администратор.")
    password1, password2 = SetPasswordMixin.create_password_fields(label1="Новый пароль", label2="Пароль ещё раз")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: User | None = None
        self.fields["password1"].help_text = CHOOSING_HINT
        self.fields["password2"].help_text = ""

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        username = (cleaned.get("username") or "").strip()
        code = cleaned.get("code") or ""
        if not username or not code:
            return cleaned
        cleaned["username"] = username
        # Through authenticate(), so that wrong codes count towards the same lockout as wrong passwords.
        self.user = authenticate(self.request, username=username, activation_code=code)
        if self.user is None:
            known = User.objects.filter(username=username).first()
            self.add_error("code", code_refusal(find_activation_code(known, code) if known else None))
            return cleaned
        self.validate_passwords()
        self.validate_password_for_user(self.user, "password1")
        return cleaned


class RussianPasswordChangeForm(PasswordChangeForm):
    error_messages = {
        "password_mismatch": "Пароли не совпадают. Введите один и тот же пароль дважды.",
        "password_incorrect": "Текущий пароль введён неверно.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Текущий пароль"
        self.fields["new_password1"].label = "Новый пароль"
        self.fields["new_password1"].help_text = CHOOSING_HINT
        self.fields["new_password2"].label = "Новый пароль ещё раз"
        self.fields["new_password2"].help_text = ""


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Код подтверждения", max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none",
                                      "spellcheck": "false", "autofocus": True}),
    )

    def clean_token(self):
        return "".join((self.cleaned_data.get("token") or "").split()).lower().replace("-", "")


class EnrolmentForm(TokenForm):
    """Connecting an authenticator: the first code from it, and the password (or a code of the app connected so
    far) — checked by ``services.confirm_identity``."""

    password = forms.CharField(label="Текущий пароль", strip=False, required=False,
                               help_text="Если приложение уже было подключено, можно ввести код из него.",
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(label="Текущий пароль", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if self.user is None or not self.user.check_password(password):
            raise forms.ValidationError("Текущий пароль введён неверно.")
        return password
