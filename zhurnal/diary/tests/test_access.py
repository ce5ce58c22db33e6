"""Whose diary each persona may open: own children, oneself, the class teacher's class, the administration —
everybody else gets 404; and families land on the diary after logging in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhurnal.school import services as school_services

pytestmark = pytest.mark.django_db

PAGES = ("week", "marks", "finals", "week/pdf")


def pages(student, subject):
    return [f"/diary/{student.pk}/{page}/" for page in PAGES] + [f"/diary/{student.pk}/subject/{subject.pk}/"]


@pytest.mark.parametrize("persona, allowed", [
    ("guardian", True), ("student", True), ("class_teacher", True), ("deputy", True), ("director", True),
    ("admin", True), ("other_guardian", False), ("other_student", False), ("teacher", False),
    ("other_teacher", False), ("other_school_admin", False),
])
def test_who_opens_the_students_diary(diary, login, persona, allowed):
    s = diary
    client = login(persona)
    for url in pages(s.students["student"], s.math):
        assert client.get(url).status_code == (200 if allowed else 404), url


def test_guardian_sees_only_his_children_and_a_forged_id_is_404(diary, login):
    s = diary
    client = login("guardian")
    assert client.get(f"/diary/{s.students['other_student'].pk}/week/").status_code == 404
    assert client.get(f"/diary/{s.other_school_student.pk}/week/").status_code == 404
    assert client.get("/diary/999999/week/").status_code == 404


def test_guardian_with_two_children_switches_between_them(diary, login):
    s = diary
    second = s.students["other_student"]
    guardian = s.students["student"].guardian_links.get().guardian
    school_services.link_guardian(actor=None, student=second, guardian=guardian, relation="мать")
    client = login("guardian")
    page = client.get(f"/diary/{s.students['student'].pk}/week/").content.decode()
    assert 'aria-label="Дети"' in page
    assert f'href="/diary/{second.pk}/week/"' in page
    assert client.get(f"/diary/{second.pk}/week/").status_code == 200


def test_families_land_on_the_diary_and_keep_their_other_pages(diary, login):
    s = diary
    guardian = login("guardian")
    response = guardian.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("diary:week", args=[s.students["student"].pk])
    page = response.content.decode()
    assert f'href="{reverse("diary:home")}"' in page and f'href="{reverse("school:children")}"' in page
    student = login("student").get("/", follow=True)
    assert student.redirect_chain[-1][0] == reverse("diary:week", args=[s.students["student"].pk])
    assert f'href="{reverse("school:me")}"' in student.content.decode()


def test_staff_pages_of_the_class(diary, login):
    s = diary
    ct = login("class_teacher")
    assert ct.get(f"/diary/classes/{s.class_5a.pk}/").status_code == 200
    assert ct.get(f"/diary/classes/{s.class_5b.pk}/").status_code == 404
    assert ct.get(f"/diary/classes/{s.class_5a.pk}/acknowledgements/").status_code == 200
    assert ct.get("/diary/activity/").status_code == 403
    nav = ct.get(reverse("school:class_detail", args=[s.class_5a.pk])).content.decode()
    assert f'href="{reverse("diary:class_overview", args=[s.class_5a.pk])}">Дневники класса<' in nav
    assert login("teacher").get(f"/diary/classes/{s.class_5a.pk}/").status_code == 404
    assert login("guardian").get(f"/diary/classes/{s.class_5a.pk}/").status_code == 404
    assert login("deputy").get("/diary/activity/").status_code == 200
    assert login("deputy").get(f"/diary/classes/{s.class_5b.pk}/").status_code == 200
    assert login("other_school_admin").get(f"/diary/classes/{s.class_5a.pk}/").status_code == 404
