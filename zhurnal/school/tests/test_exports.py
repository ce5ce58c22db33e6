"""Exports of class lists, staff and guardians: the import formats, so export → import round-trips."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from zhurnal.school import exports, imports, services
from zhurnal.school.models import Enrollment, Guardian, GuardianLink, Movement, StaffMember, Student
from zhurnal.school.testing import make_class, make_guardian, make_school, make_student, make_year

pytestmark = pytest.mark.django_db


def download(client, kind, file_format, **params):
    response = client.get(reverse("school:export_download", args=[kind, file_format]), params)
    assert response.status_code == 200, response.status_code
    return response


def read_xlsx(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def import_into(school, year, kind, content, filename):
    plan = imports.prepare(kind=kind, data=content, filename=filename, school=school,
                           options=imports.Options(year=year))
    assert plan.ok, [(e.row, e.column, e.message) for e in plan.errors]
    return imports.apply_import(actor=None, plan=plan)


def people(students):
    return sorted((s.last_name, s.first_name, s.patronymic, s.birth_date, s.gender) for s in students)


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_class_list_and_guardians_round_trip_into_another_school(small_school, login, file_format):
    s = small_school
    kid = s.students["student"]
    services.save_student(actor=None, school=s.school, student=kid, address="г. Тула, ул. Мира, д. 5",
                          snils="112-233-445 95", phone="+7 900 000-00-01", email="kid@example.ru",
                          document="свидетельство о рождении II-БО № 123456")
    make_guardian(kid, "Иванова", relation="мать")
    client = login("admin")
    students = download(client, "students", file_format, **{"class": s.class_5a.pk}).content
    guardians = download(client, "guardians", file_format, **{"class": s.class_5a.pk}).content

    import_into(s.other_school, s.other_year, imports.STUDENTS, students, f"5a.{file_format}")
    import_into(s.other_school, s.other_year, imports.GUARDIANS, guardians, f"g.{file_format}")

    source = Student.objects.filter(enrollments__school_class=s.class_5a)
    copied = Student.objects.filter(enrollments__school_class=s.other_class).exclude(last_name="Сидоров")
    assert people(copied) == people(source)
    copy = copied.get(last_name=kid.last_name, first_name=kid.first_name, birth_date=kid.birth_date)
    assert (copy.address, copy.snils, copy.phone, copy.email, copy.document) == (
        "г. Тула, ул. Мира, д. 5", "112-233-445 95", "+7 900 000-00-01", "kid@example.ru",
        "свидетельство о рождении II-БО № 123456")
    assert Movement.objects.get(student=copy).order_number == Movement.objects.get(student=kid).order_number
    assert Enrollment.objects.get(student=copy).start == s.year.start
    source_links = sorted((link.guardian.full_name, link.student.full_name, link.relation)
                          for link in GuardianLink.objects.filter(student__in=source).select_related("guardian",
                                                                                                      "student"))
    copied_links = sorted((link.guardian.full_name, link.student.full_name, link.relation)
                          for link in GuardianLink.objects.filter(student__in=copied).select_related("guardian",
                                                                                                      "student"))
    assert copied_links == source_links and len(source_links) == 2


def test_staff_round_trip_into_a_new_school(small_school, login):
    client = login("director")
    content = download(client, "staff", "xlsx").content
    school = make_school("Школа № 3", slug="school-3")
    import_into(school, None, imports.STAFF, content, "staff.xlsx")

    def staff_of(target):
        return sorted((m.full_name, tuple(sorted(m.positions.values_list("position", flat=True))))
                      for m in StaffMember.objects.filter(school=target, is_active=True))

    assert staff_of(school) == staff_of(small_school.school)


def test_xlsx_export_has_real_dates_and_the_import_headers(small_school, login):
    client = login("admin")
    response = download(client, "students", "xlsx", **{"class": small_school.class_5a.pk, "on": "2026-11-22"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "22.11.2026" in response["Content-Disposition"]
    header, *rows = read_xlsx(response.content)
    assert list(header) == [c.title for c in imports.STUDENT_FORMAT.columns]
    assert len(rows) == 3
    assert all(isinstance(row[3], dt.datetime) for row in rows)
    assert {row[5] for row in rows} == {"5А"}


def test_class_list_on_a_date_follows_movement(small_school, login):
    s = small_school
    kid = s.students["student"]
    services.transfer_student(actor=None, student=kid, to_class=s.class_5b, date=dt.date(2026, 11, 10),
                              order_number="15-у")
    client = login("admin")

    def names(on, school_class):
        rows = read_csv(download(client, "students", "csv", **{"class": school_class.pk, "on": on}).content)[1:]
        return {(r[0], r[5], r[6], r[7]) for r in rows}

    assert ("Иванов", "5А", "01.09.2026", Movement.objects.get(student=kid, kind="arrival").order_number) in names(
        "2026-11-09", s.class_5a)
    assert ("Иванов", "5Б", "10.11.2026", "15-у") in names("2026-11-10", s.class_5b)
    assert "Иванов" not in {n[0] for n in names("2026-11-10", s.class_5a)}


def test_whole_school_export_lists_every_class_in_order(small_school, login):
    client = login("deputy")
    rows = read_csv(download(client, "students", "csv", year=small_school.year.pk).content)[1:]
    assert [r[5] for r in rows] == ["5А"] * 3 + ["5Б"] * 3
    assert "Сидоров" not in {r[0] for r in rows}  # the other school's pupil


def test_formulas_are_never_exported_as_formulas(small_school, login):
    kid = small_school.students["student"]
    services.save_student(actor=None, school=kid.school, student=kid, address='=HYPERLINK("http://evil","x")',
                          phone="+7 900 000-00-01", document="-cmd|' /C calc'!A0")
    client = login("admin")
    params = {"class": small_school.class_5a.pk}
    sheet = load_workbook(io.BytesIO(download(client, "students", "xlsx", **params).content)).worksheets[0]
    cell = next(c for c in sheet["I"] if c.value and str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"
    content = download(client, "students", "csv", **params).content
    text = content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'-cmd|" in text
    # A phone number is guarded too (a spreadsheet would compute «+7 900 000-00-01»); the import reads it back.
    assert ";'+7 900 000-00-01;" in text
    plan = imports.prepare(kind=imports.STUDENTS, data=content, filename="x.csv", school=small_school.other_school,
                           options=imports.Options(year=small_school.other_year))
    assert plan.ok
    copied = next(row.values for row in plan.rows if row.values["address"])
    assert (copied["address"], copied["document"]) == ('=HYPERLINK("http://evil","x")', "-cmd|' /C calc'!A0")
    assert copied["phone"] == "+7 900 000-00-01"


def test_export_makes_the_same_queries_for_a_small_and_a_large_class(small_school, login):
    client = login("admin")

    def count():
        with CaptureQueriesContext(connection) as queries:
            for kind in ("students", "guardians"):
                download(client, kind, "csv", **{"class": small_school.class_5a.pk})
        return len(queries)

    small = count()
    for _ in range(20):
        make_guardian(make_student(small_school.class_5a))
    assert count() == small


@pytest.mark.parametrize("kind", ["students", "staff", "guardians"])
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_templates_have_the_headers_and_an_example_that_imports(small_school, login, kind, file_format):
    client = login("admin")
    response = client.get(reverse("school:import_template", args=[kind, file_format]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = read_xlsx(response.content) if file_format == "xlsx" else read_csv(response.content)
    fmt = imports.FORMATS[kind]
    assert list(rows[0]) == [c.title for c in fmt.columns] and len(rows) == 2
    school = make_school("Школа № 4", slug="school-4")
    year = make_year(school)
    make_class(year, 5, "А")
    if kind == imports.GUARDIANS:
        student_template = client.get(reverse("school:import_template", args=["students", file_format])).content
        import_into(school, year, imports.STUDENTS, student_template, f"t.{file_format}")
    import_into(school, year if fmt.needs_year else None, kind, response.content, f"t.{file_format}")
    if kind == imports.GUARDIANS:
        assert Guardian.objects.get(school=school).links.get().student.last_name == "Иванов"


# --- access ---------------------------------------------------------------------------------------------------


def test_class_teacher_exports_only_his_own_class(small_school, login):
    s = small_school
    client = login("class_teacher")
    assert client.get(reverse("school:export")).status_code == 200
    download(client, "students", "xlsx", **{"class": s.class_5a.pk})
    download(client, "guardians", "csv", **{"class": s.class_5a.pk})
    url = reverse("school:export_download", args=["students", "xlsx"])
    assert client.get(url, {"class": s.class_5b.pk}).status_code == 404
    assert client.get(url).status_code == 403  # the whole school
    assert client.get(reverse("school:export_download", args=["staff", "xlsx"])).status_code == 403
    page = client.get(reverse("school:export")).content.decode()
    assert f"class={s.class_5a.pk}" in page and f"class={s.class_5b.pk}" not in page


def test_subject_teacher_may_not_export_a_class_he_teaches(small_school, login):
    client = login("teacher")
    url = reverse("school:export_download", args=["students", "xlsx"])
    assert client.get(url, {"class": small_school.class_5a.pk}).status_code == 403
    assert client.get(reverse("school:export")).status_code == 403
    assert client.get(reverse("school:import_template", args=["students", "xlsx"])).status_code == 403


def test_a_class_of_another_school_is_not_found(small_school, login):
    client = login("admin")
    url = reverse("school:export_download", args=["students", "csv"])
    assert client.get(url, {"class": small_school.other_class.pk}).status_code == 404
    assert client.get(url, {"class": "5А"}).status_code == 404
    assert client.get(reverse("school:export_download", args=["students", "pdf"])).status_code == 404


@pytest.mark.parametrize("persona", ["guardian", "student"])
def test_families_may_not_export(small_school, login, persona):
    client = login(persona)
    url = reverse("school:export_download", args=["students", "csv"])
    assert client.get(url, {"class": small_school.class_5a.pk}).status_code == 404
    assert client.get(url).status_code == 403
    assert client.get(reverse("school:export_download", args=["staff", "csv"])).status_code == 403


def test_another_schools_administrator_exports_only_his_own_school(small_school, login):
    client = login("other_school_admin")
    url = reverse("school:export_download", args=["students", "csv"])
    assert client.get(url, {"class": small_school.class_5a.pk}).status_code == 404
    pupils = download(client, "students", "csv").content.decode("utf-8-sig")
    staff = download(client, "staff", "csv").content.decode("utf-8-sig")
    assert "Сидоров" in pupils and "Иванов" not in pupils
    assert "Чужова" in staff and "Админова" not in staff


def test_exports_helpers_read_in_fixed_queries(small_school):
    s = small_school
    with CaptureQueriesContext(connection) as queries:
        exports.student_rows(school=s.school, year=s.year, on=dt.date(2026, 11, 1))
        exports.guardian_rows(school=s.school, year=s.year, on=dt.date(2026, 11, 1))
        exports.staff_rows(school=s.school)
    assert len(queries) == 6
