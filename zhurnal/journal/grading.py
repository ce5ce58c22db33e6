"""The school's grading rules as pure functions — the one place every page, report and the diary call.

Nothing here touches the database. A ``Policy`` is one version of a school's rules (build it with
``zhurnal.journal.selectors.policy_for(school, on)``); every function takes it as an argument:

- ``parse_mark("4-", policy=…)`` → ``ParsedMark("4", "-")``; ``parse_cell("н")``, ``parse_cell("5/4")``
  read what a teacher types into a journal cell. Bad input raises ``ValidationError`` with a Russian message.
- ``mark_number(value, modifier, policy=…)`` → the number a mark counts as in the average (or ``None`` when it
  is excluded: «зч», «осв», by default also «нз» and «н/а»).
- ``weighted_average(marks, policy=…)`` → Σ(mark × weight) / Σ(weight) over the counted marks, rounded to
  hundredths (half up) — the value families see.
- ``with_mark(average, mark, policy=…)`` → the same average with one more mark (the diary's «what if»).
- ``suggest_final_mark(marks, policy=…)`` → the suggested final mark for a period, with a Russian
  ``explanation`` that the diary shows as is: the rounded average is compared with the thresholds
  («5» from ``threshold_5`` inclusive, …); fewer counted marks than ``min_marks`` → no suggestion; with
  ``two_blocks_five`` a «2» (or «1», «нз») for a control work not followed later by a control-work mark of
  3 or more turns a suggested «5» into «4».
- ``suggest_year_mark(period_values, policy=…)`` → the year mark from the period marks (their mean; exactly
  half-way goes in the student's favour when ``year_ties_up``).
- ``deviates(final, suggested)`` → a final mark a whole point or more away from the suggestion (flagged to
  the deputy with the teacher's reason).
- ``marks_allowed(grade=…, subject_without_marks=…, policy=…)`` → grade 1 never has marks or homework.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError

NUMERIC_VALUES = ("1", "2", "3", "4", "5")
CODE_VALUES = ("зч", "нз", "н/а", "осв")
MARK_VALUES = NUMERIC_VALUES + CODE_VALUES
# The attendance codes (``models.AbsenceCode`` gives them their journal labels): absent, sick, excused, late.
ABSENCE_CODES = ("н", "б", "уп", "оп")
# Absences that mean the student was not at the lesson (late «оп» was there and may get a mark).
MISSED_CODES = ("н", "б", "уп")
# What each code means, as the diary tells a family.
ABSENCE_MEANINGS = {"н": "отсутствовал(а)", "б": "болел(а)", "уп": "уважительная причина", "оп": "опоздал(а)"}
# «нз» and «н/а», when a school counts them in the average, count as a «2».
CODE_NUMBERS = {"нз": Decimal(2), "н/а": Decimal(2)}
FINAL_VALUES = MARK_VALUES
# A final mark's choices as the finals page offers them: the best mark first, then the codes.
FINAL_CHOICES = tuple(reversed(NUMERIC_VALUES)) + CODE_VALUES
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Policy:
    """One version of a school's grading rules (see ``models.GradingPolicy`` for what each field means)."""

    allow_modifiers: bool = True
    marks_without_separator: bool = False
    modifier_value: Decimal = Decimal(0)
    excluded_codes: frozenset[str] = frozenset(CODE_VALUES)
    weights: Mapping[int, Decimal] = field(default_factory=dict)
    control_types: frozenset[int] = frozenset()
    default_weight: Decimal = Decimal(1)
    threshold_2: Decimal = Decimal("1.50")
    threshold_3: Decimal = Decimal("2.50")
    threshold_4: Decimal = Decimal("3.50")
    threshold_5: Decimal = Decimal("4.50")
    min_marks: int = 3
    two_blocks_five: bool = False
    grades_without_marks: frozenset[int] = frozenset({1})
    close_after_days: int = 5
    edit_window_days: int | None = None
    year_ties_up: bool = True
    valid_from: dt.date | None = None
    version_id: int | None = None

    def weight(self, work_type_id: int | None) -> Decimal:
        if work_type_id is None:
            return self.default_weight
        return self.weights.get(work_type_id, self.default_weight)

    @property
    def thresholds(self) -> tuple[tuple[str, Decimal], ...]:
        return (("5", self.threshold_5), ("4", self.threshold_4), ("3", self.threshold_3), ("2", self.threshold_2))


