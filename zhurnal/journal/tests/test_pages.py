"""The journal's pages for each persona: who sees what (404), who may change it (403), and what a save answers."""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from zhurnal.journal.models import Attendance, FinalMark, Mark, WorkType

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"journal:{name}", args=args)


@pytest.mark.parametrize(("persona", "status", "editable"), [
    ("teacher", 200, True),
    ("class_teacher", 200, False),
    ("deputy", 200, False),
    ("director", 200, False),
    ("admin", 200, False),
    ("other_teacher", 404, None),
    ("student", 404, None),
    ("guardian", 404, None),
    ("other_guardian", 404, None),
    ("other_school_admin", 404, None),
])
def test_grid_access(journal, login, persona, status, editable):
    response = login(persona).get(url("grid", journal.maths.pk))
    assert response.status_code == status
    if status == 200:
        assert ('data-editable' in response.content.decode()) is editable


@pytest.mark.parametrize(("persona", "status"), [
    ("teacher", 200), ("class_teacher", 403), ("deputy", 403), ("other_teacher", 404), ("student", 403),
    ("guardian", 403), ("other_guardian", 404), ("other_school_admin", 404),
])
def test_saving_a_cell(journal, login, persona, status):
    lesson = journal.open_lesson()
    student = journal.school.students["student"]
    response = login(persona).post(url("cell", lesson.pk, student.pk), {"value": "5", "base": "",
                                                                       "key": str(uuid.uuid4())},
                                   HTTP_ACCEPT="application/json")
    assert response.status_code == status
    assert Mark.objects.filter(lesson=lesson).exists() is (status == 200)


@pytest.mark.parametrize("lesson_id", [10**30, 2**63, 0])
def test_a_forged_lesson_id_beyond_any_row_is_not_found(journal, login, lesson_id):
    student = journal.school.students["student"]
    for path in (f"/journal/lessons/{lesson_id}/cells/{student.pk}/", f"/journal/lessons/{lesson_id}/cells/"):
        response = login("teacher").post(path, {"value": "5", "key": str(uuid.uuid4()),
                                                f"cell-{student.pk}": "5"}, HTTP_ACCEPT="application/json")
        assert response.status_code == 404
    assert not Mark.objects.exists()


def test_a_cell_save_answers_the_script_with_the_row_totals(journal, login):
    client = login("teacher")
    student = journal.school.students["student"]
    for back, value in enumerate(["5", "4", "4-"]):
        response = client.post(url("cell", journal.open_lesson(back).pk, student.pk),
                               {"value": value, "base": "", "key": str(uuid.uuid4()), "row": "1"}, HTTP_ACCEPT="application/json")
    data = response.json()
    assert data["ok"] and data["text"] == "4−" and data["marks"] == ["4−"]
    assert data["row"]["count"] == 3 and data["row"]["average"] == "4,33" and data["row"]["suggested"] == "4"


def test_a_refused_save_answers_with_the_message_and_changes_nothing(journal, login):
    lesson = journal.open_lesson()
    response = login("teacher").post(url("cell", lesson.pk, journal.school.students["student"].pk),
                                     {"value": "6", "base": "", "key": str(uuid.uuid4())}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": "«6» — не отметка. Допустимо: 1–5 (с «+» или «−»), зч, нз, "
                                                     "н/а, осв.", "need_reason": False}
    assert not Mark.objects.exists()


