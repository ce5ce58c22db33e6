"""What the school's views share beyond ``core.view_helpers``: the year and date a page shows."""

from __future__ import annotations

import datetime as dt

from django.http import Http404

from zhurnal.core import params

from ..models import AcademicYear
from ..selectors import current_year, default_date


def year_and_date(request) -> tuple[AcademicYear, dt.date]:
    """The year and date the page shows: ``?year=`` and ``?on=`` (ДД.ММ.ГГГГ or ISO), else the current ones."""
    school = request.roles.school
    year = None
    year_id = params.id_param(request.GET, "year")
    if year_id is not None:
        year = AcademicYear.objects.filter(school=school, pk=year_id).first()
    year = year or current_year(school)
    if year is None:
        raise Http404("В школе ещё не создан учебный год.")
    on = params.date_param(request.GET, "on", request=request) or default_date(year)
    if not year.start <= on <= year.end:
        on = default_date(year, on)
    return year, on