class ParsedMark(NamedTuple):
    value: str
    modifier: str = ""

    @property
    def text(self) -> str:
        return format_mark(self.value, self.modifier)


class CellEntry(NamedTuple):
    absence: str
    marks: tuple[ParsedMark, ...]


class GradedMark(NamedTuple):
    """What the average needs to know of a mark. Marks follow each other by ``date``, the lesson's ``number``
    that day (two lessons of a subject on one day) and ``position`` within the lesson's cell."""

    value: str
    modifier: str
    work_type_id: int | None
    date: dt.date
    position: int = 0
    number: int = 0


@dataclass(frozen=True)
class Average:
    value: Decimal | None  # rounded to hundredths, half up; None when nothing counts
    exact: Decimal | None
    count: int  # marks counted in the average
    total: int  # all marks given, counted or not
    weight_sum: Decimal
    weighted: Decimal = Decimal(0)  # Σ(mark × weight) over the counted marks


@dataclass(frozen=True)
class Suggestion:
    value: str | None
    average: Decimal | None
    count: int
    explanation: str
    blocked_by_two: bool = False


def format_mark(value: str, modifier: str = "") -> str:
    return f"{value}{'−' if modifier == '-' else modifier}"


def format_average(value: Decimal | None) -> str:
    """«4,38» — Russian decimal comma, always two decimals."""
    if value is None:
        return ""
    return f"{value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)}".replace(".", ",")


def normalize_text(text: str) -> str:
    """Lower case, «ё» → «е», every dash → «-»: what a teacher types, ready to parse."""
    text = (text or "").strip().lower().replace("ё", "е")
    return text.replace("−", "-").replace("–", "-").replace("—", "-").replace("\\", "/")


def same_cell(first: str, second: str) -> bool:
    """Two texts of a cell say the same («4−» and «4-», spaces aside): how a save's ``base`` is compared with what
    the cell holds."""
    return " ".join(normalize_text(first).split()) == " ".join(normalize_text(second).split())


_MARK_RE = re.compile(r"^(?:([1-5])([+-]?)|(зч|нз|н/а|осв))$")
_TOKEN_RE = re.compile(r"н/а|осв|зч|нз|уп|оп|н|б|[1-5][+-]?|[^\s/,;]+")


def parse_mark(text: str, *, policy: Policy) -> ParsedMark:
    """One mark as typed: «5», «4-», «4−», «3+», «зч», «нз», «н/а», «осв»."""
    raw = normalize_text(text)
    match = _MARK_RE.match(raw)
    if not match:
        raise ValidationError({"value": f"«{text.strip()}» — не отметка. Допустимо: 1–5 (с «+» или «−»), "
                                        "зч, нз, н/а, осв."})
    if match.group(3):
        return ParsedMark(match.group(3))
    value, modifier = match.group(1), match.group(2)
    if modifier and not policy.allow_modifiers:
        raise ValidationError({"value": f"«{text.strip()}»: в школе не ставят отметки с «+» и «−»."})
    if (value, modifier) in (("5", "+"), ("1", "-")):
        raise ValidationError({"value": f"«{format_mark(value, modifier)}» — вне шкалы отметок."})
    return ParsedMark(value, modifier)


def parse_cell(text: str, *, policy: Policy) -> CellEntry:
    """What a teacher types into a cell: an absence code and/or marks, e.g. «н», «5», «4-», «5/4», «оп 4».

    An empty text clears the cell. A student who missed the lesson («н», «б», «уп») gets no mark for it;
    one who was late («оп») may. Marks are separated by «/» (or a space, a comma); «55» is two marks only where
    the school's rules allow marks without a separator (``marks_without_separator``), else it is refused.
    """
    raw = normalize_text(text)
    absence = ""
    marks: list[ParsedMark] = []
    glued = False  # a mark typed right after another, with nothing between
    last_mark_end = -1
    for match in _TOKEN_RE.finditer(raw):
        token = match.group()
        if token in ABSENCE_CODES:
            if absence:
                raise ValidationError({"value": "В клетке может быть только одна отметка посещаемости."})
            absence = token
        else:
            marks.append(parse_mark(token, policy=policy))
            glued = glued or match.start() == last_mark_end
            last_mark_end = match.end()
    if glued and not policy.marks_without_separator:
        separated = "/".join(mark.text for mark in marks)
        raise ValidationError({"value": f"«{text.strip()}» — отметки без разделителя. Если это две отметки, "
                                        f"разделите их косой чертой: «{separated}». Писать их подряд школа не "
                                        "разрешила в правилах оценивания."})
    if absence in MISSED_CODES and marks:
        raise ValidationError({"value": f"«{absence}» — ученик отсутствовал; отметку за этот урок поставить "
                                        "нельзя (опоздание — «оп»)."})
    if len(marks) > 4:
        raise ValidationError({"value": "Не больше четырёх отметок за урок."})
    return CellEntry(absence, tuple(marks))