def test_a_malformed_key_is_refused(journal, login):
    response = login("teacher").post(url("cell", journal.open_lesson().pk, journal.school.students["student"].pk),
                                     {"value": "5", "base": "", "key": "not-a-uuid"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "ключ" in response.json()["error"]


def test_the_same_request_twice_saves_once(journal, login):
    client = login("teacher")
    lesson = journal.open_lesson()
    payload = {"value": "5/4", "base": "", "key": str(uuid.uuid4())}
    first = client.post(url("cell", lesson.pk, journal.school.students["student"].pk), payload,
                        HTTP_ACCEPT="application/json").json()
    second = client.post(url("cell", lesson.pk, journal.school.students["student"].pk), payload,
                         HTTP_ACCEPT="application/json").json()
    assert Mark.objects.filter(lesson=lesson).count() == 2
    assert first["replayed"] is False and second["replayed"] is True


def test_the_lesson_page_works_without_javascript(journal, login):
    client = login("teacher")
    lesson = journal.open_lesson()
    page = client.get(url("lesson", lesson.pk)).content.decode()
    assert 'id="sheet-form"' in page and 'name="key-' in page
    students = list(journal.school.class_5a.enrollments.values_list("student_id", flat=True))
    form = {f"cell-{sid}": value for sid, value in zip(students, ["н", "5/4", ""], strict=True)}
    form.update({f"key-{sid}": str(uuid.uuid4()) for sid in students})
    form.update({f"base-{sid}": "" for sid in students})
    response = client.post(url("lesson_cells", lesson.pk), form)
    assert response.status_code == 302
    assert Attendance.objects.get(lesson=lesson, student_id=students[0]).code == "н"
    assert Mark.objects.filter(lesson=lesson, student_id=students[1]).count() == 2
    response = client.post(url("lesson_record", lesson.pk), {"topic": "Сложение дробей", "homework": "№ 12, 14",
                                                             "notes": ""})
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert (lesson.topic, lesson.homework) == ("Сложение дробей", "№ 12, 14")


@pytest.mark.parametrize(("persona", "status"), [
    ("teacher", 200), ("class_teacher", 200), ("deputy", 200), ("student", 403), ("guardian", 403),
    ("other_teacher", 404), ("other_school_admin", 404),
])
def test_lesson_page_access(journal, login, persona, status):
    assert login(persona).get(url("lesson", journal.open_lesson().pk)).status_code == status


def test_the_lesson_page_shows_who_actually_taught(journal, login):
    from zhurnal.school.testing import make_staff
    from zhurnal.timetable import services as timetable_services

    lesson = journal.open_lesson()
    substitute = make_staff(journal.school.school, "Заменова", username="substitute", first_name="Ольга")
    timetable_services.record_substitution(actor=None, lesson=lesson, kind="replace", reason="курсы",
                                           substitute=substitute)
    page = login("substitute").get(url("lesson", lesson.pk)).content.decode()
    assert "Заменова Ольга Петровна" in page and "замена" in page and 'id="sheet-form"' in page
    # The planned teacher still reads the lesson.
    assert login("teacher").get(url("lesson", lesson.pk)).status_code == 200


def test_cell_history_opens_from_the_cell(journal, login):
    client = login("teacher")
    lesson = journal.open_lesson()
    student = journal.school.students["student"]
    for base, value in (("", "н"), ("н", "оп 5")):
        client.post(url("cell", lesson.pk, student.pk), {"value": value, "base": base, "key": str(uuid.uuid4())},
                    HTTP_ACCEPT="application/json")
    fragment = client.get(url("cell", lesson.pk, student.pk), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "История клетки" in fragment
    assert fragment.count("<tr") >= 3 and "оп 5" in fragment
    history = client.get(url("lesson_history", lesson.pk)).content.decode()
    assert "Иванов" in history and "127.0.0.1" in history


def test_final_marks_page(journal, login):
    from zhurnal.journal import selectors

    client = login("teacher")
    period = selectors.current_period(selectors.assignment_periods(journal.maths), journal.today)
    student = journal.school.students["student"]
    for back in range(3):
        client.post(url("cell", journal.open_lesson(back).pk, student.pk), {"value": "5", "base": "",
                                                                               "key": str(uuid.uuid4())},
                    HTTP_ACCEPT="application/json")
    page = client.get(url("finals", journal.maths.pk) + f"?period={period.pk}").content.decode()
    assert f'name="value-{student.pk}"' in page
    response = client.post(url("finals", journal.maths.pk) + f"?period={period.pk}",
                           {"period": period.pk, f"value-{student.pk}": "4", f"reason-{student.pk}": ""})
    assert response.status_code == 200 and "укажите обоснование" in response.content.decode()
    assert not FinalMark.objects.exists()
    response = client.post(url("finals", journal.maths.pk) + f"?period={period.pk}",
                           {"period": period.pk, f"value-{student.pk}": "5"})
    assert response.status_code == 302
    assert FinalMark.objects.get(student=student).value == "5"
    # The saved mark on the page again, for the teacher and for a reader (with the date it was set).
    page = client.get(url("finals", journal.maths.pk) + f"?period={period.pk}").content.decode()
    assert '<option value="5" selected>5</option>' in page
    page = login("deputy").get(url("finals", journal.maths.pk) + f"?period={period.pk}").content.decode()
    set_on = timezone.localtime(FinalMark.objects.get(student=student).set_at).strftime("%d.%m.%Y")
    assert "<b>5</b>" in page and set_on in page
    assert login("class_teacher").post(url("finals", journal.maths.pk),
                                       {"period": period.pk, f"value-{student.pk}": "4"}).status_code == 403


@pytest.mark.parametrize(("persona", "status"), [
    ("deputy", 200), ("director", 200), ("teacher", 403), ("admin", 403), ("class_teacher", 403),
    ("student", 403), ("other_school_admin", 403),
])
def test_control_page_access(journal, login, persona, status):
    assert login(persona).get(url("control")).status_code == (302 if status == 200 else status)
    assert login(persona).get(reverse("reports:control")).status_code == status


@pytest.mark.parametrize(("persona", "status"), [("deputy", 302), ("director", 302), ("teacher", 403)])
def test_reopening_is_for_the_deputy(journal, login, persona, status):
    from zhurnal.journal import selectors

    period = selectors.assignment_periods(journal.maths)[0]
    response = login(persona).post(url("reopen", journal.maths.pk), {
        "period": period.pk, "until": journal.today.isoformat(), "reason": "Исправление ошибки"})
    assert response.status_code == status


@pytest.mark.parametrize(("persona", "status"), [
    ("class_teacher", 200), ("deputy", 200), ("teacher", 404), ("other_teacher", 404), ("student", 404),
    ("other_school_admin", 404),
])
def test_class_pages_access(journal, login, persona, status):
    client = login(persona)
    assert client.get(url("class_summary", journal.school.class_5a.pk)).status_code == (302 if status == 200
                                                                                         else status)
    assert client.get(url("attendance_week", journal.school.class_5a.pk)).status_code == status


def test_grading_rules_are_read_by_staff_and_changed_by_the_director(journal, login):
    school = journal.school.school
    assert login("teacher").get(url("rules")).status_code == 200
    assert login("teacher").post(url("rules"), {}).status_code == 403
    oral = WorkType.objects.get(school=school, is_default=True)
    form = {"valid_from": journal.today.isoformat(), "allow_modifiers": "on", "modifier_value": "0,25",
            "threshold_2": "1,5", "threshold_3": "2,6", "threshold_4": "3,6", "threshold_5": "4,6",
            "min_marks": "3", "close_after_days": "7", "edit_window_days": "", "year_ties_up": "on",
            "excluded-зч": "on", "excluded-осв": "on", "grade-2": "on", "note": "Приказ № 15",
            **{f"weight-{w.pk}": "1" for w in WorkType.objects.filter(school=school)}, f"weight-{oral.pk}": "1,5"}
    assert login("director").post(url("rules"), form).status_code == 302
    from zhurnal.journal.policies import policy_for

    policy = policy_for(school, journal.today)
    assert (policy.threshold_5, policy.modifier_value, policy.weight(oral.pk)) == (
        Decimal("4.6"), Decimal("0.25"), Decimal("1.5"))
    assert policy.grades_without_marks == {1, 2} and policy.excluded_codes == {"зч", "осв"}
    form["threshold_5"] = "3"
    response = login("director").post(url("rules"), form)
    assert response.status_code == 200 and "Пороги должны возрастать" in response.content.decode()


def test_navigation_leads_each_role_to_the_journal(journal, login):
    assert 'href="/journal/"' in login("teacher").get(url("index")).content.decode()
    assert url("class_summary", journal.school.class_5a.pk) in login("class_teacher").get(
        url("index")).content.decode()
    assert reverse("reports:control") in login("deputy").get(reverse("reports:control")).content.decode()


def test_teachers_day_page_links_to_the_journal_lesson(journal, login):
    lesson = journal.open_lesson()
    page = login("teacher").get(reverse("timetable:today") + f"?date={lesson.date.isoformat()}").content.decode()
    assert url("lesson", lesson.pk) in page


def test_the_deputy_finds_every_class_journal_from_the_menu(journal, login):
    page = login("deputy").get(url("index")).content.decode()
    assert url("grid", journal.maths.pk) in page and url("grid", journal.russian.pk) in page
    assert url("class_summary", journal.school.class_5a.pk) in page
    assert 'href="/journal/rules/"' in login("director").get(reverse("reports:control")).content.decode()
