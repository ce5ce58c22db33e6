"""Final marks: suggested by the school's rules, confirmed or changed with a reason, never rewritten by new rules."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from zhurnal.audit.models import AuditEntry
from zhurnal.journal import selectors, services
from zhurnal.journal.models import FinalKind, FinalMark, WorkType
from zhurnal.journal.policies import policy_for, policy_row_for
from zhurnal.school.models import ReportingPeriod

pytestmark = pytest.mark.django_db

IN_Q1 = dt.date(2026, 10, 20)


def quarter(journal, number):
    return ReportingPeriod.objects.get(period_set__year=journal.school.year, period_set__grade_from=1, number=number)


def give(journal, *values, student=None, start=0):
    student = student or journal.school.students["student"]
    for lesson, value in zip(journal.lessons[start:], values, strict=False):
        services.save_cell(actor=journal.school.users["teacher"], lesson=lesson, student=student, text=value,
                           today=IN_Q1)


def set_final(journal, value, reason="", period=None, today=IN_Q1, student=None):
    return services.set_final_mark(actor=journal.school.users["teacher"], assignment=journal.maths,
                                   student=student or journal.school.students["student"],
                                   period=period if period is not None else quarter(journal, 1), value=value,
                                   reason=reason, today=today)


def test_confirming_the_suggestion_needs_no_reason(journal):
    give(journal, "5", "4", "5", "5")
    final = set_final(journal, "5")
    assert (final.value, final.suggested, final.average, final.flagged) == ("5", "5", Decimal("4.75"), False)
    assert final.policy == policy_row_for(journal.school.school, IN_Q1)
    assert AuditEntry.objects.filter(verb="final.set", target_id=str(final.pk)).count() == 1


def test_a_different_final_mark_needs_a_reason_and_is_flagged_to_the_deputy(journal):
    give(journal, "4", "4", "4")
    with pytest.raises(ValidationError) as error:
        set_final(journal, "5")
    assert "укажите обоснование" in error.value.messages[0]
    final = set_final(journal, "5", reason="Олимпиада, призёр муниципального этапа")
    assert final.flagged and final.suggested == "4"
    overview = selectors.control_overview(journal.school.school, journal.school.year, today=IN_Q1)
    assert [f.pk for f in overview.flagged] == [final.pk]


def test_not_attested_is_possible_with_a_reason(journal):
    give(journal, "3", "3", "3")
    final = set_final(journal, "н/а", reason="Пропустил две трети уроков")
    assert final.value == "н/а" and final.flagged
    exempt = set_final(journal, "осв", student=journal.school.students["student"])
    assert exempt.value == "осв" and not exempt.flagged


def test_an_empty_value_removes_the_final_mark_with_history(journal):
    give(journal, "5", "5", "5")
    final = set_final(journal, "5")
    assert set_final(journal, "") is None
    assert not FinalMark.objects.filter(pk=final.pk).exists()
    assert AuditEntry.objects.filter(verb="final.clear", target_id=str(final.pk)).exists()


def test_a_final_mark_for_a_student_who_was_not_there_is_refused(journal):
    with pytest.raises(ValidationError, match="не учился"):
        set_final(journal, "5", student=journal.school.students["other_student"])


def test_bad_value_is_refused(journal):
    with pytest.raises(ValidationError, match="не итоговая отметка"):
        set_final(journal, "4-")


def test_a_rules_change_never_rewrites_final_marks_already_set(journal):
    school = journal.school.school
    give(journal, "5", "4", "4", "5")  # average 4.50
    final = set_final(journal, "5")
    services.save_grading_policy(
        actor=None, school=school, valid_from=dt.date(2026, 10, 21), weights={},
        thresholds=(Decimal("1.6"), Decimal("2.6"), Decimal("3.6"), Decimal("4.6")), today=dt.date(2026, 10, 21))
    final.refresh_from_db()
    assert (final.value, final.suggested) == ("5", "5")
    # The rules in force on the last day of the period now suggest a «4».
    rows = selectors.period_final_rows(journal.maths, quarter(journal, 1), today=dt.date(2026, 10, 26),
                                       policy=policy_for(school, dt.date(2026, 10, 25)))
    row = next(r for r in rows if r.student == journal.school.students["student"])
    assert row.suggestion.value == "4" and row.final.value == "5"


def test_a_change_of_rules_cannot_start_in_the_past(journal):
    with pytest.raises(ValidationError, match="не раньше сегодняшнего дня"):
        services.save_grading_policy(actor=None, school=journal.school.school, valid_from=dt.date(2026, 9, 30),
                                     weights={}, today=dt.date(2026, 10, 1))


def test_the_rules_in_force_on_a_date(journal):
    school = journal.school.school
    services.save_grading_policy(actor=None, school=school, valid_from=dt.date(2026, 11, 1), weights={},
                                 min_marks=5, today=dt.date(2026, 10, 1))
    assert policy_for(school, dt.date(2026, 10, 31)).min_marks == 3
    assert policy_for(school, dt.date(2026, 11, 1)).min_marks == 5


def test_work_type_weights_are_part_of_the_rules(journal):
    school = journal.school.school
    control = WorkType.objects.get(school=school, name="Контрольная работа")
    policy = policy_for(school, IN_Q1)
    assert policy.weight(control.pk) == Decimal(2)
    assert control.pk in policy.control_types
    project = services.save_work_type(actor=None, school=school, name="Проект", weight=Decimal(3),
                                      today=dt.date(2026, 10, 22))
    assert policy_for(school, dt.date(2026, 10, 22)).weight(project.pk) == Decimal(3)
    assert policy_for(school, dt.date(2026, 10, 21)).weight(project.pk) == Decimal(1)


def test_the_year_mark_comes_from_the_period_marks(journal):
    school = journal.school
    student = school.students["student"]
    periods = selectors.assignment_periods(journal.maths)
    for period, value in zip(periods, ["5", "4", "5", "4"], strict=True):
        FinalMark.objects.create(school=school.school, assignment=journal.maths, student=student, period=period,
                                 kind=FinalKind.PERIOD, value=value, set_at="2027-05-20T10:00:00Z")
    final = services.set_final_mark(actor=school.users["teacher"], assignment=journal.maths, student=student,
                                period=None, value="5", today=dt.date(2027, 5, 25))
    assert (final.kind, final.value, final.suggested, final.flagged) == ("year", "5", "5", False)
    with pytest.raises(ValidationError, match="обоснование"):
        services.set_final_mark(actor=school.users["teacher"], assignment=journal.maths, student=student,
                                period=None, value="4", today=dt.date(2027, 5, 25))


def test_a_whole_column_of_final_marks_is_all_or_nothing(journal):
    school = journal.school
    give(journal, "5", "5", "5")
    give(journal, "3", "3", "3", student=school.class_5a.enrollments.exclude(
        student=school.students["student"]).first().student)
    others = [e.student for e in school.class_5a.enrollments.exclude(student=school.students["student"])]
    with pytest.raises(ValidationError):
        services.set_final_marks(actor=school.users["teacher"], assignment=journal.maths,
                                 period=quarter(journal, 1),
                                 values={school.students["student"].pk: ("5", ""), others[0].pk: ("5", "")},
                                 today=IN_Q1)
    assert not FinalMark.objects.exists()
    changed = services.set_final_marks(actor=school.users["teacher"], assignment=journal.maths,
                                       period=quarter(journal, 1),
                                       values={school.students["student"].pk: ("5", ""), others[0].pk: ("3", "")},
                                       today=IN_Q1)
    assert changed == 2