def format_cell(absence: str, marks: Iterable[Sequence]) -> str:
    """The inverse of ``parse_cell``: «н», «5/4−», «оп 5». Each mark starts with its value and modifier (a
    ``ParsedMark``, a pair, or a journal cell's (value, modifier, work type))."""
    marks_text = "/".join(format_mark(mark[0], mark[1]) for mark in marks)
    return " ".join(part for part in (absence, marks_text) if part)


def mark_number(value: str, modifier: str = "", *, policy: Policy) -> Decimal | None:
    """The number a mark counts as in the average, or None when the school excludes it."""
    if value in NUMERIC_VALUES:
        number = Decimal(value)
        if modifier == "+":
            number += policy.modifier_value
        elif modifier == "-":
            number -= policy.modifier_value
        return number
    if value in policy.excluded_codes:
        return None
    return CODE_NUMBERS.get(value)


def weighted_average(marks: Iterable[GradedMark], *, policy: Policy) -> Average:
    """Σ(mark × weight) / Σ(weight) over the counted marks (weight 0 excludes a work type).

    Like marks (same value, modifier and work type) are counted first and multiplied once: a period's hundreds
    of marks come in a dozen kinds, and the sums are exact (``Decimal``), so the result is the same."""
    return average_of_kinds(Counter((mark.value, mark.modifier, mark.work_type_id) for mark in marks), policy=policy)


def average_of_kinds(kinds: Mapping[tuple[str, str, int | None], int], *, policy: Policy) -> Average:
    """``weighted_average`` of marks counted by kind — (value, modifier, work type) → how many: the journal's grid
    holds its marks as such triples and counts them without building a ``GradedMark`` for each."""
    total = count = 0
    weighted = weight_sum = Decimal(0)
    for (value, modifier, work_type_id), times in kinds.items():
        total += times
        number = mark_number(value, modifier, policy=policy)
        weight = policy.weight(work_type_id)
        if number is None or weight <= 0:
            continue
        count += times
        weighted += number * weight * times
        weight_sum += weight * times
    return _average(weighted, weight_sum, count, total)


def with_mark(average: Average, mark: GradedMark, *, policy: Policy) -> Average:
    """The average of the marks ``average`` was made of and one more mark — equal to ``weighted_average`` of them
    all (the sums are exact), without reading the others again: the diary's «what if» asks it forty times."""
    number = mark_number(mark.value, mark.modifier, policy=policy)
    weight = policy.weight(mark.work_type_id)
    if number is None or weight <= 0:
        return _average(average.weighted, average.weight_sum, average.count, average.total + 1)
    return _average(average.weighted + number * weight, average.weight_sum + weight, average.count + 1,
                    average.total + 1)


def _average(weighted: Decimal, weight_sum: Decimal, count: int, total: int) -> Average:
    if not weight_sum:
        return Average(value=None, exact=None, count=count, total=total, weight_sum=weight_sum, weighted=weighted)
    exact = weighted / weight_sum
    return Average(value=exact.quantize(HUNDREDTH, rounding=ROUND_HALF_UP), exact=exact, count=count, total=total,
                   weight_sum=weight_sum, weighted=weighted)


def round_to_final(average: Decimal, *, policy: Policy) -> str:
    """The final mark the thresholds give for an average (compared inclusively, after rounding to hundredths)."""
    average = average.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    for value, threshold in policy.thresholds:
        if average >= threshold:
            return value
    return "1"


def _unredeemed_two(marks: Sequence[GradedMark], *, policy: Policy) -> GradedMark | None:
    failing = None
    for mark in sorted(marks, key=lambda m: (m.date, m.number, m.position)):
        if mark.work_type_id not in policy.control_types:
            continue
        if mark.value in ("1", "2", "нз"):
            failing = failing or mark
        elif failing is not None and mark.value in ("3", "4", "5", "зч"):
            failing = None
    return failing


def unredeemed_two(marks: Iterable[GradedMark], *, policy: Policy) -> GradedMark | None:
    """The first «2» (or «1», «нз») for a control work not followed later by a control-work mark of 3 or more —
    the rule ``two_blocks_five`` applies; reports list it among a pupil's risks."""
    return _unredeemed_two(list(marks), policy=policy)


