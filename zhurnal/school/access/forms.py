"""The «Доступ» pages' input: a family's choice of information channel, the school's security settings."""

from __future__ import annotations

from django import forms

from zhurnal.audit.models import AccessKind
from zhurnal.core import params
from zhurnal.core.dates import today as school_today
from zhurnal.core.forms import offer

from ..models import InfoChannel


class GuardianLinkForm(forms.Form):
    info_channel = forms.ChoiceField(label="Способ информирования", choices=InfoChannel.choices)
    consent_given_on = params.DateField(label="Согласие на обработку персональных данных", required=False,
                                        error_messages={"invalid": "Дата согласия: введите дату в виде ДД.ММ.ГГГГ."})

    def clean_consent_given_on(self):
        given = self.cleaned_data.get("consent_given_on")
        if given is not None and given > school_today():
            raise forms.ValidationError("Дата согласия не может быть позже сегодняшнего дня.")
        return given


class SchoolSecurityForm(forms.Form):
    require_staff_2fa = forms.BooleanField(
        label="Требовать двухфакторную аутентификацию от всех сотрудников", required=False,
        help_text="Сотрудник без подключённого приложения-генератора кодов после следующего входа попадёт на "
                  "страницу подключения и не сможет работать, пока его не подключит.",
    )


class AccessLogFilterForm(forms.Form):
    """The access log's filters: who, what, from and to which day (each optional)."""

    person = forms.TypedChoiceField(label="Кто", required=False, coerce=int, empty_value=None,
                                    error_messages={"invalid_choice": "Такого человека нет в журнале доступа."})
    kind = forms.ChoiceField(label="Что", required=False, choices=[("", "всё")] + AccessKind.choices,
                             error_messages={"invalid_choice": "Неизвестный вид обращения."})
    since = forms.DateField(label="С", required=False, input_formats=["%Y-%m-%d", "%d.%m.%Y"],
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                            error_messages={"invalid": "«С»: введите дату в виде ДД.ММ.ГГГГ."})
    until = forms.DateField(label="По", required=False, input_formats=["%Y-%m-%d", "%d.%m.%Y"],
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                            error_messages={"invalid": "«По»: введите дату в виде ДД.ММ.ГГГГ."})

    def __init__(self, *args, people: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        offer(self, "person", [("", "все"), *people])

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError("Дата «С» позже даты «По».")
        return cleaned
