"""The top navigation. Each app registers its entries (``register_menu``) and the start pages of the people it
serves (``register_start``) from its ``AppConfig.ready``; each entry asks a predicate of that app's permissions, so
core knows no roles."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from .header import HeaderItem, register_header_item  # noqa: F401 - the header's items register here too


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str  # "" for a group
    children: tuple[NavItem, ...] = ()  # a group's entries, opened from its label


# A predicate of a person's standing in the active school (``school.roles.SchoolRoles``). The menu is made once
# per combination of ``menu_key`` (his roles, the first class he leads, whether he is staff / a student), so a
# menu predicate reads nothing else.
Predicate = Callable[[Any], bool]


@dataclass(frozen=True)
class MenuEntry:
    order: int  # the place in the menu, across apps
    label: str
    url_name: str
    shown: Predicate
    led_class: bool = False  # the address takes the first class the person leads
    # Entries of one group fold under its label (the administration's occasional pages), so the menu of a person
    # with many roles stays one line at 1366 px; a group with one entry shown is that entry.
    group: str = ""


@dataclass(frozen=True)
class StartPage:
    order: int  # the first that applies wins
    url_name: str
    applies: Predicate
    led_class: bool = False


# The menu's groups, shared by the apps that file entries under them.
ADMINISTRATION = "Администрирование"
PEOPLE = "Люди"

_MENU: list[MenuEntry] = []
_START: list[StartPage] = []


def register_menu(*entries: MenuEntry) -> None:
    """An app's menu entries (called from its ``AppConfig.ready``; registering the same entry again is a no-op)."""
    for entry in entries:
        if entry not in _MENU:
            _MENU.append(entry)
    _MENU.sort(key=lambda entry: entry.order)
    _menus.clear()


def register_start(*pages: StartPage) -> None:
    """Where the people an app serves land after logging in (called from its ``AppConfig.ready``)."""
    for page in pages:
        if page not in _START:
            _START.append(page)
    _START.sort(key=lambda page: page.order)


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


# Menus of people who hold no role in a school (an education department's specialist): a higher app registers a
# function user → (menu items, start page) or None (``register_outside_school``).
OutsideMenu = Callable[[Any], "tuple[tuple[NavItem, ...], str] | None"]
_OUTSIDE_SCHOOL: list[OutsideMenu] = []


def register_outside_school(menu: OutsideMenu) -> None:
    """Plug a higher app's menu for people outside any school (``menu(user) -> (items, start url) | None``)."""
    if menu not in _OUTSIDE_SCHOOL:
        _OUTSIDE_SCHOOL.append(menu)


def outside_school(user: Any) -> tuple[tuple[NavItem, ...], str] | None:
    """The menu and start page of a logged-in person without a role in a school, if an app serves him."""
    if user is None or not user.is_authenticated:
        return None
    for menu in _OUTSIDE_SCHOOL:
        found = menu(user)
        if found is not None:
            return found
    return None


def _first_led(roles: Any) -> int | None:
    return min(roles.led_class_ids) if roles.led_class_ids else None


_KEY_PARTS: list[Callable[[Any], Hashable]] = []


def register_menu_key(part: Callable[[Any], Hashable]) -> None:
    """For a menu predicate that reads more than a person's standing (whether his school keeps the installation's
    backups): what it reads becomes part of ``menu_key``, so the menu is made once per value of it too. Asked on
    every page: it must be cheap (ask the role first)."""
    if part not in _KEY_PARTS:
        _KEY_PARTS.append(part)
    _menus.clear()


def menu_key(roles: Any) -> tuple:
    """What a menu predicate may read of a person's standing: the menu is made once per such key."""
    return (roles.roles, _first_led(roles), roles.staff is not None, roles.student is not None,
            *(part(roles) for part in _KEY_PARTS))


def nav_for(roles: Any) -> tuple[NavItem, ...]:
    """The menu of a person's roles (and of the first class he leads), on every page: made once per process for
    each ``menu_key`` and address configuration."""
    if not roles.is_member:
        return ()
    key = (menu_key(roles), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    menu = _menus.get(key)
    if menu is None:
        if len(_menus) >= 1024:
            _menus.clear()
        menu = _menus[key] = _make_nav(roles)
    return menu


_menus: dict[tuple, tuple[NavItem, ...]] = {}


def _make_nav(roles: Any) -> tuple[NavItem, ...]:
    led_class_id = _first_led(roles)
    shown: list[tuple[str, NavItem]] = []
    for entry in _MENU:
        if entry.led_class and led_class_id is None:
            continue
        if not entry.shown(roles):
            continue
        url = nav_url(entry.url_name, led_class_id) if entry.led_class else nav_url(entry.url_name)
        if all(item.url != url for _, item in shown):
            shown.append((entry.group, NavItem(entry.label, url)))
    members: dict[str, list[NavItem]] = {}
    for group, item in shown:
        if group:
            members.setdefault(group, []).append(item)
    items: list[NavItem] = []
    for group, item in shown:
        if not group or len(members[group]) == 1:
            items.append(item)
        elif members[group][0] is item:  # the group stands where its first entry would
            items.append(NavItem(group, "", tuple(members[group])))
    return tuple(items)


def start_url(roles: Any) -> str:
    """Where a person lands after logging in: the first registered start page that applies."""
    for page in _START:
        if page.led_class and not roles.led_class_ids:
            continue
        if page.applies(roles):
            return reverse(page.url_name, args=[_first_led(roles)] if page.led_class else [])
    return reverse("core:no_roles")
