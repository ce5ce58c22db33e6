"""The menu is made once per combination of roles and led class (``core.navigation.nav_for``)."""

from django.urls import reverse

from zhurnal.core.navigation import ADMINISTRATION, PEOPLE, nav_for
from zhurnal.school.roles import Role, SchoolRoles


def test_the_menu_follows_the_roles_and_the_led_class():
    teacher = SchoolRoles(school=None, roles=frozenset({Role.TEACHER}))
    leads_3 = SchoolRoles(school=None, roles=frozenset({Role.TEACHER}), led_class_ids=frozenset({7, 3}))
    leads_5 = SchoolRoles(school=None, roles=frozenset({Role.TEACHER}), led_class_ids=frozenset({5}))
    guardian = SchoolRoles(school=None, roles=frozenset({Role.GUARDIAN}))
    assert {i.label: i.url for i in nav_for(leads_3)}["Мой класс"] == reverse("school:class_detail", args=[3])
    assert {i.label: i.url for i in nav_for(leads_5)}["Мой класс"] == reverse("school:class_detail", args=[5])
    assert "Мой класс" not in {i.label for i in nav_for(teacher)}
    assert "Журнал" in {i.label for i in nav_for(teacher)} and "Журнал" not in {i.label for i in nav_for(guardian)}
    assert {i.label for i in nav_for(guardian)} >= {"Дневник", "Мои дети"}
    assert nav_for(leads_3) is nav_for(SchoolRoles(school=None, roles=frozenset({Role.TEACHER}),
                                                   led_class_ids=frozenset({3})))  # made once
    assert nav_for(SchoolRoles(school=None)) == ()


def test_the_administrations_occasional_pages_fold_into_groups():
    director = SchoolRoles(school=None, roles=frozenset({Role.DIRECTOR, Role.JOURNAL_ADMIN}))
    menu = nav_for(director)
    groups = {item.label: [child.label for child in item.children] for item in menu if item.children}
    assert groups[PEOPLE] == ["Классы", "Обучающиеся", "Сотрудники", "Движение"]
    assert {"Настройка", "Импорт", "Доступ"} <= set(groups[ADMINISTRATION])
    assert all(item.url for item in menu if not item.children)
    assert len(menu) <= 12  # one line at 1366 px
