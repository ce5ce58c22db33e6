"""Locks: a period closes some days after its end; the deputy reopens it for a while; the optional edit window."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhurnal.audit.models import AuditEntry
from zhurnal.journal import locks, services
from zhurnal.journal.grading import Policy
from zhurnal.journal.models import Mark
from zhurnal.school.models import ReportingPeriod

pytestmark = pytest.mark.django_db

Q1_END = dt.date(2026, 10, 25)


def first_quarter(journal):
    return ReportingPeriod.objects.get(period_set__year=journal.school.year, period_set__grade_from=1, number=1)


def save(journal, text, *, today, lesson=None, reason=""):
    return services.save_cell(actor=journal.school.users["teacher"], lesson=lesson or journal.lessons[0],
                              student=journal.school.students["student"], text=text, today=today, reason=reason)


def test_period_lock_rule():
    period = ReportingPeriod(name="1 четверть", start=dt.date(2026, 9, 1), end=Q1_END)
    policy = Policy(close_after_days=5)
    assert not locks.period_lock(period, policy=policy, today=dt.date(2026, 10, 30)).closed
    closed = locks.period_lock(period, policy=policy, today=dt.date(2026, 10, 31))
    assert closed.closed
    assert "закрыт 31.10.2026" in closed.message
    reopened = locks.period_lock(period, policy=policy, today=dt.date(2026, 11, 10),
                                 reopened_until=dt.date(2026, 11, 12))
    assert not reopened.closed and "открыт для исправлений до 12.11.2026" in reopened.message
    expired = locks.period_lock(period, policy=policy, today=dt.date(2026, 11, 13),
                                reopened_until=dt.date(2026, 11, 12))
    assert expired.closed


def test_a_closed_period_is_read_only_for_the_teacher(journal):
    save(journal, "5", today=dt.date(2026, 10, 30))
    with pytest.raises(ValidationError, match="закрыт"):
        save(journal, "4", today=dt.date(2026, 10, 31))
    with pytest.raises(ValidationError, match="закрыт"):
        services.save_lesson_record(actor=journal.school.users["teacher"], lesson=journal.lessons[0],
                                    topic="Поздно", today=dt.date(2026, 10, 31))
    with pytest.raises(ValidationError, match="закрыт"):
        services.set_final_mark(actor=journal.school.users["teacher"], assignment=journal.maths,
                                student=journal.school.students["student"], period=first_quarter(journal),
                                value="5", reason="", today=dt.date(2026, 11, 2))
    assert [m.value for m in Mark.objects.filter(lesson=journal.lessons[0])] == ["5"]


def test_the_close_is_a_school_setting(journal):
    services.save_grading_policy(actor=None, school=journal.school.school, valid_from=dt.date(2026, 9, 1),
                                 weights={}, close_after_days=10, today=dt.date(2026, 9, 1))
    save(journal, "5", today=dt.date(2026, 11, 4))
    with pytest.raises(ValidationError, match="закрыт"):
        save(journal, "4", today=dt.date(2026, 11, 5))


def test_the_deputy_reopens_one_assignment_for_a_limited_time(journal):
    school = journal.school
    today = dt.date(2026, 11, 10)
    reopening = services.reopen_period(actor=school.users["deputy"], assignment=journal.maths,
                                       period=first_quarter(journal), until=dt.date(2026, 11, 12),
                                       reason="Ошибка в отметке за контрольную", today=today)
    with pytest.raises(ValidationError, match="укажите причину исправления"):
        save(journal, "4", today=today)
    assert save(journal, "4", today=today, reason="Исправлена ошибка").late
    save(journal, "3", today=dt.date(2026, 11, 12), reason="Пересчитана работа")
    with pytest.raises(ValidationError, match="закрыт"):
        save(journal, "5", today=dt.date(2026, 11, 13), reason="Ещё одно")
    # Another assignment of the same class stays closed.
    with pytest.raises(ValidationError, match="закрыт"):
        services.save_cell(actor=school.users["class_teacher"], lesson=journal.russian_lessons[0],
                           student=school.students["student"], text="5", today=today)
    entry = AuditEntry.objects.get(verb="journal.period_reopen")
    assert entry.reason == "Ошибка в отметке за контрольную" and entry.target_id == str(reopening.pk)


@pytest.mark.parametrize(("until", "reason", "message"), [
    (dt.date(2026, 11, 9), "причина", "в прошлом"),
    (dt.date(2026, 12, 31), "причина", "не больше чем на 30"),
    (dt.date(2026, 11, 12), "  ", "Укажите причину"),
])
def test_reopening_needs_a_reason_and_a_near_date(journal, until, reason, message):
    with pytest.raises(ValidationError, match=message):
        services.reopen_period(actor=journal.school.users["deputy"], assignment=journal.maths,
                               period=first_quarter(journal), until=until, reason=reason,
                               today=dt.date(2026, 11, 10))


def test_the_edit_window_is_off_by_default(journal):
    lesson = journal.lessons[0]
    result = save(journal, "5", today=Q1_END, lesson=lesson)
    assert not result.late


def test_after_the_edit_window_a_change_is_a_late_correction_with_a_reason(journal):
    services.save_grading_policy(actor=None, school=journal.school.school, valid_from=dt.date(2026, 9, 1),
                                 weights={}, edit_window_days=3, today=dt.date(2026, 9, 1))
    lesson = journal.lessons[0]  # 1 September
    assert not save(journal, "5", today=dt.date(2026, 9, 4), lesson=lesson).late
    with pytest.raises(ValidationError) as error:
        save(journal, "4", today=dt.date(2026, 9, 5), lesson=lesson)
    assert set(error.value.message_dict) == {"reason"}
    assert "позднее исправление" in error.value.messages[0]
    result = save(journal, "4", today=dt.date(2026, 9, 5), lesson=lesson, reason="Перепутал ученика")
    assert result.late
    entry = AuditEntry.objects.filter(verb="journal.cell").latest("id")
    assert entry.reason == "Перепутал ученика" and entry.after["late"] is True
    with pytest.raises(ValidationError, match="позднее исправление"):
        services.save_lesson_record(actor=journal.school.users["teacher"], lesson=lesson, topic="Дроби",
                                    today=dt.date(2026, 9, 5))
