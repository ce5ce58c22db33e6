"""The class teacher's weekly attendance check: reasons of absences, corrections and their history."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhurnal.journal import selectors, services
from zhurnal.journal.models import Attendance, AttendanceCheck

pytestmark = pytest.mark.django_db

IN_Q1 = dt.date(2026, 10, 1)


def absent(journal, lesson, text="н", student=None):
    user = journal.school.users["class_teacher" if lesson.assignment == journal.russian else "teacher"]
    services.save_cell(actor=user, lesson=lesson, student=student or journal.school.students["student"], text=text,
                       today=IN_Q1)


def same_day_lessons(journal):
    """A Monday with maths (1st lesson) and Russian (2nd lesson) in 5А."""
    russian = journal.russian_lessons[0]
    maths = next(lesson for lesson in journal.lessons if lesson.date == russian.date)
    return maths, russian


def test_the_class_teacher_sets_the_reason_and_the_history_keeps_the_subject_teachers_mark(journal):
    school = journal.school
    maths, _ = same_day_lessons(journal)
    student = school.students["student"]
    absent(journal, maths)
    services.set_absence_reason(actor=school.users["class_teacher"], lesson=maths, student=student, code="б",
                                note="справка от врача", today=IN_Q1)
    attendance = Attendance.objects.get(lesson=maths, student=student)
    assert (attendance.code, attendance.note) == ("б", "справка от врача")
    history = list(selectors.cell_history(maths, student))
    assert [(e.verb, e.before["absence"], e.after["absence"]) for e in history] == [
        ("journal.cell", "", "н"), ("journal.absence_reason", "н", "б")]
    assert history[-1].actor == school.users["class_teacher"] and history[-1].reason == "справка от врача"


def test_removing_an_absence_needs_a_note(journal):
    school = journal.school
    maths, _ = same_day_lessons(journal)
    student = school.students["student"]
    absent(journal, maths)
    with pytest.raises(ValidationError, match="почему пропуск снят"):
        services.set_absence_reason(actor=school.users["class_teacher"], lesson=maths, student=student, code="",
                                    today=IN_Q1)
    services.set_absence_reason(actor=school.users["class_teacher"], lesson=maths, student=student, code="",
                                note="был на олимпиаде, отмечен по ошибке", today=IN_Q1)
    assert not Attendance.objects.filter(lesson=maths, student=student).exists()


def test_a_whole_day_gets_one_reason(journal):
    school = journal.school
    maths, russian = same_day_lessons(journal)
    student = school.students["student"]
    absent(journal, maths)
    absent(journal, russian)
    count = services.set_day_absence_reason(actor=school.users["class_teacher"], school_class=school.class_5a,
                                            student=student, date=maths.date, code="уп", note="заявление родителей",
                                            today=IN_Q1)
    assert count == 2
    assert set(Attendance.objects.filter(student=student).values_list("code", flat=True)) == {"уп"}
    with pytest.raises(ValidationError, match="нет пропусков"):
        services.set_day_absence_reason(actor=school.users["class_teacher"], school_class=school.class_5a,
                                        student=student, date=maths.date, code="б", today=IN_Q1)


def test_the_week_shows_absences_across_subjects_with_their_history(journal):
    school = journal.school
    maths, russian = same_day_lessons(journal)
    student = school.students["student"]
    absent(journal, maths)
    absent(journal, russian, "оп")
    services.set_absence_reason(actor=school.users["class_teacher"], lesson=maths, student=student, code="б",
                                note="ОРВИ", today=IN_Q1)
    week = selectors.attendance_week(school.class_5a, selectors.week_start_of(maths.date))
    row = next(r for r in week.rows if r.student == student)
    day = row.days[maths.date.weekday()]
    assert [(item.attendance.lesson.assignment.subject.name, item.attendance.code) for item in day] == [
        ("Математика", "б"), ("Русский язык", "оп")]
    assert len(day[0].history) == 2
    assert [(e.before["absence"], e.after["absence"]) for e in (line.entry for line in week.corrections)] == [("н", "б")]
    assert len(week.rows) == 3


def test_pages_of_the_weekly_check(journal, login):
    school = journal.school
    maths, _ = same_day_lessons(journal)
    student = school.students["student"]
    absent(journal, maths)
    week = selectors.week_start_of(maths.date)
    client = login("class_teacher")
    page = client.get(reverse("journal:attendance_week", args=[school.class_5a.pk]) + f"?week={week}")
    assert "Математика" in page.content.decode()
    response = client.post(reverse("journal:absence_reason", args=[school.class_5a.pk]), {
        "lesson": maths.pk, "student": student.pk, "code": "б", "note": "справка", "week": week,
        "key": str(uuid.uuid4())}, follow=True)
    # The first quarter closed on 31 October: the reason is refused with a message, not an error page.
    assert response.status_code == 200 and "закрыт" in response.content.decode()
    assert Attendance.objects.get(lesson=maths, student=student).code == "н"
    # An absence still without a reason: the week is confirmed only when the class teacher says so.
    response = client.post(reverse("journal:confirm_week", args=[school.class_5a.pk]), {"week": week}, follow=True)
    assert "остались пропуски без причины: 1" in response.content.decode()
    assert not AttendanceCheck.objects.filter(school_class=school.class_5a).exists()
    response = client.post(reverse("journal:confirm_week", args=[school.class_5a.pk]),
                           {"week": week, "with_unexcused": "1"})
    assert response.status_code == 302
    check = AttendanceCheck.objects.get(school_class=school.class_5a)
    assert check.week_start == week and "без причины: 1" in check.note
    # A subject teacher reads nothing here and the deputy may not set reasons.
    assert login("teacher").get(reverse("journal:attendance_week", args=[school.class_5a.pk])).status_code == 404
    assert login("deputy").post(reverse("journal:absence_reason", args=[school.class_5a.pk]), {
        "lesson": maths.pk, "student": student.pk, "code": "уп"}).status_code == 403


def test_reasons_in_an_open_period_through_the_page(journal, login):
    school = journal.school
    lesson = journal.open_lesson()
    student = school.students["student"]
    login("teacher").post(reverse("journal:cell", args=[lesson.pk, student.pk]), {"value": "н", "base": "",
                                                                                  "key": str(uuid.uuid4())})
    client = login("class_teacher")
    response = client.post(reverse("journal:absence_reason", args=[school.class_5a.pk]), {
        "lesson": lesson.pk, "student": student.pk, "code": "уп", "note": "соревнования"})
    assert response.status_code == 302
    assert Attendance.objects.get(lesson=lesson, student=student).code == "уп"


def test_the_week_shows_what_needs_a_decision_and_saves_a_reason_in_place(journal, login):
    school = journal.school
    lesson = journal.open_lesson()
    student = school.students["student"]
    teacher = login("teacher")
    teacher.post(reverse("journal:cell", args=[lesson.pk, student.pk]), {"value": "н", "base": "",
                                                                         "key": str(uuid.uuid4())})
    week = selectors.week_start_of(lesson.date)
    client = login("class_teacher")
    url = reverse("journal:attendance_week", args=[school.class_5a.pk]) + f"?week={week}"
    html = client.get(url).content.decode()
    assert f'id="week-row-{student.pk}"' in html and html.count('id="week-row-') == 1  # only who needs a decision
    assert "без причины (н): 1" in html and ">Пн, " in html and ">Сб, " in html
    response = client.post(reverse("journal:absence_reason", args=[school.class_5a.pk]), {
        "lesson": lesson.pk, "student": student.pk, "code": "б", "note": "справка", "week": week,
        "key": str(uuid.uuid4())}, HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert response.status_code == 200 and fragment.startswith(f'<tr id="week-row-{student.pk}"')
    assert "причины указаны" in fragment and 'hx-swap-oob="true"' in fragment and "без причины (н): 0" in fragment
    assert Attendance.objects.get(lesson=lesson, student=student).code == "б"
