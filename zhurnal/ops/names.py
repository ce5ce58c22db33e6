"""Synthetic Russian names for the demo school: common surnames, first names and correct patronymics.

Every name is drawn from fixed lists with a ``random.Random`` the caller seeds, so the same seed
gives the same people. The people are invented; no list pairs a name with any real person's data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

MALE = "m"
FEMALE = "f"

# Masculine forms; the feminine form follows from the ending (see ``surname_for``).
SURNAMES = (
    # -ов / -ев / -ёв
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
    "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
    "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Захаров", "Зайцев", "Соловьёв", "Борисов",
    "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Фролов", "Александров", "Дмитриев",
    "Королёв", "Гусев", "Киселёв", "Максимов", "Поляков", "Виноградов", "Ковалёв", "Белов", "Медведев",
    "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев", "Герасимов",
    "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов", "Марков", "Миронов", "Крылов", "Куликов",
    "Карпов", "Власов", "Мельников", "Денисов", "Гаврилов", "Тихонов", "Казаков", "Афанасьев", "Данилов",
    "Савельев", "Тимофеев", "Чернов", "Абрамов", "Мартынов", "Ефимов", "Федотов", "Щербаков", "Назаров",
    "Исаев", "Быков", "Маслов", "Родионов", "Коновалов", "Лазарев", "Климов", "Филатов", "Пономарёв",
    "Голубев", "Кудрявцев", "Прохоров", "Наумов", "Потапов", "Журавлёв", "Овчинников", "Трофимов",
    "Леонов", "Соболев", "Ермаков", "Колесников", "Гончаров", "Емельянов", "Никифоров", "Грачёв", "Котов",
    "Ефремов", "Архипов", "Громов", "Кириллов", "Малышев", "Панов", "Моисеев", "Румянцев", "Акимов",
    "Кондратьев", "Бирюков", "Горбунов", "Анисимов", "Тихомиров", "Лукьянов", "Михеев", "Скворцов",
    "Белоусов", "Нестеров", "Симонов", "Прокофьев", "Харитонов", "Князев", "Цветков", "Митрофанов",
    "Воронов", "Аксёнов", "Мальцев", "Логинов", "Горшков", "Краснов", "Майоров", "Демидов", "Елисеев",
    "Рыбаков", "Сафонов", "Плотников", "Хохлов", "Жданов", "Носов", "Субботин",
    # -ин / -ын
    "Никитин", "Сорокин", "Кузьмин", "Ильин", "Калинин", "Воронин", "Фомин", "Гришин", "Ерёмин",
    "Галкин", "Юдин", "Савин", "Лапин", "Зимин", "Пушкарёв", "Птицын", "Синицын", "Голицын",
    # -ский / -цкий / -ской / -ой
    "Покровский", "Вишневский", "Успенский", "Троицкий", "Рождественский", "Заболоцкий", "Введенский",
    "Островский", "Жуковский", "Смоленский", "Луговской", "Полевой", "Боровой",
    # invariant
    "Черных", "Белых", "Седых", "Долгих", "Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко",
)

# Names of today's pupils (born 2008–2020).
BOYS = (
    "Александр", "Артём", "Максим", "Михаил", "Иван", "Даниил", "Дмитрий", "Кирилл", "Матвей", "Егор",
    "Тимофей", "Никита", "Марк", "Лев", "Илья", "Роман", "Фёдор", "Ярослав", "Глеб", "Платон", "Савва",
    "Мирон", "Елисей", "Тимур", "Степан", "Богдан", "Захар", "Всеволод", "Семён", "Арсений", "Андрей",
    "Алексей", "Владимир", "Николай", "Георгий", "Святослав", "Демид", "Павел", "Макар", "Денис",
)
GIRLS = (
    "Софья", "Анастасия", "Мария", "Анна", "Виктория", "Полина", "Алиса", "Дарья", "Ксения", "Варвара",
    "Екатерина", "Елизавета", "Вероника", "Арина", "Александра", "Василиса", "Ульяна", "Милана", "Ева",
    "Кира", "Валерия", "Таисия", "Злата", "Есения", "Маргарита", "Алёна", "Яна", "Диана", "Ангелина",
    "Майя", "Вера", "Надежда", "Ольга", "Татьяна", "Юлия", "Мирослава", "Стефания",
)
# Names of parents and teachers (born 1960–2000).
MEN = (
    "Александр", "Алексей", "Андрей", "Сергей", "Дмитрий", "Евгений", "Игорь", "Олег", "Николай",
    "Михаил", "Владимир", "Юрий", "Павел", "Роман", "Денис", "Максим", "Виктор", "Вадим", "Константин",
    "Антон", "Илья", "Иван", "Геннадий", "Анатолий", "Василий", "Григорий", "Никита", "Леонид",
    "Вячеслав", "Станислав", "Валерий", "Пётр", "Артём", "Кирилл", "Виталий", "Аркадий", "Тимофей",
    "Матвей", "Фёдор", "Лев", "Яков",
)
WOMEN = (
    "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Юлия", "Анна", "Марина", "Екатерина",
    "Мария", "Оксана", "Людмила", "Галина", "Надежда", "Вера", "Любовь", "Евгения", "Алёна",
    "Анастасия", "Валентина", "Нина", "Лариса", "Ксения", "Дарья", "Виктория", "Александра", "Инна",
    "Жанна", "Полина", "Лилия", "Алла",
)
# Names of the grandfathers, from whom the parents' and teachers' patronymics come.
GRANDFATHERS = (
    "Иван", "Николай", "Пётр", "Михаил", "Сергей", "Александр", "Владимир", "Виктор", "Юрий", "Анатолий",
    "Василий", "Геннадий", "Григорий", "Алексей", "Фёдор", "Павел", "Лев", "Яков", "Илья", "Никита",
    "Борис", "Валентин", "Аркадий", "Дмитрий", "Евгений", "Игорь", "Леонид", "Степан", "Семён",
    "Валерий", "Вячеслав", "Андрей", "Олег", "Константин", "Тимофей", "Матвей", "Виталий", "Артур",
)

# Names whose patronymic does not follow the endings rule.
IRREGULAR_PATRONYMICS = {
    "Павел": ("Павлович", "Павловна"),
    "Пётр": ("Петрович", "Петровна"),
    "Лев": ("Львович", "Львовна"),
    "Михаил": ("Михайлович", "Михайловна"),
    "Яков": ("Яковлевич", "Яковлевна"),
    "Илья": ("Ильич", "Ильинична"),
    "Никита": ("Никитич", "Никитична"),
    "Кузьма": ("Кузьмич", "Кузьминична"),
    "Фома": ("Фомич", "Фоминична"),
    "Лука": ("Лукич", "Лукинична"),
    "Савва": ("Саввич", "Саввична"),
}
VOWELS = "аеёиоуыэюя"


def surname_for(surname: str, gender: str) -> str:
    """The surname in the form for ``gender``: Иванов → Иванова, Троицкий → Троицкая, Черных → Черных."""
    if gender == MALE:
        return surname
    for masculine, feminine in (("ский", "ская"), ("цкий", "цкая"), ("ской", "ская"), ("ой", "ая"), ("ый", "ая")):
        if surname.endswith(masculine):
            return surname[: -len(masculine)] + feminine
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname


def patronymic(father: str, gender: str) -> str:
    """The patronymic from a father's first name: Иван → Иванович / Ивановна, Илья → Ильич / Ильинична."""
    if father in IRREGULAR_PATRONYMICS:
        male, female = IRREGULAR_PATRONYMICS[father]
        return male if gender == MALE else female
    if father.endswith(("ей", "ай")):  # Сергей → Сергеевич, Николай → Николаевич
        stem = father[:-1] + "е"
    elif father.endswith("ий"):
        # Дмитрий → Дмитриевич after two consonants; Юрий → Юрьевич after a vowel and a consonant.
        before = father[-4].lower() if len(father) >= 4 else ""
        stem = father[:-1] + "е" if before and before not in VOWELS else father[:-2] + "ье"
    elif father.endswith("ь"):  # Игорь → Игоревич
        stem = father[:-1] + "е"
    else:  # Иван → Иванович
        stem = father + "о"
    return stem + ("вич" if gender == MALE else "вна")


@dataclass(frozen=True)
class PersonName:
    last_name: str
    first_name: str
    patronymic: str
    gender: str

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name} {self.patronymic}"


class NameGenerator:
    """Deterministic synthetic people: ``NameGenerator(random.Random(seed))``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def gender(self, female_share: float = 0.5) -> str:
        return FEMALE if self.rng.random() < female_share else MALE

    def family_surname(self) -> str:
        """A family's surname in its masculine form; ``surname_for`` gives each member's form."""
        return self.rng.choice(SURNAMES)

    def adult(self, gender: str, surname: str | None = None) -> PersonName:
        surname = surname or self.family_surname()
        first = self.rng.choice(WOMEN if gender == FEMALE else MEN)
        return PersonName(surname_for(surname, gender), first, patronymic(self.rng.choice(GRANDFATHERS), gender),
                          gender)

    def child(self, gender: str, surname: str, father: str) -> PersonName:
        first = self.rng.choice(GIRLS if gender == FEMALE else BOYS)
        return PersonName(surname_for(surname, gender), first, patronymic(father, gender), gender)
