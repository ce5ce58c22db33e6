"""The grading rules as pure functions: parsing what teachers type, weighted averages, rounding, year marks."""

import dataclasses
import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from zhurnal.journal.grading import (
    GradedMark,
    ParsedMark,
    Policy,
    average_of_kinds,
    deviates,
    format_average,
    format_cell,
    mark_number,
    marks_allowed,
    parse_cell,
    parse_mark,
    round_to_final,
    suggest_final_mark,
    suggest_year_mark,
    weighted_average,
    with_mark,
)

DAY = dt.date(2026, 9, 1)
ORAL, TEST, CONTROL = 1, 2, 3
POLICY = Policy(weights={ORAL: Decimal(1), TEST: Decimal("1.5"), CONTROL: Decimal(2)},
                control_types=frozenset({CONTROL}))


def marks(*values, work_type=ORAL, start=DAY):
    out = []
    for i, text in enumerate(values):
        value, modifier = (text[:-1], text[-1]) if text[-1] in "+-" else (text, "")
        out.append(GradedMark(value, modifier, work_type, start + dt.timedelta(days=i)))
    return out


# --- what a teacher types ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "absence", "expected"), [
    ("5", "", [("5", "")]),
    ("4-", "", [("4", "-")]),
    ("4−", "", [("4", "-")]),
    ("3+", "", [("3", "+")]),
    ("5/4", "", [("5", ""), ("4", "")]),
    ("5 / 4-", "", [("5", ""), ("4", "-")]),
    ("н", "н", []),
    ("Н", "н", []),
    ("б", "б", []),
    ("уп", "уп", []),
    ("оп 5", "оп", [("5", "")]),
    ("зч", "", [("зч", "")]),
    ("н/а", "", [("н/а", "")]),
    ("осв", "", [("осв", "")]),
    ("", "", []),
    ("   ", "", []),
])
def test_parse_cell_reads_what_teachers_type(typed, absence, expected):
    entry = parse_cell(typed, policy=POLICY)
    assert entry.absence == absence
    assert [tuple(m) for m in entry.marks] == expected


@pytest.mark.parametrize(("typed", "message"), [
    ("6", "не отметка"),
    ("0", "не отметка"),
    ("5+", "вне шкалы"),
    ("1-", "вне шкалы"),
    ("пять", "не отметка"),
    ("н 5", "отсутствовал"),
    ("б/4", "отсутствовал"),
    ("н б", "только одна"),
    ("5/5/5/5/5", "четырёх"),
])
def test_parse_cell_refuses_with_a_russian_message(typed, message):
    with pytest.raises(ValidationError) as error:
        parse_cell(typed, policy=POLICY)
    assert message in " ".join(error.value.messages)


def test_modifiers_are_refused_when_the_school_does_not_use_them():
    with pytest.raises(ValidationError, match="не ставят отметки с"):
        parse_mark("4-", policy=Policy(allow_modifiers=False))
    assert parse_mark("4", policy=Policy(allow_modifiers=False)) == ParsedMark("4", "")


def test_format_cell_writes_what_parse_cell_reads():
    assert format_cell("оп", [("5", ""), ("4", "-")]) == "оп 5/4−"
    assert format_cell("н", []) == "н"
    assert format_cell("", []) == ""


# --- averages -------------------------------------------------------------------------------------------------


def test_weighted_average_weighs_work_types():
    # (5·1 + 3·2) / (1 + 2) = 11/3 = 3.666… → 3.67
    result = weighted_average([*marks("5"), *marks("3", work_type=CONTROL)], policy=POLICY)
    assert result.value == Decimal("3.67")
    assert result.count == 2


def test_modifier_counts_by_the_school_setting():
    as_whole = Policy(modifier_value=Decimal(0))
    quarter = Policy(modifier_value=Decimal("0.25"))
    assert mark_number("5", "-", policy=as_whole) == Decimal(5)
    assert mark_number("5", "-", policy=quarter) == Decimal("4.75")
    assert mark_number("3", "+", policy=quarter) == Decimal("3.25")
    assert weighted_average(marks("5-", "4+"), policy=quarter).value == Decimal("4.50")


def test_excluded_codes_do_not_count_and_counted_ones_count_as_two():
    assert weighted_average(marks("5", "зч", "осв", "нз", "н/а"), policy=POLICY).value == Decimal("5.00")
    counting = Policy(excluded_codes=frozenset({"зч", "осв"}))
    # 5, нз → 2, н/а → 2: 9 / 3 = 3
    assert weighted_average(marks("5", "зч", "нз", "н/а"), policy=counting).value == Decimal("3.00")


