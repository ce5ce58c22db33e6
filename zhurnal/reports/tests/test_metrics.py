"""Golden tests of the metrics engine: every expected figure is worked out by hand in the comments.

The world (``reports.testing.build_report_school``): 5А's maths finals of the first quarter are
Антонов 5, Борисов 4, Васильев 3, Григорьев 2, Дмитриев н/а, Егоров осв, Жуков 4 (left on 10 October, before the
quarter's end), Зайцев — none, and the small school's own three pupils none either.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhurnal.reports import metrics
from zhurnal.reports.metrics import CountRule, Quality


def _finals(world):
    term = metrics.period_term(world.quarter)
    (item,) = metrics.class_finals([world.s.class_5a], {world.s.class_5a.pk: term})
    return item


def test_quality_default_rule_worked_by_hand(report_school):
    """Default rule: «осв» out, no final out, departed out, «н/а» in.
    N = Антонов, Борисов, Васильев, Григорьев, Дмитриев = 5 (Егоров осв, Жуков left, Зайцев and the three
    pupils of the small school have no final mark).
    n5 = 1, n4 = 1, n3 = 1, n2 = 1, н/а = 1.
    успеваемость = (1 + 1 + 1) / 5 = 60,0 %; качество = (1 + 1) / 5 = 40,0 %;
    СОУ = (100·1 + 64·1 + 36·1 + 16·1 + 7·1) / 5 = 223 / 5 = 44,6 %;
    средний балл = (5 + 4 + 3 + 2) / 4 = 3,50 (only numeric final marks)."""
    item = _finals(report_school)
    quality = item.quality(report_school.s.math.pk, CountRule())
    assert (quality.n, quality.n5, quality.n4, quality.n3, quality.n2, quality.na) == (5, 1, 1, 1, 1, 1)
    assert quality.exempt == 1 and quality.departed == 1 and quality.no_final == 4
    assert quality.success == Decimal("60.0")
    assert quality.quality == Decimal("40.0")
    assert quality.sou == Decimal("44.6")
    assert quality.mean == Decimal("3.50")


def test_quality_rule_is_a_setting(report_school):
    """Everything in: N = 5 + осв (1) + departed Жуков (4) + no final (4) = 11.
    Жуков's «4» now counts: n4 = 2; осв counts as successful.
    успеваемость = (1 + 2 + 1 + осв 1) / 11 = 5 / 11 = 45,45… → 45,5 %; качество = 3 / 11 = 27,27… → 27,3 %;
    «н/а» out instead: N = 4, успеваемость = 3 / 4 = 75,0 %, СОУ = (100 + 64 + 36 + 16) / 4 = 54,0."""
    item = _finals(report_school)
    everything = item.quality(report_school.s.math.pk, CountRule(exempt_in=True, no_final_in=True, departed_in=True))
    assert (everything.n, everything.n4) == (11, 2)
    assert everything.success == Decimal("45.5")
    assert everything.quality == Decimal("27.3")
    without_na = item.quality(report_school.s.math.pk, CountRule(not_attested_in=False))
    assert without_na.n == 4 and without_na.success == Decimal("75.0") and without_na.sou == Decimal("54.0")


def test_footnote_names_the_rule():
    text = CountRule().footnote
    assert "освобождённые («осв») не учитываются" in text
    assert "не аттестованные («н/а») учитываются" in text
    assert "выбывшие до последнего дня периода не учитываются" in text


def test_quality_sums_are_the_sums_of_counts():
    """A class total is the sum of counts, not the mean of percentages: (1 of 2) + (3 of 3) → 4 of 5 = 80,0 %."""
    a, b = Quality(), Quality()
    for value in ("5", "2"):
        a.add(value, departed=False, rule=CountRule())
    for value in ("3", "4", "5"):
        b.add(value, departed=False, rule=CountRule())
    a += b
    assert a.n == 5 and a.success == Decimal("80.0")


@pytest.fixture
def marked(report_school):
    """Marks of the first quarter in maths with «+»/«−» worth 0,25 and double marks; absences in September."""
    from zhurnal.journal import services as journal_services
    from zhurnal.journal.models import WorkType

    world = report_school
    school = world.s.school
    control = WorkType.objects.get(school=school, name="Контрольная работа")
    answer = WorkType.objects.get(school=school, name="Ответ на уроке")
    weights = {w.pk: Decimal(1) for w in WorkType.objects.filter(school=school)}
    weights[control.pk] = Decimal(2)
    journal_services.save_grading_policy(actor=None, school=school, valid_from=dt.date(2026, 9, 2), weights=weights,
                                         modifier_value=Decimal("0.25"), today=dt.date(2026, 9, 2))
    teacher = world.math.teacher.user
    russian_teacher = world.russian.teacher.user
    math, russian = world.lessons["math"], world.lessons["russian"]
    p = world.pupils

    def cell(lesson, pupil, text, work_type=answer, user=teacher):
        journal_services.save_cell(actor=user, lesson=lesson, student=p[pupil], text=text, work_type=work_type,
                                   today=lesson.date)

    cell(math[0], "Антонов", "5/4")  # two answers at one lesson
    cell(math[1], "Антонов", "4-")
    cell(math[2], "Антонов", "3+", control)
    cell(math[2], "Борисов", "2", control)
    cell(math[3], "Борисов", "5")
    cell(math[4], "Борисов", "5")
    # Васильев: 8 September both lessons «н» (a whole day), 9th maths «б», 10th maths «оп».
    cell(math[1], "Васильев", "н")
    cell(russian[1], "Васильев", "н", user=russian_teacher)
    cell(math[2], "Васильев", "б")
    cell(math[3], "Васильев", "оп")
    # Дмитриев: «н» at both lessons of 7 September and at maths on the 8th — three in a row.
    cell(math[0], "Дмитриев", "н")
    cell(russian[0], "Дмитриев", "н", user=russian_teacher)
    cell(math[1], "Дмитриев", "н")
    return world


def test_weighted_average_with_double_marks_and_modifiers(marked):
    """Антонов: «5/4» (answer, weight 1 each) + «4−» (answer: 4 − 0,25 = 3,75) + «3+» (control work, weight 2:
    3 + 0,25 = 3,25). Σ = 5 + 4 + 3,75 + 2·3,25 = 19,25; Σweights = 1 + 1 + 1 + 2 = 5; average = 3,85 →
    suggested «4» (3,50 ≤ 3,85 < 4,50). The journal's grid shows the same."""
    from zhurnal.journal.selectors import journal_grid

    data = metrics.progress(marked.s.class_5a, marked.quarter, today=marked.today)
    antonov = next(p for p in data.pupils if p.entry.student.last_name == "Антонов")
    item = antonov.subjects[marked.s.math.pk]
    assert item.average.value == Decimal("3.85")
    assert item.suggestion.value == "4"
    assert item.average.count == 4
    grid = journal_grid(marked.math, marked.quarter, periods=[marked.quarter], grade=5, today=marked.today)
    row = next(r for r in grid.rows if r.student.last_name == "Антонов")
    assert row.average.value == item.average.value and row.suggestion.value == item.suggestion.value


