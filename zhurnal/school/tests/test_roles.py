"""Roles come from the school's data, per school; a person with roles in two schools switches between them."""

import pytest
from django.urls import reverse

from zhurnal.school.models import Guardian
from zhurnal.school.roles import Role, roles_in, schools_of
from zhurnal.school.services import link_guardian
from zhurnal.school.testing import make_guardian, make_student

pytestmark = pytest.mark.django_db


def test_class_teacher_who_also_teaches_holds_both_roles(small_school):
    roles = roles_in(small_school.users["class_teacher"], small_school.school)
    assert roles.has(Role.CLASS_TEACHER) and roles.has(Role.TEACHER)
    assert roles.led_class_ids == {small_school.class_5a.pk}
    assert roles_in(small_school.users["class_teacher"], small_school.other_school).roles == frozenset()


def test_teacher_who_is_a_parent_in_another_school_switches_between_them(small_school, login):
    teacher = small_school.users["teacher"]
    guardian = Guardian.objects.create(school=small_school.other_school, last_name="Учителева", first_name="Анна",
                                       user=teacher)
    link_guardian(actor=None, student=small_school.other_school_student, guardian=guardian)
    assert schools_of(teacher) == [small_school.school, small_school.other_school]
    assert roles_in(teacher, small_school.other_school).roles == {Role.GUARDIAN}

    client = login("teacher")
    page = client.get(reverse("school:my_groups")).content.decode()
    assert 'id="school-switch"' in page and "Школа № 2" in page
    assert client.get(reverse("school:children")).status_code == 403  # not a parent in school 1
    response = client.post(reverse("accounts:switch_school"), {"school": small_school.other_school.pk})
    assert response.status_code == 302
    children = client.get(reverse("school:children"))
    assert children.status_code == 200 and "Сидоров Иван" in children.content.decode()
    assert client.get(reverse("school:my_groups")).status_code == 403  # no workload in school 2


def test_switching_to_a_school_without_a_role_is_refused(small_school, login):
    client = login("teacher")
    assert client.post(reverse("accounts:switch_school"), {"school": small_school.other_school.pk}).status_code == 404
    assert client.post(reverse("accounts:switch_school"), {"school": "x"}).status_code == 404


def test_parent_with_children_in_two_classes_sees_both_and_only_them(small_school, login):
    sister = make_student(small_school.class_5b, "Иванова", first_name="Ольга", gender="f")
    guardian = Guardian.objects.get(user=small_school.users["guardian"])
    link_guardian(actor=None, student=sister, guardian=guardian)
    make_guardian(small_school.students["other_student"], last_name="Петрова")
    page = login("guardian").get(reverse("school:children")).content.decode()
    assert "Иванов Иван" in page and "Иванова Ольга" in page
    assert "Петров Иван" not in page
    assert login("guardian").get(reverse("school:student_detail", args=[sister.pk])).status_code == 200
    other = small_school.students["other_student"]
    assert login("guardian").get(reverse("school:student_detail", args=[other.pk])).status_code == 404
