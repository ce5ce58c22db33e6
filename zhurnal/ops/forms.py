"""The backup schedule's form: parsing and checking only; ``services.save_backup_schedule`` writes."""

from __future__ import annotations

from django import forms

from .models import BackupPolicy, Month, Weekday


def _bounded(label: str, low: int, high: int, unit: str, below: str | None = None) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=low, max_value=high,
        error_messages={"required": f"Укажите: «{label}».", "invalid": f"«{label}»: введите целое число.",
                        "min_value": below or f"«{label}»: не меньше {low} {unit}.",
                        "max_value": f"«{label}»: не больше {high} {unit}."})


class BackupScheduleForm(forms.Form):
    weekday = forms.TypedChoiceField(label="День еженедельной копии", choices=Weekday.choices, coerce=int,
                                     error_messages={"invalid_choice": "Выберите день недели из списка."})
    at = forms.TimeField(label="Время копии", input_formats=["%H:%M"],
                         widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                         error_messages={"required": "Укажите время копии.",
                                         "invalid": "Время копии: введите в виде ЧЧ:ММ, например 18:00."})
    yearly_month = forms.TypedChoiceField(label="Месяц годового архива", choices=Month.choices, coerce=int,
                                          error_messages={"invalid_choice": "Выберите месяц из списка."})
    keep_weekly_months = _bounded("Хранить еженедельные копии, месяцев", 1, 24, "мес.")
    keep_monthly_months = _bounded("Хранить ежемесячные архивы, месяцев", 1, 60, "мес.")
    keep_yearly_years = _bounded("Хранить годовые архивы, лет", 5, 25, "лет",
                                 below="Годовые архивы хранятся не меньше 5 лет: столько хранятся журналы.")
    drill_every_days = _bounded("Проверять восстановление каждые, дней", 1, 92, "дн.")

    @classmethod
    def for_policy(cls, policy: BackupPolicy) -> BackupScheduleForm:
        return cls(initial={"weekday": policy.weekday, "at": policy.at, "yearly_month": policy.yearly_month,
                            "keep_weekly_months": policy.keep_weekly_months,
                            "keep_monthly_months": policy.keep_monthly_months,
                            "keep_yearly_years": policy.keep_yearly_years,
                            "drill_every_days": policy.drill_every_days})