def test_weight_zero_excludes_a_work_type():
    policy = Policy(weights={TEST: Decimal(0)})
    result = weighted_average([*marks("5"), *marks("2", work_type=TEST)], policy=policy)
    assert result.value == Decimal("5.00")
    assert result.total == 2 and result.count == 1


def test_no_counted_marks_means_no_average():
    result = weighted_average(marks("зч"), policy=POLICY)
    assert result.value is None
    assert format_average(result.value) == ""


def test_format_average_uses_a_decimal_comma():
    assert format_average(Decimal("4.5")) == "4,50"
    assert format_average(Decimal("3.666")) == "3,67"


# --- rounding into a final mark ----------------------------------------------------------------------------------

MATHEMATICAL = Policy()
IN_FAVOUR = Policy(threshold_3=Decimal("2.6"), threshold_4=Decimal("3.6"), threshold_5=Decimal("4.6"))


@pytest.mark.parametrize(("average", "mathematical", "strict"), [
    ("4.50", "5", "4"),
    ("4.49", "4", "4"),
    ("4.60", "5", "5"),
    ("4.59", "5", "4"),
    ("3.50", "4", "3"),
    ("3.60", "4", "4"),
    ("2.50", "3", "2"),
    ("2.59", "3", "2"),
    ("2.60", "3", "3"),
    ("2.49", "2", "2"),
    ("1.50", "2", "2"),
    ("1.49", "1", "1"),
    ("5.00", "5", "5"),
    ("1.00", "1", "1"),
])
def test_rounding_table(average, mathematical, strict):
    assert round_to_final(Decimal(average), policy=MATHEMATICAL) == mathematical
    assert round_to_final(Decimal(average), policy=IN_FAVOUR) == strict


def test_the_rounded_average_is_compared_so_families_see_the_same_number():
    # 4.495 is shown as «4,50» and therefore suggests «5».
    assert round_to_final(Decimal("4.495"), policy=MATHEMATICAL) == "5"


def test_too_few_marks_give_no_suggestion():
    suggestion = suggest_final_mark(marks("5", "5"), policy=Policy(min_marks=3))
    assert suggestion.value is None
    assert "не меньше 3" in suggestion.explanation
    assert suggest_final_mark(marks("5", "5", "5"), policy=Policy(min_marks=3)).value == "5"


def test_suggestion_explains_itself_in_russian():
    suggestion = suggest_final_mark(marks("5", "4", "4"), policy=MATHEMATICAL)
    assert suggestion.value == "4"
    assert suggestion.explanation == "Средний взвешенный балл 4,33 (от 3,50 до 4,50) — «4»."


def test_unredeemed_two_for_a_control_work_blocks_a_five():
    rule = Policy(weights=POLICY.weights, control_types=POLICY.control_types, two_blocks_five=True)
    history = [*marks("5", "5", "5", "5", "5", "5", "5", "5", "5", "5"),
               GradedMark("2", "", CONTROL, DAY + dt.timedelta(days=20))]
    blocked = suggest_final_mark(history, policy=rule)
    assert round_to_final(blocked.average, policy=rule) == "5"
    assert blocked.value == "4" and blocked.blocked_by_two
    assert "не исправлена" in blocked.explanation
    # Without the rule, the same marks give a «5».
    assert suggest_final_mark(history, policy=POLICY).value == "5"


def test_a_later_control_work_mark_redeems_the_two():
    rule = Policy(weights=POLICY.weights, control_types=POLICY.control_types, two_blocks_five=True)
    history = [*marks(*["5"] * 12), GradedMark("2", "", CONTROL, DAY + dt.timedelta(days=20)),
               GradedMark("4", "", CONTROL, DAY + dt.timedelta(days=25))]
    assert suggest_final_mark(history, policy=rule).value == "5"
    # A «2» for an oral answer is not a control work.
    oral_two = [*marks(*["5"] * 12), GradedMark("2", "", ORAL, DAY + dt.timedelta(days=20))]
    assert suggest_final_mark(oral_two, policy=rule).value == "5"


# --- the year ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("periods", "ties_up", "expected"), [
    (["5", "5", "4", "4"], True, "5"),
    (["5", "5", "4", "4"], False, "4"),
    (["4", "4", "4", "5"], True, "4"),
    (["4", "5", "5", "5"], True, "5"),
    (["3", "4"], True, "4"),
    (["3", "4"], False, "3"),
    (["5", "осв", "5", "4"], True, "5"),
    (["осв", "осв"], True, "осв"),
    (["зч", "зч"], True, "зч"),
    (["4", None, "4", "4"], True, None),
    (["4", "н/а", "4", "4"], True, None),
])
def test_year_mark_from_the_period_marks(periods, ties_up, expected):
    assert suggest_year_mark(periods, policy=Policy(year_ties_up=ties_up)).value == expected


