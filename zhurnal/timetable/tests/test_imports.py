import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from zhurnal.school import services as school_services
from zhurnal.school.models import GroupKind
from zhurnal.school.testing import make_assignment, make_staff, make_subject
from zhurnal.timetable import fet, imports
from zhurnal.timetable.models import Lesson, Room, TimetableEntry, WeekParity
from zhurnal.timetable.testing import put

pytestmark = pytest.mark.django_db
D = dt.date
FROM = D(2026, 11, 16)


def csv_bytes(lines: list[str]) -> bytes:
    return ("\n".join(["Класс или группа;День недели;Урок;Предмет;Учитель;Кабинет;Неделя", *lines]) + "\n").encode()


@pytest.fixture
def english(tt):
    """5А splits into two English subgroups with their own teachers."""
    subject = make_subject(tt.school, "Английский язык")
    groups = [school_services.create_group(actor=None, year=tt.year, name=f"5А англ. {n}", kind=GroupKind.SUBGROUP,
                                           school_class=tt.class_5a) for n in (1, 2)]
    teachers = [make_staff(tt.school, last, username=False, first_name="Ольга", patronymic="Ивановна")
                for last in ("Англова", "Британова")]
    tt.english = [make_assignment(t, subject, g, hours="2") for t, g in zip(teachers, groups, strict=True)]
    return tt


# --- FET: the real fet-cl on a file made from the school -------------------------------------------------------


def fet_cl() -> str:
    path = shutil.which("fet-cl")
    if path is None:
        message = "FET's fet-cl is not installed (apt-get install -y fet, or scripts/ensure-fet.sh)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ": the FET round trip cannot be skipped in CI")
        pytest.skip(message)
    return path


def run_fet(tmp_path: Path, fet_input: bytes) -> Path:
    source = tmp_path / "school.fet"
    source.write_bytes(fet_input)
    result = subprocess.run(
        [fet_cl(), f"--inputfile={source}", f"--outputdir={tmp_path / 'out'}", "--timelimitseconds=60",
         "--htmllevel=0", "--writetimetablesdayshorizontal=false", "--writetimetablesdaysvertical=false",
         "--writetimetablestimehorizontal=false", "--writetimetablestimevertical=false"],
        capture_output=True, text=True, timeout=180, check=False,
    )
    results = tmp_path / "out" / "timetables" / "school"
    assert (results / "school_data_and_timetable.fet").exists(), result.stdout + result.stderr
    return results


def test_fet_round_trip_puts_the_generated_timetable_in_place(english, tmp_path):
    s = english
    exported = fet.export_fet(s.year)
    results = run_fet(tmp_path, exported)
    data = (results / "school_data_and_timetable.fet").read_bytes()
    source, rows = imports.read_source("school_data_and_timetable.fet", data)
    weekly_hours = 3 + 3 + 3 + 2 + 2
    assert len(rows) == weekly_hours
    preview = imports.preview(s.year, source, rows, FROM)
    assert preview.ok, [(r.ref, r.errors) for r in preview.rows if r.errors]
    _, report = imports.apply(actor=None, year=s.year, source=source, rows=rows, valid_from=FROM)
    assert report is not None
    entries = TimetableEntry.objects.filter(year=s.year, valid_from=FROM)
    assert entries.count() == weekly_hours
    assert {e.room.name for e in entries} <= {"101", "102", "201"}
    assert entries.filter(assignment=s.english[0]).count() == 2
    assert Lesson.objects.filter(assignment=s.english[1], date__gte=FROM).count() > 0
    # The activities file with the input .fet says exactly the same.
    _, from_xml = imports.read_source("school_activities.xml", (results / "school_activities.xml").read_bytes(),
                                      ("school.fet", exported))

    def key(r):
        return (r.group, r.subject, r.teacher, r.weekday, r.number, r.room)

    assert sorted(map(key, from_xml)) == sorted(map(key, rows))


