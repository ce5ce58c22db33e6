"""Reads about the school's logins: who in a class or on the staff has access, weekly activity by role."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from zhurnal.accounts.models import (
    ActivationCode,
    Authenticator,
    LoginEvent,
    PersonKind,
    SchoolSecurity,
    User,
)
from zhurnal.audit.models import AccessRecord

from ..models import (
    GuardianLink,
    InfoChannel,
    Position,
    School,
    SchoolClass,
    StaffMember,
    StaffPosition,
    Student,
    TeachingAssignment,
)
from ..roles import POSITION_ROLES, Role
from ..selectors import enrollments_on, students_in_class
from .permissions import Person


class Status:
    NO_LOGIN = "no_login"
    NO_CODE = "no_code"
    ISSUED = "issued"
    EXPIRED = "expired"
    ACTIVE = "active"
    DISABLED = "disabled"

    LABELS = {
        NO_LOGIN: "нет логина",
        NO_CODE: "логин создан, код не выдан",
        ISSUED: "код выдан",
        EXPIRED: "код не использован, срок истёк",
        ACTIVE: "вход выполнен",
        DISABLED: "учётная запись отключена",
    }


@dataclass
class AccessRow:
    """One person on an access page: his login, where his activation stands, how his family is informed."""

    person: Person
    kind: str
    user: User | None
    code: ActivationCode | None = None
    has_two_factor: bool = False
    link: GuardianLink | None = None  # guardian rows: the link to the student above
    student: Student | None = None  # guardian rows: whose guardian
    role_label: str = ""
    now: dt.datetime = field(default_factory=timezone.now)

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.person.pk}"

    @property
    def status(self) -> str:
        user = self.user
        if user is None:
            return Status.NO_LOGIN
        if not user.is_active:
            return Status.DISABLED
        code = self.code
        if code is not None and code.is_active(self.now):
            return Status.ISSUED
        if user.has_usable_password():
            return Status.ACTIVE
        if code is not None:
            return Status.EXPIRED
        return Status.NO_CODE

    @property
    def status_label(self) -> str:
        return Status.LABELS[self.status]

    @property
    def reissue(self) -> bool:
        """A code issued to someone who has already logged in (a lost password)."""
        return self.status == Status.ISSUED and self.user is not None and self.user.has_usable_password()

    @property
    def refused_electronic(self) -> bool:
        return self.link is not None and self.link.info_channel == InfoChannel.PAPER

    @property
    def needs_code(self) -> bool:
        """Included when codes are issued «to everyone who has not logged in yet»."""
        return self.status in {Status.NO_LOGIN, Status.NO_CODE, Status.EXPIRED, Status.ISSUED} \
            and not self.refused_electronic


def _attach_codes(rows: list[AccessRow], school: School) -> list[AccessRow]:
    """The latest code and the second factor of every login on the page — two queries whatever their number."""
    user_ids = {row.user.pk for row in rows if row.user is not None}
    latest: dict[int, ActivationCode] = {}
    for code in ActivationCode.objects.filter(school=school, user_id__in=user_ids).order_by("user_id", "-issued_at",
                                                                                             "-id"):
        latest.setdefault(code.user_id, code)
    with_2fa = set(Authenticator.objects.filter(user_id__in=user_ids, confirmed=True).values_list("user_id", flat=True))
    now = timezone.now()
    for row in rows:
        if row.user is not None:
            row.code = latest.get(row.user.pk)
            row.has_two_factor = row.user.pk in with_2fa
        row.now = now
    return rows


def class_access_rows(school_class: SchoolClass, on: dt.date) -> list[AccessRow]:
    """The students of a class on ``on``, each followed by his guardians — four queries."""
    links = GuardianLink.objects.select_related("guardian", "guardian__user", "registered_by").order_by(
        "guardian__last_name", "guardian__first_name", "pk")
    students = students_in_class(school_class, on).select_related("user").prefetch_related(
        Prefetch("guardian_links", queryset=links))
    rows: list[AccessRow] = []
    for student in students:
        rows.append(AccessRow(person=student, kind=PersonKind.STUDENT, user=student.user,
                              role_label=f"обучающийся {school_class.name} класса"))
        for link in student.guardian_links.all():
            relation = f", {link.relation}" if link.relation else ""
            rows.append(AccessRow(
                person=link.guardian, kind=PersonKind.GUARDIAN, user=link.guardian.user, link=link, student=student,
                role_label=f"родитель (законный представитель){relation}: {student.short_name}, {school_class.name}",
            ))
    return _attach_codes(rows, school_class.school)


def staff_access_rows(school: School) -> list[AccessRow]:
    """Working staff with their positions — four queries."""
    staff = (StaffMember.objects.filter(school=school, is_active=True).select_related("user")
             .prefetch_related("positions").order_by("last_name", "first_name", "patronymic", "pk"))
    rows = [
        AccessRow(person=member, kind=PersonKind.STAFF, user=member.user,
                  role_label=", ".join(p.get_position_display() for p in member.positions.all()) or "сотрудник")
        for member in staff
    ]
    return _attach_codes(rows, school)


@dataclass
class ClassAccessSummary:
    school_class: SchoolClass
    students: int
    students_active: int
    guardians: int
    guardians_active: int
    paper: int


def access_overview(classes: QuerySet[SchoolClass], on: dt.date) -> list[ClassAccessSummary]:
    """Per class: how many students and guardians have logged in — three queries whatever the school's size."""
    rows = list(classes.select_related("class_teacher").order_by("grade", "letter"))
    enrolled = enrollments_on(on).filter(school_class__in=rows)
    student_rows = enrolled.values("school_class_id").annotate(
        total=Count("student", distinct=True),
        active=Count("student", distinct=True, filter=Q(student__user__isnull=False)
                     & ~Q(student__user__password__startswith=UNUSABLE_PASSWORD_PREFIX)),
    )
    by_class = {r["school_class_id"]: (r["total"], r["active"]) for r in student_rows}
    class_of = dict(enrolled.values_list("student_id", "school_class_id"))
    guardian_total: dict[int, set[int]] = defaultdict(set)
    guardian_active: dict[int, set[int]] = defaultdict(set)
    paper: dict[int, set[int]] = defaultdict(set)
    for student_id, guardian_id, user_id, password, channel in GuardianLink.objects.filter(
            student_id__in=class_of.keys()).values_list("student_id", "guardian_id", "guardian__user_id",
                                                        "guardian__user__password", "info_channel"):
        class_id = class_of[student_id]
        guardian_total[class_id].add(guardian_id)
        if user_id is not None and not (password or UNUSABLE_PASSWORD_PREFIX).startswith(UNUSABLE_PASSWORD_PREFIX):
            guardian_active[class_id].add(guardian_id)
        if channel == InfoChannel.PAPER:
            paper[class_id].add(guardian_id)
    return [
        ClassAccessSummary(
            school_class=c, students=by_class.get(c.pk, (0, 0))[0], students_active=by_class.get(c.pk, (0, 0))[1],
            guardians=len(guardian_total[c.pk]), guardians_active=len(guardian_active[c.pk]), paper=len(paper[c.pk]),
        )
        for c in rows
    ]


