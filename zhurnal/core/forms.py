"""Helpers for forms whose choices depend on the school: typed, so a field of the wrong kind fails loudly."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet


def limit_to(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    """Offer in the model choice field ``name`` only the objects of ``queryset``."""
    field_of(form, name, forms.ModelChoiceField).queryset = queryset


def offer(form: forms.BaseForm, name: str, choices: Iterable[tuple[Any, Any]]) -> None:
    """Offer ``choices`` in the choice field ``name``."""
    field_of(form, name, forms.ChoiceField).choices = list(choices)


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` onto the form: on the field it names if the form has one, else on the
    whole form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def error_messages(form: forms.BaseForm, field: str | None = None) -> list[str]:
    """The form's error messages (of one field, or of all fields in order), as text for a flash message."""
    if field is None:
        lists = list(form.errors.values())
    else:
        lists = [form.errors[field]] if field in form.errors else []
    return [str(message) for errors in lists for message in errors]


F = TypeVar("F", bound=forms.Field)


def field_of(form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """The form's field ``name``, checked to be of ``kind`` (to set what only that kind of field has)."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{name} is not a {kind.__name__}")
    return field