def test_fet_export_lists_classes_subgroups_teachers_and_weekly_hours(english):
    root = fet._parse_xml(fet.export_fet(english.year))
    years = {y.findtext("Name"): [g.findtext("Name") for g in y.findall("Group")]
             for y in root.findall("./Students_List/Year")}
    assert years["5А"] == ["5А англ. 1", "5А англ. 2"] and years["5Б"] == []
    activities = root.findall("./Activities_List/Activity")
    assert len(activities) == 13
    assert {a.findtext("Teacher") for a in activities} >= {"Англова Ольга Ивановна", "Учителева Анна Петровна"}


def test_fet_two_week_layout_and_unplaced_activities_are_reported(tt):
    data = f"""<?xml version="1.0" encoding="UTF-8"?><fet version="6.8.5">
    <Days_List><Number_of_Days>10</Number_of_Days>{''.join(f'<Day><Name>{d} {w}</Name></Day>' for w in (1, 2)
        for d in ('Пн', 'Вт', 'Ср', 'Чт', 'Пт'))}</Days_List>
    <Hours_List><Number_of_Hours>2</Number_of_Hours><Hour><Name>1</Name></Hour><Hour><Name>2</Name></Hour></Hours_List>
    <Activities_List>
      <Activity><Teacher>Учителева Анна Петровна</Teacher><Subject>Математика</Subject><Students>5А</Students>
        <Duration>1</Duration><Id>1</Id><Active>true</Active></Activity>
      <Activity><Teacher>Классова Анна Петровна</Teacher><Subject>Русский язык</Subject><Students>5А</Students>
        <Duration>1</Duration><Id>2</Id><Active>true</Active></Activity>
    </Activities_List>
    <Time_Constraints_List><ConstraintActivityPreferredStartingTime><Weight_Percentage>100</Weight_Percentage>
      <Activity_Id>1</Activity_Id><Preferred_Day>Вт 2</Preferred_Day><Preferred_Hour>2</Preferred_Hour>
      <Permanently_Locked>true</Permanently_Locked><Active>true</Active></ConstraintActivityPreferredStartingTime>
    </Time_Constraints_List></fet>""".encode()
    rows = fet.rows_from_data_and_timetable(data)
    assert (rows[0].weekday, rows[0].number, rows[0].week) == (2, 2, WeekParity.SECOND)
    assert rows[1].errors == ["Активность не размещена в расписании FET (нет дня и часа)."]


