"""Writes that are never ambiguous: a save carries the version of the cell it was based on (two tabs never replace
each other's marks unseen), a save without a value is refused rather than read as «clear», «55» is two marks only
where the school allows it, and an idempotency key is one write — reused for another, it is a clear 409."""

import uuid

import pytest
from django.urls import reverse

from zhurnal.core import idempotency
from zhurnal.core.models import WriteKey
from zhurnal.journal import grading, selectors, services
from zhurnal.journal.models import Attendance, GradingPolicy, Mark
from zhurnal.school.models import Student

from .conftest import IN_Q1

pytestmark = pytest.mark.django_db


def save(journal, text, *, base=None, lesson=None, student=None, key=None, actor="teacher", **extra):
    school = journal.school
    return services.save_cell(actor=school.users[actor], lesson=lesson or journal.lessons[0],
                              student=student or school.students["student"], text=text, key=key, base=base,
                              today=extra.pop("today", IN_Q1), **extra)


def marks_of(lesson, student):
    return [m.text for m in Mark.objects.filter(lesson=lesson, student=student).order_by("position")]


# --- two tabs on one cell -------------------------------------------------------------------------------------------

def test_a_save_over_a_newer_version_is_a_conflict_that_replaces_nothing(journal):
    lesson, student = journal.lessons[0], journal.school.students["student"]
    save(journal, "5", base="")  # the first tab
    with pytest.raises(services.CellConflict) as raised:
        save(journal, "4", base="")  # the second tab, opened before the first saved
    conflict = raised.value
    assert (conflict.theirs, conflict.mine) == ("5", "4")
    assert conflict.who == journal.school.users["teacher"].display_name and conflict.at is not None
    assert "клетку уже изменили" in conflict.messages[0] and "«5»" in conflict.messages[0]
    assert marks_of(lesson, student) == ["5"]
    # «Keep mine»: the same value saved on the version the conflict showed.
    assert save(journal, "4", base=conflict.theirs).text == "4"
    assert marks_of(lesson, student) == ["4"]


def test_clearing_a_cell_someone_changed_meanwhile_is_a_conflict(journal):
    lesson, student = journal.lessons[0], journal.school.students["student"]
    save(journal, "н", base="")
    save(journal, "оп 5", base="н")  # the other tab
    with pytest.raises(services.CellConflict):
        save(journal, "", base="н")
    assert Attendance.objects.get(lesson=lesson, student=student).code == "оп"
    assert marks_of(lesson, student) == ["5"]


def test_two_tabs_typing_the_same_value_is_no_conflict(journal):
    save(journal, "5", base="")
    result = save(journal, "5", base="")
    assert result.text == "5" and not result.changed


def test_the_version_is_compared_as_the_page_shows_it(journal):
    save(journal, "4-", base="")
    assert save(journal, "оп 4-", base="4−").text == "оп 4−"  # the minus sign the page shows
    assert save(journal, "5", base=" оп  4- ").text == "5"


def test_a_retry_of_an_applied_save_replays_and_is_no_conflict(journal):
    key = uuid.uuid4()
    first = save(journal, "5", base="", key=key)
    again = save(journal, "5", base="", key=key)  # the answer was lost, the script sends the same request again
    assert again.replayed and again.text == first.text
    assert WriteKey.objects.filter(key=key).count() == 1


def test_a_column_refuses_the_changed_cell_alone(journal):
    school = journal.school
    lesson = journal.lessons[0]
    first = school.students["student"]
    second = Student.objects.get(pk=school.class_5a.enrollments.exclude(student=first).values_list(
        "student_id", flat=True)[0])
    save(journal, "3", base="", student=first)  # another tab
    column = services.save_cells(actor=school.users["teacher"], lesson=lesson, today=IN_Q1, cells=[
        services.CellInput(first, "5", uuid.uuid4(), ""), services.CellInput(second, "4", uuid.uuid4(), "")])
    assert [r.student for r in column.results] == [second.pk]
    assert isinstance(column.errors[first.pk], services.CellConflict)
    assert marks_of(lesson, first) == ["3"] and marks_of(lesson, second) == ["4"]


