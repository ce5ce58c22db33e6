"""The cell form's ``next`` sends the browser only to the application's own pages."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from zhurnal.core.view_helpers import own_path
from zhurnal.journal.models import Mark

pytestmark = pytest.mark.django_db

FOREIGN = ["https://evil.example/journal/", "//evil.example/", "/\\evil.example/", "http:/evil.example",
           "javascript:alert(1)", " //evil.example", "\x00/x", "evil.example/journal"]


@pytest.mark.parametrize("url", FOREIGN)
def test_own_path_refuses_other_sites(url):
    request = RequestFactory().get("/")
    assert own_path(request, url, "/fallback/") == "/fallback/"


def test_own_path_keeps_the_applications_paths():
    request = RequestFactory().get("/")
    assert own_path(request, "/journal/lessons/5/?week=2026-11-16", "/x/") == "/journal/lessons/5/?week=2026-11-16"


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/"])
def test_the_cell_form_does_not_send_the_teacher_to_another_site(journal, login, url):
    lesson = journal.open_lesson()
    student = journal.school.students["student"]
    response = login("teacher").post(reverse("journal:cell", args=[lesson.pk, student.pk]),
                                     {"value": "4", "base": "", "next": url})
    assert response.status_code == 302
    assert response["Location"] == reverse("journal:lesson", args=[lesson.pk])
    assert Mark.objects.filter(lesson=lesson, student=student, value="4").exists()


def test_the_cell_form_returns_to_the_grid_it_came_from(journal, login):
    lesson = journal.open_lesson()
    student = journal.school.students["student"]
    back = reverse("journal:grid", args=[journal.maths.pk])
    response = login("teacher").post(reverse("journal:cell", args=[lesson.pk, student.pk]),
                                     {"value": "4", "base": "", "next": back})
    assert response["Location"] == back
