"""A school manages only the logins wholly its own: a login that also holds a role in another school (or in the
education department) is the regional operator's — its second factor, codes and history are out of reach."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice

from zhurnal.accounts import services as login_services
from zhurnal.accounts.models import ActivationCode, Authenticator
from zhurnal.accounts.permissions import login_schools, school_manages_login
from zhurnal.audit.models import AuditEntry
from zhurnal.core import stamps
from zhurnal.school.access import services
from zhurnal.school.models import Guardian
from zhurnal.school.testing import make_guardian

pytestmark = pytest.mark.django_db


@pytest.fixture
def director_is_a_parent_in_school_two(small_school):
    """School № 1's director is also the parent of a pupil of school № 2 (one login, roles in two schools)."""
    director = small_school.users["director"]
    guardian = make_guardian(small_school.other_school_student, last_name="Директорова")
    Guardian.objects.filter(pk=guardian.pk).update(user=director)
    stamps.bump(small_school.other_school.pk)
    guardian.refresh_from_db()
    Authenticator.objects.create(user=director, name="app", confirmed=True)
    StaticDevice.objects.create(user=director, name="codes", confirmed=True)
    return guardian


def test_the_predicate_wants_every_role_in_the_school(small_school, director_is_a_parent_in_school_two):
    director = small_school.users["director"]
    assert login_schools(director) == {small_school.school.pk, small_school.other_school.pk}
    assert not school_manages_login(small_school.other_school, director)
    assert not school_manages_login(small_school.school, director)
    assert school_manages_login(small_school.school, small_school.users["teacher"])
    assert not school_manages_login(small_school.other_school, small_school.users["teacher"])


def test_other_school_cannot_reset_the_second_factor_of_a_shared_login(
        small_school, director_is_a_parent_in_school_two, client):
    director = small_school.users["director"]
    client.force_login(small_school.users["other_school_admin"])
    response = client.post(reverse("school:person_reset_2fa", args=[director.pk]), follow=True)
    assert response.status_code == 200
    assert "только оператор регионального электронного журнала" in response.content.decode()
    assert Authenticator.objects.filter(user=director, confirmed=True).exists()
    assert StaticDevice.objects.filter(user=director).exists()
    with pytest.raises(ValidationError, match="оператор регионального"):
        login_services.disable_two_factor(actor=small_school.users["other_school_admin"], user=director,
                                          school=small_school.other_school)
    assert Authenticator.objects.filter(user=director).exists()


def test_other_school_cannot_issue_an_activation_code_for_a_shared_login(
        small_school, director_is_a_parent_in_school_two):
    with pytest.raises(ValidationError, match="оператор регионального"):
        services.issue_activation_codes(actor=small_school.users["other_school_admin"],
                                        school=small_school.other_school, people=[director_is_a_parent_in_school_two])
    # Nor his own school: the login is no longer wholly school № 1's.
    with pytest.raises(ValidationError, match="оператор регионального"):
        services.issue_activation_codes(actor=small_school.users["admin"], school=small_school.school,
                                        people=[small_school.staff["director"]])
    assert not ActivationCode.objects.filter(user=small_school.users["director"]).exists()


def test_other_school_does_not_read_the_login_history_of_a_shared_login(
        small_school, director_is_a_parent_in_school_two, client):
    director = small_school.users["director"]
    login_services.record_login_event(user=director, username=director.username, kind="password", succeeded=True,
                                      address="203.0.113.77", user_agent="Firefox/140")
    client.force_login(small_school.users["other_school_admin"])
    page = client.get(reverse("school:person", args=[director.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "203.0.113.77" not in html
    assert "оператор регионального электронного журнала" in html
    assert "Сбросить двухфакторную" not in html


def test_a_change_to_a_login_is_in_the_log_of_every_school_it_belongs_to(
        small_school, director_is_a_parent_in_school_two):
    director = small_school.users["director"]
    login_services.change_password(user=director, new_password="Очень-длинный-пароль-42")
    schools = set(AuditEntry.objects.filter(verb="password.change", target_id=str(director.pk))
                  .values_list("school_id", flat=True))
    assert schools == {small_school.school.pk, small_school.other_school.pk}


def test_the_school_still_manages_its_own_people(small_school, client):
    teacher = small_school.users["teacher"]
    Authenticator.objects.create(user=teacher, name="app", confirmed=True)
    [issued] = services.issue_activation_codes(actor=small_school.users["admin"], school=small_school.school,
                                               people=[small_school.staff["teacher"]])
    assert issued.user == teacher
    assert AuditEntry.objects.filter(verb="activation_code.issue", school=small_school.school).exists()
    client.force_login(small_school.users["admin"])
    client.post(reverse("school:person_reset_2fa", args=[teacher.pk]))
    assert not Authenticator.objects.filter(user=teacher).exists()
    assert AuditEntry.objects.filter(verb="two_factor.reset", school=small_school.school,
                                     target_id=str(teacher.pk)).exists()
