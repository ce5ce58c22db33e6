"""What every timetable view needs: the date on show, the year it falls in, PDF answers."""

from __future__ import annotations

import datetime as dt

from django.http import Http404

from zhurnal.core import params
from zhurnal.core.dates import today as school_today
from zhurnal.core.view_helpers import parse_date, require, save_form, school_view, scoped  # noqa: F401 - re-exported
from zhurnal.school.models import AcademicYear
from zhurnal.school.selectors import current_year, year_for_date

from ..exports import PDF_TYPE, file_response, render_pdf


def date_param(request, name: str = "date") -> dt.date:
    return params.date_param(request.GET, name, request=request) or school_today()


def year_of(request, day: dt.date) -> AcademicYear | None:
    school = request.roles.school
    return year_for_date(school, day) or current_year(school, day)


def require_year(request, day: dt.date) -> AcademicYear:
    year = year_of(request, day)
    if year is None:
        raise Http404("В школе ещё не создан учебный год.")
    return year


def wants(request, fmt: str) -> bool:
    return request.GET.get("format") == fmt


def pdf_answer(template: str, context: dict, filename: str):
    return file_response(render_pdf(template, context), PDF_TYPE, filename)
