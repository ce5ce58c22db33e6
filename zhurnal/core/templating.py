"""Django's template engine, with a rendered context emptied once its page is rendered.

A ``Context`` and the ``ContextDict`` each ``push`` adds refer to each other (the dict to leave the context by on
``__exit__``), so a rendered context is a reference cycle: what the view handed the template (the journal grid's
rows, students, averages) is not freed when the view returns but waits for the cyclic garbage collector, which
then walks it all: most of the collector's work in a server (see ``runtime.settle``; docs/performance.md).
Emptying the context's dicts after rendering breaks the cycle: the page's data is freed at once by reference
counting. Nothing reads a context after its template has rendered (the test client keeps copies).

``TEMPLATES["BACKEND"]`` names this engine; it behaves as Django's in every other respect.
"""

from __future__ import annotations

from django.template import TemplateDoesNotExist
from django.template.backends import django as django_backend
from django.template.context import make_context


class DjangoTemplates(django_backend.DjangoTemplates):
    def from_string(self, template_code):
        return Template(super().from_string(template_code))

    def get_template(self, template_name):
        return Template(super().get_template(template_name))


class Template(django_backend.Template):
    def __init__(self, template: django_backend.Template):
        super().__init__(template.template, template.backend)

    def render(self, context=None, request=None):
        context = make_context(context, request, autoescape=self.backend.engine.autoescape)
        try:
            return self.template.render(context)
        except TemplateDoesNotExist as exc:
            django_backend.reraise(exc, self.backend)
        finally:
            context.dicts.clear()
