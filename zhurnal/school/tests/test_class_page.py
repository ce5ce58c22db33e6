"""The class page: the class teacher sees each pupil's guardians with phone and e-mail and opens the diary."""

import pytest
from django.urls import reverse

from zhurnal.school import services

pytestmark = pytest.mark.django_db


def test_the_class_teacher_sees_guardians_contacts_and_diary_links(small_school, login):
    s = small_school
    student = s.students["student"]
    guardian = student.guardian_links.get().guardian
    services.save_guardian(actor=None, school=s.school, guardian=guardian, last_name=guardian.last_name,
                           first_name=guardian.first_name, patronymic=guardian.patronymic,
                           phone="+7 915 123-45-67", email="mama@mail.example")
    url = reverse("school:class_detail", args=[s.class_5a.pk])
    html = login("class_teacher").get(url).content.decode()
    assert 'href="tel:+7 915 123-45-67"' in html and 'href="mailto:mama@mail.example"' in html
    assert reverse("diary:week", args=[student.pk]) in html
    assert login("class_teacher").get(reverse("diary:week", args=[student.pk])).status_code == 200
    # Another class's teacher reads the class list, not the families' contacts.
    other = login("other_teacher").get(url)
    if other.status_code == 200:
        assert "mama@mail.example" not in other.content.decode()
