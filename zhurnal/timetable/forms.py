"""Forms bind and type-check input; the rules live in the services."""

from __future__ import annotations

from django import forms

from zhurnal.core import params
from zhurnal.core.forms import field_of, limit_to
from zhurnal.school.models import Shift, StaffMember, TeachingAssignment

from .models import MAX_LESSON_NUMBER, WEEKDAY_NAMES, BellSchedule, Room, SubstitutionKind, WeekParity
from .services import SUBSTITUTION_REASONS

WEEKDAY_CHOICES = [(n, name.capitalize()) for n, name in sorted(WEEKDAY_NAMES.items()) if n <= 6]


def date_field(label: str, required: bool = True) -> forms.DateField:
    return params.DateField(label=label, required=required)


def number_field(label: str = "Урок №") -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=MAX_LESSON_NUMBER,
                              error_messages={"required": "Укажите номер урока.",
                                              "invalid": "Номер урока — целое число.",
                                              "min_value": "Номер урока — от 0.",
                                              "max_value": f"Номер урока — не больше {MAX_LESSON_NUMBER}."})


class AssignmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: TeachingAssignment) -> str:
        return f"{obj.group.name} — {obj.subject.name} ({obj.teacher.short_name})"


class StaffChoiceField(forms.ModelChoiceField):
    busy_ids: frozenset[int] = frozenset()
    subject_ids: frozenset[int] = frozenset()
    subject: str = ""

    def label_from_instance(self, obj: StaffMember) -> str:
        label = obj.full_name
        if obj.pk in self.subject_ids and self.subject:
            label += f" — {self.subject}"
        return f"{label} — ведёт урок" if obj.pk in self.busy_ids else label


class EntryForm(forms.Form):
    assignment = AssignmentChoiceField(label="Предмет и учитель", queryset=TeachingAssignment.objects.none(),
                                       error_messages={"required": "Выберите предмет и учителя.",
                                                       "invalid_choice": "Выберите предмет и учителя из списка."})
    weekday = forms.TypedChoiceField(label="День недели", choices=WEEKDAY_CHOICES, coerce=int)
    number = number_field()
    room = forms.ModelChoiceField(label="Кабинет", queryset=Room.objects.none(), required=False,
                                  empty_label="— без кабинета —")
    week = forms.TypedChoiceField(label="Неделя", choices=WeekParity.choices, coerce=int, initial=WeekParity.EVERY)
    valid_from = date_field("Действует с")

    def __init__(self, *args, assignments, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        limit_to(self, "assignment", assignments)
        limit_to(self, "room", rooms)


class EntryChangeForm(forms.Form):
    from_date = date_field("Изменить с")
    weekday = forms.TypedChoiceField(label="День недели", choices=WEEKDAY_CHOICES, coerce=int)
    number = number_field()
    room = forms.ModelChoiceField(label="Кабинет", queryset=Room.objects.none(), required=False,
                                  empty_label="— без кабинета —")
    week = forms.TypedChoiceField(label="Неделя", choices=WeekParity.choices, coerce=int)

    def __init__(self, *args, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        limit_to(self, "room", rooms)


class EntryEndForm(forms.Form):
    from_date = date_field("Не проводится с")


class RoomForm(forms.Form):
    name = forms.CharField(label="Кабинет (номер)", max_length=40,
                           error_messages={"required": "Укажите номер или название кабинета."})
    title = forms.CharField(label="Назначение", max_length=150, required=False)
    capacity = forms.IntegerField(label="Мест", required=False, min_value=1, max_value=1000,
                                  error_messages={"invalid": "Число мест — целое число.",
                                                  "min_value": "Число мест — от 1.",
                                                  "max_value": "Число мест — не больше 1000."})
    is_active = forms.BooleanField(label="Используется", required=False, initial=True)


class BellScheduleForm(forms.Form):
    name = forms.CharField(label="Название", max_length=120, error_messages={"required": "Укажите название."})
    shift = forms.TypedChoiceField(label="Смена", choices=Shift.choices, coerce=int)
    is_main = forms.BooleanField(label="Основное расписание смены", required=False)
    bells = forms.CharField(label="Звонки", widget=forms.Textarea(attrs={"rows": 8}),
                            help_text="Каждый урок с новой строки: «1 08:30-09:15».",
                            error_messages={"required": "Укажите звонки."})


class SpecialDayForm(forms.Form):
    schedule = forms.ModelChoiceField(label="Расписание звонков", queryset=BellSchedule.objects.none(),
                                      error_messages={"required": "Выберите расписание звонков."})
    date = date_field("Дата")
    note = forms.CharField(label="Причина", max_length=200, required=False)

    def __init__(self, *args, schedules, **kwargs):
        super().__init__(*args, **kwargs)
        limit_to(self, "schedule", schedules)


class LessonForm(forms.Form):
    assignment = AssignmentChoiceField(label="Предмет и группа", queryset=TeachingAssignment.objects.none(),
                                       error_messages={"required": "Выберите предмет и группу."})
    date = date_field("Дата")
    number = number_field()
    room = forms.ModelChoiceField(label="Кабинет", queryset=Room.objects.none(), required=False,
                                  empty_label="— без кабинета —")
    note = forms.CharField(label="Примечание", max_length=300, required=False,
                           help_text="Например: консультация перед контрольной работой.")

    def __init__(self, *args, assignments, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        limit_to(self, "assignment", assignments)
        limit_to(self, "room", rooms)


class MoveForm(forms.Form):
    date = date_field("Новая дата")
    number = number_field("Урок №")
    room = forms.ModelChoiceField(label="Кабинет", queryset=Room.objects.none(), required=False,
                                  empty_label="— тот же —")
    note = forms.CharField(label="Причина переноса", max_length=300, required=False)

    def __init__(self, *args, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        limit_to(self, "room", rooms)


class SubstitutionForm(forms.Form):
    kind = forms.ChoiceField(label="Вид", choices=SubstitutionKind.choices, initial=SubstitutionKind.REPLACE)
    substitute = StaffChoiceField(label="Заменяющий учитель", queryset=StaffMember.objects.none(), required=False,
                                  empty_label="— выберите —")
    reason = forms.CharField(label="Причина", max_length=200, error_messages={"required": "Укажите причину."},
                             widget=forms.TextInput(attrs={"list": "substitution-reasons"}))
    note = forms.CharField(label="Примечание", max_length=300, required=False)

    reasons = SUBSTITUTION_REASONS

    def __init__(self, *args, staff, busy_ids=frozenset(), subject_ids=frozenset(), subject: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        limit_to(self, "substitute", staff)
        substitute = field_of(self, "substitute", StaffChoiceField)
        substitute.busy_ids = frozenset(busy_ids)
        substitute.subject_ids = frozenset(subject_ids)
        substitute.subject = subject


class ImportForm(forms.Form):
    file = forms.FileField(label="Файл", error_messages={"required": "Выберите файл."})
    extra_file = forms.FileField(label="Исходный файл FET (.fet)", required=False,
                                 help_text="Нужен, только если загружается <имя>_activities.xml.")
    valid_from = date_field("Расписание действует с")
