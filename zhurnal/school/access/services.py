"""Every write about the logins of the school's people: a login for a person, activation codes, the school's
security settings. Keyword-only, one transaction each, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zhurnal.accounts import codes
from zhurnal.accounts.models import ActivationCode, PersonKind, SchoolSecurity, User
from zhurnal.accounts.permissions import refusal_for, school_manages_login
from zhurnal.accounts.services import code_lifetime, record_login_change, unique_login
from zhurnal.audit.services import record
from zhurnal.audit.verbs import Verb
from zhurnal.core import stamps
from zhurnal.core.dates import today as school_today

from ..models import Guardian, School, StaffMember, Student
from ..roles import roles_in
from .permissions import Person, can_issue_code_for


def person_kind(person: Person) -> str:
    if isinstance(person, StaffMember):
        return PersonKind.STAFF
    if isinstance(person, Student):
        return PersonKind.STUDENT
    if isinstance(person, Guardian):
        return PersonKind.GUARDIAN
    raise TypeError(f"not a person of a school: {person!r}")


@transaction.atomic
def create_login(*, actor: User | None, person: Person) -> User:
    """A login for a person of the school who has none: ``ivanov.ps``, with no password until activation."""
    if person.user is not None:
        raise ValidationError({"user": f"У {person.short_name} уже есть логин {person.user.username}."})
    user = User(
        username=unique_login(codes.login_base(person.last_name, person.first_name, person.patronymic)),
        last_name=person.last_name, first_name=person.first_name, patronymic=person.patronymic,
        email=getattr(person, "email", "") or "",
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    type(person).objects.filter(pk=person.pk).update(user=user)
    stamps.bump(person.school_id)  # an update sends no signal; the school caches its people (roles, rows)
    person.user = user
    record_login_change(actor=actor, verb=Verb.LOGIN_CREATE, user=user,
                        after={"username": user.username, "person": f"{person_kind(person)}:{person.pk}"})
    return user


@dataclass(frozen=True)
class IssuedCode:
    """A code as it was issued — the only moment its plain text exists."""

    person: Person
    kind: str
    user: User
    code: str
    expires_at: dt.datetime

    @property
    def printed_code(self) -> str:
        return codes.format_code(self.code)


@transaction.atomic
def issue_activation_codes(
    *, actor: User | None, school: School, people: Sequence[Person], on: dt.date | None = None,
) -> list[IssuedCode]:
    """Issue a fresh one-time code for each person, creating the login where there is none.

    Any earlier code of the same login in this school stops working. All or nothing: a person the actor may
    not issue for refuses the whole batch.
    """
    on = on or school_today()
    shared = [p.user for p in people if p.user_id is not None and not school_manages_login(school, p.user)]
    if shared:
        raise ValidationError({"people": " ".join(refusal_for(user) for user in dict.fromkeys(shared))})
    if actor is not None:
        roles = roles_in(actor, school)
        refused = [p for p in people if not can_issue_code_for(roles, p, on)]
        if refused:
            raise PermissionDenied(f"Нельзя выдать код: {', '.join(p.short_name for p in refused)}.")
    seen: set[tuple[str, int]] = set()
    issued: list[IssuedCode] = []
    now = timezone.now()
    expires_at = now + code_lifetime()
    for person in people:
        if person.school_id != school.pk:
            raise ValidationError({"people": f"{person.short_name} — из другой школы."})
        kind = person_kind(person)
        if (kind, person.pk) in seen:
            continue
        seen.add((kind, person.pk))
        user = person.user if person.user is not None else create_login(actor=actor, person=person)
        if not user.is_active:
            raise ValidationError({"people": f"Учётная запись {user.username} отключена; сначала включите её."})
        revoked = ActivationCode.objects.filter(
            school=school, user=user, used_at__isnull=True, revoked_at__isnull=True,
        ).update(revoked_at=now)
        code = codes.new_code()
        activation = ActivationCode.objects.create(
            school=school, user=user, person_kind=kind, code_hash=codes.hash_code(code),
            issued_by=actor if actor is not None and actor.pk else None, issued_at=now, expires_at=expires_at,
        )
        record_login_change(actor=actor, verb=Verb.ACTIVATION_CODE_ISSUE, user=user, target=activation,
                            after={"user": user.username, "expires_at": expires_at.isoformat(),
                                   "revoked_earlier": revoked, "school": school.pk})
        issued.append(IssuedCode(person=person, kind=kind, user=user, code=code, expires_at=expires_at))
    return issued


@transaction.atomic
def update_school_security(*, actor: User, school: School, require_staff_2fa: bool) -> SchoolSecurity:
    security, _ = SchoolSecurity.objects.select_for_update().get_or_create(school=school)
    before = {"require_staff_2fa": security.require_staff_2fa}
    security.require_staff_2fa = bool(require_staff_2fa)
    security.updated_by = actor if getattr(actor, "pk", None) else None
    security.save()
    after = {"require_staff_2fa": security.require_staff_2fa}
    if before != after:
        record(actor=actor, verb=Verb.SECURITY_UPDATE, target=security, school=school, before=before, after=after)
    return security