def test_xml_with_entities_is_refused():
    with pytest.raises(fet.SourceError):
        fet.rows_from_data_and_timetable(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><fet>&a;</fet>')


def test_fet_csv_export_is_read():
    text = ('"Activity Id","Day","Hour","Students Sets","Subject","Teachers","Activity Tags","Room","Comments"\n'
            '"1","Понедельник","1","5А","Математика","Учителева Анна Петровна","","101",""\n'
            '"2","Вторник","3","5А+5Б","Физкультура","Спортова А.А.","","Спортзал",""\n')
    rows = fet.rows_from_fet_csv(text)
    assert (rows[0].group, rows[0].weekday, rows[0].number, rows[0].room) == ("5А", 1, 1, "101")
    assert "сводную группу" in rows[1].errors[0]


# --- CSV by our template -----------------------------------------------------------------------------------------


def test_csv_template_is_documented_and_reports_every_row_it_cannot_map(tt):
    source, rows = imports.read_source("шаблон.csv", imports.csv_template())
    assert source.startswith("CSV")
    preview = imports.preview(tt.year, source, rows, FROM)
    assert not preview.ok and preview.error_count == len(rows) == 4
    messages = {row.ref: " ".join(row.errors) for row in preview.rows}
    assert "Учитель «Иванова Анна Петровна» не найден" in messages["строка 2"]
    assert "«5А англ. 1» не найдены" in messages["строка 3"]


def test_csv_import_is_all_or_nothing_with_a_report_per_row(english):
    s = english
    put(s.math_5a, 5, 1, s.rooms["101"])
    before = TimetableEntry.objects.count()
    data = csv_bytes([
        "5А;понедельник;1;Математика;Учителева А.П.;101;",
        "5А;понедельник;2;Русский язык;Классова Анна Петровна;101;",
        "5А англ. 1;вт;3;Английский язык;Англова;301;",
        "5А англ. 2;вт;3;Английский язык;Британова О.И.;302;",
        "5Б;понедельник;1;Математика;Другова;101;",  # room 101 is taken by 5А
        "5Б;среда;9;Химия;Другова;;",
        "5Г;среда;2;Математика;Другова;;",
    ])
    source, rows = imports.read_source("расписание.csv", data)
    preview = imports.preview(s.year, source, rows, FROM)
    assert preview.error_count == 3
    errors = {row.ref: " ".join(row.errors) for row in preview.rows if row.errors}
    assert "Кабинет 101" in errors["строка 6"]
    assert "Предмет «Химия» не найден" in errors["строка 7"]
    assert "«5Г» не найдены" in errors["строка 8"]
    assert preview.new_rooms == ["301", "302"]
    checked, report = imports.apply(actor=None, year=s.year, source=source, rows=rows, valid_from=FROM)
    assert report is None
    assert TimetableEntry.objects.count() == before and not Room.objects.filter(name="301").exists()

    source, rows = imports.read_source("расписание.csv", csv_bytes([
        "5А;понедельник;1;Математика;Учителева А.П.;101;1",
        "5А;понедельник;1;Русский язык;Классова Анна Петровна;102;2",
        "5А англ. 1;вт;3;Английский язык;Англова;301;",
        "5А англ. 2;вт;3;Английский язык;Британова О.И.;302;",
        "5Б;понедельник;1;Математика;Другова;201;",
    ]))
    _, report = imports.apply(actor=None, year=s.year, source=source, rows=rows, valid_from=FROM)
    assert report is not None and report.created > 0
    assert Room.objects.filter(name__in=["301", "302"]).count() == 2
    assert not TimetableEntry.objects.filter(weekday=5, valid_to__isnull=True).exists()  # the old Friday ended
    assert Lesson.objects.filter(assignment=s.math_5a, date=D(2026, 11, 13)).exists()  # a past Friday stays
    # Weeks count from the week of 1 September: 16 November is in a 2nd week, 23 November in a 1st.
    assert Lesson.objects.filter(assignment=s.math_5a, date=D(2026, 11, 23), number=1).exists()
    assert not Lesson.objects.filter(assignment=s.math_5a, date__in=[D(2026, 11, 16), D(2026, 11, 30)]).exists()
    assert Lesson.objects.filter(assignment=s.russian_5a, date=D(2026, 11, 16), number=1).exists()


def test_import_pages_preview_then_apply(english, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login("admin")
    upload = SimpleUploadedFile("расписание.csv", csv_bytes([
        "5А;понедельник;1;Математика;Учителева А.П.;101;",
        "5Б;понедельник;1;Математика;Другова;101;",
    ]))
    response = client.post(reverse("timetable:import"), {"file": upload, "valid_from": "2026-11-16"})
    text = response.content.decode()
    assert "Ошибок: 1" in text and "Кабинет 101" in text and 'name="token"' not in text
    upload = SimpleUploadedFile("расписание.csv", csv_bytes([
        "5А;понедельник;1;Математика;Учителева А.П.;101;",
        "5Б;понедельник;1;Математика;Другова;102;",
    ]))
    response = client.post(reverse("timetable:import"), {"file": upload, "valid_from": "16.11.2026"})
    token = response.context["token"]
    assert token and not TimetableEntry.objects.exists()
    response = client.post(reverse("timetable:import_apply"), {"token": token})
    assert response.status_code == 302
    assert TimetableEntry.objects.filter(valid_from=FROM).count() == 2
    assert client.post(reverse("timetable:import_apply"), {"token": token + "x"}).status_code == 302
    assert TimetableEntry.objects.count() == 2
