import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhurnal.audit.models import AuditEntry
from zhurnal.school import selectors, services
from zhurnal.school.models import Enrollment, GroupKind, Movement, MovementKind
from zhurnal.school.testing import make_class, make_student

pytestmark = pytest.mark.django_db

D = dt.date


def names(qs):
    return [s.last_name for s in qs]


def test_who_was_in_class_on_date_is_right_across_a_transfer(small_school):
    s = small_school
    student = s.students["student"]
    services.transfer_student(actor=None, student=student, to_class=s.class_5b, date=D(2026, 11, 10),
                              order_number="15-у")
    assert "Иванов" in names(selectors.students_in_class(s.class_5a, D(2026, 11, 9)))
    assert "Иванов" not in names(selectors.students_in_class(s.class_5b, D(2026, 11, 9)))
    assert "Иванов" not in names(selectors.students_in_class(s.class_5a, D(2026, 11, 10)))
    assert "Иванов" in names(selectors.students_in_class(s.class_5b, D(2026, 11, 10)))
    assert selectors.class_of_student_on(student, D(2026, 9, 1)) == s.class_5a
    assert selectors.class_of_student_on(student, D(2026, 12, 1)) == s.class_5b


def test_movement_keeps_history_with_orders(small_school):
    s = small_school
    student = s.students["student"]
    services.transfer_student(actor=None, student=student, to_class=s.class_5b, date=D(2026, 11, 10),
                              order_number="15-у")
    services.depart_student(actor=None, student=student, date=D(2027, 2, 1), order_number="31-у",
                            note="в МБОУ СОШ № 7 г. Тулы")
    kinds = list(Movement.objects.filter(student=student).order_by("date").values_list("kind", "order_number"))
    assert kinds == [(MovementKind.ARRIVAL, kinds[0][1]), (MovementKind.TRANSFER, "15-у"),
                     (MovementKind.DEPARTURE, "31-у")]
    spans = list(Enrollment.objects.filter(student=student).order_by("start").values_list(
        "school_class__letter", "start", "end"))
    assert spans == [("А", D(2026, 9, 1), D(2026, 11, 9)), ("Б", D(2026, 11, 10), D(2027, 1, 31))]
    assert selectors.class_of_student_on(student, D(2027, 2, 1)) is None
    assert AuditEntry.objects.filter(verb__startswith="movement.", target_id__in=[
        str(pk) for pk in Movement.objects.filter(student=student).values_list("pk", flat=True)]).count() == 3


def test_departed_student_is_not_in_class_after_departure(small_school):
    s = small_school
    student = s.students["student"]
    services.depart_student(actor=None, student=student, date=D(2026, 10, 1), order_number="7")
    assert "Иванов" in names(selectors.students_in_class(s.class_5a, D(2026, 9, 30)))
    assert "Иванов" not in names(selectors.students_in_class(s.class_5a, D(2026, 10, 1)))


def test_movement_requires_an_order_number(small_school):
    with pytest.raises(ValidationError) as err:
        services.depart_student(actor=None, student=small_school.students["student"], date=D(2026, 10, 1),
                                order_number="  ")
    assert "номер приказа" in str(err.value)


def test_cannot_enroll_twice_or_transfer_to_same_class(small_school):
    s = small_school
    with pytest.raises(ValidationError, match="уже учится"):
        services.enroll_student(actor=None, student=s.students["student"], school_class=s.class_5b,
                                date=D(2026, 10, 1), order_number="1")
    with pytest.raises(ValidationError, match="уже учится"):
        services.transfer_student(actor=None, student=s.students["student"], to_class=s.class_5a,
                                  date=D(2026, 10, 1), order_number="1")


def test_arrival_mid_year_counts_only_from_its_date(small_school):
    s = small_school
    newcomer = make_student(s.class_5a, "Новиков", start=D(2026, 11, 16))
    assert "Новиков" not in names(selectors.students_in_class(s.class_5a, D(2026, 11, 15)))
    assert "Новиков" in names(selectors.students_in_class(s.class_5a, D(2026, 11, 16)))
    assert newcomer.movements.get().kind == MovementKind.ARRIVAL


def test_transfer_ends_subgroup_membership_and_group_transfer_is_logged(small_school):
    s = small_school
    student = s.students["student"]
    english_1 = services.create_group(actor=None, year=s.year, name="5А англ. 1", kind=GroupKind.SUBGROUP,
                                      school_class=s.class_5a)
    english_2 = services.create_group(actor=None, year=s.year, name="5А англ. 2", kind=GroupKind.SUBGROUP,
                                      school_class=s.class_5a)
    services.add_to_group(actor=None, group=english_1, student=student, start=D(2026, 9, 1))
    services.transfer_between_groups(actor=None, student=student, from_group=english_1, to_group=english_2,
                                     date=D(2026, 10, 5), order_number="40")
    assert names(selectors.group_members(english_1, D(2026, 10, 4))) == ["Иванов"]
    assert names(selectors.group_members(english_2, D(2026, 10, 5))) == ["Иванов"]
    services.transfer_student(actor=None, student=student, to_class=s.class_5b, date=D(2026, 11, 10),
                              order_number="15-у")
    assert names(selectors.group_members(english_2, D(2026, 11, 10))) == []
    assert names(selectors.group_members(english_2, D(2026, 11, 9))) == ["Иванов"]


def test_subgroup_of_another_class_is_refused(small_school):
    s = small_school
    group = services.create_group(actor=None, year=s.year, name="5Б инф. 1", kind=GroupKind.SUBGROUP,
                                  school_class=s.class_5b)
    with pytest.raises(ValidationError, match="не учится в классе 5Б"):
        services.add_to_group(actor=None, group=group, student=s.students["student"], start=D(2026, 9, 1))


def test_class_name_must_be_unique_in_year(small_school):
    with pytest.raises(ValidationError, match="5А"):
        make_class(small_school.year, 5, "а")
