"""The journal administrator's set-up screens: who may see and change what, and that each form does its job."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from zhurnal.audit.models import AuditEntry
from zhurnal.school import selectors, services
from zhurnal.school.models import (
    AcademicYear,
    Curriculum,
    Enrollment,
    Group,
    GroupKind,
    GroupMembership,
    Guardian,
    GuardianLink,
    Holiday,
    Movement,
    MovementKind,
    PeriodSet,
    SchoolClass,
    StaffMember,
    Student,
    Subject,
    TeachingAssignment,
)
from zhurnal.school.testing import (
    build_small_school,
    class_group,
    make_assignment,
    make_student,
    page_queries,
)

pytestmark = pytest.mark.django_db

D = dt.date


def url(name, *args, **params):
    path = reverse(f"school:{name}", args=args)
    return path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def text(response):
    return response.content.decode()


def table(response, table_id):
    return text(response).split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]


@pytest.fixture
def rows(small_school):
    """One row of every kind the edit screens open, in the small school."""
    s = small_school
    period = s.year.period_sets.first().periods.first()
    holiday = s.year.holidays.first()
    subgroup = services.create_group(actor=None, year=s.year, name="5А англ. 1", kind=GroupKind.SUBGROUP,
                                     school_class=s.class_5a)
    assignment = TeachingAssignment.objects.filter(group__school_class=s.class_5a).first()
    guardian = Guardian.objects.filter(school=s.school).first()
    return {
        "period": period, "holiday": holiday, "subgroup": subgroup, "assignment": assignment,
        "guardian": guardian, "staff": s.staff["teacher"], "student": s.students["student"],
    }


def every_screen(s, rows):
    return [
        url("setup"), url("setup_years"), url("setup_periods"), url("setup_period_edit", rows["period"].pk),
        url("setup_holidays"), url("setup_holiday_edit", rows["holiday"].pk), url("setup_subjects"),
        url("setup_subject_edit", s.math.pk), url("setup_curriculum"), url("setup_classes"),
        url("class_edit", s.class_5a.pk), url("setup_groups"), url("setup_group", rows["subgroup"].pk),
        url("setup_assignments"), url("setup_assignment_edit", rows["assignment"].pk), url("setup_staff"),
        url("setup_staff_new"), url("setup_staff_edit", rows["staff"].pk), url("setup_students"),
        url("setup_student_new"), url("setup_guardians"), url("setup_guardian_new"),
        url("setup_guardian_edit", rows["guardian"].pk), url("movement_new"),
    ]


# --- who may do what ------------------------------------------------------------------------------------


def test_every_setup_screen_renders_for_the_administrator(small_school, rows, login):
    client = login("admin")
    for path in every_screen(small_school, rows):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<form method=\"post\"" in text(response), path


def test_director_sees_every_screen_read_only(small_school, rows, login):
    client = login("director")
    for path in every_screen(small_school, rows):
        response = client.get(path)
        assert response.status_code == 200, path
        body = text(response)
        assert "изменять их может администратор" in body, path
        assert 'type="submit">Сохранить' not in body and "Создать класс" not in body, path


@pytest.mark.parametrize("persona", ["director", "deputy"])
def test_administration_other_than_the_journal_admin_gets_403_on_post(small_school, rows, login, persona):
    client = login(persona)
    s = small_school
    posts = [
        (url("setup_years"), {"start": "2027-09-01", "with_defaults": "on"}),
        (url("setup_classes"), {"grade": "6", "letter": "А", "shift": "1"}),
        (url("class_edit", s.class_5a.pk), {"grade": "5", "letter": "Я", "shift": "1"}),
        (url("setup_subjects"), {"name": "Химия"}),
        (url("setup_holiday_delete", rows["holiday"].pk), {}),
        (url("setup_staff_deactivate", rows["staff"].pk), {}),
        (url("movement_new"), {"kind": "departure", "student": rows["student"].pk, "date": "2026-12-01",
                               "order_number": "1"}),
    ]
    for path, data in posts:
        assert client.post(path, data).status_code == 403, path
    assert not AcademicYear.objects.filter(school=s.school, start=D(2027, 9, 1)).exists()
    assert SchoolClass.objects.filter(year=s.year).count() == 2
    assert Holiday.objects.filter(pk=rows["holiday"].pk).exists()
    assert StaffMember.objects.get(pk=rows["staff"].pk).is_active


@pytest.mark.parametrize("persona", ["teacher", "class_teacher", "guardian", "student"])
def test_teachers_and_families_get_403_on_setup(small_school, rows, login, persona):
    client = login(persona)
    for path in [url("setup"), url("setup_classes"), url("setup_staff"), url("setup_students"),
                 url("movement_new")]:
        assert client.get(path).status_code == 403, path
    assert client.post(url("setup_subjects"), {"name": "Химия"}).status_code == 403
    assert not Subject.objects.filter(name="Химия").exists()


def test_another_schools_rows_are_not_found(small_school, rows, login):
    client = login("other_school_admin")
    for path in [url("class_edit", small_school.class_5a.pk), url("setup_holiday_edit", rows["holiday"].pk),
                 url("setup_group", rows["subgroup"].pk), url("setup_staff_edit", rows["staff"].pk),
                 url("setup_guardian_edit", rows["guardian"].pk), url("student_edit", rows["student"].pk)]:
        assert client.get(path).status_code == 404, path
    assert client.post(url("setup_holiday_delete", rows["holiday"].pk)).status_code == 404
    assert Holiday.objects.filter(pk=rows["holiday"].pk).exists()


def test_forged_teacher_from_another_school_is_an_invalid_choice(small_school, login):
    s = small_school
    stranger = s.staff["other_school_admin"]
    response = login("admin").post(url("setup_classes"),
                                   {"grade": "6", "letter": "А", "class_teacher": stranger.pk, "shift": "1"})
    assert response.status_code == 200
    assert "Выберите корректный вариант" in text(response)
    assert not SchoolClass.objects.filter(year=s.year, grade=6).exists()


def test_forged_class_from_another_school_is_refused_in_movement(small_school, login):
    s = small_school
    student = s.students["student"]
    response = login("admin").post(url("movement_new"), {
        "kind": "transfer", "student": student.pk, "to_class": s.other_class.pk, "date": "2026-12-01",
        "order_number": "77-у"})
    assert "Выберите корректный вариант" in text(response)
    assert selectors.class_of_student_on(student, D(2026, 12, 1)) == s.class_5a
    forged_student = login("admin").post(url("movement_new"), {
        "kind": "departure", "student": s.other_school_student.pk, "date": "2026-12-01", "order_number": "1"})
    assert "Выберите корректный вариант" in text(forged_student)
    assert not Movement.objects.filter(kind=MovementKind.DEPARTURE).exists()


# --- years, periods, holidays ---------------------------------------------------------------------------------


def test_creating_a_year_creates_its_periods_and_holidays(small_school, login):
    response = login("admin").post(url("setup_years"), {"start": "01.09.2027", "with_defaults": "on"})
    year = AcademicYear.objects.get(school=small_school.school, start=D(2027, 9, 1))
    assert response.status_code == 302
    assert year.end == D(2028, 5, 31)
    assert [(ps.kind, ps.grade_from, ps.grade_to) for ps in year.period_sets.order_by("grade_from")] == [
        ("quarter", 1, 9), ("half", 10, 11)]
    assert year.holidays.filter(name="Зимние каникулы").exists()


def test_a_year_overlapping_another_is_refused_in_russian(small_school, login):
    response = login("admin").post(url("setup_years"), {"start": "2026-10-01"})
    assert "пересекаются с учебным годом 2026/2027" in text(response)
    assert AcademicYear.objects.filter(school=small_school.school).count() == 1


def test_editing_a_period_and_refusing_overlap(small_school, login):
    client = login("admin")
    first, second = small_school.year.period_sets.get(grade_from=1).periods.order_by("number")[:2]
    response = client.post(url("setup_period_edit", first.pk), {"name": "I четверть", "start": "01.09.2026",
                                                                "end": "24.10.2026"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.name, first.end) == ("I четверть", D(2026, 10, 24))
    response = client.post(url("setup_period_edit", first.pk), {"name": "I четверть", "start": "01.09.2026",
                                                                "end": "10.11.2026"})
    assert f"пересекается с периодом «{second.name}»" in text(response)
    first.refresh_from_db()
    assert first.end == D(2026, 10, 24)


def test_replacing_quarters_with_trimesters(small_school, login):
    client = login("admin")
    year = small_school.year
    quarters = year.period_sets.get(grade_from=1)
    refused = client.post(url("setup_periods", year=year.pk), {"kind": "trimester", "grade_from": "5",
                                                                "grade_to": "9"})
    assert "Для этих параллелей уже заданы периоды" in text(refused)
    client.post(url("setup_period_set_delete", quarters.pk))
    assert not PeriodSet.objects.filter(pk=quarters.pk).exists()
    client.post(url("setup_periods", year=year.pk), {"kind": "trimester", "grade_from": "1", "grade_to": "9"})
    trimesters = year.period_sets.get(grade_from=1)
    assert trimesters.kind == "trimester"
    assert [p.name for p in trimesters.periods.order_by("number")] == ["1 триместр", "2 триместр", "3 триместр"]
    assert AuditEntry.objects.filter(verb="periodset.delete").exists()


def test_holidays_add_edit_delete(small_school, login):
    client = login("admin")
    year = small_school.year
    client.post(url("setup_holidays", year=year.pk), {
        "name": "Дополнительные каникулы для первоклассников", "kind": "vacation", "start": "2027-02-15",
        "end": "2027-02-21", "grade_from": "1", "grade_to": "1"})
    extra = Holiday.objects.get(year=year, name__startswith="Дополнительные")
    assert (extra.grade_from, extra.grade_to) == (1, 1)
    client.post(url("setup_holiday_edit", extra.pk), {
        "name": "Дополнительные каникулы", "kind": "vacation", "start": "2027-02-16", "end": "2027-02-22",
        "grade_from": "1", "grade_to": "1"})
    extra.refresh_from_db()
    assert (extra.name, extra.start) == ("Дополнительные каникулы", D(2027, 2, 16))
    outside = client.post(url("setup_holiday_edit", extra.pk), {
        "name": "Летние", "kind": "vacation", "start": "2027-06-01", "end": "2027-08-31",
        "grade_from": "1", "grade_to": "11"})
    assert "должны лежать внутри учебного года" in text(outside)
    client.post(url("setup_holiday_delete", extra.pk))
    assert not Holiday.objects.filter(pk=extra.pk).exists()


# --- subjects, curriculum -------------------------------------------------------------------------------------


def test_subjects_add_and_edit(small_school, login):
    client = login("admin")
    client.post(url("setup_subjects"), {"name": "Английский язык", "short_name": "англ."})
    english = Subject.objects.get(school=small_school.school, name="Английский язык")
    client.post(url("setup_subject_edit", english.pk), {"name": "Английский язык", "short_name": "англ.",
                                                         "without_marks": "on"})
    english.refresh_from_db()
    assert english.without_marks
    duplicate = client.post(url("setup_subjects"), {"name": "математика"})
    assert "Предмет «математика» уже есть." in text(duplicate)


def test_curriculum_grid_saves_hours_and_zero_removes(small_school, login):
    s = small_school
    client = login("admin")
    field = f"h_{s.math.pk}_5"
    client.post(url("setup_curriculum", year=s.year.pk), {field: "5", f"h_{s.russian.pk}_5": "4,5"})
    plan = {(c.grade, c.subject_id): (c.hours_per_week, c.hours_per_year) for c in Curriculum.objects.filter(
        year=s.year)}
    assert plan == {(5, s.math.pk): (Decimal(5), 170), (5, s.russian.pk): (Decimal("4.5"), 153)}
    page = text(client.get(url("setup_curriculum", year=s.year.pk)))
    assert "170 ч/год" in page and "323" in page
    client.post(url("setup_curriculum", year=s.year.pk), {field: "0", f"h_{s.russian.pk}_5": "4,5"})
    assert list(Curriculum.objects.filter(year=s.year).values_list("subject_id", flat=True)) == [s.russian.pk]


def test_curriculum_with_a_bad_cell_saves_nothing(small_school, login):
    s = small_school
    response = login("admin").post(url("setup_curriculum", year=s.year.pk), {
        f"h_{s.math.pk}_5": "5", f"h_{s.russian.pk}_5": "сорок"})
    assert "Учебный план не сохранён" in text(response)
    assert "Введите число" in text(response)
    assert not Curriculum.objects.filter(year=s.year).exists()


# --- classes, groups, assignments -----------------------------------------------------------------------------


def test_creating_a_class_creates_its_whole_class_group(small_school, login):
    s = small_school
    response = login("admin").post(url("setup_classes", year=s.year.pk), {
        "grade": "6", "letter": "в", "class_teacher": s.staff["teacher"].pk, "shift": "2"})
    assert response.status_code == 302
    school_class = SchoolClass.objects.get(year=s.year, grade=6, letter="В")
    assert (school_class.class_teacher, school_class.shift) == (s.staff["teacher"], 2)
    assert Group.objects.get(school_class=school_class, kind=GroupKind.CLASS).name == "6В"


def test_duplicate_class_shows_russian_message_and_changes_nothing(small_school, login):
    s = small_school
    response = login("admin").post(url("setup_classes", year=s.year.pk), {"grade": "5", "letter": "А",
                                                                           "shift": "1"})
    assert response.status_code == 200
    assert "Класс 5А в 2026/2027 учебном году уже есть." in text(response)
    assert SchoolClass.objects.filter(year=s.year).count() == 2
    empty = login("admin").post(url("setup_classes", year=s.year.pk), {"grade": "5", "shift": "1"})
    assert "Обязательное поле." in text(empty)


def test_class_edit_changes_class_teacher_and_renames_its_group(small_school, login):
    s = small_school
    login("admin").post(url("class_edit", s.class_5a.pk), {"grade": "5", "letter": "Д",
                                                           "class_teacher": s.staff["teacher"].pk, "shift": "1"})
    s.class_5a.refresh_from_db()
    assert (s.class_5a.name, s.class_5a.class_teacher) == ("5Д", s.staff["teacher"])
    assert class_group(s.class_5a).name == "5Д"


def test_subgroup_members_come_from_its_class_only(small_school, rows, login):
    s = small_school
    client = login("admin")
    subgroup = rows["subgroup"]
    student, outsider = s.students["student"], s.students["other_student"]
    refused = client.post(url("setup_group_member_add", subgroup.pk),
                          {"add-student": outsider.pk, "add-start": "2026-09-01"})
    assert "Выберите корректный вариант" in text(refused)
    client.post(url("setup_group_member_add", subgroup.pk), {"add-student": student.pk, "add-start": "2026-09-01"})
    membership = GroupMembership.objects.get(group=subgroup, student=student)
    assert selectors.group_members(subgroup, D(2026, 10, 1)).filter(pk=student.pk).exists()
    client.post(url("setup_group_member_remove", subgroup.pk, membership.pk), {f"m{membership.pk}-date": "2026-11-01"})
    membership.refresh_from_db()
    assert membership.end == D(2026, 10, 31)


def test_cross_group_with_a_journal_kind(small_school, login):
    s = small_school
    client = login("admin")
    response = client.post(url("setup_groups", year=s.year.pk), {
        "new-name": "Робототехника", "new-kind": "cross", "new-journal_kind": "extra_education"})
    group = Group.objects.get(year=s.year, name="Робототехника")
    assert response.status_code == 302
    assert (group.kind, group.school_class, group.journal_kind) == ("cross", None, "extra_education")
    client.post(url("setup_group_member_add", group.pk), {"add-student": s.students["other_student"].pk,
                                                          "add-start": "2026-10-01"})
    assert GroupMembership.objects.filter(group=group, student=s.students["other_student"]).exists()
    client.post(url("setup_group", group.pk), {"name": "Робототехника (начальный уровень)",
                                               "journal_kind": "extra_education"})
    group.refresh_from_db()
    assert group.name == "Робототехника (начальный уровень)"


def test_subgroup_without_a_class_is_refused(small_school, login):
    s = small_school
    response = login("admin").post(url("setup_groups", year=s.year.pk), {
        "new-name": "англ. 1", "new-kind": "subgroup", "new-journal_kind": "regular"})
    assert "Для подгруппы выберите класс." in text(response)
    assert not Group.objects.filter(name="англ. 1").exists()


def test_splitting_a_class_into_alphabetical_halves(db, login):
    s = build_small_school(students_per_class=5)
    english = services.save_subject(actor=None, school=s.school, name="Английский язык", short_name="англ.")
    login("admin").post(url("setup_group_split", year=s.year.pk), {
        "split-school_class": s.class_5a.pk, "split-subject": english.pk, "split-date": "01.09.2026"})
    first = Group.objects.get(name="5А англ. 1")
    second = Group.objects.get(name="5А англ. 2")
    roster = [st.pk for st in selectors.students_in_class(s.class_5a, D(2026, 9, 1))]
    assert [m.pk for m in selectors.group_members(first, D(2026, 9, 1))] == roster[:3]
    assert [m.pk for m in selectors.group_members(second, D(2026, 9, 1))] == roster[3:]
    assert first.subject == english and first.kind == GroupKind.SUBGROUP


def test_assignments_add_edit_and_filter(small_school, login):
    s = small_school
    client = login("admin")
    client.post(url("setup_assignments", year=s.year.pk), {
        "teacher": s.staff["teacher"].pk, "subject": s.russian.pk, "group": class_group(s.class_5b).pk,
        "hours_per_week": "4,5"})
    assignment = TeachingAssignment.objects.get(teacher=s.staff["teacher"], subject=s.russian)
    assert assignment.hours_per_week == Decimal("4.5")
    client.post(url("setup_assignment_edit", assignment.pk), {
        "teacher": s.staff["other_teacher"].pk, "subject": s.russian.pk, "group": class_group(s.class_5b).pk,
        "hours_per_week": "5"})
    assignment.refresh_from_db()
    assert (assignment.teacher, assignment.hours_per_week) == (s.staff["other_teacher"], Decimal(5))
    listed = table(client.get(url("setup_assignments", year=s.year.pk, teacher=s.staff["teacher"].pk)),
                   "assignments")
    assert "Математика" in listed and "Русский язык" not in listed
    forged = client.post(url("setup_assignments", year=s.year.pk), {
        "teacher": s.staff["teacher"].pk, "subject": s.math.pk, "group": class_group(s.other_class).pk,
        "hours_per_week": "1"})
    assert "Выберите корректный вариант" in text(forged)


# --- staff --------------------------------------------------------------------------------------------------


def test_staff_add_edit_positions_and_deactivate(small_school, login, client):
    s = small_school
    admin = login("admin")
    admin.post(url("setup_staff_new"), {"last_name": "Новикова", "first_name": "Ольга", "patronymic": "Ивановна",
                                        "positions": ["teacher", "deputy"], "email": "novikova@example.ru"})
    member = StaffMember.objects.get(school=s.school, last_name="Новикова")
    assert set(member.positions.values_list("position", flat=True)) == {"teacher", "deputy"}
    admin.post(url("setup_staff_edit", member.pk), {"last_name": "Новикова", "first_name": "Ольга",
                                                    "positions": ["teacher"]})
    assert set(member.positions.values_list("position", flat=True)) == {"teacher"}
    no_position = admin.post(url("setup_staff_edit", member.pk), {"last_name": "Новикова", "first_name": "Ольга"})
    assert "Обязательное поле." in text(no_position)

    teacher = s.staff["teacher"]
    admin.post(url("setup_staff_deactivate", teacher.pk))
    teacher.refresh_from_db()
    assert not teacher.is_active
    assert AuditEntry.objects.filter(verb="staff.deactivate", target_id=str(teacher.pk)).exists()
    assert login("teacher").get(reverse("school:my_groups")).status_code == 404


def test_administrator_cannot_deactivate_himself(small_school, login):
    admin = small_school.staff["admin"]
    response = login("admin").post(url("setup_staff_deactivate", admin.pk), follow=True)
    assert "Нельзя отметить уволенным самого себя." in text(response)
    admin.refresh_from_db()
    assert admin.is_active


# --- students and guardians -----------------------------------------------------------------------------------


ADMISSION = {"last_name": "Смирнова", "first_name": "Алиса", "patronymic": "Олеговна", "birth_date": "14.03.2015",
             "gender": "f", "snils": "12345678901", "order_number": "45-у", "date": "2026-11-16",
             "note": "из МБОУ СОШ № 3"}


def test_admitting_a_student_creates_the_record_and_the_arrival(small_school, login):
    s = small_school
    response = login("admin").post(url("setup_student_new", year=s.year.pk),
                                   {**ADMISSION, "school_class": s.class_5b.pk})
    assert response.status_code == 302
    student = Student.objects.get(school=s.school, last_name="Смирнова")
    assert student.snils == "123-456-789 01"
    assert selectors.class_of_student_on(student, D(2026, 11, 16)) == s.class_5b
    assert selectors.class_of_student_on(student, D(2026, 11, 15)) is None
    movement = Movement.objects.get(student=student)
    assert (movement.kind, movement.order_number, movement.note) == ("arrival", "45-у", "из МБОУ СОШ № 3")


def test_admission_without_an_order_number_saves_nothing(small_school, login):
    s = small_school
    response = login("admin").post(url("setup_student_new", year=s.year.pk),
                                   {**ADMISSION, "order_number": "", "school_class": s.class_5b.pk})
    assert "Обязательное поле." in text(response)
    outside = login("admin").post(url("setup_student_new", year=s.year.pk),
                                  {**ADMISSION, "date": "2027-07-01", "school_class": s.class_5b.pk})
    assert "вне учебного года" in text(outside)
    assert not Student.objects.filter(last_name="Смирнова").exists()
    assert not Enrollment.objects.filter(student__last_name="Смирнова").exists()


def test_class_teacher_edits_personal_data_of_his_student(small_school, login):
    student = small_school.students["student"]
    client = login("class_teacher")
    assert client.get(url("student_edit", student.pk)).status_code == 200
    response = client.post(url("student_edit", student.pk), {
        "last_name": "Иванов", "first_name": "Иван", "patronymic": "Сергеевич", "birth_date": "2015-01-02",
        "gender": "m", "address": "ул. Ленина, 1", "phone": "+7 900 000-00-00"})
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.address == "ул. Ленина, 1"
    assert AuditEntry.objects.filter(verb="student.update", target_id=str(student.pk)).exists()


def test_class_teacher_cannot_edit_a_student_of_another_class(small_school, login):
    s = small_school
    other = s.students["other_student"]
    client = login("class_teacher")
    assert client.get(url("student_edit", other.pk)).status_code == 404  # not even visible to him
    make_assignment(s.staff["class_teacher"], s.russian, class_group(s.class_5b))  # now he teaches 5Б
    assert client.get(url("student_detail", other.pk)).status_code == 200
    assert client.get(url("student_edit", other.pk)).status_code == 403
    assert client.post(url("student_edit", other.pk), {
        "last_name": "Подменов", "first_name": "Пётр", "birth_date": "2015-01-01", "gender": "m"}).status_code == 403
    other.refresh_from_db()
    assert other.last_name == "Петров"


def test_subject_teacher_cannot_edit_personal_data(small_school, login):
    assert login("teacher").get(url("student_edit", small_school.students["student"].pk)).status_code == 403


def test_guardian_added_linked_and_unlinked(small_school, login):
    s = small_school
    student = s.students["student"]
    client = login("admin")
    response = client.post(url("setup_guardian_new", student=student.pk), {
        "last_name": "Иванов", "first_name": "Сергей", "patronymic": "Петрович", "phone": "+7 900 111-22-33",
        "student": student.pk, "relation": "отец", "consent_given_on": "2026-09-01", "info_channel": "paper"})
    father = Guardian.objects.get(school=s.school, first_name="Сергей")
    assert response.status_code == 302
    link = GuardianLink.objects.get(guardian=father)
    assert (link.student, link.relation, link.info_channel, link.consent_given_on) == (
        student, "отец", "paper", D(2026, 9, 1))
    client.post(url("setup_guardian_edit", father.pk), {
        "link": "1", "student": s.students["other_student"].pk, "relation": "отчим", "info_channel": "electronic"})
    assert father.links.count() == 2
    assert 'value="отец"' in text(client.get(url("setup_guardian_edit", father.pk, student=student.pk)))
    bad_email = client.post(url("setup_guardian_edit", father.pk), {"save": "1", "last_name": "Иванов",
                                                                    "first_name": "Сергей", "email": "не почта"})
    assert "Введите правильный адрес электронной почты." in text(bad_email)
    father.refresh_from_db()
    assert father.email == ""
    client.post(url("setup_guardian_unlink", link.pk))
    assert not GuardianLink.objects.filter(pk=link.pk).exists()
    assert AuditEntry.objects.filter(verb="guardian.unlink").exists()


# --- movement -----------------------------------------------------------------------------------------------


def test_movement_form_transfers_the_student(small_school, login):
    s = small_school
    student = s.students["student"]
    response = login("admin").post(url("movement_new"), {
        "kind": "transfer", "student": student.pk, "to_class": s.class_5b.pk, "date": "10.11.2026",
        "order_number": "15-у"})
    assert response.status_code == 302
    assert selectors.class_of_student_on(student, D(2026, 11, 9)) == s.class_5a
    assert selectors.class_of_student_on(student, D(2026, 11, 10)) == s.class_5b
    assert Movement.objects.get(student=student, kind=MovementKind.TRANSFER).order_number == "15-у"


def test_movement_form_departure_and_its_errors(small_school, login):
    s = small_school
    student = s.students["student"]
    client = login("admin")
    no_class = client.post(url("movement_new"), {"kind": "transfer", "student": student.pk, "date": "2026-11-10",
                                                 "order_number": "15-у"})
    assert "Укажите класс, в который переводится обучающийся." in text(no_class)
    same = client.post(url("movement_new"), {"kind": "transfer", "student": student.pk, "to_class": s.class_5a.pk,
                                             "date": "2026-11-10", "order_number": "15-у"})
    assert "уже учится в классе 5А" in text(same)
    assert not Movement.objects.filter(kind=MovementKind.TRANSFER).exists()
    client.post(url("movement_new"), {"kind": "departure", "student": student.pk, "date": "2026-12-01",
                                      "order_number": "20-у", "note": "в МБОУ СОШ № 7 г. Тулы"})
    assert selectors.class_of_student_on(student, D(2026, 12, 1)) is None


def test_movement_form_moves_between_subgroups(small_school, login):
    s = small_school
    student = s.students["student"]
    english = services.save_subject(actor=None, school=s.school, name="Английский язык", short_name="англ.")
    first, second = services.split_class(actor=None, school_class=s.class_5a, subject=english, date=D(2026, 9, 1))
    start, target = (first, second) if selectors.group_members(first, D(2026, 9, 1)).filter(
        pk=student.pk).exists() else (second, first)
    login("admin").post(url("movement_new"), {
        "kind": "group_transfer", "student": student.pk, "from_group": start.pk, "to_group": target.pk,
        "date": "2026-11-02", "order_number": "31-у"})
    assert selectors.group_members(target, D(2026, 11, 2)).filter(pk=student.pk).exists()
    assert not selectors.group_members(start, D(2026, 11, 2)).filter(pk=student.pk).exists()


# --- dashboard checklist ---------------------------------------------------------------------------------------


def test_dashboard_checklist_names_what_is_missing(small_school, login):
    s = small_school
    services.save_class(actor=None, year=s.year, grade=11, letter="А")
    PeriodSet.objects.filter(year=s.year, grade_from=10).delete()
    loner = services.save_student(actor=None, school=s.school, last_name="Незачисленный", first_name="Олег",
                                  birth_date=D(2014, 5, 5), gender="m")
    services.set_curriculum_hours(actor=None, year=s.year, grade=5, subject=s.russian, hours_per_week=Decimal(5))
    body = " ".join(re.sub(r"<[^>]+>", " ", text(login("admin").get(url("setup")))).split())
    assert "Классы без классного руководителя: 11А" in body
    assert "Не заданы учебные периоды для параллелей: 11 кл." in body
    assert "Предметы учебного плана без учителя: 5Б — Русский язык" in body
    assert "Учебный план не заполнен для параллелей: 11 кл." in body
    assert f"Обучающиеся, не зачисленные ни в один класс: {loner.last_name} Олег" in body
    assert "В классах не распределена педагогическая нагрузка: 11А" in body


# --- constant query counts ---------------------------------------------------------------------------------------


def _grow(school, n):
    for _ in range(n):
        make_student(school.class_5a)
        make_student(school.class_5b)


@pytest.mark.parametrize("name", ["setup_classes", "setup_students", "setup_staff", "setup", "setup_guardians"])
def test_setup_list_pages_make_constant_queries(db, client, name):
    """The same number of queries for 10 and for 60 students."""
    s = build_small_school(students_per_class=5)  # 10 students
    client.force_login(s.users["admin"])
    path = url(name, year=s.year.pk)
    small, _ = page_queries(client, path)
    _grow(s, 25)  # 60 students
    for school_class in (s.class_5a, s.class_5b):
        for student in selectors.students_in_class(school_class, s.year.start)[:10]:
            services.register_guardian(actor=None, school=s.school, student=student, last_name=student.last_name,
                                       first_name="Анна")
    assert Enrollment.objects.filter(school_class__year=s.year).count() == 60
    large, response = page_queries(client, path)
    assert large == small


@pytest.mark.parametrize(("birth_date", "message"), [
    ("14.03.2031", "14.03.2031 — в будущем"), ("01.01.1929", "раньше 1930 года"),
])
def test_a_birth_date_out_of_bounds_is_refused_and_nothing_saved(small_school, login, birth_date, message):
    s = small_school
    response = login("admin").post(url("setup_student_new", year=s.year.pk),
                                   {**ADMISSION, "birth_date": birth_date, "school_class": s.class_5b.pk})
    assert message in text(response)
    assert not Student.objects.filter(last_name="Смирнова").exists()
    student = s.students["student"]
    response = login("class_teacher").post(url("student_edit", student.pk), {
        "last_name": student.last_name, "first_name": student.first_name, "patronymic": student.patronymic,
        "birth_date": birth_date, "gender": student.gender})
    student.refresh_from_db()
    assert student.birth_date.year not in (2031, 1929)
