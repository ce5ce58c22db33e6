import random

import pytest

from zhurnal.ops.names import (
    BOYS,
    FEMALE,
    GIRLS,
    GRANDFATHERS,
    MALE,
    MEN,
    SURNAMES,
    NameGenerator,
    patronymic,
    surname_for,
)


@pytest.mark.parametrize(("masculine", "feminine"), [
    ("Иванов", "Иванова"), ("Смирнов", "Смирнова"), ("Соловьёв", "Соловьёва"), ("Алексеев", "Алексеева"),
    ("Ильин", "Ильина"), ("Синицын", "Синицына"), ("Покровский", "Покровская"), ("Троицкий", "Троицкая"),
    ("Луговской", "Луговская"), ("Полевой", "Полевая"), ("Черных", "Черных"), ("Долгих", "Долгих"),
    ("Шевченко", "Шевченко"),
])
def test_feminine_surnames_follow_the_ending(masculine, feminine):
    assert surname_for(masculine, FEMALE) == feminine
    assert surname_for(masculine, MALE) == masculine


@pytest.mark.parametrize(("father", "son", "daughter"), [
    ("Иван", "Иванович", "Ивановна"), ("Сергей", "Сергеевич", "Сергеевна"), ("Андрей", "Андреевич", "Андреевна"),
    ("Николай", "Николаевич", "Николаевна"), ("Илья", "Ильич", "Ильинична"), ("Никита", "Никитич", "Никитична"),
    ("Кузьма", "Кузьмич", "Кузьминична"), ("Дмитрий", "Дмитриевич", "Дмитриевна"), ("Юрий", "Юрьевич", "Юрьевна"),
    ("Евгений", "Евгеньевич", "Евгеньевна"), ("Василий", "Васильевич", "Васильевна"),
    ("Георгий", "Георгиевич", "Георгиевна"), ("Игорь", "Игоревич", "Игоревна"), ("Павел", "Павлович", "Павловна"),
    ("Пётр", "Петрович", "Петровна"), ("Лев", "Львович", "Львовна"), ("Михаил", "Михайлович", "Михайловна"),
    ("Яков", "Яковлевич", "Яковлевна"), ("Артём", "Артёмович", "Артёмовна"),
])
def test_patronymics_are_derived_correctly_from_the_fathers_name(father, son, daughter):
    assert patronymic(father, MALE) == son
    assert patronymic(father, FEMALE) == daughter


def test_every_name_in_the_lists_gives_a_patronymic_of_the_right_form():
    for name in {*MEN, *BOYS, *GRANDFATHERS}:
        assert patronymic(name, MALE).endswith(("вич", "ич")), name
        assert patronymic(name, FEMALE).endswith(("вна", "ична")), name


def test_children_carry_the_family_surname_in_their_own_form_and_the_fathers_patronymic():
    names = NameGenerator(random.Random(1))
    daughter = names.child(FEMALE, "Троицкий", "Илья")
    son = names.child(MALE, "Троицкий", "Илья")
    assert (daughter.last_name, daughter.patronymic) == ("Троицкая", "Ильинична")
    assert (son.last_name, son.patronymic) == ("Троицкий", "Ильич")
    assert daughter.first_name in GIRLS
    assert son.first_name in BOYS


def test_the_same_seed_gives_the_same_people():
    def people(seed):
        names = NameGenerator(random.Random(seed))
        return [names.adult(names.gender()).full_name for _ in range(50)]

    assert people(2026) == people(2026)
    assert people(2026) != people(2027)


def test_adult_surnames_agree_with_gender():
    names = NameGenerator(random.Random(7))
    for _ in range(200):
        woman = names.adult(FEMALE)
        assert woman.last_name in {surname_for(s, FEMALE) for s in SURNAMES}
        assert woman.patronymic.endswith(("вна", "ична"))
