"""Cells: marks and attendance of one student at one lesson, saved with an idempotency key, kept in history."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from zhurnal.audit.models import AuditEntry
from zhurnal.core.models import WriteKey
from zhurnal.journal import grading, locks, selectors, services
from zhurnal.journal.models import Attendance, Mark, WorkType
from zhurnal.journal.policies import policy_for
from zhurnal.journal.testing import make_lessons
from zhurnal.school import services as school_services
from zhurnal.school.testing import (
    class_group,
    make_assignment,
    make_class,
    make_staff,
    make_student,
    make_subject,
)

from .conftest import IN_Q1

pytestmark = pytest.mark.django_db


def save(journal, text, *, lesson=None, student=None, key=None, **extra):
    school = journal.school
    return services.save_cell(actor=school.users["teacher"], lesson=lesson or journal.lessons[0],
                              student=student or school.students["student"], text=text, key=key,
                              today=extra.pop("today", IN_Q1), **extra)


def test_typing_marks_and_absences_fills_the_cell(journal):
    student = journal.school.students["student"]
    lesson = journal.lessons[0]
    result = save(journal, "5/4-")
    assert result.text == "5/4−" and result.changed
    assert [(m.value, m.modifier, m.position) for m in Mark.objects.filter(lesson=lesson, student=student)
            .order_by("position")] == [("5", "", 0), ("4", "-", 1)]
    save(journal, "н", lesson=journal.lessons[1])
    assert Attendance.objects.get(lesson=journal.lessons[1], student=student).code == "н"
    save(journal, "оп 4", lesson=journal.lessons[2])
    assert Attendance.objects.get(lesson=journal.lessons[2], student=student).code == "оп"
    assert Mark.objects.get(lesson=journal.lessons[2], student=student).value == "4"


def test_delete_clears_the_cell(journal):
    save(journal, "оп 5")
    result = save(journal, "")
    assert result.text == "" and result.changed
    assert not Mark.objects.filter(lesson=journal.lessons[0]).exists()
    assert not Attendance.objects.filter(lesson=journal.lessons[0]).exists()


def test_new_marks_take_the_lesson_control_type_and_changed_values_keep_theirs(journal):
    school = journal.school.school
    control = WorkType.objects.get(school=school, name="Контрольная работа")
    oral = WorkType.objects.get(school=school, name="Ответ на уроке")
    lesson = journal.lessons[0]
    save(journal, "5")
    services.save_lesson_record(actor=journal.school.users["teacher"], lesson=lesson, control_type=control,
                                today=IN_Q1)
    save(journal, "4/3")
    marks = list(Mark.objects.filter(lesson=lesson).order_by("position"))
    assert [(m.value, m.work_type_id) for m in marks] == [("4", oral.pk), ("3", control.pk)]


def test_a_new_mark_gets_the_work_type_the_grids_column_shows(journal):
    """Without a control type, the school's default work type — or, when the school has retired it, its first
    active one: the same rule for the grid's column and the save (``selectors.default_work_type``)."""
    school = journal.school.school
    retired = WorkType.objects.get(school=school, is_default=True)
    retired.is_active = False
    retired.save()
    periods = selectors.assignment_periods(journal.maths)
    grid = selectors.journal_grid(journal.maths, periods[0], periods=periods, grade=5, today=IN_Q1)
    column = next(c for c in grid.columns if c.lesson.pk == journal.lessons[0].pk)
    save(journal, "5")
    assert Mark.objects.get(lesson=journal.lessons[0]).work_type_id == column.work_type_id != retired.pk