def suggest_final_mark(marks: Iterable[GradedMark], *, policy: Policy, average: Average | None = None) -> Suggestion:
    """``average``, when the caller already has it, spares computing it again; with it, ``marks`` need hold only
    the control works' marks (the only ones the «unredeemed 2» rule reads)."""
    marks = list(marks)
    average = average if average is not None else weighted_average(marks, policy=policy)
    if average.value is None or average.count < policy.min_marks:
        need = policy.min_marks
        return Suggestion(value=None, average=average.value, count=average.count,
                          explanation=f"Отметок, которые учитываются в среднем, {average.count}; для итоговой "
                                      f"нужно не меньше {need}.")
    value = round_to_final(average.value, policy=policy)
    explanation = _threshold_explanation(average.value, value, policy)
    if value == "5" and policy.two_blocks_five:
        failing = _unredeemed_two(marks, policy=policy)
        if failing is not None:
            return Suggestion(
                value="4", average=average.value, count=average.count, blocked_by_two=True,
                explanation=f"{explanation} Но за контрольную работу {failing.date:%d.%m} стоит "
                            f"«{format_mark(failing.value, failing.modifier)}», которая не исправлена, — "
                            "предлагается «4».",
            )
    return Suggestion(value=value, average=average.value, count=average.count, explanation=explanation)


def _threshold_explanation(average: Decimal, value: str, policy: Policy) -> str:
    shown = format_average(average)
    limits = dict(policy.thresholds)
    if value == "5":
        band = f"не меньше {format_average(limits['5'])}"
    elif value == "1":
        band = f"меньше {format_average(limits['2'])}"
    else:
        upper = {"4": "5", "3": "4", "2": "3"}[value]
        band = f"от {format_average(limits[value])} до {format_average(limits[upper])}"
    return f"Средний взвешенный балл {shown} ({band}) — «{value}»."


def suggest_year_mark(period_values: Sequence[str | None], *, policy: Policy) -> Suggestion:
    """The year mark from the period marks in order (``None`` = not set yet)."""
    if not period_values or any(v is None for v in period_values):
        return Suggestion(value=None, average=None, count=0,
                          explanation="Годовая предлагается, когда выставлены отметки за все периоды.")
    values = [v for v in period_values if v != "осв"]
    if not values:
        return Suggestion(value="осв", average=None, count=0, explanation="Освобождён во всех периодах.")
    if "н/а" in values:
        return Suggestion(value=None, average=None, count=0,
                          explanation="За один из периодов «н/а» — годовую отметку определяет учитель.")
    if all(v in ("зч", "нз") for v in values):
        value = "зч" if values[-1] == "зч" else "нз"
        return Suggestion(value=value, average=None, count=len(values),
                          explanation=f"Зачётная система: за последний период «{values[-1]}».")
    numbers = [Decimal(v) for v in values if v in NUMERIC_VALUES]
    if not numbers:
        return Suggestion(value=None, average=None, count=0, explanation="Нет отметок за периоды.")
    mean = sum(numbers, Decimal(0)) / len(numbers)
    low = int(mean)
    fraction = mean - low
    rounded = low + 1 if fraction > Decimal("0.5") or (fraction == Decimal("0.5") and policy.year_ties_up) else low
    shown = format_average(mean)
    tie = " (ровно посередине — в пользу ученика)" if fraction == Decimal("0.5") and policy.year_ties_up else ""
    return Suggestion(value=str(rounded), average=mean.quantize(HUNDREDTH, rounding=ROUND_HALF_UP),
                      count=len(numbers), explanation=f"Среднее отметок за периоды {shown}{tie} — «{rounded}».")


def deviates(final: str, suggested: str | None) -> bool:
    """A final mark a whole point or more from the suggestion, or «н/а» where a mark was suggested."""
    if not suggested or suggested not in NUMERIC_VALUES:
        return False
    if final == "н/а":
        return True
    if final not in NUMERIC_VALUES:
        return False
    return abs(int(final) - int(suggested)) >= 1


def marks_allowed(*, grade: int | None, subject_without_marks: bool, policy: Policy) -> bool:
    """Grade 1 never has marks or homework; other grades and subjects by the school's settings."""
    if subject_without_marks:
        return False
    if grade is None:
        return True
    return grade != 1 and grade not in policy.grades_without_marks