def school_security(school: School) -> SchoolSecurity:
    return SchoolSecurity.objects.filter(school=school).first() or SchoolSecurity(school=school)


def codes_of(user: User, school: School) -> QuerySet[ActivationCode]:
    return ActivationCode.objects.filter(user=user, school=school).select_related("issued_by").order_by("-issued_at")


def people_of_user(user: User, school: School) -> dict:
    """The school records behind a login: staff card, student record, guardian records."""
    return {
        "staff": StaffMember.objects.filter(school=school, user=user).prefetch_related("positions").first(),
        "student": Student.objects.filter(school=school, user=user).first(),
        "guardians": list(user.guardian_roles.filter(school=school).prefetch_related("links__student")),
    }


# --- activity ------------------------------------------------------------------------------------------------


class RoleLogins(NamedTuple):
    logins: int  # successful logins in the week
    users: int  # distinct people who logged in


def _role_sets(school: School) -> dict[int, set[str]]:
    """user id → his roles in the school, derived exactly as ``roles.roles_in`` does — five queries."""
    roles: dict[int, set[str]] = defaultdict(set)
    staff_users = dict(StaffMember.objects.filter(school=school, is_active=True, user__isnull=False)
                       .values_list("pk", "user_id"))
    for staff_id, position in StaffPosition.objects.filter(staff_id__in=staff_users).values_list("staff_id",
                                                                                                 "position"):
        if position in POSITION_ROLES:
            roles[staff_users[staff_id]].add(POSITION_ROLES[Position(position)])
        if position == "teacher":
            roles[staff_users[staff_id]].add(Role.TEACHER)
    for staff_id in SchoolClass.objects.filter(school=school, class_teacher_id__in=staff_users).values_list(
            "class_teacher_id", flat=True):
        roles[staff_users[staff_id]].add(Role.CLASS_TEACHER)
    for staff_id in TeachingAssignment.objects.filter(school=school, teacher_id__in=staff_users).values_list(
            "teacher_id", flat=True):
        roles[staff_users[staff_id]].add(Role.TEACHER)
    for user_id in Student.objects.filter(school=school, user__isnull=False).values_list("user_id", flat=True):
        roles[user_id].add(Role.STUDENT)
    for user_id in school.guardians.filter(user__isnull=False).values_list("user_id", flat=True):
        roles[user_id].add(Role.GUARDIAN)
    return roles


