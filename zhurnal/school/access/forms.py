"""The «Доступ» pages' input: a family's choice of information channel, the school's security settings."""

from __future__ import annotations

from django import forms

from zhurnal.core import params
from zhurnal.core.dates import today as school_today

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
