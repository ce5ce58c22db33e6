"""Final marks in the diary: visible from two days before the period ends, the forecast only inside the two-week
window (with warnings), and the guardian's acknowledgement that reaches the class teacher."""

from __future__ import annotations

import datetime as dt

import pytest

from zhurnal.audit.models import AuditEntry
from zhurnal.diary import selectors
from zhurnal.diary.models import FinalAcknowledgement
from zhurnal.journal import services as journal
from zhurnal.journal import visibility

from .conftest import current_quarter, put_cell, school_days_before, set_period_end

pytestmark = pytest.mark.django_db


def test_visibility_rule_boundaries():
    end = dt.date(2026, 12, 28)
    assert not visibility.family_can_see_final(period_end=end, today=dt.date(2026, 12, 25))
    assert visibility.family_can_see_final(period_end=end, today=dt.date(2026, 12, 26))
    assert visibility.family_can_see_final(period_end=end, today=dt.date(2027, 1, 15))
    start = dt.date(2026, 11, 5)
    assert visibility.forecast_window(start, end) == (dt.date(2026, 12, 14), end)
    assert not visibility.in_forecast_window(period_start=start, period_end=end, today=dt.date(2026, 12, 13))
    assert visibility.in_forecast_window(period_start=start, period_end=end, today=dt.date(2026, 12, 14))
    assert visibility.in_forecast_window(period_start=start, period_end=end, today=end)
    assert not visibility.in_forecast_window(period_start=start, period_end=end, today=dt.date(2026, 12, 29))


def test_visibility_days_are_a_setting(settings):
    settings.ZHURNAL_FINALS_VISIBLE_DAYS = 0
    settings.ZHURNAL_FORECAST_DAYS = 21
    end = dt.date(2026, 12, 28)
    assert not visibility.family_can_see_final(period_end=end, today=dt.date(2026, 12, 27))
    assert visibility.forecast_window(dt.date(2026, 11, 5), end)[0] == dt.date(2026, 12, 7)


def marks(s, student, assignment, values):
    lessons = school_days_before(s, len(values), assignment)
    for lesson, value in zip(lessons, values, strict=True):
        put_cell(s, lesson, student, value)


def test_final_mark_is_hidden_until_two_days_before_the_end_and_forecast_shows_meanwhile(diary, login):
    s = diary
    student = s.students["student"]
    period = set_period_end(s, current_quarter(s), s.today + dt.timedelta(days=10))
    marks(s, student, s.math_5a, ["5", "5", "4"])
    journal.set_final_mark(actor=s.users["teacher"], assignment=s.math_5a, student=student, period=period,
                           value="5", today=s.today)
    client = login("guardian")

    page = selectors.diary_finals(student, today=s.today)
    math = next(r for r in page.rows if r.assignment.pk == s.math_5a.pk)
    cell = math.cells[[p.pk for p in page.periods].index(period.pk)]
    assert cell.final is None and cell.forecast is not None and cell.forecast.value == "5"
    html = client.get(f"/diary/{student.pk}/finals/").content.decode()
    assert 'id="forecast-window"' in html and 'title="прогноз"' in html and 'class="final"' not in html
    subject = client.get(f"/diary/{student.pk}/subject/{s.math.pk}/").content.decode()
    assert f'id="forecast-{s.math_5a.pk}">5<' in subject and "mark-final" not in subject

    set_period_end(s, period, s.today + dt.timedelta(days=2))
    page = selectors.diary_finals(student, today=s.today)
    math = next(r for r in page.rows if r.assignment.pk == s.math_5a.pk)
    cell = math.cells[[p.pk for p in page.periods].index(period.pk)]
    assert cell.final == "5" and cell.forecast is None
    subject = client.get(f"/diary/{student.pk}/subject/{s.math.pk}/").content.decode()
    assert 'class="big mark-final">5<' in subject


def test_forecast_is_not_shown_outside_the_two_week_window(diary, login):
    s = diary
    student = s.students["student"]
    set_period_end(s, current_quarter(s), s.today + dt.timedelta(days=visibility.forecast_days() + 1))
    marks(s, student, s.math_5a, ["2", "2", "3"])
    page = selectors.diary_finals(student, today=s.today)
    assert not page.in_window
    assert all(cell.forecast is None and not cell.warning for row in page.rows for cell in row.cells)
    client = login("guardian")
    html = client.get(f"/diary/{student.pk}/finals/").content.decode()
    assert 'id="forecast-window"' not in html and 'title="прогноз"' not in html
    subject = client.get(f"/diary/{student.pk}/subject/{s.math.pk}/").content.decode()
    assert f'id="forecast-{s.math_5a.pk}"' not in subject
    week = client.get(f"/diary/{student.pk}/week/").content.decode()
    assert 'id="forecast-notice"' not in week


