"""Surnames in the genitive case: «вместо Котовой Г.А.»."""

from types import SimpleNamespace

import pytest

from zhurnal.core.declension import (
    FEMALE,
    MALE,
    gender_of,
    name_genitive,
    short_name_genitive,
    surname_genitive,
)


@pytest.mark.parametrize(("surname", "gender", "expected"), [
    ("Котова", FEMALE, "Котовой"), ("Котов", MALE, "Котова"), ("Соловьёва", FEMALE, "Соловьёвой"),
    ("Ильин", MALE, "Ильина"), ("Ильина", FEMALE, "Ильиной"), ("Ковальский", MALE, "Ковальского"),
    ("Ковальская", FEMALE, "Ковальской"), ("Толстой", MALE, "Толстого"), ("Белый", MALE, "Белого"),
    ("Шмидт", MALE, "Шмидта"), ("Шмидт", FEMALE, "Шмидт"), ("Гоголь", MALE, "Гоголя"),
    ("Гайдай", MALE, "Гайдая"), ("Сковорода", MALE, "Сковороды"), ("Сковорода", FEMALE, "Сковороды"),
    ("Петренко", MALE, "Петренко"), ("Черных", FEMALE, "Черных"),
    ("Римская-Корсакова", FEMALE, "Римской-Корсаковой"), ("Бойко", FEMALE, "Бойко"), ("Глинка", MALE, "Глинки"),
])
def test_surnames_in_the_genitive(surname, gender, expected):
    assert surname_genitive(surname, gender) == expected


def test_the_gender_comes_from_the_patronymic_then_the_surname():
    assert gender_of(patronymic="Александровна", last_name="Шмидт") == FEMALE
    assert gender_of(patronymic="Ильич", last_name="Сковорода") == MALE
    assert gender_of(last_name="Котова") == FEMALE and gender_of(last_name="Котов") == MALE


def test_short_name_in_the_genitive():
    person = SimpleNamespace(last_name="Котова", first_name="Галина", patronymic="Александровна")
    assert short_name_genitive(person) == "Котовой Г.А."
    person = SimpleNamespace(last_name="Цветков", first_name="Игорь", patronymic="Константинович")
    assert short_name_genitive(person) == "Цветкова И.К."


@pytest.mark.parametrize(("last", "first", "patronymic", "expected"), [
    ("Иванов", "Иван", "Сергеевич", "Иванова Ивана"),
    ("Петрова", "Мария", "Ивановна", "Петровой Марии"),
    ("Кузнецов", "Никита", "", "Кузнецова Никиты"),
    ("Смирнов", "Илья", "Олегович", "Смирнова Ильи"),
    ("Соколова", "Любовь", "Петровна", "Соколовой Любови"),
    ("Белый", "Андрей", "Андреевич", "Белого Андрея"),
    ("Кравец", "Ольга", "Юрьевна", "Кравец Ольги"),
    ("Шевченко", "Алёна", "Борисовна", "Шевченко Алёны"),
])
def test_name_in_the_genitive_for_a_message_about_a_child(last, first, patronymic, expected):
    person = SimpleNamespace(last_name=last, first_name=first, patronymic=patronymic)
    assert name_genitive(person) == expected
