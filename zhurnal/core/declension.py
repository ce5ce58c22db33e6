"""Russian surnames in the genitive case, for phrases such as «вместо Котовой Г.А.» or «замена Иванова П.С.».

The one place that declines people's names. The person's gender comes from the patronymic when there is one
(«…вна», «…чна» — a woman; «…вич», «…ич» — a man), else from the surname's ending. Surnames that Russian does not
decline (ending in -о, -е, -и, -у, -ю, -ых, -их; women's surnames ending in a consonant) stay as they are.
"""

from __future__ import annotations

FEMALE = "f"
MALE = "m"

_UNDECLINED_ENDINGS = ("о", "е", "э", "и", "у", "ю", "ых", "их")
_VOWELS = "аеёиоуыэюя"
_HUSHING_OR_VELAR = "гкхжшчщ"


def gender_of(*, patronymic: str = "", last_name: str = "", first_name: str = "") -> str:
    """«f» or «m»: from the patronymic, else the surname, else the first name (a final -а/-я: a woman)."""
    patronymic = patronymic.strip().lower()
    if patronymic.endswith(("вна", "чна", "кызы")):
        return FEMALE
    if patronymic.endswith(("вич", "ич", "оглы")):
        return MALE
    surname = last_name.strip().lower()
    if surname.endswith(("ова", "ева", "ёва", "ина", "ына", "ская", "цкая", "ая")):
        return FEMALE
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын", "ий", "ой", "ый")):
        return MALE
    return FEMALE if first_name.strip().lower().endswith(("а", "я")) else MALE


def _keep_case(original: str, declined: str) -> str:
    return declined if not original.isupper() else declined.upper()


def _genitive_part(word: str, gender: str) -> str:
    lower = word.lower()
    if not lower or lower.endswith(_UNDECLINED_ENDINGS):
        return word
    if gender == FEMALE:
        if lower.endswith(("ова", "ева", "ёва", "ина", "ына")):
            return word[:-1] + "ой"
        if lower.endswith(("ая", "яя")):
            return word[:-2] + ("ей" if lower.endswith(("жая", "шая", "чая", "щая", "яя")) else "ой")
        if lower.endswith("а"):
            return word[:-1] + ("и" if len(lower) > 1 and lower[-2] in _HUSHING_OR_VELAR else "ы")
        if lower.endswith("я"):
            return word[:-1] + "и"
        return word  # Шмидт, Гусь: a woman's surname ending in a consonant does not change
    if lower.endswith(("ский", "цкий", "ой", "ый", "ий")) and len(lower) > 3 and lower[-3] not in _VOWELS:
        return word[:-2] + ("его" if lower.endswith(("жий", "ший", "чий", "щий")) else "ого")
    if lower.endswith(("ой", "ый")):
        return word[:-2] + "ого"
    if lower.endswith("а"):
        return word[:-1] + ("и" if len(lower) > 1 and lower[-2] in _HUSHING_OR_VELAR else "ы")
    if lower.endswith("я"):
        return word[:-1] + "и"
    if lower.endswith("ь"):
        return word[:-1] + "я"
    if lower.endswith("й"):
        return word[:-1] + "я"
    if lower[-1] in _VOWELS:
        return word
    return word + "а"


def surname_genitive(last_name: str, gender: str) -> str:
    """«Котова» (f) → «Котовой», «Котов» → «Котова», «Ковальский» → «Ковальского»; double surnames part by part."""
    return "-".join(_keep_case(part, _genitive_part(part, gender)) for part in last_name.strip().split("-"))


def short_name_genitive(person) -> str:
    """«Котовой Г.А.» for a person with ``last_name``, ``first_name`` and ``patronymic``."""
    gender = gender_of(patronymic=getattr(person, "patronymic", "") or "", last_name=person.last_name,
                       first_name=getattr(person, "first_name", "") or "")
    initials = "".join(f"{part[0]}." for part in (person.first_name, getattr(person, "patronymic", "")) if part)
    return f"{surname_genitive(person.last_name, gender)} {initials}".strip()


def first_name_genitive(first_name: str, gender: str) -> str:
    """«Иван» → «Ивана», «Мария» → «Марии», «Никита» → «Никиты», «Илья» → «Ильи»; a woman's name ending in a
    consonant other than -ь stays (Ирен)."""
    word = first_name.strip()
    lower = word.lower()
    if not lower:
        return word
    if gender == FEMALE and lower.endswith("ь"):
        return word[:-1] + "и"  # Любовь → Любови
    if gender == FEMALE and lower[-1] not in "ая":
        return word
    if lower.endswith("ия"):
        return word[:-1] + "и"
    return _keep_case(word, _genitive_part(word, MALE if gender == MALE else FEMALE))


def name_genitive(person) -> str:
    """«Иванова Ивана», «Петровой Марии»: the surname and the first name, for «по поводу …», «родителям …»."""
    gender = gender_of(patronymic=getattr(person, "patronymic", "") or "", last_name=person.last_name,
                       first_name=getattr(person, "first_name", "") or "")
    first = first_name_genitive(getattr(person, "first_name", "") or "", gender)
    return f"{surname_genitive(person.last_name, gender)} {first}".strip()
