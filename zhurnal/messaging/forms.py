"""Input of the mail, announcement and help desk pages, with Russian messages naming the field."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from zhurnal.core import params
from zhurnal.core.forms import apply_errors, offer  # noqa: F401 - apply_errors: the views' one import

from .models import Audience, RequestStatus

REQUIRED = {"required": "Заполните это поле."}


class ComposeForm(forms.Form):
    subject = forms.CharField(label="Тема", max_length=200, error_messages=REQUIRED)
    body = forms.CharField(label="Сообщение", widget=forms.Textarea(attrs={"rows": 8}), max_length=20_000,
                           error_messages=REQUIRED)


class ReplyForm(forms.Form):
    body = forms.CharField(label="Ответ", widget=forms.Textarea(attrs={"rows": 4}), max_length=20_000,
                           error_messages=REQUIRED)


def _local(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


class AnnouncementForm(forms.Form):
    title = forms.CharField(label="Заголовок", max_length=200, error_messages=REQUIRED)
    body = forms.CharField(label="Текст", widget=forms.Textarea(attrs={"rows": 8}), max_length=20_000,
                           error_messages=REQUIRED)
    event_date = params.DateField(label="Дата события (если это событие)", required=False,
                                  error_messages={"invalid": "Дата события: введите дату (ДД.ММ.ГГГГ)."})
    audience = forms.ChoiceField(label="Для кого", choices=Audience.choices,
                                 error_messages={"invalid_choice": "Выберите, для кого объявление."})
    grade = forms.TypedChoiceField(label="Параллель", required=False, coerce=int, empty_value=None, choices=())
    school_class = forms.TypedChoiceField(label="Класс", required=False, coerce=int, empty_value=None, choices=())
    group = forms.TypedChoiceField(label="Группа", required=False, coerce=int, empty_value=None, choices=())
    to_staff = forms.BooleanField(label="сотрудникам", required=False)
    to_students = forms.BooleanField(label="обучающимся", required=False)
    to_parents = forms.BooleanField(label="родителям", required=False)
    publish_at = forms.DateTimeField(label="Опубликовать (пусто — сейчас)", required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M"],
                                     error_messages={"invalid": "Дата публикации: введите дату и время."})
    expires_at = forms.DateTimeField(label="Снять с публикации (пусто — не снимать)", required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M"],
                                     error_messages={"invalid": "Дата снятия: введите дату и время."})
    pinned = forms.BooleanField(label="Закрепить вверху списка", required=False)
    requires_ack = forms.BooleanField(label="Кнопка «Ознакомлен» и отчёт о прочтении", required=False)
    is_regulation = forms.BooleanField(label="Локальный акт: ознакомление обязательно, подтверждения хранятся",
                                       required=False)
    urgent = forms.BooleanField(label="Срочное (уведомить и в «тихие часы»)", required=False)

    def __init__(self, *args, scopes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        audiences = [(k, v) for k, v in Audience.choices
                     if (k == "school" and scopes.school) or (k == "grade" and scopes.grades)
                     or (k == "class" and scopes.classes) or (k == "group" and scopes.groups)]
        offer(self, "audience", audiences)
        offer(self, "grade", [("", "—")] + [(g, f"{g}-е классы") for g in scopes.grades])
        offer(self, "school_class", [("", "—"), *scopes.classes.items()])
        offer(self, "group", [("", "—"), *scopes.groups.items()])

    def clean_publish_at(self):
        return _local(self.cleaned_data.get("publish_at"))

    def clean_expires_at(self):
        return _local(self.cleaned_data.get("expires_at"))


class HelpRequestForm(forms.Form):
    name = forms.CharField(label="Фамилия, имя, отчество", max_length=200, error_messages=REQUIRED)
    position = forms.CharField(label="Должность", max_length=200, required=False)
    class_name = forms.CharField(label="Класс", max_length=20, required=False)
    problem = forms.CharField(label="Суть проблемы", widget=forms.Textarea(attrs={"rows": 6}), max_length=20_000,
                              error_messages=REQUIRED)
    page = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Состояние", choices=RequestStatus.choices,
                               error_messages={"invalid_choice": "Выберите состояние из списка."})


WEEKDAY_CHOICES = [(1, "понедельник"), (2, "вторник"), (3, "среда"), (4, "четверг"), (5, "пятница"),
                   (6, "суббота")]


class SlotForm(forms.Form):
    weekday = forms.TypedChoiceField(label="День недели", choices=WEEKDAY_CHOICES, coerce=int,
                                     error_messages={"invalid_choice": "Выберите день недели."})
    start = forms.TimeField(label="С", widget=forms.TimeInput(attrs={"type": "time"}),
                            error_messages={"required": "Укажите время начала.", "invalid": "Время начала: ЧЧ:ММ."})
    end = forms.TimeField(label="До", widget=forms.TimeInput(attrs={"type": "time"}),
                          error_messages={"required": "Укажите время окончания.",
                                          "invalid": "Время окончания: ЧЧ:ММ."})
    place = forms.CharField(label="Где (кабинет)", max_length=120, required=False)


class SettingsForm(forms.Form):
    parents_to_parents = forms.BooleanField(label="Родители могут писать родителям одноклассников своих детей",
                                            required=False)
    students_to_students = forms.BooleanField(label="Обучающиеся могут писать одноклассникам", required=False)