def test_forecast_warns_about_a_two_and_about_too_few_marks(diary, login):
    s = diary
    student = s.students["student"]
    set_period_end(s, current_quarter(s), s.today + dt.timedelta(days=5))
    marks(s, student, s.math_5a, ["2", "2", "3"])
    marks(s, student, s.russian_5a, ["5"])
    html = login("guardian").get(f"/diary/{student.pk}/finals/").content.decode()
    assert 'id="forecast-warnings"' in html
    assert "Математика: прогноз «2» — есть риск неудовлетворительной итоговой отметки" in html
    assert "Русский язык: недостаточно отметок для итоговой" in html
    week = login("guardian").get(f"/diary/{student.pk}/week/").content.decode()
    assert 'id="forecast-notice"' in week


def publish_finals(s, student):
    period = set_period_end(s, current_quarter(s), s.today + dt.timedelta(days=1))
    marks(s, student, s.math_5a, ["5", "4", "4"])
    marks(s, student, s.russian_5a, ["3", "3", "4"])
    journal.set_final_mark(actor=s.users["teacher"], assignment=s.math_5a, student=student, period=period,
                           value="4", today=s.today)
    journal.set_final_mark(actor=s.users["class_teacher"], assignment=s.russian_5a, student=student, period=period,
                           value="3", today=s.today)
    return period


def test_guardian_acknowledgement_reaches_the_class_teacher(diary, login):
    s = diary
    student = s.students["student"]
    period = publish_finals(s, student)
    guardian = login("guardian")
    response = guardian.post(f"/diary/{student.pk}/finals/acknowledge/", {"period": period.pk}, follow=True)
    assert "Ознакомление с итоговыми отметками" in response.content.decode()
    ack = FinalAcknowledgement.objects.get(student=student, period=period)
    assert ack.marks == {"Математика": "4", "Русский язык": "3"}
    assert AuditEntry.objects.filter(verb="diary.acknowledge", target_id=str(ack.pk)).exists()
    assert "вы ознакомлены" in guardian.get(f"/diary/{student.pk}/finals/").content.decode()

    teacher_page = login("class_teacher").get(
        f"/diary/classes/{s.class_5a.pk}/acknowledgements/?period={period.pk}").content.decode()
    assert "Ознакомлены: <b>1</b> из 1" in teacher_page
    assert "ознакомлен(а) " + ack.acknowledged_at.astimezone().strftime("%d.%m.%Y") in teacher_page
    data = selectors.class_acknowledgements(s.class_5a, period, periods=[period], today=s.today)
    row = next(r for r in data.rows if r.student.pk == student.pk)
    assert row.acknowledged and row.marks == {"Математика": "4", "Русский язык": "3"}
    others = [r for r in data.rows if r.student.pk != student.pk]
    assert others and not any(r.acknowledged for r in others)


def test_changed_final_marks_need_a_new_acknowledgement(diary, login):
    s = diary
    student = s.students["student"]
    period = publish_finals(s, student)
    login("guardian").post(f"/diary/{student.pk}/finals/acknowledge/", {"period": period.pk})
    journal.set_final_mark(actor=s.users["teacher"], assignment=s.math_5a, student=student, period=period,
                           value="5", reason="Олимпиада", today=s.today)
    data = selectors.class_acknowledgements(s.class_5a, period, periods=[period], today=s.today)
    row = next(r for r in data.rows if r.student.pk == student.pk)
    assert not row.acknowledged and row.outdated
    teacher_page = login("class_teacher").get(
        f"/diary/classes/{s.class_5a.pk}/acknowledgements/?period={period.pk}").content.decode()
    assert "после этого отметки изменились" in teacher_page
    guardian_page = login("guardian").get(f"/diary/{student.pk}/finals/").content.decode()
    assert "после вашего ознакомления отметки изменились" in guardian_page
    login("guardian").post(f"/diary/{student.pk}/finals/acknowledge/", {"period": period.pk})
    assert FinalAcknowledgement.objects.get(student=student, period=period).marks["Математика"] == "5"


def test_acknowledging_before_final_marks_are_published_changes_nothing(diary, login):
    s = diary
    student = s.students["student"]
    period = set_period_end(s, current_quarter(s), s.today + dt.timedelta(days=10))
    marks(s, student, s.math_5a, ["5", "4", "4"])
    journal.set_final_mark(actor=s.users["teacher"], assignment=s.math_5a, student=student, period=period,
                           value="4", today=s.today)
    response = login("guardian").post(f"/diary/{student.pk}/finals/acknowledge/", {"period": period.pk},
                                      follow=True)
    assert "ещё не опубликованы" in response.content.decode()
    assert not FinalAcknowledgement.objects.exists()


def test_only_the_guardian_acknowledges(diary, login):
    s = diary
    student = s.students["student"]
    period = publish_finals(s, student)
    assert login("student").post(f"/diary/{student.pk}/finals/acknowledge/", {"period": period.pk}).status_code == 403
    assert login("class_teacher").post(f"/diary/{student.pk}/finals/acknowledge/",
                                       {"period": period.pk}).status_code == 403
    assert login("other_guardian").post(f"/diary/{student.pk}/finals/acknowledge/",
                                        {"period": period.pk}).status_code == 404
    assert not FinalAcknowledgement.objects.exists()