# --- deviations and grades without marks ---------------------------------------------------------------------------


@pytest.mark.parametrize(("final", "suggested", "flagged"), [
    ("5", "5", False), ("5", "4", True), ("3", "4", True), ("2", "4", True), ("н/а", "3", True),
    ("осв", "4", False), ("4", None, False), ("зч", "4", False),
])
def test_a_final_mark_a_point_away_from_the_suggestion_is_flagged(final, suggested, flagged):
    assert deviates(final, suggested) is flagged


def test_grade_one_never_has_marks():
    assert not marks_allowed(grade=1, subject_without_marks=False, policy=Policy(grades_without_marks=frozenset()))
    assert marks_allowed(grade=2, subject_without_marks=False, policy=Policy())
    assert not marks_allowed(grade=2, subject_without_marks=False, policy=Policy(grades_without_marks=frozenset({2})))
    assert not marks_allowed(grade=4, subject_without_marks=True, policy=Policy())


# --- properties ------------------------------------------------------------------------------------------------------

mark_values = st.sampled_from(["1", "2", "3", "4", "5"])
modifiers = st.sampled_from(["", "+", "-"])
work_types = st.sampled_from([ORAL, TEST, CONTROL])
graded = st.builds(lambda v, m, w, d: GradedMark(v, "" if (v, m) in (("5", "+"), ("1", "-")) else m, w,
                                                 DAY + dt.timedelta(days=d)),
                   mark_values, modifiers, work_types, st.integers(0, 60))
policies = st.builds(
    lambda mod, w1, w2, w3: Policy(modifier_value=mod, weights={ORAL: w1, TEST: w2, CONTROL: w3},
                                   control_types=frozenset({CONTROL})),
    st.sampled_from([Decimal(0), Decimal("0.25"), Decimal("0.33"), Decimal("0.5")]),
    st.decimals(min_value=Decimal("0.5"), max_value=5, places=1),
    st.decimals(min_value=Decimal("0.5"), max_value=5, places=1),
    st.decimals(min_value=Decimal("0.5"), max_value=5, places=1),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(graded, min_size=1, max_size=40), policies)
def test_average_lies_between_the_lowest_and_the_highest_mark(items, policy):
    numbers = [mark_number(m.value, m.modifier, policy=policy) for m in items]
    average = weighted_average(items, policy=policy)
    assert min(numbers) <= average.exact <= max(numbers)
    assert average.count == len(items)


@settings(max_examples=300, deadline=None)
@given(st.lists(graded, min_size=1, max_size=40), policies)
def test_average_does_not_depend_on_the_order_of_marks(items, policy):
    assert weighted_average(items, policy=policy).value == weighted_average(items[::-1], policy=policy).value


@settings(max_examples=200, deadline=None)
@given(st.lists(graded, min_size=1, max_size=30), policies, mark_values)
def test_a_higher_new_mark_never_lowers_the_average(items, policy, value):
    before = weighted_average(items, policy=policy).exact
    top = max(mark_number(m.value, m.modifier, policy=policy) for m in items)
    if Decimal(value) >= top:
        after = weighted_average([*items, GradedMark(value, "", ORAL, DAY)], policy=policy).exact
        assert after >= before


