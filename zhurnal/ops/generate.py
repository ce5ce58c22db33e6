"""``zhurnal generate``: a region of realistic schools, built fast, for benchmarks and load tests.

Each school gets the usual calendar (through ``create_academic_year``), the usual grading rules and work types
(``ensure_journal_setup``) and bells (``save_bell_schedule``) — the few rows the services make quickly. Everything
that is large is written in bulk: subjects and the curriculum of the federal basic plan, classes of about 25 pupils
with their class and subgroups (English and informatics in two groups), staff with a teaching load and no clashes in
the weekly timetable, pupils with their logins, families with their guardians' logins, the lessons of the whole year
from the timetable (holidays skipped, exactly as ``planned_lessons`` says), and up to ``until``: lesson topics and
homework, marks (about four per pupil per school day across subjects, from the school's work types, control works
now and then) and attendance (whole days of illness, single absences, lateness).

**This bypasses the services** (and so the audit log and idempotency keys) for speed: on PostgreSQL rows go in with
``COPY`` (psycopg's ``cursor.copy``), on SQLite with ``executemany``, with explicit primary keys allocated here;
sequences are reset after every school. The whole run is one transaction: an interrupted run adds nothing.
The data obeys the models' constraints and what the services would have made (see ``tests/test_generate.py``,
which runs the journal grid and the diary on it); never run it against a school's real database.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from zhurnal.accounts.codes import latin
from zhurnal.core.dates import today as school_today
from zhurnal.journal import services as journal_services
from zhurnal.journal.models import Attendance, LessonRecord, Mark, WorkType
from zhurnal.ops import queries
from zhurnal.ops.demo import CURRICULUM, PRIMARY_TEACHER_SUBJECTS, SPLIT_SUBJECTS, SUBJECT_TEACHERS, SUBJECTS
from zhurnal.ops.names import FEMALE, MALE, MEN, NameGenerator
from zhurnal.school import services as school_services
from zhurnal.school.models import (
    Curriculum,
    Enrollment,
    Group,
    GroupKind,
    GroupMembership,
    Guardian,
    GuardianLink,
    InfoChannel,
    JournalKind,
    Position,
    School,
    SchoolClass,
    StaffMember,
    StaffPosition,
    Student,
    Subject,
    TeachingAssignment,
)
from zhurnal.school.periods import academic_year_start
from zhurnal.timetable import services as timetable_services
from zhurnal.timetable.models import Lesson, LessonKind, Room, TimetableEntry

GENERATED_PASSWORD = "zhurnal-region-1"  # noqa: S105 - the published password of every generated login
SLUG_PREFIX = "region-"
CLASS_SIZE = 25
MAX_TEACHER_HOURS = 27
LESSONS_PER_DAY = 7
MARKS_PER_DAY = (3.5, 5.0)  # marks per pupil per school day, across subjects
FIRST_SHIFT_BELLS = "1 08:30-09:15\n2 09:25-10:10\n3 10:30-11:15\n4 11:35-12:20\n5 12:30-13:15\n6 13:25-14:10\n" \
                    "7 14:20-15:05\n8 15:15-16:00"
TOWNS = ("г. Энск", "г. Северск", "г. Приозёрск", "г. Заречный", "пос. Лесной", "г. Краснобор", "с. Покровское",
         "г. Светлогорск", "г. Белозёрск", "г. Новоречинск")
LETTERS = "АБВГДЕЖИК"
# (value, modifier) in the proportions of a typical journal: mostly 4s, a «−» or «+» now and then.
MARK_TABLE: tuple[tuple[str, str], ...] = (
    (("5", ""),) * 276 + (("5", "-"),) * 24 + (("4", ""),) * 386 + (("4", "-"),) * 20 + (("4", "+"),) * 14
    + (("3", ""),) * 202 + (("3", "-"),) * 8 + (("3", "+"),) * 10 + (("2", ""),) * 60
)
TOPICS = ("Повторение изученного", "Введение в тему", "Решение задач", "Практикум", "Работа с текстом",
          "Обобщение и систематизация", "Самостоятельная работа", "Разбор ошибок", "Проект: защита",
          "Закрепление материала", "Контрольная работа", "Анализ контрольной работы")


# --- writing rows in bulk ------------------------------------------------------------------------------------------


class Sink:
    """Bulk inserts with explicit primary keys: ``COPY`` on PostgreSQL, ``executemany`` on SQLite."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.vendor = connection.vendor
        self.next_id: dict[type[models.Model], int] = {}
        self.counts: dict[str, int] = defaultdict(int)
        self.touched: set[type[models.Model]] = set()

    def ids(self, model: type[models.Model], count: int) -> range:
        if model not in self.next_id:
            self.next_id[model] = queries.max_id(model) + 1
        start = self.next_id[model]
        self.next_id[model] = start + count
        return range(start, start + count)

    def one_id(self, model: type[models.Model]) -> int:
        return self.ids(model, 1)[0]

    def stamp(self, moment: dt.datetime) -> str:
        """A timestamp as the column wants its text: aware on PostgreSQL, naive UTC on SQLite (as Django stores)."""
        utc = moment.astimezone(dt.UTC)
        if self.vendor == "postgresql":
            return utc.isoformat(sep=" ")
        return utc.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")

    def insert(self, model: type[models.Model], fields: list[str], rows: Iterable[tuple]) -> int:
        """``fields`` are model field names (``school`` for a foreign key); ``rows`` hold raw column values."""
        count = queries.bulk_insert(model, fields, rows)
        self.counts[model._meta.db_table] += count
        self.touched.add(model)
        return count

    def skip_reference_checks(self) -> None:
        """On PostgreSQL, for a superuser: no foreign-key triggers in this transaction (as a restore of a dump
        does). Otherwise every row's references are checked at commit, which takes longer than writing them. The
        keys are allocated here, so they are consistent; the tests check referential integrity on both databases.
        """
        if self.vendor != "postgresql" or not self.superuser:
            return
        queries.set_reference_checks(enabled=False)

    def restore_reference_checks(self) -> None:
        if self.vendor == "postgresql" and self.superuser:
            queries.set_reference_checks(enabled=True)

    @property
    def superuser(self) -> bool:
        if not hasattr(self, "_superuser"):
            self._superuser = queries.is_superuser()
        return self._superuser

    def reset_sequences(self) -> None:
        queries.reset_sequences(self.touched)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