def test_a_class_teachers_reason_is_a_newer_version_of_the_cell(journal):
    school = journal.school
    lesson, student = journal.open_lesson(), school.students["student"]
    services.save_cell(actor=school.users["teacher"], lesson=lesson, student=student, text="н", base="")
    services.set_absence_reason(actor=school.users["class_teacher"], lesson=lesson, student=student, code="б",
                                note="справка")
    with pytest.raises(services.CellConflict) as raised:
        services.save_cell(actor=school.users["teacher"], lesson=lesson, student=student, text="", base="н")
    assert raised.value.theirs == "б"
    assert raised.value.who == school.users["class_teacher"].display_name
    assert Attendance.objects.get(lesson=lesson, student=student).code == "б"


# --- one key, one write ---------------------------------------------------------------------------------------------

def test_the_same_key_with_another_value_is_refused_not_replayed(journal):
    key = uuid.uuid4()
    save(journal, "5", base="", key=key)
    with pytest.raises(idempotency.KeyReused):
        save(journal, "4", base="5", key=key)
    assert marks_of(journal.lessons[0], journal.school.students["student"]) == ["5"]


def test_a_key_taken_by_a_save_not_yet_committed_is_refused_not_a_server_error(journal, monkeypatch):
    """Two saves of different lessons with one key, each reading the keys before the other committed: the second
    meets the key's unique index. Reproduced by hiding the first's key from the second's read."""
    key = uuid.uuid4()
    save(journal, "5", base="", key=key)
    hidden = selectors.column_state

    def without_keys(lesson, student_ids, keys, **kwargs):
        return hidden(lesson, student_ids, [], **kwargs)

    monkeypatch.setattr(selectors, "column_state", without_keys)
    with pytest.raises(idempotency.KeyReused):
        save(journal, "4", base="", key=key, lesson=journal.lessons[1])
    assert not Mark.objects.filter(lesson=journal.lessons[1]).exists()


def test_a_mark_edit_with_a_key_used_for_another_body_is_refused(journal):
    school = journal.school
    save(journal, "5", base="")
    mark = Mark.objects.get(lesson=journal.lessons[0])
    work_type = mark.work_type
    key = uuid.uuid4()
    services.update_mark(actor=school.users["teacher"], mark=mark, work_type=work_type, comment="у доски", key=key,
                         today=IN_Q1)
    with pytest.raises(idempotency.KeyReused):
        services.update_mark(actor=school.users["teacher"], mark=mark, work_type=work_type, comment="другое",
                             key=key, today=IN_Q1)
    mark.refresh_from_db()
    assert mark.comment == "у доски"


# --- «55» -----------------------------------------------------------------------------------------------------------

def test_marks_without_a_separator_are_refused_with_the_way_to_write_them():
    with pytest.raises(Exception, match="«5/5»"):
        grading.parse_cell("55", policy=grading.Policy())
    with pytest.raises(Exception, match="«4−/3»"):
        grading.parse_cell("4-3", policy=grading.Policy())
    assert grading.parse_cell("5/5", policy=grading.Policy()).marks == (("5", ""), ("5", ""))
    assert grading.parse_cell("5 4", policy=grading.Policy()).marks == (("5", ""), ("4", ""))
    assert grading.parse_cell("оп5", policy=grading.Policy()) == ("оп", (("5", ""),))


def test_marks_without_a_separator_where_the_school_allows_them():
    policy = grading.Policy(marks_without_separator=True)
    assert grading.parse_cell("55", policy=policy).marks == (("5", ""), ("5", ""))
    assert grading.parse_cell("4-3", policy=policy).marks == (("4", "-"), ("3", ""))


