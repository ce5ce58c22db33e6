"""Sessions and targets for the load test, from a generated region (``zhurnal generate``).

Logs in (server-side sessions, as a login would make) a sample of guardians, pupils and teachers of every
generated school and writes ``targets.lua`` for ``morning.lua``: each guardian or pupil with the diary pages he
reads, each teacher with cells of his past lessons he may save. Run with the same settings as the server:
    DATABASE_URL=... python -m bench.loadtest.prepare --out bench/data/loadtest/targets.lua
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
from pathlib import Path


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--families", type=int, default=10, help="guardians per school")
    parser.add_argument("--pupils", type=int, default=5, help="pupils per school")
    parser.add_argument("--teachers", type=int, default=3, help="teachers per school")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import transaction

    from zhurnal.accounts.sessions import SessionStore
    from zhurnal.core.dates import today as school_today
    from zhurnal.journal.selectors import current_period
    from zhurnal.ops.generate import SLUG_PREFIX
    from zhurnal.school.models import GroupKind, GuardianLink, School, Student, Subject, TeachingAssignment
    from zhurnal.school.selectors import periods_for_grade
    from zhurnal.timetable.models import Lesson

    rng = random.Random(args.seed)
    today = school_today()

    def session_for(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "zhurnal.accounts.backends.PasswordBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    readers: list[str] = []
    writers: list[str] = []
    schools = list(School.objects.filter(slug__startswith=SLUG_PREFIX).order_by("slug"))
    if not schools:
        raise SystemExit("No generated schools: run `zhurnal generate --schools N` on this database first.")

    def collect(school) -> None:
        subjects = list(Subject.objects.filter(school=school, name__in=["Математика", "Русский язык", "Литература",
                                                                        "История"]).values_list("pk", flat=True))
        links = list(GuardianLink.objects.filter(school=school).select_related("guardian__user").order_by("pk"))
        for link in rng.sample(links, min(args.families, len(links))):
            readers.append(f'{{cookie={lua_string(session_for(link.guardian.user))}, student={link.student_id}, '
                           f'subjects={{{",".join(map(str, subjects))}}}}}')
        pupils = list(Student.objects.filter(school=school).select_related("user").order_by("pk"))
        for pupil in rng.sample(pupils, min(args.pupils, len(pupils))):
            readers.append(f'{{cookie={lua_string(session_for(pupil.user))}, student={pupil.pk}, '
                           f'subjects={{{",".join(map(str, subjects))}}}}}')
        assignments = list(TeachingAssignment.objects.filter(school=school, group__kind=GroupKind.CLASS,
                                                             group__school_class__grade__gte=2)
                           .exclude(subject__without_marks=True)
                           .select_related("teacher__user", "group__school_class__year")
                           .order_by("pk"))
        for assignment in rng.sample(assignments, min(args.teachers, len(assignments))):
            # Lessons of the period in progress only: a closed period refuses changes without a reason.
            school_class = assignment.group.school_class
            period = current_period(list(periods_for_grade(school_class.year, school_class.grade)), today)
            lessons = list(Lesson.objects.filter(assignment=assignment, date__lte=today, date__gte=period.start)
                           .order_by("-date").values_list("pk", flat=True)[:5])
            if not lessons:
                continue
            students = list(Student.objects.filter(enrollments__school_class_id=assignment.group.school_class_id)
                            .values_list("pk", flat=True))
            csrf = secrets.token_hex(16)  # a 32-character CSRF secret, sent as the cookie and as the header
            cells = ",".join(f"{{{lesson},{student}}}" for lesson in lessons for student in students)
            writers.append(f'{{cookie={lua_string(session_for(assignment.teacher.user))}, '
                           f'csrf={lua_string(csrf)}, cells={{{cells}}}}}')

    with transaction.atomic():  # one commit for thousands of sessions
        for school in schools:
            collect(school)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("return {\n  readers = {\n    " + ",\n    ".join(readers) + "\n  },\n  writers = {\n    "
                   + ",\n    ".join(writers) + "\n  }\n}\n", encoding="utf-8")
    print(f"{len(readers)} readers, {len(writers)} teachers from {len(schools)} schools → {out}")


if __name__ == "__main__":
    main()
