import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhurnal.school.roles import roles_in
from zhurnal.timetable import permissions, selectors, services
from zhurnal.timetable.models import Lesson, Substitution, SubstitutionKind
from zhurnal.timetable.testing import put

pytestmark = pytest.mark.django_db
D = dt.date
MONDAY = D(2026, 11, 23)


def roles(s, username):
    return roles_in(s.users[username], s.school)


@pytest.fixture
def monday(tt):
    put(tt.math_5a, 1, 1, tt.rooms["101"])
    put(tt.russian_5a, 1, 2, tt.rooms["102"])
    put(tt.math_5b, 1, 3, tt.rooms["101"])
    tt.lesson = Lesson.objects.get(assignment=tt.math_5a, date=MONDAY)
    return tt


def test_substitute_gets_edit_rights_for_that_lesson_and_no_one_else(monday):
    s = monday
    lesson = s.lesson
    assert not permissions.can_edit_lesson(roles(s, "other_teacher"), lesson)
    services.record_substitution(actor=s.users["deputy"], lesson=lesson, kind=SubstitutionKind.REPLACE,
                                 substitute=s.staff["other_teacher"], reason="болезнь")
    lesson.refresh_from_db()
    assert lesson.actual_teacher == s.staff["other_teacher"]
    assert permissions.can_edit_lesson(roles(s, "other_teacher"), lesson)
    assert permissions.can_edit_lesson(roles(s, "teacher"), lesson)  # the assigned teacher keeps his journal
    for stranger in ("class_teacher", "deputy", "director", "admin", "student", "guardian", "other_school_admin"):
        assert not permissions.can_edit_lesson(roles(s, stranger), lesson), stranger
    next_week = Lesson.objects.get(assignment=s.math_5a, date=MONDAY + dt.timedelta(days=7))
    assert not permissions.can_edit_lesson(roles(s, "other_teacher"), next_week)
    visible = permissions.lessons_visible_to(roles(s, "other_teacher"))
    assert visible.filter(pk=lesson.pk).exists()
    assert not visible.filter(pk=next_week.pk).exists()


def test_substitute_sees_the_lesson_in_his_day_and_the_absent_teacher_sees_it_handed_over(monday, login):
    s = monday
    services.record_substitution(actor=None, lesson=s.lesson, kind=SubstitutionKind.REPLACE,
                                 substitute=s.staff["other_teacher"], reason="курсы повышения квалификации")
    substitute_day = selectors.teacher_day(s.staff["other_teacher"], s.year, MONDAY)
    assert [lesson.pk for lesson in substitute_day.lessons][0] == s.lesson.pk
    absent_day = selectors.teacher_day(s.staff["teacher"], s.year, MONDAY)
    assert s.lesson.pk not in [lesson.pk for lesson in absent_day.lessons]
    assert [lesson.pk for lesson in absent_day.handed_over] == [s.lesson.pk]
    page = login("other_teacher").get(reverse("timetable:today") + "?date=2026-11-23")
    text = page.content.decode()
    assert "замена: вместо Учителевой А.П." in text
    assert "Математика" in text


def test_merging_needs_a_lesson_of_the_substitute_at_that_time(monday):
    s = monday
    with pytest.raises(ValidationError) as err:
        services.record_substitution(actor=None, lesson=s.lesson, kind=SubstitutionKind.MERGE,
                                     substitute=s.staff["other_teacher"], reason="болезнь")
    assert "объединять не с чем" in " ".join(err.value.messages)
    assert not Substitution.objects.exists()


def test_busy_substitute_is_refused_with_the_lesson_he_teaches(monday):
    s = monday
    math_5b_first = services.add_lesson(actor=None, assignment=s.math_5b, date=MONDAY, number=1,
                                        room=s.rooms["201"])
    with pytest.raises(ValidationError) as err:
        services.record_substitution(actor=None, lesson=s.lesson, kind=SubstitutionKind.REPLACE,
                                     substitute=s.staff["other_teacher"], reason="болезнь")
    assert "5Б" in " ".join(err.value.messages)
    merged = services.record_substitution(actor=None, lesson=s.lesson, kind=SubstitutionKind.MERGE,
                                          substitute=s.staff["other_teacher"], reason="болезнь")
    assert merged.merged_with == math_5b_first


def test_cancelled_lesson_is_marked_and_a_lesson_with_a_topic_cannot_be_cancelled(monday):
    s = monday
    services.record_substitution(actor=None, lesson=s.lesson, kind=SubstitutionKind.CANCEL, reason="карантин")
    s.lesson.refresh_from_db()
    assert s.lesson.cancelled
    assert not permissions.can_edit_lesson(roles(s, "teacher"), s.lesson)
    russian = Lesson.objects.get(assignment=s.russian_5a, date=MONDAY)
    Lesson.objects.filter(pk=russian.pk).update(topic="Имя существительное")
    with pytest.raises(ValidationError) as err:
        services.record_substitution(actor=None, lesson=russian, kind=SubstitutionKind.CANCEL, reason="карантин")
    assert "отменить его нельзя" in " ".join(err.value.messages)