any_graded = st.builds(lambda mark, v: mark._replace(value=v, modifier="") if v else mark, graded,
                      st.sampled_from([None, None, None, "зч", "нз", "н/а", "осв"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(any_graded, max_size=30), any_graded, policies, st.sampled_from([None, ORAL, TEST]))
def test_one_more_mark_added_to_an_average_equals_the_average_of_them_all(items, extra, policy, unweighted):
    """``with_mark`` (the diary's «what if») and ``weighted_average`` agree to the last digit — also for marks
    that do not count (codes, a work type of weight 0)."""
    if unweighted is not None:
        policy = dataclasses.replace(policy, weights={**policy.weights, unweighted: Decimal(0)})
    step = with_mark(weighted_average(items, policy=policy), extra, policy=policy)
    assert step == weighted_average([*items, extra], policy=policy)


# Mostly fives, so that the suggestion is often «5» and the «unredeemed 2» rule has something to decide.
placed = st.builds(lambda value, work_type, day, number, position: GradedMark(
                       value, "", work_type, DAY + dt.timedelta(days=day), position, number),
                   st.sampled_from(["5", "5", "5", "5", "5", "4", "3", "2"]), st.sampled_from([ORAL, CONTROL]),
                   st.integers(0, 3), st.integers(1, 3), st.integers(0, 1))


@settings(max_examples=300, deadline=None)
@given(st.lists(placed, min_size=1, max_size=30, unique_by=lambda m: (m.date, m.number, m.position)),
       policies, st.randoms(use_true_random=False))
def test_the_suggestion_does_not_depend_on_the_order_marks_are_read_in(items, policy, random):
    """The grid, the row after a save, the final-marks page and the diary read marks in different orders; with
    two lessons of a subject on one day the «unredeemed 2» rule must still see them in the lessons' order."""
    policy = dataclasses.replace(policy, two_blocks_five=True, min_marks=1)
    shuffled = random.sample(items, len(items))
    assert suggest_final_mark(shuffled, policy=policy) == suggest_final_mark(items, policy=policy)


@settings(max_examples=300, deadline=None)
@given(st.lists(placed, min_size=1, max_size=30, unique_by=lambda m: (m.date, m.number, m.position)), policies,
       st.booleans())
def test_the_grid_suggests_from_the_kinds_of_marks_and_the_control_works_alone(items, policy, rule):
    """The grid counts marks by kind (``average_of_kinds``) and passes only the control works' marks with the
    average: the same suggestion as from every mark."""
    policy = dataclasses.replace(policy, two_blocks_five=rule, min_marks=1)
    average = average_of_kinds(Counter((m.value, m.modifier, m.work_type_id) for m in items), policy=policy)
    assert average == weighted_average(items, policy=policy)
    controls = [m for m in items if m.work_type_id in policy.control_types]
    assert suggest_final_mark(controls, policy=policy, average=average) == suggest_final_mark(items, policy=policy)


def test_a_control_two_in_the_first_of_two_lessons_on_a_day_is_redeemed_by_a_five_in_the_second():
    policy = dataclasses.replace(POLICY, two_blocks_five=True, control_types=frozenset({CONTROL}), min_marks=1)
    fives = [GradedMark("5", "", ORAL, DAY, 0, 1) for _ in range(8)]
    second = GradedMark("5", "", CONTROL, DAY + dt.timedelta(days=1), 0, 2)  # entered first
    first = GradedMark("2", "", CONTROL, DAY + dt.timedelta(days=1), 0, 1)
    assert suggest_final_mark([*fives, second, first], policy=policy).value == "5"
    assert suggest_final_mark([*fives, first, second], policy=policy).value == "5"
    assert suggest_final_mark([*fives, GradedMark("2", "", CONTROL, second.date, 0, 3), second],
                              policy=policy).blocked_by_two


@settings(max_examples=500, deadline=None)
@given(st.decimals(min_value=1, max_value=5, places=3), st.decimals(min_value=1, max_value=5, places=3))
def test_rounding_is_monotonic(a, b):
    order = "12345"
    low, high = min(a, b), max(a, b)
    assert order.index(round_to_final(low, policy=MATHEMATICAL)) <= order.index(round_to_final(high, policy=MATHEMATICAL))


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=1, max_value=5, places=2))
def test_stricter_thresholds_never_give_a_higher_mark(average):
    order = "12345"
    assert order.index(round_to_final(average, policy=IN_FAVOUR)) <= order.index(
        round_to_final(average, policy=MATHEMATICAL))


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=1, max_value=5, places=2))
def test_a_mark_is_at_most_half_a_point_from_the_average_with_mathematical_thresholds(average):
    assert abs(Decimal(round_to_final(average, policy=MATHEMATICAL)) - average) <= Decimal("0.5")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(mark_values, modifiers), min_size=0, max_size=4), st.sampled_from(["", "оп"]))
def test_what_format_cell_writes_parse_cell_reads_back(items, absence):
    items = [(v, "" if (v, m) in (("5", "+"), ("1", "-")) else m) for v, m in items]
    entry = parse_cell(format_cell(absence, items), policy=Policy())
    assert entry.absence == absence
    assert [tuple(m) for m in entry.marks] == items


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["2", "3", "4", "5"]), min_size=2, max_size=4))
def test_year_mark_lies_between_the_period_marks(periods):
    value = suggest_year_mark(periods, policy=Policy()).value
    assert min(periods) <= value <= max(periods)


def test_the_attendance_codes_have_one_definition():
    from zhurnal.journal import grading
    from zhurnal.journal.models import AbsenceCode

    assert tuple(AbsenceCode.values) == grading.ABSENCE_CODES
    assert set(grading.MISSED_CODES) < set(grading.ABSENCE_CODES) == set(grading.ABSENCE_MEANINGS)
