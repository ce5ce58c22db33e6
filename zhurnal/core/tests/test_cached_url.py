"""``{% url %}`` in every template is the cached one, and answers exactly as Django's."""

import pytest
from django.template import Context, Template, engines
from django.urls import NoReverseMatch, reverse

from zhurnal.core.templatetags.cached_url import CachedURLNode


class Named:
    """An argument whose string (not an id) makes the address: never remembered."""

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text


def render(source, **context):
    return engines["django"].from_string(source).render(context)


def test_every_templates_url_tag_is_the_cached_one():
    template = engines["django"].from_string("{% url 'core:home' %}")
    assert any(isinstance(node, CachedURLNode) for node in template.template.nodelist)


@pytest.mark.parametrize(("source", "name", "args"), [
    ("{% url 'core:home' %}", "core:home", []),
    ("{% url 'journal:grid' pk %}", "journal:grid", [7]),
    ("{% url 'journal:grid' pk %}", "journal:grid", ["12"]),
    ("{% url 'journal:cell' pk student %}", "journal:cell", [3, 4]),
])
def test_the_address_is_djangos(source, name, args):
    context = dict(zip(["pk", "student"], args, strict=False))
    for _ in range(2):  # computed, then remembered
        assert render(source, **context) == reverse(name, args=args)


def test_keyword_arguments_as_var_and_objects_answer_as_django_does():
    assert render("{% url 'journal:grid' pk=5 %}") == reverse("journal:grid", kwargs={"pk": 5})
    assert render("{% url 'journal:grid' 5 as link %}[{{ link }}]") == f"[{reverse('journal:grid', args=[5])}]"
    assert render("{% url 'no:such' as link %}[{{ link }}]") == "[]"
    assert render("{% url 'journal:grid' pk %}", pk=Named("8")) == reverse("journal:grid", args=["8"])
    assert render("{% url 'journal:grid' pk %}", pk=Named("9")) == reverse("journal:grid", args=["9"])
    with pytest.raises(NoReverseMatch):
        render("{% url 'no:such' %}")


def test_a_template_made_in_code_uses_it_too():
    template = Template("{% url 'core:home' %}")
    assert isinstance(template.nodelist[0], CachedURLNode)
    assert template.render(Context()) == reverse("core:home")
