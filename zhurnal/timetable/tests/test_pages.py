import datetime as dt

import pytest
from django.urls import reverse

from zhurnal.timetable import services
from zhurnal.timetable.models import Lesson
from zhurnal.timetable.testing import put

pytestmark = pytest.mark.django_db
D = dt.date
MONDAY = D(2026, 11, 23)
PAST_MONDAY = D(2026, 10, 12)  # reports count lessons up to today, and the test school's year is 2026/2027


@pytest.fixture
def week(tt):
    put(tt.math_5a, 1, 1, tt.rooms["101"])
    put(tt.russian_5a, 1, 2, tt.rooms["102"])
    put(tt.math_5b, 1, 2, tt.rooms["101"])
    return tt


def test_every_timetable_page_renders_for_the_deputy(week, login):
    client = login("deputy")
    lesson = Lesson.objects.get(assignment=week.math_5a, date=MONDAY)
    urls = [
        reverse("timetable:index"),
        reverse("timetable:day") + "?date=2026-11-23",
        reverse("timetable:class", args=[week.class_5a.pk]) + "?date=2026-11-23",
        reverse("timetable:class", args=[week.class_5a.pk]) + "?date=2026-11-23&mode=day",
        reverse("timetable:teacher", args=[week.staff["teacher"].pk]) + "?date=2026-11-23",
        reverse("timetable:room", args=[week.rooms["101"].pk]) + "?date=2026-11-23",
        reverse("timetable:lesson_detail", args=[lesson.pk]),
        reverse("timetable:class_edit", args=[week.class_5a.pk]) + "?date=2026-11-23",
        reverse("timetable:bells"),
        reverse("timetable:rooms"),
        reverse("timetable:substitutions") + f"?date=2026-11-23&teacher={week.staff['teacher'].pk}",
        reverse("timetable:substitution_log"),
        reverse("timetable:timesheet") + "?month=2026-11",
        reverse("timetable:lesson_new"),
        reverse("timetable:entry_change", args=[lesson.entry_id]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    admin = login("admin")
    for url in [reverse("timetable:bell_edit", args=[week.bells["first"].pk]),
                reverse("timetable:room_edit", args=[week.rooms["101"].pk]), reverse("timetable:import"),
                reverse("timetable:csv_template"), reverse("timetable:fet_export")]:
        assert admin.get(url).status_code == 200, url


def test_bells_and_rooms_are_edited_by_the_administrator_with_clear_errors(week, login):
    admin = login("admin")
    response = admin.post(reverse("timetable:bells"), {"new-name": "Понедельник", "new-shift": 1,
                                                       "new-bells": "1 08:00-08:45\n2 08:40-09:20"})
    assert "уроки должны идти по порядку" in response.content.decode()
    response = admin.post(reverse("timetable:bells"), {"new-name": "Понедельник", "new-shift": 1,
                                                       "new-bells": "1 08:00-08:40\n2 08:50-09:30"})
    assert response.status_code == 302
    response = admin.post(reverse("timetable:rooms"), {"name": "101", "is_active": "on"})
    assert "Кабинет «101» уже есть" in response.content.decode()
    assert login("deputy").post(reverse("timetable:rooms"), {"name": "999"}).status_code == 403


def test_families_see_only_their_own_class_timetable(week, login):
    client = login("guardian")
    assert client.get(reverse("timetable:class", args=[week.class_5a.pk])).status_code == 200
    assert client.get(reverse("timetable:class", args=[week.class_5b.pk])).status_code == 404
    assert client.get(reverse("timetable:teacher", args=[week.staff["teacher"].pk])).status_code == 404
    assert client.get(reverse("timetable:room", args=[week.rooms["101"].pk])).status_code == 404
    index = client.get(reverse("timetable:index"))
    assert index.status_code == 302 and index.url.startswith(reverse("timetable:class", args=[week.class_5a.pk]))
    student = login("other_student")
    assert student.get(reverse("timetable:class", args=[week.class_5b.pk])).status_code == 200
    assert student.get(reverse("timetable:class", args=[week.class_5a.pk])).status_code == 404


def test_family_sees_its_own_lessons_but_not_the_other_class(week, login):
    mine = Lesson.objects.get(assignment=week.math_5a, date=MONDAY)
    theirs = Lesson.objects.get(assignment=week.math_5b, date=MONDAY)
    client = login("guardian")
    assert client.get(reverse("timetable:lesson_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("timetable:lesson_detail", args=[theirs.pk])).status_code == 404


def test_teacher_sees_his_lessons_not_another_teachers(week, login):
    mine = Lesson.objects.get(assignment=week.math_5a, date=MONDAY)
    theirs = Lesson.objects.get(assignment=week.math_5b, date=MONDAY)
    client = login("teacher")
    assert client.get(reverse("timetable:lesson_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("timetable:lesson_detail", args=[theirs.pk])).status_code == 404


def test_only_the_administration_manages_the_timetable(week, login):
    url = reverse("timetable:class_edit", args=[week.class_5a.pk])
    for username in ("teacher", "class_teacher", "student", "guardian"):
        assert login(username).get(url).status_code in (403, 404), username
    assert login("other_school_admin").get(url).status_code == 404
    for username in ("admin", "deputy", "director"):
        assert login(username).get(url).status_code == 200, username
    substitutions = reverse("timetable:substitutions")
    assert login("teacher").get(substitutions).status_code == 403
    assert login("admin").get(substitutions).status_code == 403
    assert login("deputy").get(substitutions).status_code == 200
    assert login("deputy").get(reverse("timetable:import")).status_code == 403
    assert login("admin").get(reverse("timetable:import")).status_code == 200


def test_deputy_adds_a_lesson_to_the_timetable_and_a_conflict_is_refused_with_a_message(week, login):
    client = login("deputy")
    url = reverse("timetable:class_edit", args=[week.class_5b.pk])
    response = client.post(url, {"assignment": week.math_5b.pk, "weekday": 1, "number": 1,
                                  "room": week.rooms["101"].pk, "week": 0, "valid_from": "2026-11-16"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Кабинет 101 в это время" in text
    response = client.post(url, {"assignment": week.math_5b.pk, "weekday": 1, "number": 1,
                                  "room": week.rooms["201"].pk, "week": 0, "valid_from": "2026-11-16"})
    assert response.status_code == 302
    assert Lesson.objects.filter(assignment=week.math_5b, date=MONDAY, number=1, room=week.rooms["201"]).exists()
    assert not Lesson.objects.filter(assignment=week.math_5b, date=D(2026, 11, 9), number=1).exists()


def test_deputy_records_a_substitution_through_the_page(week, login):
    client = login("deputy")
    lesson = Lesson.objects.get(assignment=week.math_5a, date=MONDAY)
    response = client.post(reverse("timetable:substitution_record", args=[lesson.pk]),
                           {f"l{lesson.pk}-kind": "replace", f"l{lesson.pk}-substitute": week.staff["admin"].pk,
                            f"l{lesson.pk}-reason": "болезнь"})
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.actual_teacher == week.staff["admin"]
    page = client.get(reverse("timetable:substitutions") + f"?date=2026-11-23&teacher={week.staff['teacher'].pk}")
    assert "Админова" in page.content.decode()


def test_timetable_and_reports_print_to_pdf(week, login):
    from io import BytesIO

    from pypdf import PdfReader

    client = login("deputy")
    lesson = Lesson.objects.get(assignment=week.math_5a, date=PAST_MONDAY)
    services.record_substitution(actor=None, lesson=lesson, kind="replace", substitute=week.staff["admin"],
                                 reason="курсы повышения квалификации")
    for url, expected in [
        (reverse("timetable:class", args=[week.class_5a.pk]) + "?date=2026-11-23&format=pdf", "Математика"),
        (reverse("timetable:day") + "?date=2026-11-23&format=pdf", "5Б"),
        (reverse("timetable:substitution_log") + "?from=2026-10-01&to=2026-10-31&format=pdf",
         "курсы повышения квалификации"),
        (reverse("timetable:timesheet") + "?month=2026-10&format=pdf", "Админова"),
    ]:
        response = client.get(url)
        assert response["Content-Type"] == "application/pdf", url
        text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
        assert expected in " ".join(text.split()), url  # table cells wrap lines


def test_working_time_sheet_and_substitution_log_export_to_xlsx(week, login):
    from io import BytesIO

    from openpyxl import load_workbook

    lesson = Lesson.objects.get(assignment=week.math_5a, date=PAST_MONDAY)
    services.record_substitution(actor=None, lesson=lesson, kind="replace", substitute=week.staff["admin"],
                                 reason="болезнь")
    client = login("director")
    sheet = load_workbook(BytesIO(client.get(reverse("timetable:timesheet") + "?month=2026-10&format=xlsx").content))
    rows = list(sheet.active.iter_rows(values_only=True))
    header = rows[3]
    assert header[1] == "Учитель" and header[2] == 1 and header[32] == 31
    by_name = {row[1]: row for row in rows[4:]}
    admin = by_name["Админова Анна Петровна"]
    assert admin[1 + 12] == 1 and admin[-2] == 1 and admin[-1] == 1
    assert by_name["Учителева Анна Петровна"][-2] == 2  # Mondays 5, 19 October (the 26th is a vacation)
    assert by_name["Итого"][-2] == sum(row[-2] for name, row in by_name.items() if name != "Итого")
    log = load_workbook(BytesIO(client.get(reverse("timetable:substitution_log")
                                           + "?from=2026-10-01&to=2026-10-31&format=xlsx").content))
    log_rows = list(log.active.iter_rows(values_only=True))
    assert log_rows[4][3:8] == ("5А", "Математика", "Учителева Анна Петровна", "болезнь", "Админова Анна Петровна")


def test_a_cross_class_group_gets_its_own_timetable(week, login):
    from zhurnal.school import services as school_services
    from zhurnal.school.models import GroupKind, JournalKind
    from zhurnal.school.testing import make_assignment, make_subject

    chess = school_services.create_group(actor=None, year=week.year, name="Шахматы", kind=GroupKind.CROSS,
                                         journal_kind=JournalKind.EXTRACURRICULAR)
    club = make_assignment(week.staff["other_teacher"], make_subject(week.school, "Шахматы"), chess, hours="1")
    client = login("deputy")
    assert "Шахматы" in client.get(reverse("timetable:index")).content.decode()
    url = reverse("timetable:group_edit", args=[chess.pk])
    response = client.post(url, {"assignment": club.pk, "weekday": 3, "number": 8, "room": week.rooms["201"].pk,
                                 "week": 0, "valid_from": "2026-11-16"})
    assert response.status_code == 302
    assert Lesson.objects.filter(assignment=club, date=D(2026, 11, 18), number=8).exists()
    page = client.get(url + "?date=2026-11-18").content.decode()
    assert "Шахматы" in page and "Другова" in page
    assert client.get(reverse("timetable:group_edit", args=[class_group_pk(week)])).status_code == 404


def class_group_pk(s):
    from zhurnal.school.testing import class_group

    return class_group(s.class_5a).pk