def test_risks_name_their_reasons(marked):
    """Борисов: «2» for the control work of 9 September, no later control work — unredeemed (his average
    (2·2 + 5 + 5) / 4 = 3,50 is not under 3,00). Дмитриев: three «н» in a row (7th: maths, Russian; 8th: maths);
    his final «н/а» is a forecast «н/а» too. Григорьев: final «2»."""
    (attendance,) = metrics.attendance([marked.s.class_5a], marked.quarter.start, marked.quarter.end,
                                       today=marked.today, settings=metrics.Settings(), sequences=True)
    data = metrics.progress(marked.s.class_5a, marked.quarter, today=marked.today)
    found = {r.entry.student.last_name: r.reasons for r in metrics.risks(data, attendance,
                                                                         settings=metrics.Settings(),
                                                                         today=marked.today)}
    assert any("неисправленная «2» за контрольную работу 09.09" in r for r in found["Борисов"])
    assert not any("средний балл" in r for r in found["Борисов"])
    assert any("пропусков без уважительной причины подряд: 3" in r for r in found["Дмитриев"])
    assert any("прогноз «н/а»" in r for r in found["Дмитриев"])
    assert any("прогноз «2»" in r for r in found["Григорьев"])
    assert "Антонов" not in found
    # Each reason is a clause of one «; »-joined cell: «Математика: прогноз «2» — итоговая отметка выставлена: «2»».
    assert "Математика: прогноз «2» — итоговая отметка выставлена: «2»" in found["Григорьев"]
    assert not [r for reasons in found.values() for r in reasons if r.endswith(".")]


def test_attendance_and_whole_days(marked):
    """Васильев: «н» at maths and Russian on 8 September — every lesson of the day: one whole day; «б» at maths on
    the 9th (Russian attended) — not a day; «оп» on the 10th is a late arrival, not a miss.
    absent 2, sick 1, late 1, missed 3, days 1. With a school's threshold of one lesson the 9th is a day too: 2.
    Дмитриев: 7 September both lessons → 1 day; the 8th only maths → not a day."""
    (data,) = metrics.attendance([marked.s.class_5a], marked.quarter.start, marked.quarter.end, today=marked.today,
                                 settings=metrics.Settings())
    vasiliev = data.by_student[marked.pupils["Васильев"].pk]
    assert (vasiliev.absent, vasiliev.sick, vasiliev.excused, vasiliev.late, vasiliev.missed, vasiliev.days) == (
        2, 1, 0, 1, 3, 1)
    assert vasiliev.lessons == 12  # 6 maths + 6 Russian lessons
    assert data.by_student[marked.pupils["Дмитриев"].pk].days == 1
    (lenient,) = metrics.attendance([marked.s.class_5a], marked.quarter.start, marked.quarter.end,
                                    today=marked.today, settings=metrics.Settings(missed_day_lessons=1))
    assert lenient.by_student[marked.pupils["Васильев"].pk].days == 2
    september = lenient.by_month[(marked.pupils["Васильев"].pk, dt.date(2026, 9, 1))]
    assert september.missed == 3


