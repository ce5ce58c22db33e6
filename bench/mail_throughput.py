"""Issue 19's «1,000 e-mails are delivered within 5 minutes», measured with the real parts end to end.

    python -m bench.mail_throughput [--db sqlite|postgres] [--count 1000] [--workers N] [--limit 300]
    python -m bench.mail_throughput --smtp-delay 0.2 --no-write   # each SMTP connection 0.2 s (a distant provider)
    python -m bench.mail_throughput --window 600 --no-write       # the marks' real correction window
    python -m bench.mail_throughput --count 200 --profile         # the jobs in this process, under cProfile

- A school built through the school's services (``zhurnal.school.services``, the tests' factories): ``--count``
  pupils in classes of 25 (grades 5–11), each with one parent whose login has a distinct e-mail address and whose
  notification settings say «сразу» for marks, by e-mail, no quiet hours (so that the run does not depend on the
  time of day: the school's default quiet hours, 21:00–08:00, would hold every e-mail for the digest).
- A real SMTP server (aiosmtpd) on a free port of this computer; Django's ``EMAIL_*`` point at it.
- The real worker: ``zhurnal worker`` (``python -m zhurnal.core.cli worker``, as ``zhurnal serve`` spawns it) in
  a child process, on the deployment's queue — the SQLite file on one computer, Redis (``BENCH_REDIS_URL``,
  default ``redis://127.0.0.1:6379/2``) with PostgreSQL (``BENCH_MAIL_DATABASE_URL``, default
  ``postgres://postgres@127.0.0.1:5432/zj_mail_bench``, dropped and created anew), as a region runs it.
- The trigger is the school's most common source of e-mail: teachers saving a column of marks (a «5» for every
  pupil of the lesson, ``journal.services.save_cells``, one lesson per class, today). A saved mark is mailed when
  its correction window (``ZHURNAL_NOTIFY_REPLACE_SECONDS``, 10 minutes) closes, by design: the window is set to
  0 here (in this process and in the worker), so what is measured is the delivery itself; in a school every
  figure below comes on top of those 10 minutes.

The time runs from the first save to the ``--count``-th e-mail accepted by the SMTP server. Each e-mail is checked:
sent to one of the parents (envelope and ``To``), each parent once, its subject the Russian «Новая отметка у
<his child, genitive>: 5» and its text naming the lesson's subject. The figures go to ``bench/mail_throughput.md``;
the exit status is 1 unless every e-mail arrived, right, within ``--limit`` seconds (5 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

from bench.run import DATA

OUT = Path(__file__).resolve().parent / "mail_throughput.md"
ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_MAIL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zj_mail_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
CLASS_SIZE = 25
SUBJECT = "Математика"
CYRILLIC = re.compile("[А-Яа-яЁё]")


@dataclass
class Arrival:
    at: float  # time.perf_counter() when the server accepted it
    rcpt: list[str]
    to: str
    subject: str
    text: str


@dataclass
class Inbox:
    """aiosmtpd's handler: every message accepted, with the moment it arrived."""

    arrivals: list[Arrival] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    wanted: int = 0
    done: threading.Event = field(default_factory=threading.Event)
    connect_delay: float = 0.0  # seconds each connection's greeting waits (a distant provider's TLS and login)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 - aiosmtpd's hook
        session.host_name = hostname
        if self.connect_delay:
            await asyncio.sleep(self.connect_delay)
        return responses

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        at = time.perf_counter()
        message = message_from_bytes(envelope.content, policy=policy.default)
        body = message.get_body(("plain",))
        arrival = Arrival(at=at, rcpt=list(envelope.rcpt_tos), to=str(message["To"] or ""),
                          subject=str(message["Subject"] or "").strip(), text=body.get_content() if body else "")
        with self.lock:
            self.arrivals.append(arrival)
            if len(self.arrivals) >= self.wanted:
                self.done.set()
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.arrivals)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--count", type=int, default=1000, help="pupils, parents and so e-mails (default 1000)")
    parser.add_argument("--workers", type=int, default=None,
                        help="the worker's threads (default: ZHURNAL_QUEUE_WORKERS, as deployed: 2)")
    parser.add_argument("--limit", type=float, default=300.0, help="seconds the e-mails must arrive within")
    parser.add_argument("--window", type=int, default=0,
                        help="the marks' correction window in seconds (ZHURNAL_NOTIFY_REPLACE_SECONDS; default 0: "
                             "the e-mails are due at once; with it, they come due together when it closes, "
                             "from the worker's schedule)")
    parser.add_argument("--smtp-delay", type=float, default=0.0,
                        help="seconds the SMTP server waits before greeting each connection (EHLO), as a "
                             "provider's TLS handshake and login across the Internet cost (default 0)")
    parser.add_argument("--no-write", action="store_true", help="print the figures only (trial runs)")
    parser.add_argument("--profile", action="store_true",
                        help="no worker: every job runs in this process as it is queued (the immediate queue), "
                             "under cProfile; where the time goes, on stderr (nothing written)")
    args = parser.parse_args(argv)

    from aiosmtpd.controller import Controller

    inbox = Inbox(wanted=args.count, connect_delay=args.smtp_delay)
    port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ["ZHURNAL_VAR_DIR"] = str(DATA / "mail-var")
    os.environ["ZHURNAL_NOTIFY_REPLACE_SECONDS"] = str(args.window)  # 0: the delivery, not the 10 minutes' wait
    os.environ.update(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                      EMAIL_PORT=str(port), EMAIL_USE_TLS="0", EMAIL_USE_SSL="0", EMAIL_HOST_USER="",
                      EMAIL_HOST_PASSWORD="")
    DATA.mkdir(parents=True, exist_ok=True)
    if args.db == "sqlite":
        database = DATA / "mail.sqlite3"
        queue_file = DATA / "mail-queue.sqlite3"
        for path in (database, queue_file):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
        os.environ["ZHURNAL_QUEUE_URL"] = f"sqlite:///{queue_file}"
    else:
        from bench.run import recreate_pg_database

        recreate_pg_database(PG_URL)
        os.environ["DATABASE_URL"] = PG_URL
        os.environ["ZHURNAL_QUEUE_URL"] = REDIS_URL

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    workers = args.workers or settings.ZHURNAL_QUEUE_WORKERS
    from zhurnal.core import tasks

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    school = build_school(args.count)
    tasks.queue.flush()  # nothing the build queued (none expected) is counted
    print(f"  {args.db}: {args.count} pupils and parents built in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)
    if args.db == "postgres":
        from bench.run import settle_database

        settle_database()

    if args.profile:
        profile_jobs(school, inbox)
        smtp.stop()
        return
    worker = start_worker(workers)
    load_before = os.getloadavg()
    try:
        began = time.perf_counter()
        save_marks(school)
        saved = time.perf_counter() - began
        inbox.done.wait(timeout=max(0.0, args.window + args.limit - (time.perf_counter() - began)))
        time.sleep(3.0)  # anything more (a second e-mail to someone) is wrong: give it the time to come
    finally:
        tasks.stop_worker_process(worker)
        smtp.stop()
    load_after = os.getloadavg()
    report = check(inbox, school, began=began + args.window, limit=args.limit)
    line = (f"| {args.db} | {args.count} | {report.right} | {report.received} | {report.last:.1f} | "
            f"{report.rate:.1f} | {report.first:.2f} | {saved:.1f} | {args.window} | {workers} | "
            f"{load_before[0]:.2f} / {load_after[0]:.2f} | {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC |")
    ok = report.right == args.count and not report.problems and report.last <= args.limit
    after = f" after the {args.window} s window" if args.window else " after the first save"
    print(f"{args.db}: {report.right} of {args.count} e-mails right ({report.received} received), the last "
          f"{report.last:.1f} s{after} ({report.rate:.1f}/s; the first after {report.first:.2f} s; the saves "
          f"took {saved:.1f} s), {workers} worker threads, load average {load_before[0]:.2f} → "
          f"{load_after[0]:.2f}", file=sys.stderr)
    for problem in report.problems[:20]:
        print(f"  ✗ {problem}", file=sys.stderr)
    if not args.no_write:
        write(line, args.db)
    sys.exit(0 if ok else 1)


@dataclass
class School:
    lessons: list  # (lesson, its pupils)
    expected: dict[str, str]  # parent's address → the subject his e-mail must have


def build_school(count: int) -> School:
    """``count`` pupils in classes of 25 (grades 5–11, letters А, Б, …), one maths lesson per class today (or on
    the last school day) taught by a teacher of four classes; each pupil's parent with a login, an address of his
    own and marks «сразу» by e-mail, no quiet hours. Built through the school's, timetable's and notifications'
    services in one transaction."""
    import random

    from django.conf import settings
    from django.db import transaction

    from zhurnal.core.dates import today as school_today
    from zhurnal.core.declension import name_genitive
    from zhurnal.core.testing import make_user
    from zhurnal.journal import services as journal
    from zhurnal.notifications import kinds
    from zhurnal.notifications import services as notifications
    from zhurnal.ops.names import FEMALE, NameGenerator
    from zhurnal.school import services
    from zhurnal.school import testing as factories
    from zhurnal.school.models import Position
    from zhurnal.school.periods import academic_year_start
    from zhurnal.timetable import services as timetable

    # The parents never log in: their passwords need no deliberately slow hash (Argon2) to be built quickly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    rng = random.Random(19)
    names = NameGenerator(rng)
    today = school_today()
    with transaction.atomic():
        school = factories.make_school("Школа для замера почты", slug="bench-mail")
        year = factories.make_year(school, start=academic_year_start(today))
        journal.ensure_journal_setup(school=school)
        maths = factories.make_subject(school, SUBJECT)
        classes = math.ceil(count / CLASS_SIZE)
        per_grade = math.ceil(classes / 7)
        letters = "АБВГДЕЖИКЛМНОПРСТУФХЦЧШЭЮЯ"
        teachers = [factories.make_staff(school, f"Математикова{n + 1}", [Position.TEACHER],
                                         username=f"bench-mail-teacher-{n + 1}")
                    for n in range(math.ceil(classes / 4))]
        seen: set[tuple[str, str]] = set()
        lessons = []
        expected: dict[str, str] = {}
        made = 0
        for index in range(classes):
            school_class = factories.make_class(year, 5 + index // per_grade, letters[index % per_grade])
            assignment = factories.make_assignment(teachers[index // 4], maths, factories.class_group(school_class))
            day = today
            while True:  # today, or the last day a lesson may be given (a weekend, a holiday)
                try:
                    lesson = timetable.add_lesson(actor=None, assignment=assignment, date=day, number=index % 4 + 1)
                    break
                except Exception:  # noqa: BLE001 - a day off: the day before
                    day -= dt.timedelta(days=1)
                    if (today - day).days > 14:
                        raise
            pupils = []
            for _ in range(min(CLASS_SIZE, count - made)):
                gender = names.gender()
                while True:
                    surname, father = names.family_surname(), rng.choice(["Сергей", "Андрей", "Игорь", "Олег"])
                    child = names.child(gender, surname, father)
                    if (child.last_name, child.first_name) not in seen:
                        seen.add((child.last_name, child.first_name))
                        break
                pupil = services.save_student(
                    actor=None, school=school, last_name=child.last_name, first_name=child.first_name,
                    patronymic=child.patronymic, gender=gender,
                    birth_date=dt.date(today.year - 6 - school_class.grade, 1 + made % 12, 1 + made % 28))
                services.enroll_student(actor=None, student=pupil, school_class=school_class, date=year.start,
                                        order_number="1-у")
                mother = names.adult(FEMALE, surname)
                address = f"roditel{made + 1:04d}@school-bench.example"
                guardian = services.save_guardian(actor=None, school=school, last_name=mother.last_name,
                                                  first_name=mother.first_name,
                                                  patronymic=mother.patronymic)
                guardian.user = make_user(f"bench-mail-parent-{made + 1}", email=address)
                guardian.save(update_fields=["user"])
                services.link_guardian(actor=None, student=pupil, guardian=guardian, relation="мать")
                notifications.save_settings(user=guardian.user, school_id=school.pk, modes={kinds.MARK: "now"},
                                            by_email=True, email=address, by_push=False, quiet_from=dt.time(0),
                                            quiet_to=dt.time(0), digest_time=dt.time(18), weekly_day=6)
                expected[address] = f"Новая отметка у {name_genitive(pupil)}: 5"
                pupils.append(pupil)
                made += 1
            lessons.append((lesson, pupils))
    from zhurnal.timetable.models import Lesson

    by_pk = {lesson.pk: lesson for lesson in Lesson.objects.filter(pk__in=[lesson.pk for lesson, _ in lessons])
             .select_related("assignment__teacher__user")}
    return School(lessons=[(by_pk[lesson.pk], pupils) for lesson, pupils in lessons], expected=expected)


def save_marks(school: School) -> None:
    """The trigger: each lesson's teacher saves a «5» for every pupil of it, a column at a time."""
    from zhurnal.journal import services as journal

    for lesson, pupils in school.lessons:
        result = journal.save_cells(actor=lesson.assignment.teacher.user, lesson=lesson,
                                    cells=[journal.CellInput(pupil, "5") for pupil in pupils])
        if result.errors:
            raise SystemExit(f"the journal refused marks: {result.errors}")


def profile_jobs(school: School, inbox: Inbox) -> None:
    """The same saves with every job run where it is queued (no worker, no queue between), under cProfile."""
    import cProfile
    import pstats

    from zhurnal.core import tasks

    tasks.use_queue("immediate")
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    save_marks(school)
    profiler.disable()
    elapsed = time.perf_counter() - began
    report = check(inbox, school, began=began, limit=math.inf)
    print(f"== {report.right} of {len(school.expected)} e-mails right in {elapsed:.1f} s, jobs run in this "
          f"process ({report.right / elapsed:.1f}/s); problems: {report.problems[:5]}", file=sys.stderr)
    stats = pstats.Stats(profiler, stream=sys.stderr)
    print("== our functions by cumulative time", file=sys.stderr)
    stats.sort_stats("cumulative").print_stats("zhurnal/", 40)
    print("== by own time", file=sys.stderr)
    stats.sort_stats("tottime").print_stats(25)


def start_worker(workers: int) -> subprocess.Popen:
    """``zhurnal worker`` in a child process, as ``zhurnal serve`` starts it; back once it has run a job."""
    from zhurnal.core import tasks

    log = open(DATA / "mail-worker.log", "w")  # noqa: SIM115 - the child's output for as long as it runs
    command = [sys.executable, "-m", "zhurnal.core.cli", "worker", "--workers", str(workers)]
    process = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    token = uuid.uuid4().hex
    tasks.ping(token)
    deadline = time.monotonic() + 60
    while tasks.queue.get(f"pong:{token}") is None:
        if process.poll() is not None or time.monotonic() > deadline:
            process.send_signal(signal.SIGINT)
            raise SystemExit(f"the worker did not start: see {DATA / 'mail-worker.log'}")
        time.sleep(0.05)
    return process


@dataclass
class Report:
    received: int
    right: int
    first: float
    last: float  # seconds from the first save to the last right e-mail wanted
    rate: float
    problems: list[str]


def check(inbox: Inbox, school: School, *, began: float, limit: float) -> Report:
    problems: list[str] = []
    got: dict[str, int] = {}
    right_times: list[float] = []
    with inbox.lock:
        arrivals = sorted(inbox.arrivals, key=lambda a: a.at)
    for arrival in arrivals:
        address = arrival.rcpt[0] if len(arrival.rcpt) == 1 else ""
        want = school.expected.get(address)
        if want is None or arrival.to != address:
            problems.append(f"to {arrival.rcpt} / {arrival.to!r}: nobody's e-mail ({arrival.subject!r})")
            continue
        got[address] = got.get(address, 0) + 1
        if got[address] > 1:
            problems.append(f"{address}: e-mail number {got[address]} ({arrival.subject!r})")
            continue
        if arrival.subject != want or not CYRILLIC.search(arrival.subject):
            problems.append(f"{address}: subject {arrival.subject!r}, wanted {want!r}")
            continue
        if SUBJECT not in arrival.text or want not in arrival.text:
            problems.append(f"{address}: the text does not name the lesson and the child: {arrival.text[:120]!r}")
            continue
        right_times.append(arrival.at - began)
    missing = len(set(school.expected) - set(got))
    if missing:
        problems.append(f"{missing} parents got no e-mail within {limit:.0f} s")
    last = right_times[len(school.expected) - 1] if len(right_times) >= len(school.expected) else math.inf
    first = right_times[0] if right_times else math.inf
    rate = len(right_times) / right_times[-1] if right_times else 0.0
    return Report(received=len(arrivals), right=len(right_times), first=first, last=last, rate=rate,
                  problems=problems)


def write(line: str, db: str) -> None:
    header = (
        "# 1,000 e-mails within 5 minutes (issue 19)\n\n"
        "`python -m bench.mail_throughput [--db sqlite|postgres] [--count 1000]` — teachers save a «5» for every "
        "pupil of one lesson in each of 40 classes (`journal.services.save_cells`), the real `zhurnal worker` "
        "(a child process, the deployment's queue: the SQLite file; Redis beside PostgreSQL) turns the events "
        "into notifications and sends each parent's e-mail through Django's SMTP backend to a real SMTP server "
        "(aiosmtpd) on this computer. *Seconds*: from the first save to the last e-mail accepted; every e-mail "
        "checked (its parent, once; the subject «Новая отметка у <the child>: 5»). The marks' 10-minute "
        "correction window is set to 0 (`ZHURNAL_NOTIFY_REPLACE_SECONDS=0`): in a school the e-mails leave 10 "
        "minutes later, by design. *Load*: the machine's 1-minute load average before / after (2 cores shared).\n\n"
        "| db | e-mails | right | received | seconds | e-mails/s | first, s | saves, s | window, s | "
        "worker threads | load | run at |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n")
    other = "postgres" if db == "sqlite" else "sqlite"
    rows = [row for row in (OUT.read_text().splitlines() if OUT.exists() else []) if row.startswith(f"| {other} |")]
    ordered = [*rows, line] if db == "postgres" else [line, *rows]
    OUT.write_text(header + "\n".join(ordered) + "\n")


if __name__ == "__main__":
    main()