def test_a_new_mark_reads_no_more_than_a_changed_one(journal):
    """The work type of a new mark comes from what the save has read already (the record's control type with the
    column, the school's work types from its cache): typing into an empty cell costs no extra query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    save(journal, "5", lesson=journal.lessons[1])  # the rules cached
    counts = []
    for text in ("5", "4"):  # a new mark, then the same mark changed
        with CaptureQueriesContext(connection) as queries:
            save(journal, text, lesson=journal.lessons[2])
        counts.append(sum(q["sql"].startswith("SELECT") for q in queries.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_same_key_twice_makes_one_mark(journal):
    key = uuid.uuid4()
    first = save(journal, "5", key=key)
    again = save(journal, "5", key=key)
    assert Mark.objects.filter(lesson=journal.lessons[0]).count() == 1
    assert again.replayed and not first.replayed
    assert again.text == first.text
    assert AuditEntry.objects.filter(verb="journal.cell").count() == 1
    assert WriteKey.objects.filter(key=key).count() == 1


def test_a_retry_after_a_later_change_does_not_undo_it(journal):
    key = uuid.uuid4()
    save(journal, "5", key=key)
    save(journal, "4", key=uuid.uuid4())
    save(journal, "5", key=key)  # the first request replayed late
    assert [m.value for m in Mark.objects.filter(lesson=journal.lessons[0])] == ["4"]


def test_a_key_used_for_another_cell_is_refused(journal):
    key = uuid.uuid4()
    save(journal, "5", key=key)
    with pytest.raises(ValidationError, match="ключ"):
        save(journal, "5", key=key, lesson=journal.lessons[1])


def test_bad_input_changes_nothing(journal):
    save(journal, "5")
    with pytest.raises(ValidationError, match="не отметка"):
        save(journal, "7")
    with pytest.raises(ValidationError, match="отсутствовал"):
        save(journal, "н 5")
    assert [m.value for m in Mark.objects.filter(lesson=journal.lessons[0])] == ["5"]
    assert AuditEntry.objects.filter(verb="journal.cell").count() == 1


def test_marks_for_a_lesson_that_has_not_happened_are_refused(journal):
    lesson = journal.lessons[10]
    with pytest.raises(ValidationError, match="ещё не прошёл"):
        save(journal, "5", lesson=lesson, today=lesson.date - dt.timedelta(days=1))


def test_a_student_of_another_class_gets_no_cell(journal):
    with pytest.raises(ValidationError, match="не учился"):
        save(journal, "5", student=journal.school.students["other_student"])


def test_every_change_is_in_the_cell_history(journal):
    student = journal.school.students["student"]
    lesson = journal.lessons[0]
    save(journal, "н")
    save(journal, "н")  # no change, no entry
    save(journal, "оп 5")
    history = list(selectors.cell_history(lesson, student))
    assert [(e.before["cell"], e.after["cell"]) for e in history] == [("", "н"), ("н", "оп 5")]
    assert all(e.actor == journal.school.users["teacher"] for e in history)
    assert "5 (Ответ на уроке)" in history[-1].after["marks"]


def test_work_type_and_comment_of_a_mark_change_with_history(journal):
    school = journal.school.school
    save(journal, "5")
    mark = Mark.objects.get(lesson=journal.lessons[0])
    test_type = WorkType.objects.get(school=school, name="Тест")
    services.update_mark(actor=journal.school.users["teacher"], mark=mark, work_type=test_type,
                         comment="решил у доски", today=IN_Q1)
    mark.refresh_from_db()
    assert (mark.work_type, mark.comment) == (test_type, "решил у доски")
    entry = selectors.cell_history(journal.lessons[0], journal.school.students["student"]).last()
    assert entry.verb == "journal.mark" and entry.after["work_type"] == "Тест"
    save(journal, "4")  # the value changes, its work type and comment stay
    mark.refresh_from_db()
    assert (mark.value, mark.work_type, mark.comment) == ("4", test_type, "решил у доски")


def test_grade_one_refuses_marks_and_homework_but_keeps_attendance_and_topic(journal):
    school = journal.school
    first_grade = make_class(school.year, 1, "А")
    pupil = make_student(first_grade, "Малышев")
    teacher = school.staff["teacher"]
    assignment = make_assignment(teacher, make_subject(school.school, "Окружающий мир"), class_group(first_grade))
    lesson = make_lessons(assignment, 1, numbers=(3,))[0]
    user = school.users["teacher"]
    with pytest.raises(ValidationError, match="1-м классе отметки не ставятся"):
        services.save_cell(actor=user, lesson=lesson, student=pupil, text="5", today=IN_Q1)
    with pytest.raises(ValidationError, match="домашние задания не задаются"):
        services.save_lesson_record(actor=user, lesson=lesson, homework="Стр. 5", today=IN_Q1)
    services.save_cell(actor=user, lesson=lesson, student=pupil, text="б", today=IN_Q1)
    services.save_lesson_record(actor=user, lesson=lesson, topic="Осень", today=IN_Q1)
    lesson.refresh_from_db()
    assert lesson.topic == "Осень" and lesson.homework == ""
    assert not Mark.objects.filter(lesson=lesson).exists()
    assert Attendance.objects.get(lesson=lesson).code == "б"


def test_a_subject_without_marks_refuses_marks(journal):
    school = journal.school
    orkse = school_services.save_subject(actor=None, school=school.school, name="ОРКСЭ", without_marks=True)
    assignment = make_assignment(school.staff["teacher"], orkse, class_group(school.class_5a))
    lesson = make_lessons(assignment, 1, numbers=(4,))[0]
    with pytest.raises(ValidationError, match="безотметочный"):
        services.save_cell(actor=school.users["teacher"], lesson=lesson, student=school.students["student"],
                           text="5", today=IN_Q1)


def test_grades_without_marks_are_a_school_setting(journal):
    school = journal.school
    services.save_grading_policy(actor=None, school=school.school, valid_from=dt.date(2026, 9, 1),
                                 weights={}, grades_without_marks=[1, 5], today=dt.date(2026, 9, 1))
    with pytest.raises(ValidationError, match="5-х классах школа не ставит отметки"):
        save(journal, "5")


def test_a_transferred_student_has_cells_only_for_his_dates(journal):
    school = journal.school
    moving = make_student(school.class_5b, "Переводов")
    transfer_day = journal.lessons[5].date
    school_services.transfer_student(actor=None, student=moving, to_class=school.class_5a, date=transfer_day,
                                     order_number="12")
    with pytest.raises(ValidationError, match="не учился"):
        save(journal, "5", student=moving, lesson=journal.lessons[4])
    save(journal, "4", student=moving, lesson=journal.lessons[5])
    # And in 5Б's maths he has cells until the day before the transfer.
    periods = selectors.assignment_periods(journal.maths)
    grid = selectors.journal_grid(journal.maths, periods[0], periods=periods, grade=5, today=IN_Q1)
    row = next(r for r in grid.rows if r.student == moving)
    cells = dict(zip([c.lesson.pk for c in grid.columns], row.cells, strict=True))
    assert cells[journal.lessons[4].pk] is None
    assert selectors.cell_text(cells[journal.lessons[5].pk]) == "4"
    assert all(cells[lesson.pk] is not None for lesson in journal.lessons[5:25])
    maths_5b = class_group(school.class_5b).assignments.get()
    lessons_5b = make_lessons(maths_5b, 8, numbers=(5,))
    grid_5b = selectors.journal_grid(maths_5b, periods[0], periods=periods, grade=5, today=IN_Q1)
    row_5b = next(r for r in grid_5b.rows if r.student == moving)
    assert [cell is not None for cell in row_5b.cells] == [lesson.date < transfer_day for lesson in lessons_5b]


def test_a_substitute_fills_the_lesson_he_took(journal):
    from zhurnal.timetable import services as timetable_services

    school = journal.school
    substitute = make_staff(school.school, "Заменова", username="substitute")
    lesson = journal.lessons[3]
    timetable_services.record_substitution(actor=None, lesson=lesson, kind="replace", reason="болезнь",
                                           substitute=substitute)
    lesson.refresh_from_db()
    result = services.save_cell(actor=substitute.user, lesson=lesson, student=school.students["student"],
                                text="5", today=IN_Q1)
    assert result.changed
    assert Mark.objects.get(lesson=lesson).author == substitute.user


# --- a whole column in one transaction ---------------------------------------------------------------------------


def column_inputs(journal, texts, *, lesson=None, keys=None):
    from zhurnal.school.models import Student

    lesson = lesson or journal.lessons[0]
    students = list(selectors.member_spans(lesson.assignment.group, lesson.date, lesson.date))
    pupils = Student.objects.in_bulk(students)
    cells = [services.CellInput(pupils[pk], text, (keys or {}).get(pk))
             for pk, text in zip(students, texts, strict=False)]
    return cells, students


def save_column(journal, texts, *, lesson=None, keys=None):
    cells, students = column_inputs(journal, texts, lesson=lesson, keys=keys)
    return services.save_cells(actor=journal.school.users["teacher"], lesson=lesson or journal.lessons[0],
                               cells=cells, today=IN_Q1), students


def test_a_column_saves_every_good_cell_and_refuses_the_bad_one_alone(journal):
    column, students = save_column(journal, ["5", "7", "оп 4/3"])
    assert len(students) == 3
    assert [(r.student, r.text) for r in column.results] == [(students[0], "5"), (students[2], "оп 4/3")]
    assert set(column.errors) == {students[1]} and "7" in " ".join(column.errors[students[1]].messages)
    assert not Mark.objects.filter(lesson=journal.lessons[0], student_id=students[1]).exists()
    assert Mark.objects.get(lesson=journal.lessons[0], student_id=students[0]).value == "5"
    history = AuditEntry.objects.filter(verb="journal.cell", target_id=str(journal.lessons[0].pk))
    assert sorted(e.after["student"] for e in history) == sorted(r.student for r in column.results)


def test_a_column_retried_with_its_keys_changes_nothing(journal):
    _, students = save_column(journal, ["5", "4", "3"])
    keys = {pk: uuid.uuid4() for pk in students}
    first, _ = save_column(journal, ["4", "3", "2"], keys=keys)
    again, _ = save_column(journal, ["4", "3", "2"], keys=keys)
    assert len(first.results) == len(again.results) == 3
    assert all(r.replayed for r in again.results) and not any(r.replayed for r in first.results)
    assert [r.text for r in again.results] == [r.text for r in first.results] == ["4", "3", "2"]
    assert Mark.objects.filter(lesson=journal.lessons[0]).count() == 3
    assert WriteKey.objects.filter(key__in=list(keys.values())).count() == 3


def test_one_key_sent_for_two_cells_of_a_column_is_refused_for_the_second(journal):
    key = uuid.uuid4()
    _, students = save_column(journal, [""])
    column, _ = save_column(journal, ["5", "4"], keys={students[0]: key, students[1]: key})
    assert [r.student for r in column.results] == [students[0]]
    assert "ключ" in " ".join(column.errors[students[1]].messages)


def test_a_rule_of_the_lesson_refuses_the_whole_column(journal):
    lesson = journal.lessons[0]
    lesson.cancelled = True
    lesson.save(update_fields=["cancelled"])
    with pytest.raises(ValidationError, match="отменён"):
        save_column(journal, ["5", "4"], lesson=lesson)
    assert not Mark.objects.filter(lesson=lesson).exists()


def test_a_column_reads_with_the_same_queries_for_one_and_every_student(journal):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    teacher = journal.school.users["teacher"]
    save_column(journal, ["5"])  # the work type and the rules are read once
    counts = []
    for texts, lesson in ((["4"], journal.lessons[1]), (["4", "5/4", "н"], journal.lessons[2])):
        cells, _ = column_inputs(journal, texts, lesson=lesson)
        with CaptureQueriesContext(connection) as queries:
            services.save_cells(actor=teacher, lesson=lesson, cells=cells, today=IN_Q1)
        counts.append(sum(q["sql"].startswith("SELECT") for q in queries.captured_queries))
    assert counts[0] == counts[1], counts


def test_a_students_period_marks_come_in_the_journals_order(journal):
    """A student's marks of a period (what a suggested final mark is made of) come in lesson order (date, lesson
    number), not in the order they were entered: the "unredeemed 2" rule reads two marks of one day in that
    order."""
    first = journal.lessons[0]
    later_that_day = make_lessons(journal.maths, 1, start=first.date, numbers=(3,))[0]
    assert later_that_day.date == first.date
    save(journal, "5", lesson=later_that_day)  # entered first, but the day's later lesson
    save(journal, "2", lesson=first)
    period = locks.period_of(selectors.assignment_periods(journal.maths), first.date)

    marks = selectors.student_period_marks(journal.maths, journal.school.students["student"], period)

    assert [m.value for m in marks] == ["2", "5"]


def test_the_grid_and_the_saved_row_agree_on_a_control_two_redeemed_later_the_same_day(journal):
    """Paired lessons: a «2» for a control work in the day's first lesson and a «5» in its later one redeem each
    other whatever order they were entered in — the grid (marks read in entry order) and the row's figures after
    a save (lesson order) show the same suggestion."""
    from zhurnal.core import stamps
    from zhurnal.journal.models import GradingPolicy

    school = journal.school.school
    GradingPolicy.objects.filter(school=school).update(two_blocks_five=True)
    stamps.bump(school)
    control = WorkType.objects.filter(school=school, is_control=True).first()
    for lesson in journal.lessons[1:11]:
        save(journal, "5", lesson=lesson)
    first = journal.lessons[0]
    later_that_day = make_lessons(journal.maths, 1, start=first.date, numbers=(3,))[0]
    save(journal, "5", lesson=later_that_day, work_type=control)  # entered first
    after_save = save(journal, "2", lesson=first, work_type=control, with_row=True).row.suggestion
    student = journal.school.students["student"]
    periods = selectors.assignment_periods(journal.maths)
    period = locks.period_of(periods, first.date)
    policy = policy_for(school, first.date)
    assert policy.two_blocks_five and control.pk in policy.control_types

    grid = selectors.journal_grid(journal.maths, period, periods=periods, grade=5, today=IN_Q1)
    in_grid = next(row.suggestion for row in grid.rows if row.student.pk == student.pk)
    assert in_grid.value == after_save.value == "5"
    assert not in_grid.blocked_by_two and not after_save.blocked_by_two
    from_marks = grading.suggest_final_mark(selectors.student_period_marks(journal.maths, student, period),
                                            policy=policy)
    assert from_marks.value == "5"


def test_the_row_after_a_save_is_the_grids_row(journal):
    """The figures a save answers (read with the column, the cell's new marks added) are those the grid shows
    once reloaded — with marks at other lessons, two marks in the cell, codes and a later change of the cell."""
    student = journal.school.students["student"]
    for lesson, text in zip(journal.lessons[1:6], ["5", "3", "4-", "зч", "н"], strict=True):
        save(journal, text, lesson=lesson)
    periods = selectors.assignment_periods(journal.maths)
    period = locks.period_of(periods, journal.lessons[0].date)
    for text in ("5/4", "2", ""):
        row = save(journal, text, with_row=True).row
        grid = selectors.journal_grid(journal.maths, period, periods=periods, grade=5, today=IN_Q1)
        in_grid = next(r for r in grid.rows if r.student.pk == student.pk)
        assert (row.average, row.suggestion) == (in_grid.average, in_grid.suggestion), text
    assert row.average.count == 3 and row.average.value == Decimal("4.00")


def test_a_retried_save_answers_the_row_as_it_is_now(journal):
    """A retry replays the cell's first result, but the row's figures are read afresh: another cell may have
    changed in between."""
    key = uuid.uuid4()
    first = save(journal, "5", key=key, with_row=True)
    assert first.row.average.count == 1
    save(journal, "3", lesson=journal.lessons[1])
    retried = save(journal, "5", key=key, with_row=True)
    assert retried.replayed and retried.as_dict() == {**first.as_dict(), "replayed": True}
    assert retried.row.average.count == 2 and retried.row.average.value == Decimal("4.00")
    assert "row" not in WriteKey.objects.get(key=key).result
    assert save(journal, "4").row is None  # only when asked for


def test_a_lesson_outside_every_period_has_no_row(journal):
    from zhurnal.core import stamps
    from zhurnal.school.models import ReportingPeriod

    day = journal.lessons[0].date
    ReportingPeriod.objects.filter(start__lte=day, end__gte=day).update(start=day + dt.timedelta(days=1))
    stamps.bump(journal.school.school)
    assert save(journal, "5", with_row=True).row is None
