"""Forms of the set-up screens. They only parse and check input; every write goes through ``services``.

Every choice of a row (class, teacher, group, student) is limited to the active school and year, so a
forged id from another school is an invalid choice, never used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from zhurnal.core import params
from zhurnal.core.forms import field_of, limit_to

from . import selectors
from .models import (
    AcademicYear,
    Gender,
    Group,
    GroupKind,
    HolidayKind,
    InfoChannel,
    JournalKind,
    MovementKind,
    PeriodKind,
    Position,
    School,
    SchoolClass,
    Shift,
    StaffMember,
    Student,
    Subject,
)

GRADES = [(g, f"{g} класс") for g in range(1, 12)]


# A date typed as ДД.ММ.ГГГГ or picked with the browser's date picker (which sends ГГГГ-ММ-ДД), within bounds.
DateField = params.DateField


class HoursField(forms.DecimalField):
    """Hours per week: «2», «1,5» or «1.5»."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", Decimal(40))
        kwargs.setdefault("max_digits", 4)
        kwargs.setdefault("decimal_places", 1)
        kwargs.setdefault("localize", True)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 4}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().clean(value)


class ChoiceOf(forms.ModelChoiceField):
    """A choice of rows with a label that says which one it is (a teacher's full name, «Иванов Иван (5А)»)."""

    def __init__(self, queryset: QuerySet, *, label_of: Callable[[Any], str] = str, **kwargs: Any) -> None:
        self.label_of = label_of
        kwargs.setdefault("empty_label", "— выберите —")
        super().__init__(queryset, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return self.label_of(obj)


def student_label(student: Student) -> str:
    class_name = getattr(student, "class_name", None)
    return f"{student.full_name} ({class_name})" if class_name else f"{student.full_name} (не в классе)"


def group_label(group: Group) -> str:
    if group.kind == GroupKind.CLASS:
        return f"{group.name} (весь класс)"
    return f"{group.name} ({group.get_kind_display()})"


def staff_choices(school: School, keep: StaffMember | None = None) -> QuerySet[StaffMember]:
    """Working staff of the school, plus the one already chosen (even if he has left since)."""
    wanted = Q(is_active=True)
    if keep is not None:
        wanted |= Q(pk=keep.pk)
    return StaffMember.objects.filter(school=school).filter(wanted).order_by("last_name", "first_name", "patronymic")


def students_choices(school: School, on: dt.date) -> QuerySet[Student]:
    """Every student of the school, with his class on ``on`` (departed ones too: they may come back)."""
    return selectors.student_list(school, on, include_departed=True)


# --- year, periods, holidays --------------------------------------------------------------------------


class YearForm(forms.Form):
    start = DateField(label="Начало учебного года")
    end = DateField(label="Окончание", required=False, help_text="Если не указать — 31 мая.")
    with_defaults = forms.BooleanField(
        label="Создать четверти (1–9 кл.), полугодия (10–11 кл.) и каникулы по умолчанию", required=False,
        initial=True,
    )


class PeriodSetForm(forms.Form):
    kind = forms.ChoiceField(label="Вид периодов", choices=PeriodKind.choices)
    grade_from = forms.TypedChoiceField(label="С параллели", choices=GRADES, coerce=int)
    grade_to = forms.TypedChoiceField(label="По параллель", choices=GRADES, coerce=int)


class PeriodForm(forms.Form):
    name = forms.CharField(label="Название", max_length=40)
    start = DateField(label="Начало")
    end = DateField(label="Окончание")


class HolidayForm(forms.Form):
    name = forms.CharField(label="Название", max_length=120)
    kind = forms.ChoiceField(label="Вид", choices=HolidayKind.choices)
    start = DateField(label="Начало")
    end = DateField(label="Окончание", help_text="Для одного праздничного дня — та же дата.")
    grade_from = forms.TypedChoiceField(label="Для параллелей с", choices=GRADES, coerce=int, initial=1)
    grade_to = forms.TypedChoiceField(label="по", choices=GRADES, coerce=int, initial=11)


# --- subjects, curriculum -------------------------------------------------------------------------------


class SubjectForm(forms.Form):
    name = forms.CharField(label="Название", max_length=150)
    short_name = forms.CharField(label="Сокращение", max_length=40, required=False,
                                 help_text="Для расписания и названий подгрупп, например «англ.».")
    without_marks = forms.BooleanField(label="Безотметочный (отметки и домашние задания не ставятся)",
                                       required=False)


def curriculum_field_name(subject_id: int, grade: int) -> str:
    return f"h_{subject_id}_{grade}"


class CurriculumForm(forms.Form):
    """Hours per week for every subject × grade; an empty cell or 0 means the subject is not taught there."""

    def __init__(self, *args: Any, subjects: list[Subject], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.subjects = subjects
        for subject in subjects:
            for grade in range(1, 12):
                self.fields[curriculum_field_name(subject.pk, grade)] = HoursField(
                    label=f"{subject.name}, {grade} кл.", required=False)

    def hours(self) -> dict[tuple[int, Subject], Decimal]:
        return {
            (grade, subject): self.cleaned_data.get(curriculum_field_name(subject.pk, grade)) or Decimal(0)
            for subject in self.subjects for grade in range(1, 12)
        }


# --- classes, groups -------------------------------------------------------------------------------------


class ClassForm(forms.Form):
    grade = forms.TypedChoiceField(label="Параллель", choices=GRADES, coerce=int)
    letter = forms.CharField(label="Литера", max_length=4, help_text="Например, «А».")
    class_teacher = ChoiceOf(StaffMember.objects.none(), label="Классный руководитель", required=False,
                             empty_label="— не назначен —", label_of=lambda s: s.full_name)
    shift = forms.TypedChoiceField(label="Смена", choices=Shift.choices, coerce=int, initial=Shift.FIRST)

    def __init__(self, *args: Any, school: School, current_teacher: StaffMember | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        limit_to(self, "class_teacher", staff_choices(school, current_teacher))


class GroupForm(forms.Form):
    name = forms.CharField(label="Название", max_length=120, help_text="Например, «5А англ. 1» или «Робототехника».")
    kind = forms.ChoiceField(label="Вид группы", choices=[(GroupKind.SUBGROUP, "подгруппа класса"),
                                                          (GroupKind.CROSS, "сводная группа из разных классов")])
    school_class = ChoiceOf(SchoolClass.objects.none(), label="Класс (для подгруппы)", required=False)
    subject = ChoiceOf(Subject.objects.none(), label="Предмет", required=False, empty_label="— без предмета —")
    journal_kind = forms.ChoiceField(label="Вид журнала", choices=JournalKind.choices)

    def __init__(self, *args: Any, year: AcademicYear, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_to(self, "school_class", SchoolClass.objects.filter(year=year).order_by("grade", "letter"))
        limit_to(self, "subject", Subject.objects.filter(school_id=year.school_id))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("kind") == GroupKind.SUBGROUP and not data.get("school_class"):
            self.add_error("school_class", "Для подгруппы выберите класс.")
        return data


class GroupEditForm(forms.Form):
    name = forms.CharField(label="Название", max_length=120)
    subject = ChoiceOf(Subject.objects.none(), label="Предмет", required=False, empty_label="— без предмета —")
    journal_kind = forms.ChoiceField(label="Вид журнала", choices=JournalKind.choices)

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_to(self, "subject", Subject.objects.filter(school=school))


class SplitClassForm(forms.Form):
    school_class = ChoiceOf(SchoolClass.objects.none(), label="Класс")
    subject = ChoiceOf(Subject.objects.none(), label="Предмет")
    date = DateField(label="С какой даты")

    def __init__(self, *args: Any, year: AcademicYear, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_to(self, "school_class", SchoolClass.objects.filter(year=year).order_by("grade", "letter"))
        limit_to(self, "subject", Subject.objects.filter(school_id=year.school_id))


class AddMemberForm(forms.Form):
    student = ChoiceOf(Student.objects.none(), label="Обучающийся", label_of=student_label)
    start = DateField(label="В группе с")

    def __init__(self, *args: Any, group: Group, on: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if group.school_class_id is not None:
            candidates = selectors.student_list(group.school, on, school_class=group.school_class)
        else:
            candidates = selectors.student_list(group.school, on)
        members = selectors.group_membership_list(group, on).values("student_id")
        limit_to(self, "student", candidates.exclude(pk__in=members))


class RemoveMemberForm(forms.Form):
    date = DateField(label="Исключить с")


# --- staff, assignments ------------------------------------------------------------------------------------


class StaffForm(forms.Form):
    last_name = forms.CharField(label="Фамилия", max_length=100)
    first_name = forms.CharField(label="Имя", max_length=100)
    patronymic = forms.CharField(label="Отчество", max_length=100, required=False)
    positions = forms.MultipleChoiceField(label="Должности", choices=Position.choices,
                                          widget=forms.CheckboxSelectMultiple)
    email = forms.EmailField(label="Эл. почта", required=False)
    phone = forms.CharField(label="Телефон", max_length=40, required=False)


class AssignmentForm(forms.Form):
    teacher = ChoiceOf(StaffMember.objects.none(), label="Учитель", label_of=lambda s: s.full_name)
    subject = ChoiceOf(Subject.objects.none(), label="Предмет")
    group = ChoiceOf(Group.objects.none(), label="Класс или группа", label_of=group_label)
    hours_per_week = HoursField(label="Часов в неделю", min_value=Decimal("0.5"))

    def __init__(self, *args: Any, year: AcademicYear, current_teacher: StaffMember | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_to(self, "teacher", staff_choices(year.school, current_teacher))
        limit_to(self, "subject", Subject.objects.filter(school_id=year.school_id))
        limit_to(self, "group", Group.objects.filter(year=year).order_by(
            "school_class__grade", "school_class__letter", "kind", "name"))


# --- students, guardians -----------------------------------------------------------------------------------


class StudentForm(forms.Form):
    last_name = forms.CharField(label="Фамилия", max_length=100)
    first_name = forms.CharField(label="Имя", max_length=100)
    patronymic = forms.CharField(label="Отчество", max_length=100, required=False)
    birth_date = DateField(label="Дата рождения")
    gender = forms.ChoiceField(label="Пол", choices=Gender.choices, widget=forms.RadioSelect)
    address = forms.CharField(label="Адрес", max_length=300, required=False)
    document = forms.CharField(label="Документ (вид, серия, номер)", max_length=120, required=False,
                               help_text="Например, «свидетельство о рождении II-БО 123456».")
    snils = forms.CharField(label="СНИЛС", max_length=14, required=False, help_text="ХХХ-ХХХ-ХХХ ХХ")
    phone = forms.CharField(label="Телефон", max_length=40, required=False)
    email = forms.EmailField(label="Эл. почта", required=False)

    PERSONAL_FIELDS = ["last_name", "first_name", "patronymic", "birth_date", "gender", "address", "document",
                       "snils", "phone", "email"]

    def clean_snils(self) -> str:
        snils = self.cleaned_data["snils"].strip()
        digits = "".join(ch for ch in snils if ch.isdigit())
        if snils and len(digits) != 11:
            raise ValidationError("СНИЛС состоит из 11 цифр: ХХХ-ХХХ-ХХХ ХХ.")
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}" if snils else ""

    def personal_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.PERSONAL_FIELDS}


class AdmitStudentForm(StudentForm):
    school_class = ChoiceOf(SchoolClass.objects.none(), label="Зачислить в класс")
    date = DateField(label="Дата зачисления")
    order_number = forms.CharField(label="Номер приказа", max_length=40)
    note = forms.CharField(label="Откуда прибыл", max_length=300, required=False)

    def __init__(self, *args: Any, year: AcademicYear, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_to(self, "school_class", SchoolClass.objects.filter(year=year).order_by("grade", "letter"))


class GuardianForm(forms.Form):
    last_name = forms.CharField(label="Фамилия", max_length=100)
    first_name = forms.CharField(label="Имя", max_length=100)
    patronymic = forms.CharField(label="Отчество", max_length=100, required=False)
    phone = forms.CharField(label="Телефон", max_length=40, required=False)
    email = forms.EmailField(label="Эл. почта", required=False)
    address = forms.CharField(label="Адрес", max_length=300, required=False)

    PERSON_FIELDS = ["last_name", "first_name", "patronymic", "phone", "email", "address"]

    def person(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.PERSON_FIELDS}


class GuardianLinkForm(forms.Form):
    student = ChoiceOf(Student.objects.none(), label="Обучающийся", label_of=student_label)
    relation = forms.CharField(label="Кем приходится", max_length=40, required=False,
                               help_text="Мать, отец, опекун, бабушка…")
    consent_given_on = DateField(label="Дата согласия на обработку персональных данных", required=False)
    info_channel = forms.ChoiceField(label="Способ информирования об успеваемости", choices=InfoChannel.choices,
                                     widget=forms.RadioSelect, initial=InfoChannel.ELECTRONIC)

    def __init__(self, *args: Any, school: School, on: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_to(self, "student", students_choices(school, on))

    def link(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("relation", "consent_given_on", "info_channel")}


class NewGuardianForm(GuardianForm, GuardianLinkForm):
    """A new guardian, linked at once to a student when one is chosen."""

    field_order = [*GuardianForm.PERSON_FIELDS, "student", "relation", "consent_given_on", "info_channel"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].required = False
        field_of(self, "student", ChoiceOf).empty_label = "— пока не привязывать —"


# --- movement ----------------------------------------------------------------------------------------------


class MovementForm(forms.Form):
    kind = forms.ChoiceField(label="Что оформляем", choices=MovementKind.choices, widget=forms.RadioSelect)
    student = ChoiceOf(Student.objects.none(), label="Обучающийся", label_of=student_label)
    date = DateField(label="Дата", help_text="Прибытие и перевод — с этого дня; выбытие — последний день был "
                                           "накануне.")
    order_number = forms.CharField(label="Номер приказа", max_length=40)
    to_class = ChoiceOf(SchoolClass.objects.none(), label="В класс (прибытие, перевод)", required=False)
    from_group = ChoiceOf(Group.objects.none(), label="Из подгруппы (перевод между подгруппами)", required=False)
    to_group = ChoiceOf(Group.objects.none(), label="В подгруппу (перевод между подгруппами)", required=False)
    note = forms.CharField(label="Примечание (откуда прибыл, куда выбыл)", max_length=300, required=False)

    REQUIRED_BY_KIND: dict[str | None, dict[str, str]] = {
        MovementKind.ARRIVAL: {"to_class": "Укажите класс, в который прибыл обучающийся."},
        MovementKind.TRANSFER: {"to_class": "Укажите класс, в который переводится обучающийся."},
        MovementKind.GROUP_TRANSFER: {"from_group": "Укажите подгруппу, из которой переводится обучающийся.",
                                      "to_group": "Укажите подгруппу, в которую переводится обучающийся."},
        MovementKind.DEPARTURE: {},
    }

    def __init__(self, *args: Any, year: AcademicYear, on: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_to(self, "student", students_choices(year.school, on))
        limit_to(self, "to_class", SchoolClass.objects.filter(year=year).order_by("grade", "letter"))
        groups = (Group.objects.filter(year=year).exclude(kind=GroupKind.CLASS)
                  .order_by("school_class__grade", "school_class__letter", "name"))
        limit_to(self, "from_group", groups)
        limit_to(self, "to_group", groups)
        field_of(self, "from_group", ChoiceOf).label_of = field_of(self, "to_group", ChoiceOf).label_of = group_label

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for field, message in self.REQUIRED_BY_KIND.get(data.get("kind"), {}).items():
            if not data.get(field) and field not in self.errors:
                self.add_error(field, message)
        return data
