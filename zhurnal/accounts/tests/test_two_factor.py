"""Two-factor authentication: enrolment with a QR code, login with a TOTP code, recovery codes, the school's rule."""

import base64
import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken

from zhurnal.accounts import services
from zhurnal.accounts.codes import hash_recovery_code
from zhurnal.accounts.models import Authenticator, LoginEvent
from zhurnal.school.access import services as access_services
from zhurnal.school.testing import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def code_for(device: Authenticator, steps_ahead: int = 0) -> str:
    """What the phone shows now (or ``steps_ahead`` 30-second steps later)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead):06d}"


def password_step(client, username):
    return client.post(LOGIN, {"username": username, "password": PASSWORD})


def enrol(client) -> tuple[Authenticator, list[str]]:
    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    device = Authenticator.objects.get(confirmed=False)
    response = client.post(reverse("accounts:two_factor_setup"), {"token": code_for(device), "password": PASSWORD})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    return device, codes


def test_enrolment_confirms_device_and_shows_ten_recovery_codes_once(small_school, login):
    client = login("teacher")
    device, codes = enrol(client)
    device.refresh_from_db()
    assert device.confirmed
    assert len(codes) == 10 and len(set(codes)) == 10
    # Only keyed hashes are stored: the codes themselves exist only on the page shown once.
    stored = set(StaticToken.objects.filter(device__user=device.user).values_list("token", flat=True))
    assert stored == {hash_recovery_code(code) for code in codes} and not stored & set(codes)
    security = client.get(reverse("accounts:security")).content.decode()
    assert "включена" in security and codes[0] not in security


def test_wrong_enrolment_code_confirms_nothing(small_school, login):
    client = login("teacher")
    client.get(reverse("accounts:two_factor_setup"))
    device = Authenticator.objects.get()
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:two_factor_setup"), {"token": wrong})
    assert "Код не подошёл" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_login_with_totp_code_after_password(small_school, login):
    device, _ = enrol(login("teacher"))
    browser = Client()
    response = password_step(browser, "teacher")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login_verify")
    # The password alone does not log in.
    assert browser.get(reverse("school:my_groups")).status_code == 302
    response = browser.post(reverse("accounts:login_verify"), {"token": code_for(device, steps_ahead=1)})
    assert response.status_code == 302
    assert browser.get(reverse("school:my_groups")).status_code == 200
    assert LoginEvent.objects.filter(user=device.user, kind="two_factor", succeeded=True).exists()


def test_wrong_totp_code_is_refused_and_recorded(small_school, login):
    enrol(login("teacher"))
    browser = Client()
    password_step(browser, "teacher")
    response = browser.post(reverse("accounts:login_verify"), {"token": "000000"})
    assert response.status_code == 200
    assert "Код не подошёл" in response.content.decode()
    assert browser.get(reverse("school:my_groups")).status_code == 302
    assert LoginEvent.objects.filter(username="teacher", kind="two_factor", succeeded=False).count() == 1


def test_recovery_code_works_once(small_school, login):
    _, codes = enrol(login("teacher"))
    first = Client()
    password_step(first, "teacher")
    response = first.post(reverse("accounts:login_verify"), {"token": codes[0].upper()}, follow=True)
    assert "Осталось 9 резервных кодов" in response.content.decode()
    assert first.get(reverse("school:my_groups")).status_code == 200
    second = Client()
    password_step(second, "teacher")
    again = second.post(reverse("accounts:login_verify"), {"token": codes[0]})
    assert again.status_code == 200 and "Код не подошёл" in again.content.decode()
    assert second.get(reverse("school:my_groups")).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(small_school, login):
    client = login("teacher")
    _, old = enrol(client)
    refused = client.post(reverse("accounts:recovery_codes"), follow=True)
    assert "Введите текущий пароль" in refused.content.decode()
    response = client.post(reverse("accounts:recovery_codes"), {"password": PASSWORD})
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert not StaticToken.objects.filter(token__in=[hash_recovery_code(code) for code in old]).exists()


def test_too_many_wrong_codes_send_back_to_the_password(small_school, login):
    enrol(login("teacher"))
    browser = Client()
    password_step(browser, "teacher")
    for _ in range(5):
        response = browser.post(reverse("accounts:login_verify"), {"token": "000000"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert browser.get(reverse("accounts:login_verify")).status_code == 302


def test_school_requiring_2fa_sends_staff_to_enrolment_until_done(small_school):
    access_services.update_school_security(actor=small_school.users["admin"], school=small_school.school,
                                    require_staff_2fa=True)
    browser = Client()
    assert password_step(browser, "teacher").status_code == 302
    blocked = browser.get(reverse("school:my_groups"))
    assert blocked.status_code == 302 and blocked["Location"] == reverse("accounts:two_factor_setup")
    assert browser.get(reverse("accounts:security")).status_code == 302
    page = browser.get(reverse("accounts:two_factor_setup")).content.decode()
    assert "Школа требует от сотрудников двухфакторную аутентификацию" in page
    device = Authenticator.objects.get(user=small_school.users["teacher"])
    browser.post(reverse("accounts:two_factor_setup"), {"token": code_for(device), "password": PASSWORD})
    assert browser.get(reverse("school:my_groups")).status_code == 200
    # Staff cannot switch the requirement off for themselves.
    browser.post(reverse("accounts:two_factor_disable"), {"password": PASSWORD})
    assert Authenticator.objects.filter(user=small_school.users["teacher"], confirmed=True).exists()


def test_school_requirement_does_not_touch_families(small_school):
    access_services.update_school_security(actor=None, school=small_school.school, require_staff_2fa=True)
    browser = Client()
    password_step(browser, "guardian")
    assert browser.get(reverse("school:children")).status_code == 200


def test_only_the_administrator_changes_the_school_setting(small_school, login):
    url = reverse("school:school_security")
    assert login("director").post(url, {"require_staff_2fa": "on"}).status_code == 403
    assert login("admin").post(url, {"require_staff_2fa": "on"}).status_code == 302
    small_school.school.security.refresh_from_db()
    assert small_school.school.security.require_staff_2fa


def test_user_disables_his_2fa_with_his_password(small_school, login):
    client = login("teacher")
    enrol(client)
    client.post(reverse("accounts:two_factor_disable"), {"password": "wrong"})
    assert Authenticator.objects.filter(confirmed=True).exists()
    client.post(reverse("accounts:two_factor_disable"), {"password": PASSWORD})
    assert not Authenticator.objects.exists()
    assert password_step(Client(), "teacher")["Location"] == reverse("core:home")


def test_administrator_resets_a_lost_phone_and_ends_the_sessions(small_school, login):
    teacher = small_school.users["teacher"]
    services.start_totp_enrolment(user=teacher)
    device = Authenticator.objects.get(user=teacher)
    services.confirm_totp_device(user=teacher, device=device, token=code_for(device), password=PASSWORD)
    url = reverse("school:person_reset_2fa", args=[teacher.pk])
    assert login("director").post(url).status_code == 403
    assert login("admin").post(url).status_code == 302
    assert not Authenticator.objects.filter(user=teacher).exists()
    assert password_step(Client(), "teacher")["Location"] == reverse("core:home")


def test_login_that_skips_the_second_step_is_ended(small_school, client):
    """A user with a second factor logged in some other way (not through our two steps) is sent back to log in."""
    teacher = small_school.users["teacher"]
    services.start_totp_enrolment(user=teacher)
    device = Authenticator.objects.get(user=teacher)
    services.confirm_totp_device(user=teacher, device=device, token=code_for(device), password=PASSWORD)
    client.force_login(teacher)
    response = client.get(reverse("school:my_groups"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert client.get(reverse("school:my_groups")).status_code == 302


# --- re-authentication before the second factor changes -------------------------------------------------------------


def test_recovery_codes_are_not_renewed_without_the_password_or_a_code(small_school, login):
    client = login("teacher")
    device, old = enrol(client)
    for secret in ("", "wrong-password", "000000"):
        response = client.post(reverse("accounts:recovery_codes"), {"password": secret}, follow=True)
        assert "Введите текущий пароль" in response.content.decode()
    assert StaticToken.objects.filter(device__user=device.user).count() == 10
    assert services.regenerate_recovery_codes  # the service itself asks too:
    with pytest.raises(Exception, match="текущий пароль"):
        services.regenerate_recovery_codes(user=device.user, password="")
    response = client.post(reverse("accounts:recovery_codes"), {"password": code_for(device, steps_ahead=1)})
    assert len(re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())) == 10


def test_another_phone_is_not_connected_without_the_password_or_a_code(small_school, login):
    client = login("teacher")
    first, _ = enrol(client)
    client.get(reverse("accounts:two_factor_setup"))  # «Подключить другой телефон»
    second = Authenticator.objects.get(confirmed=False)
    response = client.post(reverse("accounts:two_factor_setup"), {"token": code_for(second)})
    assert "Введите текущий пароль" in response.content.decode()
    assert Authenticator.objects.get(confirmed=True) == first
    response = client.post(reverse("accounts:two_factor_setup"), {"token": code_for(second), "password": "nope"})
    assert Authenticator.objects.get(confirmed=True) == first
    # A code of the phone connected so far proves it is him.
    client.post(reverse("accounts:two_factor_setup"), {"token": code_for(second), "password": code_for(first, steps_ahead=1)})
    assert Authenticator.objects.get(confirmed=True) == second


def test_a_first_phone_is_connected_only_with_the_password(small_school, login):
    client = login("teacher")
    client.get(reverse("accounts:two_factor_setup"))
    device = Authenticator.objects.get()
    client.post(reverse("accounts:two_factor_setup"), {"token": code_for(device)})
    device.refresh_from_db()
    assert not device.confirmed


def test_recovery_codes_held_before_hashing_keep_working(small_school, login):
    """The data migration hashes the codes already stored; the ones people printed still open the login once."""
    import importlib

    from django.apps import apps

    client = login("teacher")
    device, codes = enrol(client)
    client.logout()
    plain = codes[0]
    StaticToken.objects.filter(token=hash_recovery_code(plain)).update(token=plain)  # as stored before
    migration = importlib.import_module("zhurnal.accounts.migrations.0004_recovery_code_hashes")
    migration.hash_recovery_codes(apps, None)
    assert not StaticToken.objects.filter(token=plain).exists()
    browser = Client()
    password_step(browser, "teacher")
    assert browser.post(reverse("accounts:login_verify"), {"token": plain}).status_code == 302
    assert browser.get(reverse("school:my_groups")).status_code == 200


# --- the authenticator's secret is sealed at rest -------------------------------------------------------------------


def test_the_authenticators_secret_is_not_stored_in_clear(small_school, login):
    client = login("teacher")
    device, _ = enrol(client)
    device.refresh_from_db()
    secret = device.bin_key
    assert len(secret) == 20
    stored = device.sealed_key
    assert secret.hex() not in stored and base64.b32encode(secret).decode() not in stored
    assert stored.startswith("gAAAA")  # a Fernet token


def test_phones_connected_before_sealing_keep_working(small_school):
    """The data migration seals every django-otp TOTP device; the phone's codes still open the login."""
    import importlib

    from django.apps import apps
    from django_otp.plugins.otp_totp.models import TOTPDevice

    teacher = small_school.users["teacher"]
    old = TOTPDevice.objects.create(user=teacher, name="Приложение-генератор кодов", confirmed=True)
    migration = importlib.import_module("zhurnal.accounts.migrations.0005_sealed_authenticators")
    migration.seal_totp_devices(apps, None)
    assert not TOTPDevice.objects.exists()
    device = Authenticator.objects.get(user=teacher, confirmed=True)
    assert device.bin_key == old.bin_key
    browser = Client()
    password_step(browser, "teacher")
    assert browser.post(reverse("accounts:login_verify"), {"token": code_for(device)}).status_code == 302
    assert browser.get(reverse("school:my_groups")).status_code == 200