def test_removing_a_substitution_gives_the_lesson_back(monday):
    s = monday
    sub = services.record_substitution(actor=None, lesson=s.lesson, kind=SubstitutionKind.CANCEL, reason="карантин")
    services.remove_substitution(actor=None, substitution=sub)
    s.lesson.refresh_from_db()
    assert not s.lesson.cancelled and s.lesson.actual_teacher == s.staff["teacher"]


def test_a_substitution_needs_a_reason_and_a_substitute(monday):
    s = monday
    with pytest.raises(ValidationError) as err:
        services.record_substitution(actor=None, lesson=s.lesson, kind=SubstitutionKind.REPLACE,
                                     substitute=s.staff["other_teacher"], reason="  ")
    assert "reason" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.record_substitution(actor=None, lesson=s.lesson, kind=SubstitutionKind.REPLACE, reason="болезнь")
    assert "substitute" in err.value.message_dict
    assert not Substitution.objects.exists()


def test_substituted_lesson_survives_a_timetable_change(monday):
    s = monday
    services.record_substitution(actor=None, lesson=s.lesson, kind=SubstitutionKind.REPLACE,
                                 substitute=s.staff["other_teacher"], reason="болезнь")
    change = services.end_entry(actor=None, entry=s.lesson.entry, from_date=D(2026, 11, 16))
    assert change.report.kept == [s.lesson]


def test_working_time_sheet_counts_taught_lessons_with_substitutions_and_without_cancelled(monday):
    s = monday
    november = list(Lesson.objects.filter(date__month=11, date__year=2026))
    mondays = sorted({lesson.date for lesson in november})
    assert mondays == [D(2026, 11, 9), D(2026, 11, 16), D(2026, 11, 23), D(2026, 11, 30)]
    services.record_substitution(actor=None, lesson=s.lesson, kind=SubstitutionKind.REPLACE,
                                 substitute=s.staff["other_teacher"], reason="болезнь")
    cancelled = Lesson.objects.get(assignment=s.russian_5a, date=D(2026, 11, 30))
    services.record_substitution(actor=None, lesson=cancelled, kind=SubstitutionKind.CANCEL, reason="карантин")
    sheet = selectors.timesheet(s.school, D(2026, 11, 1), until=D(2026, 11, 30))
    rows = {row.teacher.last_name: row for row in sheet.rows}
    day = {d: i for i, d in enumerate(sheet.days)}
    assert rows["Учителева"].total == 3  # 4 Mondays of maths in 5А, one taken by a substitute
    assert rows["Учителева"].per_day[day[MONDAY]] == 0
    assert rows["Другова"].total == 5  # 4 own lessons in 5Б + 1 substitution
    assert rows["Другова"].per_day[day[MONDAY]] == 2
    assert rows["Другова"].substitutions == 1
    assert rows["Классова"].total == 3  # the 30th was cancelled
    assert sheet.total == 11 and sheet.substitutions == 1
    assert sheet.day_totals[day[MONDAY]] == 3


def test_working_time_sheet_does_not_count_lessons_not_yet_taught(monday):
    sheet = selectors.timesheet(monday.school, D(2026, 11, 1), until=D(2026, 11, 20))
    assert sheet.partial
    assert {row.teacher.last_name: row.total for row in sheet.rows} == {"Учителева": 2, "Классова": 2, "Другова": 2}


def test_the_absent_teacher_is_never_offered_and_free_teachers_of_the_subject_come_first(monday, login):
    s = monday
    url = reverse("timetable:substitutions") + f"?date={MONDAY:%Y-%m-%d}&teacher={s.staff['teacher'].pk}"
    html = login("deputy").get(url).content.decode()
    assert "Уроки Учителевой А.П." in html  # the name declined
    form = html.split(f'name="l{s.lesson.pk}-substitute"', 1)[1].split("</select>", 1)[0]
    options = [part.split(">", 1)[1].split("<", 1)[0].strip() for part in form.split("<option")[2:]]
    assert not any("Учителева" in option for option in options)  # never her own substitute
    # Другова teaches maths (in 5Б) and is free at the first lesson: first, with the subject named.
    assert options[0] == "Другова Анна Петровна — Математика"
    assert all("Математика" not in option for option in options[1:])
    with pytest.raises(ValidationError):
        services.record_substitution(actor=None, lesson=s.lesson, kind=SubstitutionKind.REPLACE,
                                     substitute=s.staff["teacher"], reason="болезнь")