def test_departed_pupil_is_on_the_roster_flagged(report_school):
    item = _finals(report_school)
    zhukov = next(e for e in item.roster if e.student.last_name == "Жуков")
    assert zhukov.departed
    assert item.final(zhukov.student.pk, report_school.s.math.pk) == "4"


def test_standing():
    assert metrics.standing(["5", "5", "осв"]) == metrics.Standing.EXCELLENT
    assert metrics.standing(["5", "4"]) == metrics.Standing.GOOD
    assert metrics.standing(["5", "3", "4"]) == metrics.Standing.ONE_THREE
    assert metrics.standing(["3", "3"]) == metrics.Standing.SATISFACTORY
    assert metrics.standing(["5", "2"]) == metrics.Standing.FAILING
    assert metrics.standing(["5", "н/а"]) == metrics.Standing.NOT_ATTESTED


def test_movement_counts_worked_by_hand(report_school):
    """5А on 1 September: the small school's 3 pupils and the 8 of ``FINALS`` — 11, every one of them an «arrival»
    dated the first day (the class lists), which must not count as «прибыло» again. Then Кузнецов arrives on
    1 October, Жуков leaves on 10 October, Зайцев is transferred to 5Б on 2 November.
    Year to 7 December: на начало 11, прибыло 1, выбыло 2 (Жуков, Зайцев), now 11 + 1 − 2 = 10.
    5Б: 3 + Зайцев = 4. The first quarter (1 September – its end, after 10 October): 11 + 1 − 1 = 11.
    The same counts in the summary sheet of movement, the class occupancy and the class teacher's report."""
    from django.contrib.auth import get_user_model

    from zhurnal.reports import class_reports, school_reports
    from zhurnal.reports.context import ReportContext
    from zhurnal.school import services as school_services
    from zhurnal.school.roles import roles_in
    from zhurnal.school.testing import make_student

    world = report_school
    s = world.s
    assert world.quarter.start == s.year.start and world.quarter.end > dt.date(2026, 10, 10)
    make_student(s.class_5a, "Кузнецов", start=dt.date(2026, 10, 1))
    school_services.transfer_student(actor=None, student=world.pupils["Зайцев"], to_class=s.class_5b,
                                     date=dt.date(2026, 11, 2), order_number="90-у")
    users = get_user_model().objects

    def ctx(username, **params):
        return ReportContext(roles=roles_in(users.get(username=username), s.school), params=params, today=world.today)

    def items(doc) -> dict[str, str]:
        return {label: value for section in doc.sections for label, value in section.items}

    sheet = items(class_reports.class_movement(ctx("class_teacher", **{"class": str(s.class_5a.pk)})))
    assert (sheet["На начало года"], sheet["Прибыло"], sheet["Выбыло"], sheet["На 07.12.2026"]) == ("11", "1", "2", "10")
    occupancy = school_reports.class_occupancy(ctx("deputy"))
    rows = {row.cells[0]: row.cells[1:5] for row in occupancy.tables[0].rows}
    assert rows["5А"] == [11, 1, 2, 10]
    assert rows["5Б"] == [3, 1, 0, 4]
    report = items(class_reports.class_teacher_report(ctx("class_teacher", period=str(world.quarter.pk))))
    assert (report["На начало периода"], report["Прибыло"], report["Выбыло"], report["На конец периода"]) == (
        "11", "1", "1", "11")


def test_marks_per_pupil_per_month_worked_by_hand(marked, client):
    """Накопляемость, maths in 5А, September: Антонов «5/4» (two marks), «4−», «3+»; Борисов «2», «5», «5» —
    7 marks; «н», «б», «оп» are not marks. The class on 7 December: 11 pupils less Жуков = 10.
    7 / 10 = 0,7 a pupil in September; nothing in October: 0,0. The report's row says the same."""
    import io

    import openpyxl
    from django.contrib.auth import get_user_model

    from zhurnal.journal.policies import policy_for

    world = marked
    (item,) = metrics.filling([world.math], world.s.year.start, world.s.year.end, today=world.today,
                              policy=policy_for(world.s.school, world.today), with_coverage=False)
    assert item.marks == 7 and item.pupils == 10
    assert item.month_per_pupil(dt.date(2026, 9, 1)) == Decimal("0.7")
    assert item.month_per_pupil(dt.date(2026, 10, 1)) == Decimal("0.0")
    client.force_login(get_user_model().objects.get(username="deputy"))
    book = openpyxl.load_workbook(io.BytesIO(client.get("/reports/filling_months/?format=xlsx").content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = next(r for r in rows if r[0] == "Учитель")
    maths = next(r for r in rows if str(r[0]).startswith("Учителева") and r[2] == "Математика")
    assert maths[header.index("Учеников")] == 10
    assert maths[header.index("сентябрь 2026")] == 0.7 and maths[header.index("октябрь 2026")] == 0
