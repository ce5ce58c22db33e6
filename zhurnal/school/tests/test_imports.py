"""Imports of class lists, staff and guardians: tolerant reading, per-row errors, all or nothing, access."""

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from zhurnal.audit.models import AuditEntry
from zhurnal.school import imports
from zhurnal.school.models import Enrollment, Guardian, Movement, StaffMember, Student

pytestmark = pytest.mark.django_db

D = dt.date
HEADER = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Пол", "Класс", "Номер приказа"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list[str]:
    folder = Path(media) / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows, *, encoding="utf-8", delimiter=";") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def upload(client, kind, content, name, **fields):
    data = {"file": SimpleUploadedFile(name, content), **fields}
    return client.post(reverse("school:import_kind", args=[kind]), data)


def upload_students(client, school, content, name="5a.xlsx", **fields):
    return upload(client, "students", content, name, year=school.year.pk, **fields)


def confirm(client, response):
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.post(response["Location"])


def errors_of(response) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in response.context["plan"].errors]


NEW_STUDENTS = [
    HEADER,
    ["Смирнов", "Алексей", "Игоревич", "12.04.2015", "м", "5А", "45-у"],
    ["Кузнецова", "Дарья", "", dt.datetime(2015, 6, 30), "ж", "5А", "45-у"],
    ["Попов", "Егор", "Андреевич", "2015-02-01", "муж", "5Б", "45-у"],
]


# --- the whole flow ---------------------------------------------------------------------------------------


def test_class_list_from_xlsx_is_previewed_then_imported_all_at_once(small_school, login, media):
    client = login("admin")
    before = Student.objects.count()
    response = upload_students(client, small_school, xlsx(NEW_STUDENTS))
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "Ошибок нет" in text and "Смирнов" in text and "30.06.2015" in text
    assert Student.objects.count() == before  # the preview writes nothing
    assert len(stored_files(media)) == 2

    done = confirm(client, response)
    assert done.status_code == 302
    assert Student.objects.count() == before + 3
    smirnov = Student.objects.get(last_name="Смирнов")
    assert (smirnov.birth_date, smirnov.gender, smirnov.patronymic) == (D(2015, 4, 12), "m", "Игоревич")
    enrollment = Enrollment.objects.get(student=smirnov)
    assert (enrollment.school_class, enrollment.start) == (small_school.class_5a, small_school.year.start)
    assert Movement.objects.get(student=smirnov).order_number == "45-у"
    assert Enrollment.objects.get(student__last_name="Попов").school_class == small_school.class_5b
    entry = AuditEntry.objects.get(verb="import.students")
    assert entry.after == {"file": "5a.xlsx", "created": 3, "skipped": 0}
    assert stored_files(media) == []


def test_confirming_twice_imports_once(small_school, login):
    client = login("admin")
    response = upload_students(client, small_school, xlsx(NEW_STUDENTS))
    confirm(client, response)
    again = client.post(response["Location"], follow=True)
    assert "уже загружен" in again.content.decode()
    assert Student.objects.filter(last_name="Смирнов").count() == 1


def test_cancel_discards_the_upload(small_school, login, media):
    client = login("admin")
    response = upload_students(client, small_school, xlsx(NEW_STUDENTS))
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    client.post(reverse("school:import_cancel", args=["students", token]))
    assert stored_files(media) == []
    assert not Student.objects.filter(last_name="Смирнов").exists()


@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_imports_with_either_delimiter(small_school, login, delimiter):
    client = login("admin")
    response = upload_students(client, small_school, csv_bytes(NEW_STUDENTS, delimiter=delimiter), "5a.csv")
    confirm(client, response)
    assert Student.objects.filter(last_name__in=["Смирнов", "Кузнецова", "Попов"]).count() == 3
    assert Student.objects.get(last_name="Кузнецова").birth_date == D(2015, 6, 30)


def test_cp1251_csv_imports_correctly(small_school, login):
    rows = [HEADER, ["Ёлкина", "Софья", "Юрьевна", "03.03.2015", "ж", "5Б", "12/1-у"]]
    content = csv_bytes(rows, encoding="cp1251")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    client = login("admin")
    confirm(client, upload_students(client, small_school, content, "список.csv"))
    student = Student.objects.get(first_name="Софья")
    assert (student.last_name, student.patronymic) == ("Ёлкина", "Юрьевна")
    assert Movement.objects.get(student=student).order_number == "12/1-у"


