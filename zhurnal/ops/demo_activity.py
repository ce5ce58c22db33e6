"""The demo school's use of the system, so its activity reports are alive: logins issued and activated (staff,
families of a few classes, their pupils), then six weeks of logins and diary views up to today — all through the
services (``accounts.services``: codes, activation, the login history; ``diary.services.count_diary_view``).

Families differ as real ones do: most parents open the diary two or three times a week, some once, a few never
activate their login; teachers log in on school days.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from zhurnal.accounts.models import User
from zhurnal.school.models import AcademicYear, Enrollment, GuardianLink, InfoChannel, School, StaffMember

ACTIVE_CLASSES = ("5А", "8Б")  # families with logins issued (the personas' classes)
ACTIVATED_SHARE = 0.75
WEEKS = 6
PASSWORD = "zhurnal2026"  # noqa: S105 - the demo's published password
DEVICES = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0", "Mozilla/5.0 (Linux; Android 14) Chrome/131.0",
           "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Safari/604.1")


@dataclass
class DemoActivityReport:
    activated: int = 0
    logins: int = 0
    diary_views: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _moment(day: dt.date, rng: random.Random, evening: bool) -> dt.datetime:
    """A time of that day (after school for families, during it for staff), never later than now."""
    hour = rng.randint(18, 21) if evening else rng.randint(8, 15)
    local = dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59)), tzinfo=timezone.get_current_timezone())
    return min(local, timezone.now())


def build_demo_activity(*, school: School, year: AcademicYear, today: dt.date, rng: random.Random,
                        actor: User | None = None) -> DemoActivityReport:
    from zhurnal.accounts import services as accounts_services
    from zhurnal.diary import services as diary_services
    from zhurnal.school.access import services as access_services

    report = DemoActivityReport()
    names = {f"{c.grade}{c.letter}": c for c in year.classes.all()}
    class_ids = [names[n].pk for n in ACTIVE_CLASSES if n in names]
    on = min(max(today, year.start), year.end)
    pupils = {e.student_id: e.student for e in Enrollment.objects.filter(school_class_id__in=class_ids, start__lte=on)
              .select_related("student").order_by("student__last_name", "student_id")
              if e.end is None or e.end >= on}
    links = list(GuardianLink.objects.filter(student_id__in=list(pupils), info_channel=InfoChannel.ELECTRONIC)
                 .select_related("guardian").order_by("guardian_id", "student_id"))
    guardians = {link.guardian_id: link.guardian for link in links}
    staff = list(StaffMember.objects.filter(school=school, is_active=True, assignments__year=year).distinct()
                 .order_by("pk"))
    # Logins and codes for whoever has none yet; most people then activate theirs.
    people = [g for g in guardians.values() if g.user_id is None] + [p for p in pupils.values() if p.user_id is None] \
        + [s for s in staff if s.user_id is None]
    issued = access_services.issue_activation_codes(actor=actor, school=school, people=people, on=on)
    for item in issued:
        if item.kind == "staff" or rng.random() < ACTIVATED_SHARE:
            accounts_services.activate_account(user=item.user, code=item.code, password=PASSWORD)
            report.activated += 1
    for person in (*guardians.values(), *pupils.values(), *staff):
        person.refresh_from_db(fields=["user"])
    first_day = max(year.start, today - dt.timedelta(days=7 * WEEKS))
    days = [first_day + dt.timedelta(days=n) for n in range((today - first_day).days + 1)]
    # Each family has its habit: views a week (0 — never opens it).
    habit = {gid: rng.choice((0, 1, 2, 2, 3, 3, 4, 6)) for gid in guardians}
    pupil_habit = {pid: rng.choice((0, 1, 2, 3, 5)) for pid in pupils}
    children: dict[int, list] = {}
    for link in links:
        children.setdefault(link.guardian_id, []).append(pupils[link.student_id])
    for week_start in range(0, len(days), 7):
        week = days[week_start:week_start + 7]
        for guardian_id, guardian in guardians.items():
            if guardian.user is None or not guardian.user.has_usable_password():
                continue
            for day in sorted(rng.sample(week, min(len(week), habit[guardian_id]))):
                moment = _moment(day, rng, evening=True)
                accounts_services.record_login_event(
                    user=guardian.user, username=guardian.user.username, kind="password", succeeded=True,
                    user_agent=rng.choice(DEVICES), at=moment)
                report.logins += 1
                for child in children.get(guardian_id, []):
                    for _ in range(rng.randint(1, 2)):
                        diary_services.count_diary_view(student=child, guardian_id=guardian_id,
                                                        viewer_is_student=False, on=day)
                        report.diary_views += 1
                    # The family saw the marks then: the diary's «new marks» count what came since.
                    diary_services.mark_feed_seen(user=guardian.user, student=child, at=moment)
        for pupil_id, pupil in pupils.items():
            if pupil.user is None or not pupil.user.has_usable_password():
                continue
            for day in sorted(rng.sample(week, min(len(week), pupil_habit[pupil_id]))):
                accounts_services.record_login_event(user=pupil.user, username=pupil.user.username, kind="password",
                                                     succeeded=True, user_agent=DEVICES[1],
                                                     at=_moment(day, rng, evening=True))
                diary_services.count_diary_view(student=pupil, guardian_id=None, viewer_is_student=True, on=day)
                report.logins += 1
                report.diary_views += 1
        for member in staff:
            if member.user is None:
                continue
            for day in week:
                if day.weekday() < 5 and rng.random() < 0.9:
                    accounts_services.record_login_event(user=member.user, username=member.user.username,
                                                         kind="password", succeeded=True, user_agent=DEVICES[0],
                                                         at=_moment(day, rng, evening=False))
                    report.logins += 1
    # A few mistyped passwords: the history shows refusals too.
    for member in staff[:3]:
        accounts_services.record_login_event(user=member.user, username=member.user.username if member.user else "",
                                             kind="password", succeeded=False, reason="неверный пароль",
                                             at=_moment(today - dt.timedelta(days=2), rng, evening=False))
    return report
