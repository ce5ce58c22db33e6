"""The journal's input, parsed in one place: a lesson's record, the school's grading rules, a work type, final
marks. Each form's field names are those the pages post; a form refuses what it cannot read with the Russian
message the page shows, and hands the service what it takes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from zhurnal.core import idempotency, params
from zhurnal.core.view_helpers import parse_date
from zhurnal.school.models import ReportingPeriod

from . import grading
from .models import WorkType


def decimal_of(value: str | None, field: str, label: str) -> Decimal:
    """«4,5» or «4.5» as a number; anything else refused with the field's label."""
    number = params.parse_decimal(value)
    if number is None:
        raise ValidationError({field: f"{label}: нужно число, например 4,5."})
    return number


def whole_number_of(value: str | None, field: str, label: str) -> int:
    number = params.parse_int(value, minimum=0, maximum=10**6)
    if number is None:
        raise ValidationError({field: f"{label}: нужно целое число."})
    return number


def refused(form: forms.BaseForm) -> ValidationError:
    """The form's errors as one ``ValidationError`` (by field), for the views that answer a service's refusal
    and a form's the same way."""
    return ValidationError(form.errors.as_data())


class HomeworkFileForm(forms.Form):
    """A file for a lesson's homework and the request's idempotency key. Its kind, size and content are the
    service's to check (``uploads.check_upload``); here, that one was sent."""

    def attachment(self) -> dict[str, Any]:
        """What ``services.add_homework_attachment`` takes (``ValidationError``: no file, a malformed key)."""
        upload = self.files.get("file")
        if upload is None:
            raise ValidationError({"file": "Выберите файл."})
        return {"upload": upload, "key": idempotency.parse_key(self.data.get("key"))}

    @property
    def file_name(self) -> str:
        upload = self.files.get("file")
        return (upload.name or "") if upload is not None else ""


