"""The mail's one rule (``permissions.address_book``): who may write to whom, persona by persona."""

from __future__ import annotations

import pytest

from zhurnal.messaging import permissions, services
from zhurnal.school.roles import roles_in
from zhurnal.school.testing import make_guardian, make_student

SCHOOL_ONE = ("admin", "director", "deputy", "class_teacher", "teacher", "other_teacher", "student",
              "other_student", "guardian", "other_guardian")


def book_of(s, persona):
    return permissions.address_book(roles_in(s.users[persona], s.school))


def names(s, persona) -> set[str]:
    by_id = {user.pk: name for name, user in s.users.items()}
    return {by_id.get(user_id, f"#{user_id}") for user_id in book_of(s, persona).contacts}


STAFF_ONE = {"admin", "director", "deputy", "class_teacher", "teacher", "other_teacher"}

EXPECTED = {
    # the administration → everyone of its school
    "admin": set(SCHOOL_ONE) - {"admin"},
    "director": set(SCHOOL_ONE) - {"director"},
    "deputy": set(SCHOOL_ONE) - {"deputy"},
    # a teacher ↔ the pupils and parents of his groups (maths in 5А); colleagues
    "teacher": STAFF_ONE - {"teacher"} | {"student", "guardian"},
    # a class teacher → his class's families (5А)
    "class_teacher": STAFF_ONE - {"class_teacher"} | {"student", "guardian"},
    "other_teacher": STAFF_ONE - {"other_teacher"} | {"other_student", "other_guardian"},
    # a parent → his child's teachers, class teacher and the administration
    "guardian": {"teacher", "class_teacher", "admin", "director", "deputy"},
    "other_guardian": {"other_teacher", "admin", "director", "deputy"},
    # a pupil → his teachers
    "student": {"teacher", "class_teacher"},
    "other_student": {"other_teacher"},
    # the other school's administrator reaches nobody of school № 1
    "other_school_admin": set(),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_persona_writes_to_whom_the_rule_says(small_school, persona):
    assert names(small_school, persona) - {n for n in names(small_school, persona) if n.startswith("#")} \
        == EXPECTED[persona]


def test_the_rule_is_symmetric_between_teachers_and_families(small_school):
    s = small_school
    for a in SCHOOL_ONE:
        for b in ("student", "guardian", "other_student", "other_guardian"):
            if a in STAFF_ONE - {"admin", "director", "deputy"}:
                one_way = s.users[b].pk in book_of(s, a).contacts
                other_way = s.users[a].pk in book_of(s, b).contacts
                assert one_way == other_way, f"{a} ↔ {b}"


def test_parents_write_to_parents_only_when_the_school_allows(small_school):
    s = small_school
    classmate = make_student(s.class_5a, "Смирнов")
    classmate_parent = make_guardian(classmate, username="classmate_parent")
    assert classmate_parent.user.pk not in book_of(s, "guardian").contacts
    services.save_messaging_settings(actor=None, school=s.school, parents_to_parents=True,
                                     students_to_students=False)
    contacts = book_of(s, "guardian").contacts
    assert classmate_parent.user.pk in contacts
    assert s.users["other_guardian"].pk not in contacts  # 5Б: not a classmate's parent
    assert s.users["student"].pk not in book_of(s, "other_student").contacts


def test_pupils_write_to_classmates_only_when_the_school_allows(small_school):
    s = small_school
    classmate = make_student(s.class_5a, "Смирнов", username="classmate")
    assert classmate.user.pk not in book_of(s, "student").contacts
    services.save_messaging_settings(actor=None, school=s.school, parents_to_parents=False,
                                     students_to_students=True)
    contacts = book_of(s, "student").contacts
    assert classmate.user.pk in contacts
    assert s.users["other_student"].pk not in contacts
    assert s.users["guardian"].pk not in book_of(s, "other_guardian").contacts


def test_a_parent_contact_names_the_child(small_school):
    s = small_school
    contact = book_of(s, "teacher").contacts[s.users["guardian"].pk]
    assert contact.kind == "guardian"
    assert contact.student_ids == (s.students["student"].pk,)
    assert "Иванов" in contact.detail and "5А" in contact.detail


def test_group_addresses_hold_only_whom_he_may_write_to(small_school):
    s = small_school
    groups = {g.label: g for g in book_of(s, "teacher").groups}
    assert set(groups) >= {"родители 5А", "ученики 5А", "учителя 5А", "все сотрудники"}
    assert "родители 5Б" not in groups
    assert groups["родители 5А"].user_ids == {s.users["guardian"].pk}
    admin_groups = {g.label for g in book_of(s, "admin").groups}
    assert {"родители 5А", "родители 5Б", "все сотрудники"} <= admin_groups
    assert book_of(s, "guardian").groups == []


def test_nobody_reads_a_thread_he_is_not_in(small_school):
    s = small_school
    threads = services.send_message(actor=s.users["teacher"], roles=roles_in(s.users["teacher"], s.school),
                                    subject="Контрольная", body="Завтра контрольная.",
                                    user_ids=[s.users["guardian"].pk])
    thread = threads[0]
    for persona, sees in {"teacher": True, "guardian": True, "other_guardian": False, "director": False,
                          "admin": False, "student": False, "other_school_admin": False}.items():
        visible = permissions.threads_visible_to(roles_in(s.users[persona], s.school if persona !=
                                                          "other_school_admin" else s.other_school))
        assert visible.filter(pk=thread.pk).exists() is sees, persona
