"""Logging in: throttling per login (growing cool-offs) and against mass guessing per address, with automatic
release; login history, sessions."""

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessAttemptExpiration
from django.conf import settings
from django.db.models import F
from django.test import Client, override_settings
from django.urls import reverse

from zhurnal.accounts import services
from zhurnal.accounts.models import LoginEvent
from zhurnal.school.testing import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def attempt(client, username, password, address="127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address,
                       HTTP_USER_AGENT=CHROME)


def age_failed_attempts(minutes: float) -> None:
    """Let time pass for the lockout: the failures are now ``minutes`` older."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=minutes))
    AccessAttemptExpiration.objects.update(expires_at=F("expires_at") - dt.timedelta(minutes=minutes))


def test_login_with_password_lands_on_start_page_and_is_recorded(small_school, client):
    response = attempt(client, "teacher", PASSWORD, address="10.1.2.3")
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 302
    event = LoginEvent.objects.get(user=small_school.users["teacher"], succeeded=True)
    assert (event.kind, event.address, event.user_agent) == ("password", "10.1.2.3", CHROME)


def test_lockout_engages_after_five_failures_with_a_russian_message(small_school, client):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        response = attempt(client, "teacher", "wrong")
        assert response.status_code == 200
        assert "Неверный логин или пароль" in response.content.decode()
    fifth = attempt(client, "teacher", "wrong")
    assert fifth.status_code == 429
    page = fifth.content.decode()
    assert "Слишком много неудачных попыток входа" in page and "на 5 минут" in page
    assert 'id="id_username"' in page  # the login page itself, not a bare error text
    # Even the right password is refused while locked out — and from another address too (per login).
    assert attempt(client, "teacher", PASSWORD).status_code == 429
    assert attempt(Client(), "teacher", PASSWORD, address="10.9.9.9").status_code == 429
    failures = LoginEvent.objects.filter(username="teacher", succeeded=False)
    assert failures.count() == 7
    # The fifth failure locks the login and is recorded as the lockout, like the two attempts after it.
    assert failures.filter(reason__startswith="вход временно заблокирован").count() == 3


@override_settings(ZHURNAL_ADDRESS_FAILURE_LIMIT=5)
def test_lockout_per_address_stops_guessing_many_logins(small_school):
    guesser = Client()
    for name in ("admin", "director", "deputy", "teacher", "student"):
        attempt(guesser, name, "wrong", address="10.6.6.6")
    refused = attempt(guesser, "guardian", PASSWORD, address="10.6.6.6")
    assert refused.status_code == 429
    assert "С этого адреса было слишком много неудачных попыток" in refused.content.decode()
    assert attempt(Client(), "guardian", PASSWORD, address="10.7.7.7").status_code == 302


def test_a_school_behind_one_address_is_not_locked_by_a_few_typos(small_school):
    """Five people mistyping from the school's one NAT address lock nobody else out."""
    for name in ("admin", "director", "deputy", "teacher", "student"):
        attempt(Client(), name, "wrong", address="10.6.6.6")
    assert attempt(Client(), "guardian", PASSWORD, address="10.6.6.6").status_code == 302


def test_failed_attempts_survive_another_logins_success_from_the_same_address(small_school):
    """Someone with an account cannot wipe his guesses at another login by logging into his own."""
    guesser = Client()
    for _ in range(4):
        assert attempt(guesser, "director", "wrong", address="10.6.6.6").status_code == 200
    assert attempt(guesser, "guardian", PASSWORD, address="10.6.6.6").status_code == 302
    guesser.logout()
    assert attempt(guesser, "director", "wrong", address="10.6.6.6").status_code == 429
    assert attempt(Client(), "director", PASSWORD, address="10.7.7.7").status_code == 429


def test_the_owners_success_elsewhere_does_not_wipe_a_guessers_failures(small_school):
    for _ in range(3):
        attempt(Client(), "director", "wrong", address="10.6.6.6")
    assert attempt(Client(), "director", PASSWORD, address="10.1.1.1").status_code == 302
    attempt(Client(), "director", "wrong", address="10.6.6.6")
    assert attempt(Client(), "director", "wrong", address="10.6.6.6").status_code == 429


def test_each_further_lock_lasts_longer(small_school, client):
    for _ in range(5):
        attempt(client, "teacher", "wrong")
    age_failed_attempts(5.1)  # the first lock: 5 minutes
    assert attempt(client, "teacher", "wrong").status_code == 200
    for _ in range(4):
        response = attempt(client, "teacher", "wrong")
    assert response.status_code == 429 and "на 10 минут" in response.content.decode()
    age_failed_attempts(5.1)
    assert attempt(client, "teacher", PASSWORD).status_code == 429  # the second lock: 10 minutes
    age_failed_attempts(5)
    assert attempt(client, "teacher", PASSWORD).status_code == 302


def test_lockout_releases_by_itself_after_the_cool_off(small_school, client):
    for _ in range(5):
        attempt(client, "teacher", "wrong")
    age_failed_attempts(4)
    assert attempt(client, "teacher", PASSWORD).status_code == 429
    age_failed_attempts(1.1)  # 5 minutes and a few seconds since the lockout
    assert attempt(client, "teacher", PASSWORD).status_code == 302


