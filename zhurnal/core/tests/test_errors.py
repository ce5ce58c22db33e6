"""Error pages are Russian, styled, carry the menu and a way back; links a user cannot open are not shown."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from zhurnal.timetable.models import Lesson
from zhurnal.timetable.testing import make_bells, put

pytestmark = pytest.mark.django_db


def _is_error_page(response, status: int, title: str) -> str:
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert f'data-status="{status}"' in html and title in html
    assert 'class="nav"' in html or status == 500
    assert 'id="error-home"' in html
    return html


def test_a_page_that_does_not_exist_is_a_russian_404_with_the_menu(small_school, login):
    client = login("student")
    html = _is_error_page(client.get("/no-such-page/", HTTP_REFERER="http://testserver/diary/"), 404,
                          "Страница не найдена")
    assert "Дневник" in html  # the student's menu
    assert 'href="/diary/" id="error-back"' in html


def test_a_way_back_never_leads_off_the_site(small_school, login):
    client = login("student")
    html = _is_error_page(client.get("/no-such-page/", HTTP_REFERER="https://evil.example/x"), 404,
                          "Страница не найдена")
    assert "evil.example" not in html and 'id="error-back"' not in html


def test_a_page_the_user_may_not_use_is_a_russian_403(small_school, login):
    client = login("teacher")
    html = _is_error_page(client.get(reverse("school:setup")), 403, "Нет доступа")
    assert "Forbidden" not in html


def test_a_server_error_is_a_russian_500_page(small_school, login, monkeypatch):
    from zhurnal.core import views

    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "health", broken)
    client = Client(raise_request_exception=False)
    client.force_login(small_school.users["teacher"])
    with override_settings(ROOT_URLCONF="zhurnal.core.tests.broken_urls"):
        html = _is_error_page(client.get("/broken/"), 500, "Ошибка на сервере")
    assert "boom" not in html


def test_a_body_over_the_limit_is_a_413_page(small_school, login, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = login("admin")
    response = client.post(reverse("accounts:switch_school"), {"school": "1", "text": "я" * 5000})
    _is_error_page(response, 413, "Файл слишком большой")


def test_a_stale_form_is_a_russian_403_not_django_english(small_school):
    client = Client(enforce_csrf_checks=True)
    client.force_login(small_school.users["teacher"])
    html = _is_error_page(client.post(reverse("accounts:logout")), 403, "Нет доступа")
    assert "CSRF verification failed" not in html and "сессия истекла" in html


def test_a_student_is_not_offered_the_lessons_journal(small_school, login):
    make_bells(small_school.year)
    from zhurnal.school.models import TeachingAssignment

    maths = TeachingAssignment.objects.get(group__school_class=small_school.class_5a, subject=small_school.math)
    put(maths, 1, 1)
    lesson = Lesson.objects.filter(assignment=maths, date__gte=dt.date(2026, 11, 23)).first()
    url = reverse("timetable:lesson_detail", args=[lesson.pk])
    journal = reverse("journal:lesson", args=[lesson.pk])
    assert journal not in login("student").get(url).content.decode()
    assert journal not in login("guardian").get(url).content.decode()
    assert journal in login("teacher").get(url).content.decode()
    html = _is_error_page(login("student").get(journal), 403, "Нет доступа")
    assert "Дневник" in html


def test_upload_helper_answers_413(rf):
    from zhurnal.core.errors import too_large

    request = rf.post("/", {"file": SimpleUploadedFile("a.xlsx", b"x")})
    assert too_large(request).status_code == 413
