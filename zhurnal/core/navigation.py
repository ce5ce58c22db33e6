"""The top navigation, by role. Each app adds its entries here as it lands."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from zhurnal.accounts.roles import Role, SchoolRoles


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str


@lru_cache(maxsize=4096)
def _url(name: str, args: tuple, kwargs: tuple, current_app: str | None, prefix: str, urlconf: str | None) -> str:
    return reverse(name, args=args, kwargs=dict(kwargs), current_app=current_app, urlconf=urlconf)


def cached_reverse(name: str, args: tuple | list = (), kwargs: dict | None = None,
                   current_app: str | None = None) -> str:
    """``reverse`` remembered per process (it costs some 60 µs, and a page has a dozen links that never change
    while the process runs): the key holds the arguments, the script prefix and the URL configuration in force.
    Only ids and names (``int``, ``str``) are remembered; any other argument — an object whose ``str`` makes the
    address — goes to ``reverse`` each time."""
    items = tuple(sorted(kwargs.items())) if kwargs else ()
    if all(type(value) in (int, str) for value in (*args, *(value for _, value in items))):
        return _url(name, tuple(args), items, current_app, get_script_prefix(),
                    get_urlconf() or settings.ROOT_URLCONF)
    return reverse(name, args=args, kwargs=kwargs, current_app=current_app)


def nav_url(name: str, *args) -> str:
    """The menu's links (``cached_reverse``)."""
    return cached_reverse(name, args)


def nav_for(roles: SchoolRoles) -> tuple[NavItem, ...]:
    """The menu of a person's roles (and of the first class he leads), on every page: made once per process for
    each such combination and address configuration."""
    if not roles.is_member:
        return ()
    led_class_id = min(roles.led_class_ids) if roles.led_class_ids else None
    return _nav(roles.roles, led_class_id, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=1024)
def _nav(role_names: frozenset[str], led_class_id: int | None, prefix: str, urlconf: str) -> tuple[NavItem, ...]:
    items: list[NavItem] = []

    def has(*names: str) -> bool:
        return any(name in role_names for name in names)

    def add(label: str, name: str, *args) -> None:
        url = nav_url(name, *args)
        if all(item.url != url for item in items):
            items.append(NavItem(label, url))

    if has(Role.TEACHER):
        add("Мой день", "journal:today")
        add("Журнал", "journal:index")
        add("Мои группы", "school:my_groups")
    if led_class_id is not None:
        add("Мой класс", "school:class_detail", led_class_id)
        add("Дневники класса", "diary:class_overview", led_class_id)
        add("Сводная", "journal:class_summary", led_class_id)
    if has(Role.TEACHER, Role.JOURNAL_ADMIN):
        add("КТП", "planning:index")
    if has(Role.JOURNAL_ADMIN, Role.DIRECTOR, Role.DEPUTY, Role.CLERK):
        add("Классы", "school:class_list")
        add("Обучающиеся", "school:student_list")
        add("Сотрудники", "school:staff_list")
        add("Движение", "school:movement_log")
        add("Настройка", "school:setup")
    if has(Role.JOURNAL_ADMIN, Role.CLERK):
        add("Импорт", "school:import")
    add("Расписание", "timetable:index")
    if has(Role.DEPUTY, Role.DIRECTOR):
        add("Замены", "timetable:substitutions")
        add("Дневники", "diary:school_activity")
        add("Журнал", "journal:index")
        add("Контроль", "journal:control")
    if has(Role.JOURNAL_ADMIN, Role.DIRECTOR):
        add("Оценивание", "journal:rules")
    if has(Role.DEPUTY, Role.DIRECTOR):
        add("Выполнение программы", "planning:coverage")
    if has(Role.GUARDIAN, Role.STUDENT):
        add("Дневник", "diary:home")
    if has(Role.GUARDIAN):
        add("Мои дети", "school:children")
    if has(Role.STUDENT):
        add("Моя страница", "school:me")
    if has(Role.JOURNAL_ADMIN) or led_class_id is not None:
        add("Доступ", "accounts:access")
    add("Безопасность", "accounts:security")
    return tuple(items)


def start_url(roles: SchoolRoles) -> str:
    """Where each role lands after logging in."""
    if roles.has(Role.JOURNAL_ADMIN):
        return reverse("school:setup")
    if roles.has(Role.DIRECTOR, Role.DEPUTY, Role.CLERK):
        return reverse("school:class_list")
    if roles.led_class_ids:
        return reverse("school:class_detail", args=[min(roles.led_class_ids)])
    if roles.has(Role.TEACHER):
        return reverse("journal:today")
    if roles.has(Role.GUARDIAN, Role.STUDENT):
        return reverse("diary:home")
    return reverse("core:no_roles")