# --- the plan of one school ----------------------------------------------------------------------------------------


@dataclass
class Unit:
    """One teaching load: a subject taught to a class (``subgroup`` 0) or to one of its two subgroups."""

    class_key: str
    grade: int
    subject: str
    subgroup: int
    slots: list[tuple[int, int]]  # (weekday, number)
    teacher: int = -1  # index into the school's teachers


@dataclass
class Teacher:
    speciality: str
    busy: set[tuple[int, int]] = field(default_factory=set)
    hours: int = 0
    classes: set[str] = field(default_factory=set)


@dataclass
class SchoolReport:
    slug: str
    students: int
    lessons: int
    marks: int
    attendance: int
    rows: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class RegionReport:
    schools: list[SchoolReport] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    indexes_rebuilt: int = 0
    index_seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def speciality_of(subject: str) -> str:
    for spec in SUBJECT_TEACHERS:
        if subject in spec.subjects:
            return spec.key
    return subject


def class_counts(students: int) -> dict[int, list[int]]:
    """Grade → the sizes of its classes: about ``CLASS_SIZE`` pupils a class, at least one class a grade."""
    per_grade = students / 11
    out: dict[int, list[int]] = {}
    left = students
    for grade in range(1, 12):
        share = round(per_grade * grade) - round(per_grade * (grade - 1)) if grade < 11 else left
        left -= share
        classes = max(1, round(share / CLASS_SIZE))
        sizes = [share // classes + (1 if i < share % classes else 0) for i in range(classes)]
        out[grade] = sizes
    return out


def weekly_slots(hours: dict[str, int], rng: random.Random) -> dict[str, list[tuple[int, int]]]:
    """Spread a class's weekly hours over five days (a subject at most twice a day), numbered from the first
    lesson without gaps."""
    days: dict[int, list[str]] = {d: [] for d in range(1, 6)}
    for subject, count in sorted(hours.items(), key=lambda item: (-item[1], item[0])):
        for _ in range(count):
            options = sorted(days, key=lambda d: (days[d].count(subject), len(days[d]), rng.random()))
            day = next((d for d in options if len(days[d]) < LESSONS_PER_DAY + 1 and days[d].count(subject) < 2),
                       options[0])
            days[day].append(subject)
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for day, subjects in days.items():
        rng.shuffle(subjects)
        for number, subject in enumerate(subjects, start=1):
            out[subject].append((day, number))
    return out


class SchoolGenerator:
    """Builds one school; see the module docstring for what it makes."""

    def __init__(self, *, sink: Sink, index: int, students: int, until: dt.date, seed: int,
                 password_hash: str) -> None:
        self.sink = sink
        self.index = index
        self.students_wanted = students
        self.until = until
        self.rng = random.Random(f"{seed}:{index}")
        self.names = NameGenerator(self.rng)
        self.password_hash = password_hash
        self.slug = f"{SLUG_PREFIX}{index:03d}"
        self.now = sink.stamp(dt.datetime.now(dt.UTC))

    # --- the whole school -------------------------------------------------------------------------------------

    def build(self) -> SchoolReport:
        began = time.perf_counter()
        rows_before = self.sink.rows
        timings: dict[str, float] = {}
        with transaction.atomic():
            for step in (self.make_school, self.make_subjects, self.plan_classes, self.make_staff, self.make_classes,
                         self.make_assignments, self.make_students, self.make_lessons, self.make_marks,
                         self.sink.reset_sequences):
                started = time.perf_counter()
                step()
                timings[step.__name__] = time.perf_counter() - started
        return SchoolReport(slug=self.slug, students=len(self.student_ids), lessons=self.lesson_count,
                            marks=self.mark_count, attendance=self.attendance_count,
                            rows=self.sink.rows - rows_before, seconds=time.perf_counter() - began, timings=timings)

    def make_school(self) -> None:
        number = self.index
        town = TOWNS[(self.index - 1) % len(TOWNS)]
        self.school = school_services.create_school(
            actor=None, slug=self.slug, short_name=f"СОШ № {number} ({town})",
            name=f"Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа "
                 f"№ {number}» {town}", address=f"{town}, ул. Школьная, д. {self.rng.randint(1, 40)}")
        self.year = school_services.create_academic_year(actor=None, school=self.school,
                                                         start=academic_year_start(self.until))
        journal_services.ensure_journal_setup(school=self.school)
        timetable_services.save_bell_schedule(actor=None, year=self.year, name="Основное, 1 смена", shift=1,
                                              is_main=True, bells=FIRST_SHIFT_BELLS)
        self.work_types = {w.name: w for w in WorkType.objects.filter(school=self.school)}
        self.default_work_type = next(w for w in self.work_types.values() if w.is_default)
        self.until = min(self.until, self.year.end)

    def make_subjects(self) -> None:
        used = sorted({s for hours in CURRICULUM.values() for s in hours})
        ids = self.sink.ids(Subject, len(used))
        self.subject_ids = dict(zip(used, ids, strict=True))
        self.without_marks = {key for key in used if SUBJECTS[key][2]}
        self.sink.insert(Subject, ["id", "school", "name", "short_name", "without_marks"], (
            (self.subject_ids[key], self.school.pk, SUBJECTS[key][0], SUBJECTS[key][1], SUBJECTS[key][2])
            for key in used))
        curriculum_rows = []
        for grade, hours in CURRICULUM.items():
            weeks = 33 if grade == 1 else 34
            for key, per_week in hours.items():
                curriculum_rows.append((self.school.pk, self.year.pk, grade, self.subject_ids[key], str(per_week),
                                        per_week * weeks))
        self.sink.insert(Curriculum, ["school", "year", "grade", "subject", "hours_per_week", "hours_per_year"],
                         curriculum_rows)

    # --- classes, timetable and who teaches what ----------------------------------------------------------------

    def plan_classes(self) -> None:
        self.class_sizes: dict[str, int] = {}
        self.class_grade: dict[str, int] = {}
        self.units: list[Unit] = []
        for grade, sizes in class_counts(self.students_wanted).items():
            for i, size in enumerate(sizes):
                key = f"{grade}{LETTERS[i]}"
                self.class_sizes[key] = size
                self.class_grade[key] = grade
                for subject, slots in weekly_slots(CURRICULUM[grade], self.rng).items():
                    split = subject in SPLIT_SUBJECTS and size >= 16
                    for subgroup in (1, 2) if split else (0,):
                        self.units.append(Unit(key, grade, subject, subgroup, slots))
        self.teachers: list[Teacher] = []
        self.primary_teacher: dict[str, int] = {}
        for key, grade in self.class_grade.items():
            if grade <= 4:
                self.teachers.append(Teacher("primary"))
                self.primary_teacher[key] = len(self.teachers) - 1
        # Longest loads first; each goes to a teacher of the speciality who is free at all its slots.
        for unit in sorted(self.units, key=lambda u: (-len(u.slots), u.class_key, u.subject, u.subgroup)):
            if unit.grade <= 4 and unit.subject in PRIMARY_TEACHER_SUBJECTS:
                unit.teacher = self.primary_teacher[unit.class_key]
            else:
                spec = speciality_of(unit.subject)
                unit_slots = set(unit.slots)
                candidates = [i for i, t in enumerate(self.teachers) if t.speciality == spec
                              and not (t.busy & unit_slots) and t.hours + len(unit_slots) <= MAX_TEACHER_HOURS]
                if candidates:
                    unit.teacher = min(candidates, key=lambda i: (unit.class_key not in self.teachers[i].classes,
                                                                  self.teachers[i].hours, i))
                else:
                    self.teachers.append(Teacher(spec))
                    unit.teacher = len(self.teachers) - 1
            teacher = self.teachers[unit.teacher]
            teacher.busy |= set(unit.slots)
            teacher.hours += len(unit.slots)
            teacher.classes.add(unit.class_key)
        # Class teachers: the primary teacher, else the teacher with most hours in the class who leads none yet.
        self.class_teacher: dict[str, int] = dict(self.primary_teacher)
        hours_in: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for unit in self.units:
            hours_in[unit.class_key][unit.teacher] += len(unit.slots)
        for key in self.class_grade:
            if key in self.class_teacher:
                continue
            taken = set(self.class_teacher.values())
            options = sorted(hours_in[key].items(), key=lambda item: (-item[1], item[0]))
            self.class_teacher[key] = next((t for t, _ in options if t not in taken), options[0][0])

    def _users(self, people: list[tuple[str, Any]]) -> list[int]:
        """Logins for (username, PersonName) pairs; returns their ids."""
        ids = self.sink.ids(get_user_model(), len(people))
        self.sink.insert(get_user_model(), [
            "id", "password", "is_superuser", "username", "first_name", "last_name", "patronymic", "email",
            "is_staff", "is_active", "date_joined", "session_stamp",
        ], ((uid, self.password_hash, False, username, name.first_name, name.last_name, name.patronymic, "", False,
             True, self.now, "") for uid, (username, name) in zip(ids, people, strict=True)))
        return list(ids)

    def make_staff(self) -> None:
        administration = [("director", [Position.DIRECTOR]), ("deputy", [Position.DEPUTY]),
                          ("deputy2", [Position.DEPUTY]), ("admin", [Position.JOURNAL_ADMIN])]
        people = [(f"{self.slug}-{key}", self.names.adult(self.names.gender(0.75))) for key, _ in administration]
        people += [(f"{self.slug}-t{n + 1}", self.names.adult(self.names.gender(0.85)))
                   for n in range(len(self.teachers))]
        user_ids = self._users(people)
        staff_ids = self.sink.ids(StaffMember, len(people))
        self.sink.insert(StaffMember, ["id", "school", "user", "last_name", "first_name", "patronymic", "email",
                                       "phone", "is_active"], (
            (sid, self.school.pk, uid, name.last_name, name.first_name, name.patronymic,
             f"{username}@example.com", "", True)
            for sid, uid, (username, name) in zip(staff_ids, user_ids, people, strict=True)))
        positions = [(self.school.pk, staff_ids[i], p) for i, (_, ps) in enumerate(administration) for p in ps]
        positions += [(self.school.pk, staff_ids[len(administration) + n], Position.TEACHER)
                      for n in range(len(self.teachers))]
        self.sink.insert(StaffPosition, ["school", "staff", "position"], positions)
        self.teacher_staff = list(staff_ids[len(administration):])
        self.teacher_users = user_ids[len(administration):]
        self.staff_users = dict(zip([u for u, _ in people], user_ids, strict=True))
        # Every teacher works in his own room, so the timetable has no room clashes either.
        room_ids = self.sink.ids(Room, len(self.teachers))
        self.teacher_room = list(room_ids)
        self.sink.insert(Room, ["id", "school", "name", "title", "capacity", "is_active"], (
            (rid, self.school.pk, f"Спортзал {n + 1}" if t.speciality == "pe" else str(101 + n),
             "", 30, True) for n, (rid, t) in enumerate(zip(room_ids, self.teachers, strict=True))))

    def make_classes(self) -> None:
        keys = list(self.class_grade)
        class_ids = self.sink.ids(SchoolClass, len(keys))
        self.class_ids = dict(zip(keys, class_ids, strict=True))
        self.sink.insert(SchoolClass, ["id", "school", "year", "grade", "letter", "class_teacher", "shift"], (
            (self.class_ids[k], self.school.pk, self.year.pk, self.class_grade[k], k[len(str(self.class_grade[k])):],
             self.teacher_staff[self.class_teacher[k]], 1) for k in keys))
        groups: list[tuple] = []
        self.class_group: dict[str, int] = {}
        self.subgroups: dict[tuple[str, str], tuple[int, int]] = {}
        for key in keys:
            gid = self.sink.one_id(Group)
            self.class_group[key] = gid
            groups.append((gid, self.school.pk, self.year.pk, key, GroupKind.CLASS, self.class_ids[key], None,
                           JournalKind.REGULAR))
        for unit in self.units:
            if unit.subgroup == 1:
                label = SPLIT_SUBJECTS[unit.subject]
                pair = tuple(self.sink.ids(Group, 2))
                self.subgroups[(unit.class_key, unit.subject)] = pair  # type: ignore[assignment]
                for n, gid in enumerate(pair, start=1):
                    groups.append((gid, self.school.pk, self.year.pk, f"{unit.class_key} — {label}, {n} группа",
                                   GroupKind.SUBGROUP, self.class_ids[unit.class_key],
                                   self.subject_ids[unit.subject], JournalKind.REGULAR))
        self.sink.insert(Group, ["id", "school", "year", "name", "kind", "school_class", "subject", "journal_kind"],
                         groups)

    def group_of(self, unit: Unit) -> int:
        if unit.subgroup:
            return self.subgroups[(unit.class_key, unit.subject)][unit.subgroup - 1]
        return self.class_group[unit.class_key]

    def make_assignments(self) -> None:
        ids = self.sink.ids(TeachingAssignment, len(self.units))
        self.unit_assignment = list(ids)
        self.sink.insert(TeachingAssignment, ["id", "school", "year", "teacher", "subject", "group",
                                              "hours_per_week"], (
            (aid, self.school.pk, self.year.pk, self.teacher_staff[u.teacher], self.subject_ids[u.subject],
             self.group_of(u), str(len(u.slots))) for aid, u in zip(ids, self.units, strict=True)))
        entries = []
        start = self.year.start.isoformat()
        for aid, unit in zip(ids, self.units, strict=True):
            for weekday, number in unit.slots:
                entries.append((self.school.pk, self.year.pk, aid, weekday, number, self.teacher_room[unit.teacher],
                                0, start, self.now))
        self.sink.insert(TimetableEntry, ["school", "year", "assignment", "weekday", "number", "room", "week",
                                          "valid_from", "created_at"], entries)

    # --- people ------------------------------------------------------------------------------------------------

    def make_students(self) -> None:
        start = self.year.start
        people: list[tuple[str, Any]] = []
        self.roster: dict[str, list[int]] = {}
        birth: list[dt.date] = []
        seen: set[tuple[str, str, str, dt.date]] = set()
        class_of: list[str] = []
        surnames: list[str] = []
        for key, size in self.class_sizes.items():
            grade = self.class_grade[key]
            for _ in range(size):
                while True:
                    gender = self.names.gender()
                    surname = self.names.family_surname()
                    name = self.names.child(gender, surname, self.rng.choice(MEN))
                    born = dt.date(start.year - 7 - grade, 9, 1) + dt.timedelta(days=self.rng.randrange(485))
                    if (name.last_name, name.first_name, name.patronymic, born) not in seen:
                        seen.add((name.last_name, name.first_name, name.patronymic, born))
                        break
                people.append((f"{self.slug}-s{len(people) + 1}", name))
                surnames.append(surname)
                birth.append(born)
                class_of.append(key)
        user_ids = self._users(people)
        student_ids = list(self.sink.ids(Student, len(people)))
        self.student_ids = student_ids
        self.student_users = user_ids
        self.sink.insert(Student, ["id", "school", "user", "last_name", "first_name", "patronymic", "birth_date",
                                   "gender", "address", "document", "snils", "phone", "email"], (
            (sid, self.school.pk, uid, name.last_name, name.first_name, name.patronymic, born.isoformat(),
             name.gender, "", "", "", "", "")
            for sid, uid, (_, name), born in zip(student_ids, user_ids, people, birth, strict=True)))
        for sid, key in zip(student_ids, class_of, strict=True):
            self.roster.setdefault(key, []).append(sid)
        self.sink.insert(Enrollment, ["school", "student", "school_class", "start"], (
            (self.school.pk, sid, self.class_ids[key], start.isoformat())
            for sid, key in zip(student_ids, class_of, strict=True)))
        # Subgroups: the first half of the class list and the second.
        self.members: dict[int, list[int]] = {}
        memberships = []
        order = {sid: (name.last_name, name.first_name) for sid, (_, name) in zip(student_ids, people, strict=True)}
        for (key, _subject), pair in self.subgroups.items():
            roster = sorted(self.roster[key], key=order.__getitem__)
            half = (len(roster) + 1) // 2
            for gid, members in zip(pair, (roster[:half], roster[half:]), strict=True):
                self.members[gid] = members
                memberships += [(self.school.pk, gid, sid, start.isoformat()) for sid in members]
        self.sink.insert(GroupMembership, ["school", "group", "student", "start"], memberships)
        self.make_guardians(surnames, student_ids)

    def make_guardians(self, surnames: list[str], student_ids: list[int]) -> None:
        """One family a pupil: both parents, the mother or the father; about 3 % chose paper printouts."""
        adults: list[tuple[str, Any]] = []
        links: list[tuple[int, int, str, str]] = []  # (student, guardian index, relation, channel)
        for sid, surname in zip(student_ids, surnames, strict=True):
            roll = self.rng.random()
            wanted = ([(FEMALE, "мать"), (MALE, "отец")] if roll < 0.55 else [(FEMALE, "мать")] if roll < 0.9
                      else [(MALE, "отец")])
            channel = InfoChannel.PAPER if self.rng.random() < 0.03 else InfoChannel.ELECTRONIC
            for gender, relation in wanted:
                name = self.names.adult(gender, surname)
                adults.append((f"{self.slug}-p{len(adults) + 1}", name))
                links.append((sid, len(adults) - 1, relation, channel))
        user_ids = self._users(adults)
        guardian_ids = list(self.sink.ids(Guardian, len(adults)))
        self.guardian_users = user_ids
        self.sink.insert(Guardian, ["id", "school", "user", "last_name", "first_name", "patronymic", "phone",
                                    "email", "address"], (
            (gid, self.school.pk, uid, name.last_name, name.first_name, name.patronymic, "",
             f"{latin(name.first_name)}.{latin(name.last_name)}@example.com", "")
            for gid, uid, (_, name) in zip(guardian_ids, user_ids, adults, strict=True)))
        consent = (self.year.start - dt.timedelta(days=5)).isoformat()
        self.sink.insert(GuardianLink, ["school", "student", "guardian", "relation", "consent_given_on",
                                        "info_channel", "channel_chosen_on"], (
            (self.school.pk, sid, guardian_ids[g], relation, consent, channel, consent)
            for sid, g, relation, channel in links))

    # --- lessons, marks, attendance ----------------------------------------------------------------------------

    def make_lessons(self) -> None:
        """The whole year's lessons from the timetable, with topics and homework up to ``until``."""
        planned = timetable_services.planned_lessons(self.year, self.year.start, self.year.end)
        teacher_of = {aid: self.teacher_staff[u.teacher] for aid, u in zip(self.unit_assignment, self.units,
                                                                         strict=True)}
        unit_of = dict(zip(self.unit_assignment, self.units, strict=True))
        keys = sorted(planned, key=lambda k: (k[1], k[2], k[0]))
        ids = self.sink.ids(Lesson, len(keys))
        self.lessons_by_day: dict[dt.date, list[tuple[int, int, Unit]]] = defaultdict(list)
        seq: dict[int, int] = defaultdict(int)
        rows = []
        for lid, key in zip(ids, keys, strict=True):
            aid, day, number = key
            entry = planned[key]
            unit = unit_of[aid]
            topic = homework = ""
            done = day <= self.until
            if done:
                seq[aid] += 1
                self.lessons_by_day[day].append((lid, aid, unit))
                topic = f"Урок {seq[aid]}. {self.rng.choice(TOPICS)}"
                if unit.grade > 1 and unit.subject not in self.without_marks and unit.subject != "pe":
                    homework = f"§ {seq[aid] // 2 + 1}, упр. {self.rng.randint(1, 300)}"
            created = self.now if not done else self.sink.stamp(
                dt.datetime.combine(day, dt.time(6, 0), tzinfo=dt.UTC))
            rows.append((lid, self.school.pk, day.isoformat(), number, aid, entry.pk, entry.room_id,
                         teacher_of[aid], teacher_of[aid], LessonKind.REGULAR, False, "", topic, homework,
                         created, created))
        self.sink.insert(Lesson, ["id", "school", "date", "number", "assignment", "entry", "room",
                                  "planned_teacher", "actual_teacher", "kind", "cancelled", "note", "topic",
                                  "homework", "created_at", "updated_at"], rows)
        self.lesson_count = len(rows)

    def make_marks(self) -> None:
        rng = self.rng
        school_id = self.school.pk
        teacher_user = {aid: self.teacher_users[u.teacher] for aid, u in zip(self.unit_assignment, self.units,
                                                                            strict=True)}
        control = [w for w in self.work_types.values() if w.is_control]
        other = [w for w in self.work_types.values() if not w.is_control and not w.is_default]
        default_id = self.default_work_type.pk
        table, size = MARK_TABLE, len(MARK_TABLE)
        random_ = rng.random
        records: list[tuple] = []
        attendance: list[tuple] = []
        self.mark_count = 0

        def marks() -> Iterable[tuple]:
            for day in sorted(self.lessons_by_day):
                stamp = self.sink.stamp(dt.datetime.combine(day, dt.time(11, rng.randrange(60)), tzinfo=dt.UTC))
                by_class: dict[str, list[tuple[int, int, Unit]]] = defaultdict(list)
                for item in self.lessons_by_day[day]:
                    by_class[item[2].class_key].append(item)
                for key, todays in by_class.items():
                    grade = self.class_grade[key]
                    roster = self.roster[key]
                    # Whole days away (illness, family reasons), and single lessons missed or come late to.
                    away: dict[int, str] = {}
                    for sid in roster:
                        roll = rng.random()
                        if roll < 0.045:
                            away[sid] = "б"
                        elif roll < 0.06:
                            away[sid] = "н" if roll < 0.055 else "уп"
                    marked = [item for item in todays if grade > 1 and item[2].subject not in self.without_marks]
                    chance = rng.uniform(*MARKS_PER_DAY) / max(1, len(marked)) if marked else 0.0
                    for lid, aid, unit in todays:
                        pupils = self.members[self.group_of(unit)] if unit.subgroup else roster
                        can_mark = grade > 1 and unit.subject not in self.without_marks
                        roll = rng.random()
                        work_type, p = default_id, chance
                        if can_mark and roll < 0.04 and control:
                            work_type, p = rng.choice(control).pk, 0.92
                            records.append((school_id, lid, work_type, "", self.now))
                        elif can_mark and roll < 0.12 and other:
                            work_type, p = rng.choice(other).pk, max(chance, 0.5)
                        author = teacher_user[aid]
                        for sid in pupils:
                            code = away.get(sid)
                            if code is None and random_() < 0.008:
                                code = "оп" if random_() < 0.5 else "н"
                            if code is not None:
                                attendance.append((school_id, lid, sid, code, "", author, stamp))
                                if code != "оп":
                                    continue
                            if not can_mark or random_() >= p:
                                continue
                            value, modifier = table[int(random_() * size)]
                            yield (school_id, lid, sid, value, modifier, work_type, "", 0, author, stamp, stamp)
                            if work_type == default_id and random_() < 0.03:
                                value, modifier = table[int(random_() * size)]
                                yield (school_id, lid, sid, value, modifier, default_id, "", 1, author, stamp, stamp)

        self.mark_count = self.sink.insert(Mark, [
            "school", "lesson", "student", "value", "modifier", "work_type", "comment", "position", "author",
            "created_at", "updated_at"], marks())
        self.attendance_count = self.sink.insert(Attendance, ["school", "lesson", "student", "code", "note",
                                                              "set_by", "updated_at"], attendance)
        self.sink.insert(LessonRecord, ["school", "lesson", "control_type", "notes", "updated_at"], records)


# --- the region ----------------------------------------------------------------------------------------------------


def next_index() -> int:
    """Generated schools are numbered on from those already in the database."""
    taken = [int(slug[len(SLUG_PREFIX):]) for slug in School.objects.filter(slug__startswith=SLUG_PREFIX)
             .values_list("slug", flat=True) if slug[len(SLUG_PREFIX):].isdigit()]
    return max(taken, default=0) + 1


BULK_MODELS = (Lesson, Mark, Attendance)


@contextmanager
def secondary_indexes_deferred(enabled: bool) -> Iterator[int]:
    """On PostgreSQL: drop the plain (not constraint-backed) indexes of the lesson, mark and attendance tables,
    and build them again at the end — in one pass over the table instead of row by row, several times faster
    for a large load. Must run inside the load's transaction: if the load fails, the drop is rolled back too."""
    if not enabled or connection.vendor != "postgresql":
        yield 0
        return
    indexes = queries.drop_plain_indexes([model._meta.db_table for model in BULK_MODELS])
    yield len(indexes)
    queries.create_indexes(indexes)


def generate_region(*, schools: int, students_per_school: int = 600, until: dt.date | None = None,
                    seed: int = 1, progress: Callable[[SchoolReport, int, int], None] | None = None,
                    defer_indexes: bool | None = None) -> RegionReport:
    """``schools`` new schools of about ``students_per_school`` pupils each, lessons and marks up to ``until``
    (today by default). Returns what was written and how fast.

    The whole run is one transaction (each school a savepoint): an interrupted run adds nothing. On PostgreSQL
    the secondary indexes of the big tables are rebuilt once at the end when the run at least doubles the number
    of schools (``defer_indexes`` forces the choice)."""
    if schools < 1:
        raise ValueError("schools must be at least 1")
    if students_per_school < 11:
        raise ValueError("a school needs at least one pupil per grade (11)")
    until = until or school_today()
    began = time.perf_counter()
    password_hash = make_password(GENERATED_PASSWORD)
    report = RegionReport()
    first = next_index()
    if defer_indexes is None:
        defer_indexes = schools >= School.objects.count()
    with transaction.atomic():
        sink = Sink()
        sink.skip_reference_checks()
        with secondary_indexes_deferred(defer_indexes) as deferred:
            for n in range(schools):
                index = first + n
                with transaction.atomic():
                    built = SchoolGenerator(sink=sink, index=index, students=students_per_school, until=until,
                                            seed=seed, password_hash=password_hash).build()
                report.schools.append(built)
                if progress is not None:
                    progress(built, n + 1, schools)
            indexes_began = time.perf_counter()
        report.index_seconds = time.perf_counter() - indexes_began if deferred else 0.0
        report.indexes_rebuilt = deferred
        sink.restore_reference_checks()
    report.counts = dict(sink.counts)
    report.seconds = time.perf_counter() - began
    if connection.vendor == "postgresql":
        queries.analyze()
    return report