def test_utf8_csv_with_bom_imports(small_school, login):
    content = "\ufeff".encode() + csv_bytes([HEADER, ["Орлов", "Пётр", "", "01.01.2015", "м", "5А", "1"]])
    client = login("admin")
    confirm(client, upload_students(client, small_school, content, "5a.csv"))
    assert Student.objects.filter(last_name="Орлов", first_name="Пётр").exists()


def test_school_spreadsheet_habits_are_understood(small_school):
    rows = [
        ["Список учащихся на 2026/2027 учебный год"],
        [],
        ["  КЛАСС ", "пол", "Дата  рождения", "Примечание", "фамилия", "ИМЯ", "Отчество", "Дата зачисления",
         "№ приказа", "Электронная почта", "СНИЛС"],
        ["5 А", "Ж", dt.datetime(2015, 5, 17), "отличница", "Белова", "Анна", "", "15.11.2026", "60-у",
         "anna@example.ru", "112 233 445 95"],
        ["5-а", "жен.", "17.05.2015 г.", "", "Белова", "Алина", "", None, None, None, None],
        [None, None, None, None, None, None, None, None, None, None, None],
        ["5a", "муж", "2015-08-09", "", "Зайцев", "Олег", "Олегович", "", "", "", ""],
    ]
    plan = imports.prepare(kind=imports.STUDENTS, data=xlsx(rows), filename="list.xlsx", school=small_school.school,
                           options=imports.Options(year=small_school.year, default_order="59-у"))
    assert plan.ok, plan.errors
    assert plan.header_row == 3
    assert plan.ignored == ["Примечание"]
    assert [row.number for row in plan.rows] == [4, 5, 7]
    first, second, third = (row.values for row in plan.rows)
    assert first["school_class"] == second["school_class"] == third["school_class"] == small_school.class_5a
    assert (first["gender"], second["gender"], third["gender"]) == ("f", "f", "m")
    assert first["birth_date"] == second["birth_date"] == D(2015, 5, 17)
    assert third["birth_date"] == D(2015, 8, 9)
    assert (first["enrolled_on"], second["enrolled_on"]) == (D(2026, 11, 15), small_school.year.start)
    assert (first["order_number"], second["order_number"]) == ("60-у", "59-у")
    assert first["snils"] == "112-233-445 95"


def test_full_name_column_is_split_into_surname_name_patronymic(small_school):
    rows = [["ФИО", "Дата рождения", "Пол", "Класс"], ["Гусев Илья Романович", "02.02.2015", "м", "5Б"]]
    plan = imports.prepare(kind=imports.STUDENTS, data=csv_bytes(rows), filename="x.csv", school=small_school.school,
                           options=imports.Options(year=small_school.year, default_order="3"))
    assert plan.ok, plan.errors
    values = plan.rows[0].values
    assert (values["last_name"], values["first_name"], values["patronymic"]) == ("Гусев", "Илья", "Романович")


# --- errors: per row, nothing written -------------------------------------------------------------------------


def test_row_errors_are_reported_and_nothing_is_imported(small_school, login):
    existing = small_school.students["student"]
    rows = [
        HEADER,
        ["Смирнов", "Алексей", "Игоревич", "12.04.2015", "м", "5А", "45-у"],  # 2: fine
        ["Волков", "Антон", "", "31.02.2015", "м", "5А", "45-у"],  # 3: no such date
        ["Лебедев", "Марк", "", "01.03.2015", "м", "5В", "45-у"],  # 4: no such class
        ["Смирнов", "Алексей", "Игоревич", "12.04.2015", "м", "5Б", "45-у"],  # 5: same as row 2
        [existing.last_name, existing.first_name, existing.patronymic, existing.birth_date.strftime("%d.%m.%Y"),
         "м", "5А", "45-у"],  # 6: already in the school
        ["", "Ника", "", "05.05.2015", "ж", "5А", "45-у"],  # 7: no surname
        ["Орлова", "Ника", "", "05.05.2015", "жен", "пятый", "45-у"],  # 8: not a class
        ["Орлов", "Ян", "", "05.05.15", "x", "5А", "45-у"],  # 9: two-digit year, unknown gender
    ]
    client = login("admin")
    before = (Student.objects.count(), Enrollment.objects.count(), AuditEntry.objects.count())
    response = upload_students(client, small_school, csv_bytes(rows), "5a.csv")
    preview = client.get(response["Location"])
    assert errors_of(preview) == [
        (3, "Дата рождения"), (4, "Класс"), (5, "Фамилия"), (6, "Фамилия"), (7, "Фамилия"), (8, "Класс"),
        (9, "Дата рождения"), (9, "Пол"),
    ]
    text = preview.content.decode()
    assert "«31.02.2015» — такой даты нет." in text
    assert "класса 5В нет в 2026/2027 учебном году" in text
    assert "уже есть в этом файле (строка 2)" in text
    assert "уже есть в школе" in text
    assert "не заполнено." in text
    assert "«пятый» — не класс" in text
    assert "укажите год четырьмя цифрами" in text
    assert "Файл не загружен: ошибок — 8, в 7 строках" in text
    assert "confirm-import" not in text

    refused = client.post(response["Location"])
    assert refused.status_code == 409
    assert (Student.objects.count(), Enrollment.objects.count(), AuditEntry.objects.count()) == before


