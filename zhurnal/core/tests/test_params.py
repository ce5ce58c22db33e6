"""The one parser of query and form values: ids, dates, text, choices."""

import datetime as dt

import pytest
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, QueryDict
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404

from zhurnal.core import params


@pytest.mark.parametrize("raw", ["²", "١٢", "３", "-1", "0", "1.0", "1e3", " ", "", None, "1" * 19, "1" * 5000,
                                 "12\x00", "0x10", True])
def test_what_is_not_an_id(raw):
    assert params.parse_id(raw) is None


def test_ids():
    assert params.parse_id("42") == 42 and params.parse_id(" 7 ") == 7 and params.parse_id(5) == 5
    assert params.parse_id("9" * 18) == int("9" * 18)
    assert params.id_list(["3", "x", "3", "²", "4"]) == [3, 4]
    with pytest.raises(Http404):
        params.id_param(QueryDict("lesson=²"), "lesson", required=True)
    assert params.int_param(QueryDict("page=２"), "page", default=1) == 1
    assert params.int_param(QueryDict("page=3"), "page", default=1) == 3


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "31.12.9999", "2026-02-30", "2026-13-01", "²⁰²⁶-01-01",
                                 "2026-1-1\x00", "1" * 5000])
def test_what_is_not_a_date(raw):
    assert params.parse_date(raw) is None


def test_dates():
    assert params.parse_date("2026-11-18") == dt.date(2026, 11, 18) == params.parse_date("18.11.2026")
    assert params.date_param(QueryDict(""), "on", default=dt.date(2026, 1, 1)) == dt.date(2026, 1, 1)
    assert params.date_param(QueryDict("on=abc"), "on", default=None) is None
    with pytest.raises(BadRequest, match="вне учебных лет школы"):
        params.date_param(QueryDict("on=9999-12-31"), "on")
    with pytest.raises(BadRequest, match="не дата"):
        params.date_param(QueryDict("on=2026-02-30"), "on")


def test_dates_outside_the_schools_years_are_a_bad_request():
    def bounds(request):
        return dt.date(2025, 9, 1), dt.date(2027, 8, 31)

    params.register_date_bounds(bounds)
    try:
        assert params.date_param(QueryDict("on=2026-11-18"), "on", request=object()) == dt.date(2026, 11, 18)
        with pytest.raises(BadRequest, match="вне учебных лет школы"):
            params.date_param(QueryDict("on=2099-01-01"), "on", request=object())
    finally:
        params._bounds.remove(bounds)


def test_text_and_choices():
    assert params.clean_text("a\x00b\x07c\n d ") == "abc\n d"
    assert params.text_param(QueryDict("q=%00x"), "q") == "x"
    assert params.choice_param(QueryDict("format=xlsx"), "format", ("xlsx", "csv")) == "xlsx"
    assert params.choice_param(QueryDict("format=exe"), "format", ("xlsx", "csv"), default="csv") == "csv"


def test_the_path_converter_bounds_ids():
    url = reverse("school:class_detail", args=[12])
    assert resolve(url).kwargs == {"pk": 12}
    for bad in ("9" * 19, "9" * 5000, "²"):
        with pytest.raises(Resolver404):
            resolve(url.replace("12", bad))


@pytest.mark.django_db
def test_pages_answer_bad_input_with_russian_400_and_404_pages(small_school, login):
    guardian, teacher = login("guardian"), login("teacher")
    far = teacher.get(reverse("timetable:day") + "?date=9999-12-31")
    assert far.status_code == 400 and "вне учебных лет школы" in far.content.decode()
    nul = guardian.get(reverse("school:children") + "?q=a%00b")
    assert nul.status_code == 400 and "недопустимый символ" in nul.content.decode()
    # «²» is a digit to isdigit() that int() refuses: not an id, not a date — ignored (it was a server error)
    assert teacher.get(reverse("school:my_groups") + "?year=%C2%B2&on=%C2%B2").status_code == 200
    assert teacher.get(reverse("school:class_detail", args=[1]).replace("/1/", "/" + "9" * 5000 + "/")) \
        .status_code == 404


def test_the_form_date_field_refuses_dates_the_calendar_cannot_count_from():
    field = params.DateField(label="Дата")
    assert field.clean("18.11.2026") == dt.date(2026, 11, 18) == field.clean("2026-11-18")
    with pytest.raises(ValidationError, match="вне допустимых"):
        field.clean("9999-12-31")
    with pytest.raises(ValidationError, match="ДД.ММ.ГГГГ"):
        field.clean("²")


def test_no_path_takes_an_unbounded_int():
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.converters import IntConverter

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.pattern.converters

    unbounded = [route for route, converters in walk(get_resolver().url_patterns)
                 if any(isinstance(c, IntConverter) for c in converters.values()) and not route.startswith("admin/")]
    assert unbounded == [], "use <id:pk> (core.params.IdConverter), not <int:pk>"
