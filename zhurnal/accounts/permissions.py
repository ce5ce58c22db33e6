"""Who may do what with a login: everybody signed in manages his own password, sessions and second factor; what
a school's staff may do with other people's logins is the school's (``school.access.permissions``), within the one
rule here: a school manages only a login that is wholly its own.

A login may hold roles in several places (a director of school A who is a parent in school B, a teacher of two
schools, a department's specialist). If school B could reset that login's second factor or hand out a code for
it, B's administrator could sign in as A's director. So a school resets, issues codes for, edits and reads the
login history of only a login whose every role is in that school; any other login is a regional operator's job.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model

# (related query name of a role on User, field of the role naming its school — None for a role outside any school):
# the relations that give a login a role, registered by the apps that own them (``register_login_role``).
_LOGIN_ROLES: list[tuple[str, str | None]] = []

NOT_THE_SCHOOLS_LOGIN = (
    "Учётная запись {username} есть не только в вашей школе (в другой школе или в управлении образования). "
    "Выдать для неё код активации, сбросить пароль или второй фактор, изменить её или посмотреть историю её "
    "входов может только оператор регионального электронного журнала — обратитесь к нему."
)


def register_login_role(relation: str, school_field: str | None = "school_id") -> None:
    """The registration a higher app calls (in its ``AppConfig.ready``) for a relation that gives a login a role:
    ``relation`` is the related query name on User (``staff_roles``), ``school_field`` the role row's school
    (``None``: the role belongs to no school, e.g. a department's specialist)."""
    if all(name != relation for name, _ in _LOGIN_ROLES):
        _LOGIN_ROLES.append((relation, school_field))


def login_schools(user: Any) -> set[int | None]:
    """The school of every role the login holds; ``None`` stands for a role outside any school (a department's
    specialist, a site operator)."""
    schools: set[int | None] = set()
    if user.is_superuser or user.is_staff:
        schools.add(None)
    for relation, school_field in _LOGIN_ROLES:
        rows = getattr(user, relation).all()
        if school_field is None:
            if rows.exists():
                schools.add(None)
        else:
            schools.update(rows.values_list(school_field, flat=True).distinct())
    return schools


def school_manages_login(school: Model | int | None, user: Any) -> bool:
    """Whether ``school`` may manage ``user``'s login (issue activation codes, reset its password or second
    factor, edit it, read its login history): only when every role of the login is in that school."""
    school_id = getattr(school, "pk", school)
    if school_id is None or user is None or getattr(user, "pk", None) is None:
        return False
    return login_schools(user) == {school_id}


def refusal_for(user: Any) -> str:
    """Why the school may not manage this login, for the page."""
    return NOT_THE_SCHOOLS_LOGIN.format(username=user.username)
