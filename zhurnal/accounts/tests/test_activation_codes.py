"""Activation codes: issued by the school, one-time, expiring, revoked by a reissue; printed slips and lists."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from zhurnal.accounts import codes, services
from zhurnal.accounts.models import ActivationCode, LoginEvent, User
from zhurnal.audit.models import AuditEntry
from zhurnal.school.access import services as access_services
from zhurnal.school.models import Guardian, Position, Student
from zhurnal.school.testing import make_guardian, make_staff, make_student

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Солнце-над-рекой-7"


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def family_without_login(school, last_name="Кузнецов"):
    student = make_student(school.class_5a, last_name, first_name="Пётр")
    guardian = make_guardian(student, last_name=last_name)
    return student, guardian


def activate(client, username, code, password=NEW_PASSWORD, password2=None, **extra):
    return client.post(reverse("accounts:activate"), {
        "username": username, "code": code, "password1": password, "password2": password2 or password}, **extra)


def test_login_is_transliterated_surname_with_initials_and_unique():
    assert codes.login_base("Иванов", "Пётр", "Сергеевич") == "ivanov.ps"
    assert codes.login_base("Щукина", "Юлия", "") == "shchukina.y"
    assert codes.login_base("Ёлкин-Хорошев", "Ян", "Эдуардович") == "elkinkhoroshev.ye"
    User.objects.create_user("ivanov.ps")
    User.objects.create_user("ivanov.ps2")
    assert services.unique_login("ivanov.ps") == "ivanov.ps3"


def test_latin_transliterates_for_mail_addresses_keeping_spaces():
    assert codes.latin("Щербакова") == "shcherbakova"
    assert codes.latin("Фёдор Юрьевич") == "fedor yurevich"


def test_typed_code_is_normalised_from_any_case_dashes_and_cyrillic_lookalikes():
    assert codes.normalize_code(" abcde-fgh2k ") == "ABCDEFGH2K"
    assert codes.normalize_code("АВСЕК МНРТХ") == "ABCEKMHPTX"  # typed on a Russian layout
    assert codes.hash_code("abcde-fgh2k") == codes.hash_code("ABCDEFGH2K")


def test_issuing_creates_a_login_without_password_and_links_it_to_the_person(small_school):
    student, guardian = family_without_login(small_school)
    teacher = small_school.users["class_teacher"]
    issued = access_services.issue_activation_codes(actor=teacher, school=small_school.school, people=[student, guardian])
    student.refresh_from_db()
    guardian.refresh_from_db()
    assert student.user.username == "kuznetsov.ps"
    assert guardian.user.username == "kuznetsov.mi"
    assert not student.user.has_usable_password()
    assert [i.user for i in issued] == [student.user, guardian.user]
    stored = ActivationCode.objects.get(user=student.user)
    assert stored.code_hash != issued[0].code and issued[0].code not in stored.code_hash  # only a keyed hash
    assert stored.issued_by == teacher
    assert stored.expires_at.date() == (timezone.now() + dt.timedelta(days=30)).date()
    assert AuditEntry.objects.filter(verb="activation_code.issue", actor=teacher).count() == 2
    assert AuditEntry.objects.filter(verb="login.create").count() == 2


def test_guardian_activates_with_code_sets_password_and_sees_only_his_child(small_school, client):
    student, guardian = family_without_login(small_school)
    [issued] = access_services.issue_activation_codes(actor=small_school.users["class_teacher"], school=small_school.school,
                                               people=[guardian])
    response = activate(client, issued.user.username, issued.printed_code.lower())
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    children = client.get(reverse("school:children"))
    assert children.status_code == 200
    assert "Кузнецов Пётр" in children.content.decode()
    assert "Иванов Иван" not in children.content.decode()
    other_child = small_school.students["other_student"]
    assert client.get(reverse("school:student_detail", args=[other_child.pk])).status_code == 404
    user = User.objects.get(pk=issued.user.pk)
    assert user.check_password(NEW_PASSWORD)
    assert ActivationCode.objects.get(user=user).used_at is not None
    assert LoginEvent.objects.filter(user=user, succeeded=True, kind="activation").exists()


def test_used_code_cannot_be_used_again(small_school, client):
    student, _ = family_without_login(small_school)
    [issued] = access_services.issue_activation_codes(actor=None, school=small_school.school, people=[student])
    assert activate(client, issued.user.username, issued.code).status_code == 302
    client.logout()
    response = activate(client, issued.user.username, issued.code, password="Другой-пароль-2026")
    assert response.status_code == 200
    assert "уже использован" in response.content.decode()
    assert User.objects.get(pk=issued.user.pk).check_password(NEW_PASSWORD)


def test_old_code_stops_working_after_reissue(small_school, client):
    student, _ = family_without_login(small_school)
    [first] = access_services.issue_activation_codes(actor=None, school=small_school.school, people=[student])
    [second] = access_services.issue_activation_codes(actor=None, school=small_school.school, people=[student])
    response = activate(client, first.user.username, first.code)
    assert response.status_code == 200
    assert "вместо него выдан новый" in response.content.decode()
    assert not User.objects.get(pk=first.user.pk).has_usable_password()
    assert activate(client, second.user.username, second.code).status_code == 302


def test_expired_code_is_refused_with_its_date(small_school, client):
    student, _ = family_without_login(small_school)
    [issued] = access_services.issue_activation_codes(actor=None, school=small_school.school, people=[student])
    ActivationCode.objects.filter(user=issued.user).update(
        issued_at=timezone.now() - dt.timedelta(days=31), expires_at=timezone.now() - dt.timedelta(days=1))
    response = activate(client, issued.user.username, issued.code)
    assert response.status_code == 200
    assert "Срок действия кода истёк" in response.content.decode()
    assert not User.objects.get(pk=issued.user.pk).has_usable_password()


def test_wrong_code_and_weak_password_change_nothing(small_school, client):
    student, _ = family_without_login(small_school)
    [issued] = access_services.issue_activation_codes(actor=None, school=small_school.school, people=[student])
    wrong = activate(client, issued.user.username, "AAAAA-AAAAA").content.decode()
    assert "Неверный логин или код активации" in wrong
    weak = activate(client, issued.user.username, issued.code, password="12345678").content.decode()
    assert "слишком" in weak.lower() or "распространённый" in weak.lower()
    mismatch = activate(client, issued.user.username, issued.code, password2="Другой-пароль-2026").content.decode()
    assert "Пароли не совпадают" in mismatch
    assert ActivationCode.objects.get(user=issued.user).used_at is None
    assert not User.objects.get(pk=issued.user.pk).has_usable_password()


def test_reissue_for_a_lost_password_keeps_login_and_replaces_password(small_school, client):
    student = small_school.students["student"]
    [issued] = access_services.issue_activation_codes(actor=small_school.users["admin"], school=small_school.school,
                                               people=[student])
    assert issued.user.username == "student"
    assert activate(client, "student", issued.code).status_code == 302
    assert User.objects.get(username="student").check_password(NEW_PASSWORD)


def test_class_teacher_cannot_issue_for_another_class_student(small_school, login):
    other = small_school.students["other_student"]
    with pytest.raises(PermissionDenied):
        access_services.issue_activation_codes(actor=small_school.users["class_teacher"], school=small_school.school,
                                        people=[other])
    client = login("class_teacher")
    own_class_url = reverse("school:class_issue", args=[small_school.class_5a.pk])
    forged = client.post(own_class_url, {"scope": "selected", "people": [f"student-{other.pk}"]})
    assert forged.status_code == 404
    other_class_url = reverse("school:class_issue", args=[small_school.class_5b.pk])
    assert client.post(other_class_url, {"scope": "all"}).status_code == 404
    assert not ActivationCode.objects.exists()


def test_class_teacher_cannot_reset_a_colleagues_login_through_the_family_link(small_school):
    """A teacher who is also a parent in the class: only the administrator may reissue his code."""
    colleague = make_staff(small_school.school, "Коллегова", [Position.TEACHER], username="colleague")
    guardian = Guardian.objects.create(school=small_school.school, last_name="Коллегова", first_name="Анна",
                                       user=colleague.user)
    from zhurnal.school.services import link_guardian

    link_guardian(actor=None, student=small_school.students["student"], guardian=guardian)
    with pytest.raises(PermissionDenied):
        access_services.issue_activation_codes(actor=small_school.users["class_teacher"], school=small_school.school,
                                        people=[guardian])
    access_services.issue_activation_codes(actor=small_school.users["admin"], school=small_school.school, people=[guardian])


def test_teacher_and_director_may_not_issue(small_school, login):
    url = reverse("school:class_issue", args=[small_school.class_5a.pk])
    assert login("teacher").post(url, {"scope": "all"}).status_code == 404
    assert login("director").post(url, {"scope": "all"}).status_code == 403
    assert login("director").get(reverse("school:class_access", args=[small_school.class_5a.pk])).status_code == 200
    assert login("class_teacher").post(reverse("school:staff_issue"), {"scope": "all"}).status_code == 403
    assert not ActivationCode.objects.exists()


def test_class_teacher_downloads_slips_pdf_with_name_login_and_code_in_one_click(small_school, login, settings):
    settings.ALLOWED_HOSTS = ["school1.example.ru"]
    student, guardian = family_without_login(small_school)
    response = login("class_teacher").post(
        reverse("school:class_issue", args=[small_school.class_5a.pk]), {"scope": "all", "format": "slips"},
        HTTP_HOST="school1.example.ru")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "no-store"
    text = pdf_text(response.content)
    student.refresh_from_db()
    guardian.refresh_from_db()
    for person in (student, guardian):
        assert person.full_name in text
        assert person.user.username in text
    assert "http://school1.example.ru/accounts/activate/" in text
    assert "Кузнецов П.С., 5А" in text  # whose guardian the slip is for
    # Only people without a working login got codes: the activated student and guardian personas did not.
    assert "Иванов Иван" not in text
    logins = [line.split()[-1] for line in text.splitlines() if line.startswith("Логин ")]
    printed = [line.split()[-1] for line in text.splitlines() if line.startswith("Код активации ")]
    slips = dict(zip(logins, printed, strict=True))
    assert len(slips) == 4  # the two unnamed 5А students without logins, and the Кузнецов family
    for user in (student.user, guardian.user):
        assert services.find_activation_code(user, slips[user.username]).is_active()


def test_code_list_as_pdf_and_xlsx(small_school, login):
    student, _ = family_without_login(small_school)
    client = login("admin")
    url = reverse("school:class_issue", args=[small_school.class_5a.pk])
    listed = client.post(url, {"scope": "selected", "people": [f"student-{student.pk}"], "format": "list_pdf"})
    text = pdf_text(listed.content)
    assert "Подпись в" in text and "kuznetsov.ps" in text
    sheet = client.post(url, {"scope": "selected", "people": [f"student-{student.pk}"], "format": "list_xlsx"})
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    header = rows.index(("№", "ФИО", "Кто", "Логин", "Код активации", "Действует до", "Подпись в получении"))
    number, name, role, username, code, _, _ = rows[header + 1]
    assert (number, name, username) == (1, "Кузнецов Пётр Сергеевич", "kuznetsov.ps")
    student.refresh_from_db()
    assert services.find_activation_code(student.user, code).is_active()  # the list's code is the live one
    assert ActivationCode.objects.filter(user=student.user, revoked_at__isnull=False).count() == 1


def test_nobody_chosen_issues_nothing(small_school, login):
    client = login("class_teacher")
    url = reverse("school:class_issue", args=[small_school.class_5a.pk])
    response = client.post(url, {"scope": "selected"}, follow=True)
    assert "никто не отмечен" in response.content.decode()
    assert not ActivationCode.objects.exists()


def test_guardian_who_chose_paper_is_left_out_of_the_bulk_issue(small_school, login):
    student, guardian = family_without_login(small_school)
    link = guardian.links.get()
    from zhurnal.school.services import link_guardian

    link_guardian(actor=None, student=student, guardian=guardian, info_channel="paper")
    login("class_teacher").post(reverse("school:class_issue", args=[small_school.class_5a.pk]),
                                {"scope": "all", "format": "list_pdf"})
    guardian.refresh_from_db()
    assert guardian.user is None
    assert Student.objects.get(pk=student.pk).user is not None
    assert link.pk


def test_staff_slips_for_the_administrator(small_school, login):
    newcomer = make_staff(small_school.school, "Новикова", [Position.TEACHER], username=False, first_name="Ольга",
                          patronymic="Игоревна")
    response = login("admin").post(reverse("school:staff_issue"), {"scope": "all", "format": "slips"})
    text = pdf_text(response.content)
    assert "Новикова Ольга Игоревна" in text and "novikova.oi" in text and "учитель" in text
    with pytest.raises(ValidationError):
        access_services.create_login(actor=None, person=small_school.staff["teacher"])  # already has one
    newcomer.refresh_from_db()
    assert newcomer.user.username == "novikova.oi"


def test_slips_come_four_to_a_page_even_with_long_names(small_school):
    from zhurnal.school.access import slips

    people = [make_student(small_school.class_5a, f"Константинопольская-Щербакова{n}", first_name="Александра")
              for n in range(5)]
    issued = access_services.issue_activation_codes(actor=None, school=small_school.school, people=people)
    made = slips.make_slips(issued, {f"student-{p.pk}": "обучающийся 5А класса" for p in people},
                            "http://school.example/accounts/activate/")
    pdf = slips.slips_pdf(school=small_school.school, title="5А", slips=made,
                          activation_url="http://school.example/accounts/activate/",
                          login_url="http://school.example/accounts/login/")
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 2
    assert pages[0].extract_text().count("Код активации") == 4


def test_parent_of_two_children_in_the_class_gets_one_slip_naming_both(small_school, login):
    older = make_student(small_school.class_5a, "Кузнецов", first_name="Пётр")
    parent = make_guardian(older, last_name="Кузнецова")
    younger = make_student(small_school.class_5a, "Кузнецова", first_name="Анна", gender="f")
    from zhurnal.school.services import link_guardian

    link_guardian(actor=None, student=younger, guardian=parent, relation="мать")
    client = login("class_teacher")
    page = client.get(reverse("school:class_access", args=[small_school.class_5a.pk])).content.decode()
    assert "всем, кто ещё не входил (5)" in page  # two unnamed pupils, two children, one parent
    response = client.post(reverse("school:class_issue", args=[small_school.class_5a.pk]),
                           {"scope": "selected", "people": [f"guardian-{parent.pk}", f"guardian-{parent.pk}"],
                            "format": "list_pdf"})
    text = " ".join(pdf_text(response.content).split())
    assert text.count("kuznetsova.mi") == 1
    assert "Кузнецов П.С., 5А" in text and "Кузнецова А.С., 5А" in text
    assert ActivationCode.objects.filter(user__username="kuznetsova.mi").count() == 1