class LessonRecordForm(forms.Form):
    """What a teacher writes about a lesson. Only the fields posted change (the grid's panel posts topic and
    homework alone): ``changes()`` names them."""

    RECORD_FIELDS = ("topic", "homework", "control_type", "homework_due", "notes")

    topic = forms.CharField(required=False, strip=False)
    homework = forms.CharField(required=False, strip=False)
    control_type = forms.CharField(required=False, strip=False)
    homework_due = forms.CharField(required=False, strip=False)
    notes = forms.CharField(required=False, strip=False)
    reason = forms.CharField(required=False, strip=False)

    def __init__(self, *args: Any, school_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school_id = school_id

    def clean_control_type(self) -> WorkType | None:
        raw = self.cleaned_data["control_type"]
        wanted = params.parse_id(raw)
        found = WorkType.objects.filter(school_id=self.school_id, pk=wanted).first() if wanted is not None else None
        if raw and found is None:
            raise ValidationError("Неизвестный вид контроля.")
        return found

    def clean_homework_due(self) -> dt.date | None:
        raw = self.cleaned_data["homework_due"]
        if not raw.strip():
            return None
        day = parse_date(raw)
        if day is None:
            raise ValidationError("Срок — дата в виде ДД.ММ.ГГГГ.")
        return day

    def changes(self) -> dict[str, Any]:
        """The posted fields of the record, read (``ValidationError`` when one is unreadable)."""
        if not self.is_valid():
            raise refused(self)
        return {name: self.cleaned_data[name] for name in self.RECORD_FIELDS if name in self.data}


class GradingRulesForm(forms.Form):
    """A new version of the school's grading rules, as the rules page posts it: a weight per work type
    (``weight-<id>``), excluded absence codes (``excluded-<code>``), grades without marks (``grade-<n>``),
    thresholds ``threshold_2`` … ``threshold_5`` and the settings below. ``policy()`` gives the arguments of
    ``services.save_grading_policy``."""

    THRESHOLDS = (2, 3, 4, 5)

    valid_from = forms.CharField(required=False)
    allow_modifiers = forms.BooleanField(required=False)
    marks_without_separator = forms.BooleanField(required=False)
    two_blocks_five = forms.BooleanField(required=False)
    year_ties_up = forms.BooleanField(required=False)
    note = forms.CharField(required=False, strip=False)

    def __init__(self, *args: Any, work_types: list[WorkType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.work_types = work_types

    def clean_valid_from(self) -> dt.date:
        day = parse_date(self.cleaned_data["valid_from"])
        if day is None:
            raise ValidationError("Укажите дату, с которой действуют правила.")
        return day

    def clean(self) -> dict[str, Any]:
        super().clean()
        data, posted = self.cleaned_data, self.data
        readers = {
            "weights": lambda: {w.pk: decimal_of(posted.get(f"weight-{w.pk}", "1"), "weights", f"Вес «{w.name}»")
                                for w in self.work_types},
            "modifier_value": lambda: decimal_of(posted.get("modifier_value", "0"), "modifier_value", "Вес «+»/«−»"),
            "thresholds": lambda: tuple(decimal_of(posted.get(f"threshold_{n}", ""), "thresholds", f"Порог «{n}»")
                                        for n in self.THRESHOLDS),
            "min_marks": lambda: whole_number_of(posted.get("min_marks", ""), "min_marks", "Минимум отметок"),
            "close_after_days": lambda: whole_number_of(posted.get("close_after_days", ""), "close_after_days",
                                                        "Закрытие периода"),
            "edit_window_days": lambda: (whole_number_of(posted["edit_window_days"], "edit_window_days",
                                                         "Окно исправлений")
                                         if (posted.get("edit_window_days") or "").strip() else None),
        }
        for name, read in readers.items():
            try:
                data[name] = read()
            except ValidationError as error:
                self.add_error(None, error.messages)
        data["excluded_codes"] = [c for c in grading.CODE_VALUES if posted.get(f"excluded-{c}") == "on"]
        data["grades_without_marks"] = [g for g in range(1, 12) if posted.get(f"grade-{g}") == "on"]
        return data

    def policy(self) -> dict[str, Any]:
        """The arguments of ``save_grading_policy`` (``ValidationError`` when the form is not valid)."""
        if not self.is_valid():
            raise refused(self)
        data = self.cleaned_data
        two, three, four, five = data["thresholds"]
        return {
            "valid_from": data["valid_from"], "weights": data["weights"], "allow_modifiers": data["allow_modifiers"],
            "marks_without_separator": data["marks_without_separator"],
            "modifier_value": data["modifier_value"], "excluded_codes": data["excluded_codes"],
            "thresholds": (two, three, four, five), "min_marks": data["min_marks"],
            "two_blocks_five": data["two_blocks_five"], "grades_without_marks": data["grades_without_marks"],
            "close_after_days": data["close_after_days"], "edit_window_days": data["edit_window_days"],
            "year_ties_up": data["year_ties_up"], "note": data["note"],
        }


class WorkTypeForm(forms.Form):
    """A work type, new or changed; a new one comes with its weight in the current rules."""

    name = forms.CharField(required=False)
    short_name = forms.CharField(required=False)
    is_control = forms.BooleanField(required=False)
    is_default = forms.BooleanField(required=False)
    is_active = forms.BooleanField(required=False)
    weight = forms.CharField(required=False)

    def __init__(self, *args: Any, work_type: WorkType | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.work_type = work_type

    def clean_weight(self) -> Decimal | None:
        if self.work_type is not None:
            return None
        try:
            return decimal_of(self.cleaned_data["weight"] or "1", "weight", "Вес")
        except ValidationError as error:
            raise ValidationError(error.messages) from error

    def clean_is_active(self) -> bool:
        return self.cleaned_data["is_active"] if self.work_type is not None else True

    def work_type_values(self) -> dict[str, Any]:
        """The arguments of ``services.save_work_type`` besides the actor and school."""
        if not self.is_valid():
            raise refused(self)
        return {**self.cleaned_data, "work_type": self.work_type}


class FinalMarksForm(forms.Form):
    """The final marks of a period or the year as posted: ``value-<student id>`` and ``reason-<student id>``."""

    period = forms.CharField(required=False)

    def values(self) -> dict[int, tuple[str, str]]:
        """Student id → (mark, reason), for every student whose mark was posted."""
        posted = ((params.parse_id(name[6:]), name, value) for name, value in self.data.items()
                  if name.startswith("value-"))
        return {student_id: (params.clean_text(value, max_length=100),
                             params.clean_text(self.data.get(f"reason-{name[6:]}", ""), max_length=1000))
                for student_id, name, value in posted if student_id is not None}


class ReopenForm(forms.Form):
    """The deputy opens one of the assignment's closed periods for corrections until a date, with a reason."""

    period = forms.CharField(required=False)
    until = forms.CharField(required=False)
    reason = forms.CharField(required=False, strip=False)

    def __init__(self, *args: Any, periods: list[ReportingPeriod], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.periods = periods

    def clean_period(self) -> ReportingPeriod:
        chosen = next((p for p in self.periods if str(p.pk) == self.cleaned_data["period"]), None)
        if chosen is None:
            raise ValidationError("Выберите период.")
        return chosen

    def clean_until(self) -> dt.date:
        day = parse_date(self.cleaned_data["until"])
        if day is None:
            raise ValidationError("Укажите дату, до которой период открыт (ДД.ММ.ГГГГ).")
        return day

    def reopening(self) -> dict[str, Any]:
        """The arguments of ``services.reopen_period`` besides the actor, assignment and today."""
        if not self.is_valid():
            raise refused(self)
        return dict(self.cleaned_data)
