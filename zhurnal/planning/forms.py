from __future__ import annotations

from django import forms

from zhurnal.core import params
from zhurnal.core.forms import offer

from .models import CONTROL_LENGTH, MAX_TOPIC_HOURS, SECTION_LENGTH, TEXT_LENGTH, TITLE_LENGTH


class PlanTitleForm(forms.Form):
    title = forms.CharField(label="Название КТП", max_length=200)


class TopicForm(forms.Form):
    title = forms.CharField(label="Тема урока", max_length=TITLE_LENGTH,
                            widget=forms.TextInput(attrs={"size": 70}))
    hours = forms.IntegerField(label="Часов", min_value=1, max_value=MAX_TOPIC_HOURS, initial=1,
                               error_messages={"invalid": "Укажите целое число часов."})
    control = forms.CharField(label="Вид контроля", max_length=CONTROL_LENGTH, required=False,
                              help_text="Например, «Контрольная работа» — так же, как вид работы в журнале.",
                              widget=forms.TextInput(attrs={"list": "control-kinds"}))
    homework = forms.CharField(label="Домашнее задание", max_length=TEXT_LENGTH, required=False,
                               widget=forms.Textarea(attrs={"rows": 2, "cols": 70}))
    materials = forms.CharField(label="Материалы", max_length=TEXT_LENGTH, required=False,
                                help_text="Учебник, параграф, ссылки на ЭОР.",
                                widget=forms.Textarea(attrs={"rows": 2, "cols": 70}))


class SectionForm(forms.Form):
    title = forms.CharField(label="Название раздела", max_length=SECTION_LENGTH,
                            widget=forms.TextInput(attrs={"size": 70}))


class ImportForm(forms.Form):
    file = forms.FileField(label="Файл КТП (.xlsx или .csv)",
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}))


class FillForm(forms.Form):
    until = params.DateField(label="Заполнить темы уроков по")
    start_hour = forms.IntegerField(label="Начать с часа КТП №", min_value=1, required=False,
                                    help_text="Оставьте пустым — продолжить с часа после последнего урока с темой "
                                              "из КТП.")


class OwnTopicForm(forms.Form):
    topic = forms.CharField(label="Тема урока", max_length=1000, widget=forms.TextInput(attrs={"size": 70}))


class CopyForm(forms.Form):
    target = forms.ChoiceField(label="Куда копировать", widget=forms.RadioSelect)

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        offer(self, "target", choices)


class AttachForm(forms.Form):
    plan = forms.TypedChoiceField(label="КТП", coerce=int)

    def __init__(self, *args, choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        offer(self, "plan", choices)
