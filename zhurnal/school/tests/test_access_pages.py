"""The «Доступ» pages: who appears, their status, the family's choice of paper or electronic information."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhurnal.accounts import services as login_services
from zhurnal.core.dates import today
from zhurnal.school.access import services
from zhurnal.school.models import GuardianLink
from zhurnal.school.testing import make_guardian, make_student

pytestmark = pytest.mark.django_db


def test_class_page_lists_students_and_guardians_with_their_status(small_school, login):
    newcomer = make_student(small_school.class_5a, "Кузнецов", first_name="Пётр")
    make_guardian(newcomer, last_name="Кузнецова")
    [issued] = services.issue_activation_codes(actor=None, school=small_school.school, people=[newcomer])
    page = login("class_teacher").get(reverse("school:class_access", args=[small_school.class_5a.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Иванов Иван Сергеевич" in html and "Кузнецова Мария Ивановна" in html
    assert "Петров" not in html  # 5Б
    assert issued.user.username in html and "код выдан" in html
    assert "вход выполнен" in html and "нет логина" in html
    assert 'name="people"' in html and "Выдать коды и скачать" in html


def test_class_page_makes_constant_queries(small_school, login):
    client = login("class_teacher")
    url = reverse("school:class_access", args=[small_school.class_5a.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for n in range(25):
        student = make_student(small_school.class_5a)
        guardian = make_guardian(student, username=f"parent{n}")
        if n % 2:
            services.issue_activation_codes(actor=None, school=small_school.school, people=[student, guardian])
    assert count() == small


def test_class_teacher_records_paper_choice_and_consent(small_school, login):
    link = GuardianLink.objects.get(guardian__user=small_school.users["guardian"])
    client = login("class_teacher")
    back = reverse("school:class_access", args=[small_school.class_5a.pk])
    response = client.post(reverse("school:guardian_link", args=[link.pk]), {
        "info_channel": "paper", "consent_given_on": "2026-09-02", "back": back})
    assert response.status_code == 302 and response["Location"] == back
    link.refresh_from_db()
    assert link.info_channel == "paper"
    assert link.consent_given_on == dt.date(2026, 9, 2)
    assert link.registered_by == small_school.users["class_teacher"]
    assert link.channel_chosen_on == today()
    assert link.relation == "мать"  # untouched
    html = client.get(back).content.decode()
    assert "согласие от 02.09.2026" in html and "записал(а) Классова Анна" in html


def test_bad_consent_date_changes_nothing(small_school, login):
    link = GuardianLink.objects.get(guardian__user=small_school.users["guardian"])
    response = login("class_teacher").post(reverse("school:guardian_link", args=[link.pk]), {
        "info_channel": "paper", "consent_given_on": "2099-01-01"}, follow=True)
    assert "не может быть позже сегодняшнего дня" in response.content.decode()
    link.refresh_from_db()
    assert link.info_channel == "electronic" and link.consent_given_on is None


def test_only_the_class_teacher_and_administrator_edit_the_family_choice(small_school, login):
    own = GuardianLink.objects.get(guardian__user=small_school.users["guardian"])
    other = GuardianLink.objects.get(guardian__user=small_school.users["other_guardian"])
    data = {"info_channel": "paper"}
    assert login("class_teacher").post(reverse("school:guardian_link", args=[other.pk]), data).status_code == 404
    assert login("teacher").post(reverse("school:guardian_link", args=[own.pk]), data).status_code == 404
    assert login("director").post(reverse("school:guardian_link", args=[own.pk]), data).status_code == 403
    assert login("guardian").post(reverse("school:guardian_link", args=[own.pk]), data).status_code == 404
    assert login("other_school_admin").post(reverse("school:guardian_link", args=[own.pk]), data).status_code == 404
    assert login("admin").post(reverse("school:guardian_link", args=[other.pk]), data).status_code == 302
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.info_channel == "electronic" and other.info_channel == "paper"


def test_access_overview_counts_who_has_logged_in(small_school, login):
    html = login("admin").get(reverse("school:access")).content.decode()
    assert "1 из 3" in html  # one of three 5А students (the «student» persona) has logged in
    assert "1 из 1" in html  # the one guardian of 5А has
    class_teacher_page = login("class_teacher").get(reverse("school:access")).content.decode()
    assert reverse("school:class_access", args=[small_school.class_5a.pk]) in class_teacher_page
    assert reverse("school:class_access", args=[small_school.class_5b.pk]) not in class_teacher_page
    assert login("teacher").get(reverse("school:access")).status_code == 403


def test_staff_page_shows_logins_and_second_factor(small_school, login):
    html = login("admin").get(reverse("school:staff_access")).content.decode()
    assert "Учителева Анна Петровна" in html and "Чужова" not in html
    assert "Выдать коды и скачать" in html
    director_view = login("director").get(reverse("school:staff_access")).content.decode()
    assert "Учителева" in director_view and "Выдать коды и скачать" not in director_view
    assert login("class_teacher").get(reverse("school:staff_access")).status_code == 403


def test_navigation_offers_access_and_security(small_school, login):
    html = login("class_teacher").get(reverse("accounts:security")).content.decode()
    assert f'href="{reverse("school:access")}"' in html
    assert f'href="{reverse("accounts:security")}"' in html
    guardian_page = login("guardian").get(reverse("accounts:security")).content.decode()
    assert f'href="{reverse("school:access")}"' not in guardian_page


@pytest.mark.parametrize("url_name", ["school:access", "school:staff_access", "school:person", "accounts:security"])
def test_access_list_pages_make_constant_queries(small_school, login, url_name):
    from zhurnal.school.models import Position
    from zhurnal.school.testing import make_class, make_staff

    client = login("admin")
    guardian = small_school.users["guardian"]
    args = [guardian.pk] if url_name == "school:person" else []
    url = reverse(url_name, args=args)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for n in range(6):
        school_class = make_class(small_school.year, 6 + n, "А")
        for _ in range(3):
            make_guardian(make_student(school_class), username=f"p{school_class.pk}{_}")
        staff = make_staff(small_school.school, f"Сотрудникова{n}", [Position.TEACHER], username=f"staff{n}")
        services.issue_activation_codes(actor=None, school=small_school.school, people=[staff])
    for user in (guardian, small_school.users["admin"]):
        for _ in range(5):
            login_services.record_login_event(user=user, username=user.username, kind="password", succeeded=True)
    assert count() == small