def test_missing_order_number_without_a_default_is_a_row_error(small_school):
    rows = [["Фамилия", "Имя", "Дата рождения", "Пол", "Класс"], ["Титов", "Лев", "01.01.2015", "м", "5А"]]
    plan = imports.prepare(kind=imports.STUDENTS, data=csv_bytes(rows), filename="x.csv", school=small_school.school,
                           options=imports.Options(year=small_school.year))
    assert [(e.row, e.column) for e in plan.errors] == [(2, "Номер приказа")]


def test_enrollment_date_outside_the_year_is_a_row_error(small_school):
    rows = [HEADER + ["Дата зачисления"], ["Титов", "Лев", "", "01.01.2015", "м", "5А", "1", "01.09.2025"]]
    plan = imports.prepare(kind=imports.STUDENTS, data=csv_bytes(rows), filename="x.csv", school=small_school.school,
                           options=imports.Options(year=small_school.year))
    assert [(e.row, e.column) for e in plan.errors] == [(2, "Дата зачисления")]
    assert "вне 2026/2027 учебного года" in plan.errors[0].message


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.csv", b"", "пустой"),
    ("blank.xlsx", None, "пустой"),
    ("headers.csv", "Фамилия;Имя;Дата рождения;Пол;Класс\r\n;;;;\r\n".encode(), "только заголовки"),
    ("photo.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
     "не является таблицей Excel (.xlsx) или CSV"),
    ("photo.csv", b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "не является таблицей"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "Excel 97–2003 (.xls)"),
    ("wrong.csv", "Ученик;Год\r\nИванов;2015\r\n".encode(), "нет обязательных столбцов: «Фамилия», «Имя»"),
    ("twice.csv", "Фамилия;Имя;Фамилия\r\nА;Б;В\r\n".encode(), "встречается дважды"),
])
def test_unusable_files_get_a_clear_message_and_are_not_kept(small_school, login, media, name, content, message):
    if content is None:
        content = xlsx([])
    client = login("admin")
    response = upload_students(client, small_school, content, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert stored_files(media) == []


def test_a_50_mb_upload_is_refused_before_parsing(small_school, login, media):
    client = login("admin")
    big = b"\xd0\xa4;" * (50 * 1024 * 1024 // 3)
    response = upload_students(client, small_school, big, "huge.csv")
    assert response.status_code == 413
    assert "больше 5 МБ" in response.content.decode()
    assert stored_files(media) == []
    assert Student.objects.filter(last_name="Ф").count() == 0


def test_a_file_just_under_the_limit_is_read(small_school, login, settings):
    settings.ZHURNAL_MAX_IMPORT_BYTES = 4096
    content = csv_bytes(NEW_STUDENTS)
    padding = b" " * (4096 - len(content) - 10)
    client = login("admin")
    assert upload_students(client, small_school, content + padding, "5a.csv").status_code == 302
    assert upload_students(client, small_school, content + padding + b" " * 20, "5a.csv").status_code == 413


# --- staff ---------------------------------------------------------------------------------------------


def test_staff_are_imported_with_their_positions(small_school, login):
    rows = [
        ["ФИО", "Должность", "Телефон", "e-mail"],
        ["Соколова Ирина Павловна", "учитель, заместитель директора по УВР", 79001234567.0, "sokolova@school.example"],
        ["Никитин Олег", "Педагог-психолог", "", ""],
    ]
    client = login("admin")
    confirm(client, upload(client, "staff", xlsx(rows), "staff.xlsx"))
    sokolova = StaffMember.objects.get(last_name="Соколова")
    assert (sokolova.first_name, sokolova.patronymic, sokolova.phone) == ("Ирина", "Павловна", "79001234567")
    assert set(sokolova.positions.values_list("position", flat=True)) == {"teacher", "deputy"}
    assert list(StaffMember.objects.get(last_name="Никитин").positions.values_list("position", flat=True)) == [
        "psychologist"]


def test_unknown_position_and_existing_staff_are_row_errors(small_school):
    rows = [["Фамилия", "Имя", "Отчество", "Должности"],
            ["Петрова", "Нина", "", "учитель, вахтёр"],
            ["Классова", "Анна", "Петровна", "учитель"],
            ["Рыбин", "Олег", "", "классный руководитель"],
            ["Рыбина", "Ольга", "", ""]]
    plan = imports.prepare(kind=imports.STAFF, data=csv_bytes(rows), filename="s.csv", school=small_school.school)
    assert [(e.row, e.column) for e in plan.errors] == [(2, "Должности"), (3, "Фамилия"), (4, "Должности"),
                                                        (5, "Должности")]
    assert "«вахтёр» — неизвестная должность" in plan.errors[0].message
    assert "уже есть в школе" in plan.errors[1].message
    assert "назначают в карточке класса" in plan.errors[2].message


# --- guardians -----------------------------------------------------------------------------------------------

GUARDIAN_HEADER = ["Фамилия", "Имя", "Отчество", "Телефон", "Эл. почта", "Кем приходится", "Фамилия ученика",
                   "Имя ученика", "Отчество ученика", "Дата рождения ученика", "Класс"]


def child_columns(student, school_class):
    return [student.last_name, student.first_name, student.patronymic, student.birth_date.strftime("%d.%m.%Y"),
            school_class]


def test_one_guardian_of_two_children_is_created_once(small_school, login):
    s = small_school
    son = s.students["student"]
    daughter = Student.objects.filter(enrollments__school_class=s.class_5b).exclude(pk=s.students["other_student"].pk
                                                                                     ).first()
    rows = [GUARDIAN_HEADER,
            ["Зуева", "Ольга", "Игоревна", "8 (900) 555-11-22", "zueva@example.ru", "мать",
             *child_columns(son, "5А")],
            ["Зуева", "Ольга", "Игоревна", "+7 900 555 11 22", "", "мать", *child_columns(daughter, "5 Б")]]
    client = login("admin")
    response = upload(client, "guardians", xlsx(rows), "parents.xlsx", year=s.year.pk)
    preview = client.get(response["Location"])
    assert "тот же представитель, что в строке 2" in preview.content.decode()
    confirm(client, response)
    zueva = Guardian.objects.get(last_name="Зуева")
    assert set(zueva.links.values_list("student_id", "relation")) == {(son.pk, "мать"), (daughter.pk, "мать")}
    assert zueva.email == "zueva@example.ru"

    # Next time the same mother is found in the school by name and phone; the link she has is left alone.
    third = Student.objects.filter(enrollments__school_class=s.class_5a).exclude(pk=son.pk).first()
    rows = [GUARDIAN_HEADER,
            ["Зуева", "Ольга", "Игоревна", "89005551122", "", "мать", *child_columns(son, "5А")],
            ["Зуева", "Ольга", "Игоревна", "89005551122", "", "опекун", *child_columns(third, "5А")]]
    response = upload(client, "guardians", csv_bytes(rows), "parents.csv", year=s.year.pk)
    text = client.get(response["Location"]).content.decode()
    assert "строка будет пропущена" in text and "будет привязан к ученику" in text
    confirm(client, response)
    assert Guardian.objects.filter(last_name="Зуева").count() == 1
    assert set(zueva.links.values_list("student_id", "relation")) == {(son.pk, "мать"), (daughter.pk, "мать"),
                                                                      (third.pk, "опекун")}
    assert AuditEntry.objects.filter(verb="import.guardians").last().after["skipped"] == 1


def test_guardian_rows_for_unknown_or_misplaced_students_are_errors(small_school):
    s = small_school
    son = s.students["student"]
    rows = [GUARDIAN_HEADER,
            ["Орлова", "Вера", "", "", "", "мать", "Несуществующий", "Ученик", "", "01.01.2015", "5А"],
            ["Орлова", "Вера", "", "", "", "мать", *child_columns(son, "5Б")],
            ["Орлова", "Вера", "", "", "", "мать", *child_columns(son, "5А")],
            ["Орлова", "Вера", "", "", "", "мать", *child_columns(son, "5А")]]
    plan = imports.prepare(kind=imports.GUARDIANS, data=csv_bytes(rows), filename="g.csv", school=s.school,
                           options=imports.Options(year=s.year))
    assert [(e.row, e.column) for e in plan.errors] == [(2, "Фамилия ученика"), (3, "Класс"), (5, "Фамилия")]
    assert "не найден в школе" in plan.errors[0].message
    assert "не учится в классе 5Б" in plan.errors[1].message


# --- access, tokens ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["teacher", "class_teacher", "deputy", "guardian", "student"])
def test_only_the_administrator_and_the_clerk_may_import(small_school, login, persona, media):
    client = login(persona)
    assert client.get(reverse("school:import")).status_code == 403
    assert client.get(reverse("school:import_kind", args=["students"])).status_code == 403
    assert upload_students(client, small_school, xlsx(NEW_STUDENTS)).status_code == 403
    assert stored_files(media) == []


def test_the_clerk_may_import(small_school, login):
    from zhurnal.school.testing import make_staff

    make_staff(small_school.school, "Делова", ["clerk"], username="clerk")
    client = login("clerk")
    assert client.get(reverse("school:import")).status_code == 200
    confirm(client, upload_students(client, small_school, xlsx(NEW_STUDENTS)))
    assert Student.objects.filter(last_name="Смирнов").exists()


def test_a_year_of_another_school_is_refused(small_school, login, media):
    client = login("admin")
    response = upload(client, "students", xlsx(NEW_STUDENTS), "5a.xlsx", year=small_school.other_year.pk)
    assert response.status_code == 400
    assert stored_files(media) == []


def test_an_upload_is_visible_only_to_its_owner_and_expires(small_school, login, media):
    admin = login("admin")
    response = upload_students(admin, small_school, xlsx(NEW_STUDENTS))
    preview_url = response["Location"]
    from zhurnal.school.testing import make_staff

    make_staff(small_school.school, "Делова", ["clerk"], username="clerk")
    clerk = login("clerk")
    assert clerk.get(preview_url).status_code == 404
    assert clerk.post(preview_url).status_code == 404
    malformed = clerk.get(reverse("school:import_preview", args=["students", "..%2F..%2Fsettings"]))
    assert malformed.status_code == 302 and malformed["Location"] == reverse("school:import_kind", args=["students"])

    admin = login("admin")
    meta = next((Path(media) / "imports").glob("*.json"))
    data = json.loads(meta.read_text())
    data["created"] = (dt.datetime.fromisoformat(data["created"]) - dt.timedelta(hours=3)).isoformat()
    meta.write_text(json.dumps(data))
    expired = admin.post(preview_url, follow=True)
    assert "хранился дольше двух часов" in expired.content.decode()
    assert stored_files(media) == []
    assert not Student.objects.filter(last_name="Смирнов").exists()


def test_the_import_loads_classes_once_whatever_the_number_of_rows(small_school, login):
    def class_queries(count: int, offset: int) -> int:
        rows = [HEADER] + [[f"Новиков{offset + i}", "Ян", "", "01.01.2015", "м", "5А" if i % 2 else "5Б", "9"]
                           for i in range(count)]
        client = login("admin")
        response = upload_students(client, small_school, csv_bytes(rows), "x.csv")
        with CaptureQueriesContext(connection) as queries:
            assert confirm(client, response).status_code == 302
        return sum(1 for q in queries.captured_queries if 'FROM "school_schoolclass"' in q["sql"])

    assert class_queries(3, 0) == class_queries(30, 100)
    assert Student.objects.filter(last_name__startswith="Новиков").count() == 33


def test_excel_unicode_text_utf16_with_tabs_is_read(small_school):
    text = "Фамилия\tИмя\tДата рождения\tПол\tКласс\tНомер приказа\r\nЁжиков\tЛёва\t01.01.2015\tм\t5А\t7\r\n"
    plan = imports.prepare(kind=imports.STUDENTS, data=text.encode("utf-16"), filename="list.txt",
                           school=small_school.school, options=imports.Options(year=small_school.year))
    assert plan.ok, plan.errors
    assert (plan.rows[0].values["last_name"], plan.rows[0].values["first_name"]) == ("Ёжиков", "Лёва")


# --- a class list as schools export it: parents' columns --------------------------------------------------------

EXPORTED_CLASS_LIST = [
    ["Список обучающихся МБОУ «СОШ № 1» на 2026/2027 учебный год"],
    [],
    ["№ п/п", "ФИО обучающегося", "Дата рождения", "Пол", "Класс", "Дата зачисления", "№ приказа",
     "ФИО матери", "Телефон матери", "E-mail матери", "ФИО отца", "Телефон отца"],
    [1, "Соколова Анна Дмитриевна", "03.05.2015", "ж", "5А", "01.09.2026", "12-у",
     "Соколова Ирина Викторовна", "8 (915) 123-45-67", "sokolova@mail.example", "Соколов Дмитрий Петрович",
     "+7 916 765-43-21"],
    [2, "Соколов Павел Дмитриевич", "11.01.2019", "м", "5Б", "01.09.2026", "12-у",
     "Соколова Ирина Викторовна", "+7 915 123 45 67", "", "Соколов Дмитрий Петрович", "89167654321"],
    [3, "Орлова Вера Сергеевна", "20.08.2015", "ж", "5А", "01.09.2026", "12-у",
     "Орлова Наталья Ивановна", "+7 903 000-11-22", "", "", ""],
]


def test_a_class_list_with_parent_columns_links_the_guardians_once_each(small_school, login):
    client = login("admin")
    guardians_before = Guardian.objects.count()
    response = upload_students(client, small_school, xlsx(EXPORTED_CLASS_LIST), name="Список 5А.xlsx")
    preview = client.get(response["Location"]).content.decode()
    assert "Ошибок нет" in preview
    assert "мать — тот же человек, что в строке 4" in preview and "отец — новый представитель" in preview
    assert "из них новых людей: 3" in preview
    confirm(client, response)
    anna, pavel, vera = (Student.objects.get(last_name=n, first_name=f) for n, f in
                         (("Соколова", "Анна"), ("Соколов", "Павел"), ("Орлова", "Вера")))
    assert Guardian.objects.count() == guardians_before + 3  # the Sokolovs' parents are one person each
    mother = Guardian.objects.get(last_name="Соколова", first_name="Ирина")
    assert set(mother.links.values_list("student_id", flat=True)) == {anna.pk, pavel.pk}
    assert mother.email == "sokolova@mail.example" and "915" in mother.phone
    assert {link.relation for link in anna.guardian_links.all()} == {"мать", "отец"}
    assert [link.guardian.last_name for link in vera.guardian_links.all()] == ["Орлова"]


def test_a_parent_already_in_the_school_is_linked_not_duplicated(small_school):
    guardian = Guardian.objects.get(links__student=small_school.students["student"])
    rows = [["ФИО", "Дата рождения", "Пол", "Класс", "ФИО матери", "Телефон матери"],
            ["Иванова Мария Ивановна", "02.02.2016", "ж", "5А",
             f"{guardian.last_name} {guardian.first_name} {guardian.patronymic}", guardian.phone]]
    plan = imports.prepare(kind=imports.STUDENTS, data=csv_bytes(rows), filename="x.csv", school=small_school.school,
                           options=imports.Options(year=small_school.year, default_order="3"))
    assert plan.ok, plan.errors
    assert "уже есть в школе" in plan.rows[0].note
    imports.apply_import(actor=None, plan=plan)
    assert Guardian.objects.filter(last_name=guardian.last_name, first_name=guardian.first_name).count() == 1
    assert guardian.links.count() == 2


def test_a_parents_phone_without_a_name_is_a_row_error(small_school):
    rows = [["ФИО", "Дата рождения", "Пол", "Класс", "ФИО отца", "Телефон отца"],
            ["Гусев Илья Романович", "02.02.2015", "м", "5Б", "", "+7 900 000-00-00"]]
    plan = imports.prepare(kind=imports.STUDENTS, data=csv_bytes(rows), filename="x.csv", school=small_school.school,
                           options=imports.Options(year=small_school.year, default_order="3"))
    assert [(e.row, e.column) for e in plan.errors] == [(2, "ФИО отца")]