def test_success_resets_the_failure_count(small_school, client):
    for _ in range(4):
        attempt(client, "teacher", "wrong")
    assert attempt(client, "teacher", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "teacher", "wrong").status_code == 200
    assert attempt(client, "teacher", PASSWORD).status_code == 302


def test_wrong_activation_codes_count_towards_the_same_lockout(small_school, client):
    for _ in range(5):
        response = client.post(reverse("accounts:activate"), {
            "username": "student", "code": "AAAAA-BBBBB", "password1": "x", "password2": "x"})
    assert response.status_code == 429
    assert "Слишком много неудачных попыток" in response.content.decode()
    assert 'id="id_code"' in response.content.decode()
    assert attempt(client, "student", PASSWORD).status_code == 429


def test_failed_attempts_never_store_what_was_typed_into_secret_fields(small_school, client):
    attempt(client, "teacher", "my-Secret-pass-1")
    client.post(reverse("accounts:activate"), {"username": "student", "code": "QWERT-YUPAS",
                                                "password1": "Tайный-пароль-77", "password2": "Tайный-пароль-77"})
    stored = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert "username" in stored  # the records are there…
    for secret in ("my-Secret-pass-1", "QWERT-YUPAS", "Tайный-пароль-77"):
        assert secret not in stored  # …without the secrets


def test_force_login_in_tests_is_not_affected_by_the_lockout(small_school, client):
    for _ in range(5):
        attempt(Client(), "teacher", "wrong")
    client.force_login(small_school.users["teacher"])
    assert client.get(reverse("school:my_groups")).status_code == 200


def test_logout_everywhere_ends_other_sessions_and_keeps_this_one(small_school):
    phone, school_pc = Client(), Client()
    assert attempt(phone, "class_teacher", PASSWORD).status_code == 302
    assert attempt(school_pc, "class_teacher", PASSWORD).status_code == 302
    assert school_pc.get(reverse("accounts:security")).status_code == 200
    response = phone.post(reverse("accounts:end_sessions"))
    assert response.status_code == 302
    assert phone.get(reverse("accounts:security")).status_code == 200
    gone = school_pc.get(reverse("accounts:security"))
    assert gone.status_code == 302 and gone["Location"].startswith(reverse("accounts:login"))


def test_password_change_ends_other_sessions(small_school):
    phone, school_pc = Client(), Client()
    attempt(phone, "teacher", PASSWORD)
    attempt(school_pc, "teacher", PASSWORD)
    new = "Новый-пароль-2026"
    response = phone.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert phone.get(reverse("accounts:security")).status_code == 200
    assert school_pc.get(reverse("accounts:security")).status_code == 302
    assert attempt(Client(), "teacher", new).status_code == 302


def test_password_change_refuses_weak_or_wrong_passwords(small_school, login):
    client = login("teacher")
    wrong_old = client.post(reverse("accounts:password_change"), {
        "old_password": "nope", "new_password1": "Новый-пароль-2026", "new_password2": "Новый-пароль-2026"})
    assert "Текущий пароль введён неверно" in wrong_old.content.decode()
    weak = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200 and "errorlist" in weak.content.decode()
    small_school.users["teacher"].refresh_from_db()
    assert small_school.users["teacher"].check_password(PASSWORD)


def test_session_cookie_expires(small_school, client):
    attempt(client, "teacher", PASSWORD)
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert client.session.get_expire_at_browser_close()


def test_user_sees_his_own_login_history_with_device(small_school, client):
    attempt(client, "teacher", "wrong", address="10.0.0.8")
    attempt(client, "teacher", PASSWORD, address="10.0.0.8")
    attempt(Client(), "deputy", PASSWORD, address="10.0.0.9")
    page = client.get(reverse("accounts:security")).content.decode()
    assert "10.0.0.8" in page and "Chrome, Windows" in page
    assert "неверный логин или пароль" in page
    assert "10.0.0.9" not in page


def test_administrator_sees_anyones_history_in_his_school_and_nobody_elses(small_school, login):
    attempt(Client(), "guardian", PASSWORD, address="10.0.0.44")
    guardian = small_school.users["guardian"]
    assert "10.0.0.44" in login("admin").get(reverse("school:person", args=[guardian.pk])).content.decode()
    assert login("class_teacher").get(reverse("school:person", args=[guardian.pk])).status_code == 200
    assert login("other_teacher").get(reverse("school:person", args=[guardian.pk])).status_code == 404
    assert login("other_school_admin").get(reverse("school:person", args=[guardian.pk])).status_code == 404
    other_guardian = small_school.users["other_guardian"]
    assert login("class_teacher").get(reverse("school:person", args=[other_guardian.pk])).status_code == 404


def test_login_event_service_refuses_unknown_kinds(small_school):
    with pytest.raises(ValueError, match="unknown login kind"):
        services.record_login_event(user=None, username="x", kind="telepathy", succeeded=True)