def test_the_rules_page_allows_marks_without_a_separator(journal, login):
    school = journal.school
    client = login("director")
    response = client.post(reverse("journal:rules"), {
        "valid_from": f"{journal.today:%d.%m.%Y}", "allow_modifiers": "on", "marks_without_separator": "on", "modifier_value": "0",
        "threshold_2": "1.5", "threshold_3": "2.5", "threshold_4": "3.5", "threshold_5": "4.5", "min_marks": "3",
        "close_after_days": "5", "edit_window_days": "", "year_ties_up": "on"})
    assert response.status_code == 302, [line for line in response.content.decode().splitlines() if "msg" in line]
    assert GradingPolicy.objects.get(school=school.school, valid_from=journal.today).marks_without_separator
    assert save(journal, "55", base="", lesson=journal.open_lesson(), today=journal.today).text == "5/5"


# --- the pages ------------------------------------------------------------------------------------------------------

def cell_url(lesson, student):
    return reverse("journal:cell", args=[lesson.pk, student.pk])


def test_a_save_without_a_value_is_refused_and_clears_nothing(journal, login):
    lesson, student = journal.open_lesson(), journal.school.students["student"]
    client = login("teacher")
    assert client.post(cell_url(lesson, student), {"value": "оп 5", "base": "", "key": str(uuid.uuid4())},
                       HTTP_ACCEPT="application/json").status_code == 200
    response = client.post(cell_url(lesson, student), {"base": "оп 5", "key": str(uuid.uuid4())},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "Не передано значение клетки" in response.json()["error"]
    page = client.post(cell_url(lesson, student), {"base": "оп 5", "key": str(uuid.uuid4())}, follow=True)
    assert "Не передано значение клетки" in page.content.decode()
    assert marks_of(lesson, student) == ["5"] and Attendance.objects.get(lesson=lesson, student=student).code == "оп"
    # Clearing is said explicitly: an empty value.
    assert client.post(cell_url(lesson, student), {"value": "", "base": "оп 5", "key": str(uuid.uuid4())},
                       HTTP_ACCEPT="application/json").json()["text"] == ""
    assert not Mark.objects.filter(lesson=lesson).exists() and not Attendance.objects.filter(lesson=lesson).exists()


def test_a_save_without_its_version_is_refused(journal, login):
    lesson, student = journal.open_lesson(), journal.school.students["student"]
    response = login("teacher").post(cell_url(lesson, student), {"value": "5", "key": str(uuid.uuid4())},
                                     HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "Обновите страницу" in response.json()["error"]
    assert not Mark.objects.exists()


def test_the_script_gets_the_conflict_with_who_when_and_both_ways_on(journal, login):
    lesson, student = journal.open_lesson(), journal.school.students["student"]
    first, second = login("teacher"), login("teacher")
    first.post(cell_url(lesson, student), {"value": "5", "base": "", "key": str(uuid.uuid4())},
               HTTP_ACCEPT="application/json")
    response = second.post(cell_url(lesson, student), {"value": "3", "base": "", "key": str(uuid.uuid4()), "row": "1"},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    data = response.json()
    assert data["ok"] is False and data["conflict"]["theirs"] == "5" and data["conflict"]["mine"] == "3"
    assert data["conflict"]["who"] == journal.school.users["teacher"].display_name
    assert "data-conflict-keep" in data["html"] and "data-conflict-take" in data["html"]
    assert 'name="base" value="5"' in data["html"] and 'name="value" value="3"' in data["html"]
    assert marks_of(lesson, student) == ["5"]


def test_the_cell_page_without_a_script_shows_the_conflict_and_keeps_mine_on_request(journal, login):
    lesson, student = journal.open_lesson(), journal.school.students["student"]
    client = login("teacher")
    form = client.get(cell_url(lesson, student)).content.decode()
    assert 'name="base" value=""' in form
    save(journal, "4", base="", lesson=lesson, today=journal.today)  # meanwhile, in another tab
    response = client.post(cell_url(lesson, student), {"value": "5", "base": "", "key": str(uuid.uuid4()),
                                                       "next": cell_url(lesson, student)})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Клетку изменили, пока вы вводили" in page and "Оставить моё: «5»" in page and "«4»" in page
    assert marks_of(lesson, student) == ["4"]
    keep = {"value": "5", "base": "4", "key": str(uuid.uuid4()), "next": cell_url(lesson, student)}
    assert client.post(cell_url(lesson, student), keep).status_code == 302
    assert marks_of(lesson, student) == ["5"]


def test_the_lesson_form_saves_what_was_typed_and_shows_what_someone_changed_meanwhile(journal, login):
    school = journal.school
    lesson = journal.open_lesson()
    client = login("teacher")
    page = client.get(reverse("journal:lesson", args=[lesson.pk])).content.decode()
    students = list(school.class_5a.enrollments.order_by("student_id").values_list("student_id", flat=True))
    assert f'name="base-{students[0]}" value=""' in page
    save(journal, "3", base="", lesson=lesson, student=school.students["student"], today=journal.today)
    form = {}
    for student_id in students:
        form[f"cell-{student_id}"] = ""  # untouched in this form…
        form[f"base-{student_id}"] = ""
        form[f"key-{student_id}"] = str(uuid.uuid4())
    other = next(s for s in students if s != school.students["student"].pk)
    form[f"cell-{other}"] = "н"  # …but this one
    response = client.post(reverse("journal:lesson_cells", args=[lesson.pk]), form)
    assert response.status_code == 302  # the other tab's «3» was not in this form's changes: kept, no conflict
    assert marks_of(lesson, school.students["student"]) == ["3"]
    assert Attendance.objects.get(lesson=lesson, student_id=other).code == "н"
    form[f"cell-{school.students['student'].pk}"] = "5"  # now typed over the «3» this form never showed
    form[f"cell-{other}"] = ""
    form[f"base-{other}"] = "н"
    form.update({f"key-{s}": str(uuid.uuid4()) for s in students})
    response = client.post(reverse("journal:lesson_cells", args=[lesson.pk]), form)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Оставить моё: «5»" in html and "Взять из журнала: «3»" in html
    assert marks_of(lesson, school.students["student"]) == ["3"]
    assert not Attendance.objects.filter(lesson=lesson, student_id=other).exists()  # the good cell saved


def test_a_key_reused_on_another_lesson_answers_409(journal, login):
    student = journal.school.students["student"]
    client = login("teacher")
    key = str(uuid.uuid4())
    client.post(cell_url(journal.open_lesson(), student), {"value": "5", "base": "", "key": key},
                HTTP_ACCEPT="application/json")
    response = client.post(cell_url(journal.open_lesson(1), student), {"value": "5", "base": "", "key": key},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    assert "ключ запроса уже использован" in response.json()["error"]
    assert not Mark.objects.filter(lesson=journal.open_lesson(1)).exists()


def test_a_key_racing_on_another_lesson_answers_409_not_500(journal, login, monkeypatch):
    student = journal.school.students["student"]
    client = login("teacher")
    key = str(uuid.uuid4())
    client.post(cell_url(journal.open_lesson(), student), {"value": "5", "base": "", "key": key},
                HTTP_ACCEPT="application/json")
    hidden = selectors.column_state
    monkeypatch.setattr(selectors, "column_state",
                        lambda lesson, student_ids, keys, **kwargs: hidden(lesson, student_ids, [], **kwargs))
    response = client.post(cell_url(journal.open_lesson(1), student), {"value": "4", "base": "", "key": key},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 409 and "ключ запроса" in response.json()["error"]
    assert not Mark.objects.filter(lesson=journal.open_lesson(1)).exists()


def test_an_absence_reason_with_a_key_used_for_another_reason_is_refused(journal):
    school = journal.school
    lesson, student = journal.open_lesson(), school.students["student"]
    services.save_cell(actor=school.users["teacher"], lesson=lesson, student=student, text="н", base="")
    key = uuid.uuid4()
    services.set_absence_reason(actor=school.users["class_teacher"], lesson=lesson, student=student, code="б",
                                note="справка", key=key)
    services.set_absence_reason(actor=school.users["class_teacher"], lesson=lesson, student=student, code="б",
                                note="справка", key=key)  # a retry: replayed
    with pytest.raises(idempotency.KeyReused):
        services.set_absence_reason(actor=school.users["class_teacher"], lesson=lesson, student=student, code="уп",
                                    note="соревнования", key=key)
    assert Attendance.objects.get(lesson=lesson, student=student).code == "б"
