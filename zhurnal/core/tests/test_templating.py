"""A rendered page's data is freed as soon as it is rendered, not left to the cyclic garbage collector
(``zhurnal.core.templating``)."""

import gc
import weakref

import pytest
from django.template import TemplateDoesNotExist, engines
from django.template.backends import django as django_backend
from django.test import RequestFactory


class Payload:
    def __str__(self) -> str:
        return "данные страницы"


def _rendered_and_freed(render) -> tuple[str, bool]:
    """Render with a payload while the collector is off; whether the payload was freed by reference counting."""
    payload = Payload()
    alive = weakref.ref(payload)
    gc.disable()
    try:
        html = render({"payload": payload, "rows": [[payload]]})
        del payload
        return html, alive() is None
    finally:
        gc.enable()


@pytest.mark.parametrize("with_request", [False, True])
def test_the_page_data_is_freed_once_rendered(with_request, rf: RequestFactory):
    template = engines["django"].from_string("{% for row in rows %}{{ row.0 }}{% endfor %}: {{ payload }}")
    request = rf.get("/") if with_request else None
    html, freed = _rendered_and_freed(lambda context: template.render(context, request))
    assert html == "данные страницы: данные страницы"
    assert freed


def test_djangos_own_template_keeps_it_for_the_collector(rf: RequestFactory):
    """Why the engine exists: a page's context (with its request) is a reference cycle in Django, holding the data
    until a collection."""
    ours = engines["django"].from_string("{{ payload }}")
    stock = django_backend.Template(ours.template, ours.backend)
    request = rf.get("/")
    _, freed = _rendered_and_freed(lambda context: stock.render(context, request))
    assert not freed


def test_missing_templates_are_reported_as_by_django():
    with pytest.raises(TemplateDoesNotExist):
        engines["django"].get_template("no/such/template.html")
    broken = engines["django"].from_string('{% include "no/such/template.html" %}')
    with pytest.raises(TemplateDoesNotExist):
        broken.render({})