def week_bounds(school: School, week_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 to the next Monday 00:00 in the school's time zone."""
    tz = zoneinfo.ZoneInfo(school.timezone or "Europe/Moscow")
    start = dt.datetime.combine(week_start, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=7)


def weekly_logins_by_role(school: School, week_start: dt.date) -> dict[str, RoleLogins]:
    """Successful logins in the week from ``week_start`` by people of the school, per role (a person with two
    roles counts under both). Every role is present, with zeros where nobody logged in. Six queries."""
    start, end = week_bounds(school, week_start)
    roles = _role_sets(school)
    per_user = dict(
        LoginEvent.objects.filter(succeeded=True, at__gte=start, at__lt=end, user_id__in=list(roles))
        .values("user_id").annotate(n=Count("id")).values_list("user_id", "n")
    )
    logins: dict[str, int] = defaultdict(int)
    users: dict[str, int] = defaultdict(int)
    for user_id, n in per_user.items():
        for role in roles[user_id]:
            logins[role] += n
            users[role] += 1
    return {role: RoleLogins(logins[role], users[role]) for role in Role.LABELS}


# --- the access log of personal data -----------------------------------------------------------------------------


def access_log_people(school: School) -> list[tuple[int, str]]:
    """Everyone who appears in the school's access log, for the «Кто» filter, by name."""
    ids = AccessRecord.objects.filter(school=school, actor__isnull=False).values("actor_id").distinct()
    people = User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "patronymic", "username")
    return [(user.pk, user.display_name) for user in people]


def access_log(school: School, *, person: int | None = None, kind: str = "", since: dt.date | None = None,
               until: dt.date | None = None) -> QuerySet[AccessRecord]:
    """The school's readings of personal data, newest first, filtered (days are the school's days)."""
    records = AccessRecord.objects.filter(school=school).select_related("actor")
    if person is not None:
        records = records.filter(actor_id=person)
    if kind:
        records = records.filter(kind=kind)
    zone = timezone.get_current_timezone()
    if since is not None:
        records = records.filter(at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=zone))
    if until is not None:
        records = records.filter(at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=zone))
    return records.order_by("-at", "-id")
