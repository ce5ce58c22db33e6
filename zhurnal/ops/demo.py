"""The living demo school: one realistic Russian school, built entirely through the services.

``build_demo_school()`` runs a ``DemoBuilder``. Each step adds one layer (the calendar, the staff, the
classes, the families…) through ``zhurnal.school.services``, so the demo obeys every rule the app
enforces and fills the audit log. Each step draws from its own generator seeded with the build's seed
and the step's name: the same seed gives the same school, and a step added later (timetable, lessons,
marks) does not change the people the earlier steps made. The handles the steps fill (``DemoSchool``)
are what later steps build on.

The curriculum follows the federal basic plan (ФУП, five-day week) closely: quarters for 1–9,
half-years for 10–11, English and informatics taught in two subgroups.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from zhurnal.accounts.codes import latin
from zhurnal.accounts.models import User
from zhurnal.core import events
from zhurnal.core.dates import today as school_today
from zhurnal.school import selectors, services
from zhurnal.school.models import (
    AcademicYear,
    Group,
    GroupKind,
    Guardian,
    GuardianLink,
    InfoChannel,
    JournalKind,
    Movement,
    Position,
    School,
    SchoolClass,
    StaffMember,
    Student,
    Subject,
    TeachingAssignment,
)
from zhurnal.school.periods import academic_year_start

from .names import FEMALE, GRANDFATHERS, MALE, MEN, NameGenerator, PersonName, patronymic, surname_for

DEMO_SLUG = "demo"
DEMO_PASSWORD = "zhurnal2026"  # noqa: S105 - the published password of the demo logins
DEMO_SEED = 2026

SCHOOL_NAME = "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 17» г. Энска"
SCHOOL_SHORT_NAME = "МБОУ «СОШ № 17» (демо)"
TOWN = "г. Энск"
SCHOOL_ADDRESS = f"{TOWN}, ул. Школьная, д. 17"
MAIL_DOMAIN = "example.com"

# key: (name, short name, without marks)
SUBJECTS: dict[str, tuple[str, str, bool]] = {
    "rus": ("Русский язык", "Рус. яз.", False),
    "lit_read": ("Литературное чтение", "Лит. чтение", False),
    "lit": ("Литература", "Литература", False),
    "eng": ("Иностранный язык (английский)", "Англ. яз.", False),
    "math": ("Математика", "Математика", False),
    "alg": ("Алгебра", "Алгебра", False),
    "geom": ("Геометрия", "Геометрия", False),
    "prob": ("Вероятность и статистика", "Вер. и стат.", False),
    "inf": ("Информатика", "Информатика", False),
    "world": ("Окружающий мир", "Окр. мир", False),
    "orkse": ("Основы религиозных культур и светской этики", "ОРКСЭ", True),
    "hist": ("История", "История", False),
    "soc": ("Обществознание", "Общество", False),
    "geo": ("География", "География", False),
    "bio": ("Биология", "Биология", False),
    "phys": ("Физика", "Физика", False),
    "chem": ("Химия", "Химия", False),
    "music": ("Музыка", "Музыка", False),
    "art": ("Изобразительное искусство", "ИЗО", False),
    "tech": ("Труд (технология)", "Труд", False),
    "obzr": ("Основы безопасности и защиты Родины", "ОБЗР", False),
    "pe": ("Физическая культура", "Физкультура", False),
    # Beyond the curriculum: an elective, extra education, extracurricular clubs, the extended-day group.
    "elective": ("Практикум по решению задач по математике", "Практикум (матем.)", False),
    "robotics": ("Робототехника", "Робототехника", True),
    "chess": ("Шахматы", "Шахматы", True),
    "choir": ("Хоровое пение", "Хор", True),
    "gpd": ("Группа продлённого дня", "ГПД", True),
}

PRIMARY: dict[str, int] = {"rus": 5, "lit_read": 4, "math": 4, "world": 2, "art": 1, "music": 1, "tech": 1, "pe": 2}
UPPER: dict[str, int] = {"rus": 2, "lit": 3, "eng": 3, "alg": 2, "geom": 2, "prob": 1, "inf": 1, "hist": 2, "soc": 2,
                         "geo": 1, "bio": 1, "phys": 2, "chem": 1, "obzr": 1, "pe": 2}
# Hours per week by grade (the federal basic plan, five-day week, base level in 10–11).
CURRICULUM: dict[int, dict[str, int]] = {
    1: PRIMARY,
    2: {**PRIMARY, "eng": 2},
    3: {**PRIMARY, "eng": 2},
    4: {**PRIMARY, "lit_read": 3, "eng": 2, "orkse": 1},
    5: {"rus": 5, "lit": 3, "eng": 3, "math": 5, "hist": 2, "geo": 1, "bio": 1, "music": 1, "art": 1, "tech": 2,
        "pe": 2},
    6: {"rus": 6, "lit": 3, "eng": 3, "math": 5, "hist": 2, "soc": 1, "geo": 1, "bio": 1, "music": 1, "art": 1,
        "tech": 2, "pe": 2},
    7: {"rus": 4, "lit": 2, "eng": 3, "alg": 3, "geom": 2, "prob": 1, "inf": 1, "hist": 2, "soc": 1, "geo": 2,
        "bio": 1, "phys": 2, "music": 1, "art": 1, "tech": 2, "pe": 2},
    8: {"rus": 3, "lit": 2, "eng": 3, "alg": 3, "geom": 2, "prob": 1, "inf": 1, "hist": 2, "soc": 1, "geo": 2,
        "bio": 2, "phys": 2, "chem": 2, "music": 1, "tech": 1, "obzr": 1, "pe": 2},
    9: {"rus": 3, "lit": 3, "eng": 3, "alg": 3, "geom": 2, "prob": 1, "inf": 1, "hist": 2, "soc": 1, "geo": 2,
        "bio": 2, "phys": 3, "chem": 2, "tech": 1, "obzr": 1, "pe": 2},
    10: UPPER,
    11: UPPER,
}
# Subjects taught in two subgroups of a class, with the label the subgroup's name carries.
SPLIT_SUBJECTS = {"eng": "английский язык", "inf": "информатика"}
# Subjects a primary class teacher teaches in his own class (PE and English come from specialists).
PRIMARY_TEACHER_SUBJECTS = frozenset({"rus", "lit_read", "math", "world", "art", "music", "tech", "orkse"})
# Subjects one teacher keeps together in a class (Russian and literature, the mathematics family…).
BUNDLES = {"rus": "rus_lit", "lit": "rus_lit", "math": "math", "alg": "math", "geom": "math", "prob": "math",
           "hist": "hist_soc", "soc": "hist_soc"}

CLASSES_PER_GRADE = {1: 3, 2: 3, 3: 2, 4: 2, 5: 3, 6: 2, 7: 2, 8: 2, 9: 2, 10: 2, 11: 2}
CLASS_SIZE = {1: (24, 27), 2: (24, 27), 3: (24, 27), 4: (24, 27), 5: (22, 27), 6: (22, 27), 7: (22, 27),
              8: (22, 27), 9: (22, 27), 10: (17, 22), 11: (17, 22)}
LETTERS = "АБВГ"


@dataclass(frozen=True)
class StaffSpec:
    key: str
    title: str
    positions: tuple[str, ...]
    count: int = 1
    female_share: float = 0.8
    subjects: tuple[str, ...] = ()


ADMINISTRATION = (
    StaffSpec("director", "директор", (Position.DIRECTOR,), female_share=0.6),
    StaffSpec("zavuch", "заместитель директора по УВР", (Position.DEPUTY, Position.TEACHER)),
    StaffSpec("deputy-vr", "заместитель директора по ВР", (Position.DEPUTY,)),
    StaffSpec("admin", "администратор ЭЖ", (Position.JOURNAL_ADMIN,), female_share=0.5),
    StaffSpec("clerk", "документовед", (Position.CLERK,), female_share=1.0),
    StaffSpec("psychologist", "педагог-психолог", (Position.PSYCHOLOGIST,), female_share=0.9),
    StaffSpec("librarian", "педагог-библиотекарь", (Position.LIBRARIAN,), female_share=1.0),
    StaffSpec("social", "социальный педагог", (Position.OTHER,), female_share=0.9),
    StaffSpec("organizer", "педагог-организатор", (Position.OTHER,)),
    StaffSpec("speech", "учитель-логопед", (Position.OTHER,), female_share=1.0),
    StaffSpec("gpd", "воспитатель ГПД", (Position.TEACHER,), female_share=1.0),
)
SUBJECT_TEACHERS = (
    StaffSpec("russian", "учитель русского языка и литературы", (Position.TEACHER,), 4, 0.95, ("rus", "lit")),
    StaffSpec("english", "учитель английского языка", (Position.TEACHER,), 5, 0.9, ("eng",)),
    StaffSpec("math", "учитель математики", (Position.TEACHER,), 4, 0.75, ("math", "alg", "geom", "prob")),
    StaffSpec("informatics", "учитель информатики", (Position.TEACHER,), 1, 0.3, ("inf",)),
    StaffSpec("history", "учитель истории и обществознания", (Position.TEACHER,), 2, 0.6, ("hist", "soc")),
    StaffSpec("geography", "учитель географии и биологии", (Position.TEACHER,), 1, 0.8, ("geo", "bio")),
    StaffSpec("chemistry", "учитель химии и биологии", (Position.TEACHER,), 1, 0.85, ("chem", "bio")),
    StaffSpec("physics", "учитель физики", (Position.TEACHER,), 1, 0.4, ("phys",)),
    StaffSpec("arts", "учитель музыки и ИЗО", (Position.TEACHER,), 1, 0.9, ("music", "art")),
    StaffSpec("technology", "учитель труда (технологии)", (Position.TEACHER,), 1, 0.5, ("tech",)),
    StaffSpec("pe", "учитель физической культуры и ОБЗР", (Position.TEACHER,), 3, 0.4, ("pe", "obzr")),
)
PRIMARY_TEACHER = StaffSpec("primary", "учитель начальных классов", (Position.TEACHER,), 0, 0.97,
                            tuple(sorted(PRIMARY_TEACHER_SUBJECTS)))
# Heads of subject committees (руководители ПЦК / МО) review the library's materials.
REVIEWERS = ("russian-2", "math-2", "primary-1")

# The seven demo logins and whom each belongs to.
STAFF_LOGINS = {"admin": "admin", "director": "director", "zavuch": "zavuch", "klassruk": "russian-1",
                "uchitel": "math-1"}
LOGINS = ("admin", "director", "zavuch", "klassruk", "uchitel", "uchenik", "roditel", "uo")
PERSONA_CLASS = "5А"
PERSONA_SIBLING_CLASS = "8Б"


@dataclass(frozen=True)
class CrossGroupSpec:
    key: str
    name: str
    subject: str
    journal_kind: str
    teacher: str  # a staff key, or "<spec>-*" for the least-loaded teacher of that speciality
    grades: tuple[int, int]
    size: int
    hours: int
    weeks_late: int = 0  # clubs start a week or two after 1 September


CROSS_GROUPS = (
    CrossGroupSpec("elective", "Практикум по математике, 10–11 кл.", "elective", JournalKind.ELECTIVE, "zavuch",
                   (10, 11), 14, 1),
    CrossGroupSpec("robotics", "Робототехника", "robotics", JournalKind.EXTRA_EDUCATION, "informatics-1", (5, 8),
                   12, 2, 1),
    CrossGroupSpec("chess", "Шахматный клуб «Ладья»", "chess", JournalKind.EXTRACURRICULAR, "math-*", (2, 4), 14,
                   1, 1),
    CrossGroupSpec("choir", "Школьный хор", "choir", JournalKind.EXTRACURRICULAR, "arts-1", (3, 6), 16, 2, 2),
    CrossGroupSpec("gpd", "ГПД, 1–2 классы", "gpd", JournalKind.EXTENDED_DAY, "gpd", (1, 2), 25, 25),
)

STREETS = ("Садовая", "Школьная", "Лесная", "Молодёжная", "Центральная", "Советская", "Мира", "Набережная",
           "Заречная", "Октябрьская", "Полевая", "Северная", "Весенняя", "Строителей", "Парковая", "Луговая")


class DemoError(Exception):
    """The demo cannot be built here (for example, a demo login already belongs to someone)."""


@dataclass(frozen=True)
class PlannedLoad:
    class_name: str
    subject: str  # a key of SUBJECTS
    subgroup: int  # 0 = the whole class, 1 or 2 = a subgroup
    teacher: str  # a staff key
    hours: int


@dataclass
class Persona:
    username: str
    user: Any
    person: StaffMember | Student | Guardian


@dataclass
class DemoSchool:
    """Handles to everything the builder made, for later steps and for tests."""

    today: dt.date | None = None  # the date the school was built "on": movement happened before it
    school: School | None = None
    year: AcademicYear | None = None
    actor: User | None = None
    subjects: dict[str, Subject] = field(default_factory=dict)
    staff: dict[str, StaffMember] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    load_plan: list[PlannedLoad] = field(default_factory=list)
    class_teachers: dict[str, str] = field(default_factory=dict)
    classes: dict[str, SchoolClass] = field(default_factory=dict)
    class_groups: dict[str, Group] = field(default_factory=dict)
    subgroups: dict[tuple[str, str], tuple[Group, Group]] = field(default_factory=dict)
    cross_groups: dict[str, Group] = field(default_factory=dict)
    assignments: list[TeachingAssignment] = field(default_factory=list)
    students: list[Student] = field(default_factory=list)
    rosters: dict[str, list[Student]] = field(default_factory=dict)  # class lists on 1 September
    guardians: list[Guardian] = field(default_factory=list)
    movements: list[Movement] = field(default_factory=list)
    personas: dict[str, Persona] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    timetable: Any = None  # zhurnal.timetable.demo.DemoTimetable
    plans: Any = None  # zhurnal.planning.demo.DemoPlansReport
    journal: Any = None  # zhurnal.journal.demo.DemoJournalReport
    activity: Any = None  # zhurnal.reports.demo.DemoActivityReport
    messaging: Any = None  # zhurnal.messaging.demo.DemoMessaging
    notifications: Any = None  # zhurnal.notifications.demo.DemoNotifications

    def teacher_loads(self) -> dict[str, int]:
        loads: dict[str, int] = defaultdict(int)
        for line in self.load_plan:
            loads[line.teacher] += line.hours
        return dict(loads)


@dataclass
class _Child:
    name: PersonName
    class_name: str
    birth_date: dt.date


@dataclass
class _Family:
    surname: str
    father: str
    children: list[_Child]
    guardians: list[tuple[PersonName, str]]  # (name, relation)
    address: str
    channel: str = InfoChannel.ELECTRONIC


def class_name(grade: int, letter: str) -> str:
    return f"{grade}{letter}"


def grade_of(name: str) -> int:
    return int(name[:-1])


ProgressCallback = Callable[[str, float], None]


class DemoBuilder:
    """Builds the demo school step by step; ``STEPS`` is the one list of what happens in which order."""

    STEPS: tuple[tuple[str, str], ...] = (
        ("school", "школа"),
        ("calendar", "учебный год, периоды, каникулы"),
        ("subjects", "предметы"),
        ("curriculum", "учебный план"),
        ("staff", "сотрудники"),
        ("load", "распределение нагрузки и классного руководства"),
        ("classes", "классы"),
        ("subgroups", "подгруппы"),
        ("assignments", "педагогическая нагрузка"),
        ("students", "обучающиеся и законные представители"),
        ("subgroup_members", "состав подгрупп"),
        ("cross_groups", "элективный курс, кружки, ГПД"),
        ("movement", "движение обучающихся"),
        ("timetable", "расписание звонков и уроков, уроки с 1 сентября, замены"),
        ("plans", "КТП по всем предметам, темы прошедших уроков"),
        ("journal", "отметки, посещаемость, итоги первого периода"),
        ("activity", "логины семей и учителей, входы и просмотры дневника за шесть недель"),
        ("messaging", "почта, объявления, обращения в поддержку"),
        ("notifications", "уведомления семей: настройки, колокольчик, сводка"),
    )

    def __init__(self, *, today: dt.date | None = None, seed: int = DEMO_SEED,
                 progress: ProgressCallback | None = None) -> None:
        self.today = today or school_today()
        self.seed = seed
        self.progress = progress
        self.demo = DemoSchool(today=self.today)
        self.rng = random.Random(seed)
        self.names = NameGenerator(self.rng)
        self._orders = itertools.count(112)
        self._people: set[tuple[str, str, str, dt.date]] = set()
        self._staff_names: set[tuple[str, str, str]] = set()
        self._admin_name: PersonName | None = None
        self._members: dict[int, list[Student]] = defaultdict(list)  # subgroup id → its students
        self._days_off: list[tuple[dt.date, dt.date]] | None = None

    # --- running -------------------------------------------------------------------------------------

    def build(self, *, until: str | None = None) -> DemoSchool:
        """Run every step in order, or only those up to and including ``until``."""
        names = [step for step, _ in self.STEPS]
        if until is not None and until not in names:
            raise ValueError(f"unknown demo step {until!r}; steps: {', '.join(names)}")
        steps = self.STEPS[: names.index(until) + 1] if until else self.STEPS
        # The school's past months are history, not news: the demo's own notifications are made by their step.
        with transaction.atomic(), events.muted():
            for step, label in steps:
                # Each step has its own stream, so adding a step later leaves the others' people unchanged.
                self.rng = random.Random(f"{self.seed}:{step}")
                self.names = NameGenerator(self.rng)
                began = time.perf_counter()
                getattr(self, f"step_{step}")()
                took = time.perf_counter() - began
                self.demo.timings[step] = took
                if self.progress is not None:
                    self.progress(label, took)
        return self.demo

    @property
    def school(self) -> School:
        assert self.demo.school is not None
        return self.demo.school

    @property
    def year(self) -> AcademicYear:
        assert self.demo.year is not None
        return self.demo.year

    @property
    def actor(self) -> Any:
        return self.demo.actor

    # --- steps ---------------------------------------------------------------------------------------

    def step_school(self) -> None:
        taken = sorted(get_user_model().objects.filter(username__in=LOGINS).values_list("username", flat=True))
        if taken:
            raise DemoError(f"Логины демо-школы уже заняты: {', '.join(taken)}.")
        # The journal administrator sets the school up, so the audit log names him from the first entry.
        self._admin_name = self._staff_name(0.5)
        self.demo.actor = self._user("admin", self._admin_name)
        self.demo.school = services.create_school(actor=self.actor, name=SCHOOL_NAME, short_name=SCHOOL_SHORT_NAME,
                                                  slug=DEMO_SLUG, address=SCHOOL_ADDRESS)

    def step_calendar(self) -> None:
        self.demo.year = services.create_academic_year(actor=self.actor, school=self.school,
                                                       start=academic_year_start(self.today))

    def step_subjects(self) -> None:
        for key, (name, short_name, without_marks) in SUBJECTS.items():
            self.demo.subjects[key] = services.save_subject(
                actor=self.actor, school=self.school, name=name, short_name=short_name, without_marks=without_marks)

    def step_curriculum(self) -> None:
        for grade, hours in CURRICULUM.items():
            for key, per_week in hours.items():
                services.set_curriculum_hours(actor=self.actor, year=self.year, grade=grade,
                                              subject=self.demo.subjects[key], hours_per_week=Decimal(per_week))

    def step_staff(self) -> None:
        primary_count = sum(CLASSES_PER_GRADE[g] for g in range(1, 5))
        specs: list[tuple[str, StaffSpec]] = [(spec.key, spec) for spec in ADMINISTRATION]
        for spec in (*SUBJECT_TEACHERS, PRIMARY_TEACHER):
            count = primary_count if spec is PRIMARY_TEACHER else spec.count
            specs += [(f"{spec.key}-{n}", spec) for n in range(1, count + 1)]
        logins = {key: username for username, key in STAFF_LOGINS.items()}
        for key, spec in specs:
            name = self._admin_name if key == "admin" and self._admin_name else self._staff_name(spec.female_share)
            user = self.actor if key == "admin" else (self._user(logins[key], name) if key in logins else None)
            positions = list(spec.positions) + ([Position.REVIEWER] if key in REVIEWERS else [])
            staff = services.save_staff(
                actor=self.actor, school=self.school, last_name=name.last_name, first_name=name.first_name,
                patronymic=name.patronymic, positions=positions, user=user,
                email=f"{latin(name.last_name)}.{latin(name.first_name[0] + name.patronymic[0])}@{MAIL_DOMAIN}",
            )
            self.demo.staff[key] = staff
            self.demo.titles[key] = spec.title
            if key in logins:
                self.demo.personas[logins[key]] = Persona(logins[key], user, staff)

    def step_load(self) -> None:
        """Plan who teaches what (in memory): one teacher per subject per class or subgroup, loads balanced."""
        qualified = {key: set(spec.subjects) for spec in (*SUBJECT_TEACHERS,)
                     for key in self.demo.staff if key.rsplit("-", 1)[0] == spec.key}
        order = list(qualified)
        loads: dict[str, int] = defaultdict(int)
        holders: dict[tuple[str, str, int], str] = {}
        units: list[tuple[str, str, int, dict[str, int]]] = []
        primary_classes = [name for name in self._class_names() if grade_of(name) <= 4]
        for name in self._class_names():
            grade = grade_of(name)
            bundles: dict[str, dict[str, int]] = defaultdict(dict)
            for subject, hours in CURRICULUM[grade].items():
                if grade <= 4 and subject in PRIMARY_TEACHER_SUBJECTS:
                    bundle = "primary"
                else:
                    bundle = BUNDLES.get(subject, subject)
                bundles[bundle][subject] = hours
            for bundle, subjects in bundles.items():
                split = bundle in SPLIT_SUBJECTS
                for subgroup in (1, 2) if split else (0,):
                    units.append((name, bundle, subgroup, subjects))

        pinned = {(PERSONA_CLASS, "rus_lit", 0): STAFF_LOGINS["klassruk"],
                  (PERSONA_CLASS, "math", 0): STAFF_LOGINS["uchitel"]}
        for name in primary_classes:
            pinned[(name, "primary", 0)] = f"primary-{primary_classes.index(name) + 1}"

        def give(unit: tuple[str, str, int, dict[str, int]], teacher: str) -> None:
            name, bundle, subgroup, subjects = unit
            holders[(name, bundle, subgroup)] = teacher
            loads[teacher] += sum(subjects.values())
            for subject, hours in subjects.items():
                self.demo.load_plan.append(PlannedLoad(name, subject, subgroup, teacher, hours))

        for unit in units:
            if unit[:3] in pinned:
                give(unit, pinned[unit[:3]])
        rest = [u for u in units if u[:3] not in pinned]
        # Longest first, each to the least-loaded teacher who can teach all of it.
        rest.sort(key=lambda u: -sum(u[3].values()))
        for unit in rest:
            name, bundle, subgroup, subjects = unit
            candidates = [t for t in order if set(subjects) <= qualified[t]]
            if subgroup == 2 and len(candidates) > 1:
                # The two subgroups of a class go to two different teachers.
                candidates = [t for t in candidates if holders.get((name, bundle, 1)) != t]
            teacher = min(candidates, key=lambda t: (loads[t], order.index(t)))
            give(unit, teacher)

        # Class teachers: primary classes keep their own teacher; 5А is the klassruk persona's; every other
        # class gets the subject teacher who spends most hours in it (the uchitel persona leads no class).
        class_hours: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for line in self.demo.load_plan:
            class_hours[line.class_name][line.teacher] += line.hours
        leaders = {name: holders[(name, "primary", 0)] for name in primary_classes}
        leaders[PERSONA_CLASS] = STAFF_LOGINS["klassruk"]
        for name in self._class_names():
            if name in leaders:
                continue
            taken = set(leaders.values()) | {STAFF_LOGINS["uchitel"]}
            in_class = class_hours[name]
            candidates = [t for t in order if t not in taken and in_class.get(t)]
            leaders[name] = min(candidates, key=lambda t: (-in_class[t], order.index(t)))
        self.demo.class_teachers = leaders

    def step_classes(self) -> None:
        for name in self._class_names():
            teacher = self.demo.staff[self.demo.class_teachers[name]]
            self.demo.classes[name] = services.save_class(actor=self.actor, year=self.year, grade=grade_of(name),
                                                          letter=name[-1], class_teacher=teacher)
        by_class = {c.pk: name for name, c in self.demo.classes.items()}
        for group in Group.objects.filter(year=self.year, kind=GroupKind.CLASS):
            if group.school_class_id is not None:
                self.demo.class_groups[by_class[group.school_class_id]] = group

    def step_subgroups(self) -> None:
        for name, school_class in self.demo.classes.items():
            for subject, label in SPLIT_SUBJECTS.items():
                if subject not in CURRICULUM[school_class.grade]:
                    continue
                first, second = (
                    services.create_group(actor=self.actor, year=self.year, name=f"{name} — {label}, {n} группа",
                                          kind=GroupKind.SUBGROUP, school_class=school_class,
                                          subject=self.demo.subjects[subject])
                    for n in (1, 2)
                )
                self.demo.subgroups[(name, subject)] = (first, second)

    def step_assignments(self) -> None:
        for line in self.demo.load_plan:
            if line.subgroup:
                group = self.demo.subgroups[(line.class_name, line.subject)][line.subgroup - 1]
            else:
                group = self.demo.class_groups[line.class_name]
            self.demo.assignments.append(services.save_assignment(
                actor=self.actor, year=self.year, teacher=self.demo.staff[line.teacher],
                subject=self.demo.subjects[line.subject], group=group, hours_per_week=Decimal(line.hours),
            ))

    def step_students(self) -> None:
        left = {name: self.rng.randint(*CLASS_SIZE[grade_of(name)]) for name in self._class_names()}
        # The persona family first: a boy in 5А (uchenik) and his sister in 8Б; the mother is roditel.
        persona = self._family([(PERSONA_CLASS, MALE), (PERSONA_SIBLING_CLASS, FEMALE)], both_parents=True)
        for child in persona.children:
            left[child.class_name] -= 1
        self._create_family(persona, personas=True)

        seats = [name for name, size in left.items() for _ in range(size)]
        self.rng.shuffle(seats)
        for seat in seats:
            if left[seat] == 0:
                continue
            left[seat] -= 1
            wanted = [seat]
            roll = self.rng.random()
            for _ in range(2 if roll < 0.03 else 1 if roll < 0.2 else 0):
                # A brother or sister at least two grades apart, in a class with a free seat.
                options = [n for n, free in left.items() if free
                           and all(abs(grade_of(n) - grade_of(w)) >= 2 for w in wanted)]
                if options:
                    sibling = self.rng.choice(options)
                    left[sibling] -= 1
                    wanted.append(sibling)
            family = self._family([(name, self.names.gender()) for name in wanted])
            self._create_family(family)

    def step_subgroup_members(self) -> None:
        start = self.year.start
        for (name, subject), groups in self.demo.subgroups.items():
            roster = sorted(self.demo.rosters[name], key=lambda s: (s.last_name, s.first_name, s.patronymic))
            if subject == "eng":
                half = math.ceil(len(roster) / 2)  # by the class list: first half, second half
                split = (roster[:half], roster[half:])
            else:
                split = (roster[0::2], roster[1::2])  # alternately, as computer-room seats go
            for group, members in zip(groups, split, strict=True):
                for student in members:
                    services.add_to_group(actor=self.actor, group=group, student=student, start=start)
                self._members[group.pk] = list(members)

    def step_cross_groups(self) -> None:
        loads = self.demo.teacher_loads()
        for spec in CROSS_GROUPS:
            teacher_key = spec.teacher
            if teacher_key.endswith("-*"):
                prefix = teacher_key[:-1]
                options = [k for k in self.demo.staff if k.startswith(prefix) and k not in STAFF_LOGINS.values()]
                teacher_key = min(options, key=lambda k: (loads.get(k, 0), k))
            subject = self.demo.subjects[spec.subject]
            group = services.create_group(actor=self.actor, year=self.year, name=spec.name, kind=GroupKind.CROSS,
                                          subject=subject, journal_kind=spec.journal_kind)
            self.demo.cross_groups[spec.key] = group
            self.demo.assignments.append(services.save_assignment(
                actor=self.actor, year=self.year, teacher=self.demo.staff[teacher_key], subject=subject, group=group,
                hours_per_week=Decimal(spec.hours),
            ))
            self.demo.load_plan.append(PlannedLoad("", spec.subject, 0, teacher_key, spec.hours))
            loads[teacher_key] = loads.get(teacher_key, 0) + spec.hours
            low, high = spec.grades
            pool = [s for name, roster in self.demo.rosters.items() if low <= grade_of(name) <= high for s in roster]
            start = self.year.start + dt.timedelta(weeks=spec.weeks_late)
            for student in sorted(self.rng.sample(pool, min(spec.size, len(pool))), key=lambda s: s.pk):
                services.add_to_group(actor=self.actor, group=group, student=student, start=start)

    def step_movement(self) -> None:
        """A few orders of the year: two arrivals, a transfer, a move between subgroups, a departure."""
        # An arrival in 3Б.
        self._arrive("3Б", self._during_year(0.15), "из МБОУ «СОШ № 4» г. Энска")
        # A transfer from 6А to 6Б at the parents' request.
        on = self._during_year(0.3)
        student = self._pick("6А")
        self.demo.movements.append(services.transfer_student(
            actor=self.actor, student=student, to_class=self.demo.classes["6Б"], date=on,
            order_number=self._order(), note="по заявлению родителей"))
        self._join_subgroups(student, "6Б", on)
        # An arrival in 7А from another town.
        self._arrive("7А", self._during_year(0.45), "из МБОУ «Гимназия № 2» г. Северска")
        # A move between the English subgroups of 9А.
        on = self._during_year(0.6)
        first, second = self.demo.subgroups[("9А", "eng")]
        student = self.rng.choice(sorted(self._members[first.pk], key=lambda s: s.pk))
        self.demo.movements.append(services.transfer_between_groups(
            actor=self.actor, student=student, from_group=first, to_group=second, date=on,
            order_number=self._order()))
        self._members[first.pk].remove(student)
        self._members[second.pk].append(student)
        # A departure from 9Б: the family moves away; the pupil leaves the clubs as well.
        on = self._during_year(0.8)
        student = self._pick("9Б")
        for group in self.demo.cross_groups.values():
            if group.memberships.filter(selectors.active_on(on), student=student).exists():
                services.remove_from_group(actor=self.actor, group=group, student=student, date=on)
        self.demo.movements.append(services.depart_student(
            actor=self.actor, student=student, date=on, order_number=self._order(),
            note="в связи с переменой места жительства"))

    # Steps of the later apps: each app owns its demo data; the builder only decides the order.
    # Lessons come first, the КТП then fills their topics, the journal their marks and absences.

    def step_timetable(self) -> None:
        from zhurnal.timetable.demo import build_demo_timetable

        teacher = self.demo.personas.get("uchitel")
        self.demo.timetable = build_demo_timetable(
            school=self.school, year=self.year, today=self.today, rng=self.rng, actor=self.actor,
            featured_teacher=teacher.person if teacher and isinstance(teacher.person, StaffMember) else None,
        )

    def step_plans(self) -> None:
        from zhurnal.planning.demo import build_demo_plans

        self.demo.plans = build_demo_plans(school=self.school, year=self.year, today=self.today, rng=self.rng)

    def step_journal(self) -> None:
        from zhurnal.journal.demo import build_demo_journal

        self.demo.journal = build_demo_journal(school=self.school, year=self.year, today=self.today, rng=self.rng,
                                               actor=self.actor)

    def step_activity(self) -> None:
        from zhurnal.ops.demo_activity import build_demo_activity

        self.demo.activity = build_demo_activity(school=self.school, year=self.year, today=self.today, rng=self.rng,
                                                 actor=self.actor)
        # The education department that oversees the school, its specialist's login and the school's figures.
        from zhurnal.reports import services as report_services

        official = self._user("uo", self.names.adult(FEMALE))
        department = report_services.save_department(actor=self.actor, name=f"Управление образования {TOWN}",
                                                     schools=[self.school])
        report_services.appoint_official(actor=self.actor, department=department, user=official,
                                         position="главный специалист")
        report_services.refresh_snapshot(school=self.school, today=self.today)

    def step_messaging(self) -> None:
        from zhurnal.messaging.demo import build_demo_messaging

        self.demo.messaging = build_demo_messaging(school=self.school, today=self.today, rng=self.rng,
                                                   class_name=PERSONA_CLASS)

    def step_notifications(self) -> None:
        from zhurnal.notifications.demo import build_demo_notifications

        self.demo.notifications = build_demo_notifications(school=self.school, today=self.today, rng=self.rng,
                                                           personas=self.demo.personas)

    # --- helpers -------------------------------------------------------------------------------------

    @staticmethod
    def _class_names() -> list[str]:
        return [class_name(g, LETTERS[i]) for g, count in CLASSES_PER_GRADE.items() for i in range(count)]

    def _user(self, username: str, name: PersonName) -> Any:
        return get_user_model().objects.create_user(
            username=username, password=DEMO_PASSWORD, last_name=name.last_name, first_name=name.first_name,
            patronymic=name.patronymic)

    def _staff_name(self, female_share: float) -> PersonName:
        while True:
            name = self.names.adult(self.names.gender(female_share))
            key = (name.last_name, name.first_name, name.patronymic)
            if key not in self._staff_names:
                self._staff_names.add(key)
                return name

    def _order(self) -> str:
        return f"{next(self._orders)}-у"

    def _birth_date(self, grade: int) -> dt.date:
        # On 1 September a first-former is between six and a half and eight years old.
        earliest = dt.date(self.year.start.year - 7 - grade, 9, 1)
        return earliest + dt.timedelta(days=self.rng.randrange(365 + 120))

    def _address(self) -> str:
        street = self.rng.choice(STREETS)
        if self.rng.random() < 0.15:
            return f"{TOWN}, ул. {street}, д. {self.rng.randint(1, 60)}"
        return f"{TOWN}, ул. {street}, д. {self.rng.randint(1, 60)}, кв. {self.rng.randint(1, 180)}"

    def _family(self, children: list[tuple[str, str]], both_parents: bool = False) -> _Family:
        surname = self.names.family_surname()
        father = self.rng.choice(MEN)
        kids: list[_Child] = []
        for name, gender in children:
            while True:
                child = self.names.child(gender, surname, father)
                birth = self._birth_date(grade_of(name))
                key = (child.last_name, child.first_name, child.patronymic, birth)
                if key not in self._people and all(k.name.first_name != child.first_name for k in kids):
                    break
            self._people.add(key)
            kids.append(_Child(child, name, birth))
        roll = 0.0 if both_parents else self.rng.random()
        guardians: list[tuple[PersonName, str]] = []
        mother = self.names.adult(FEMALE, surname)
        father_name = PersonName(surname_for(surname, MALE), father,
                                 patronymic(self.rng.choice(GRANDFATHERS), MALE), MALE)
        if roll < 0.55:
            guardians = [(mother, "мать"), (father_name, "отец")]
        elif roll < 0.9:
            guardians = [(mother, "мать")]
        elif roll < 0.96:
            guardians = [(father_name, "отец")]
        else:
            grandmother = self.names.adult(FEMALE, surname)
            guardians = [(grandmother, "бабушка (опекун)")]
        paper = not both_parents and self.rng.random() < 0.03
        return _Family(surname, father, kids, guardians, self._address(),
                       InfoChannel.PAPER if paper else InfoChannel.ELECTRONIC)

    def _create_family(self, family: _Family, *, personas: bool = False, on: dt.date | None = None,
                       note: str = "", order: str = "") -> list[Student]:
        start = on or self.year.start
        consent = start - dt.timedelta(days=self.rng.randint(1, 10))
        students = []
        for child in family.children:
            student = services.save_student(
                actor=self.actor, school=self.school, last_name=child.name.last_name,
                first_name=child.name.first_name, patronymic=child.name.patronymic, birth_date=child.birth_date,
                gender=child.name.gender, address=family.address)
            school_class = self.demo.classes[child.class_name]
            if on is None:
                order = "45-у" if school_class.grade == 1 else "52-у"
                note = "зачисление в 1 класс" if school_class.grade == 1 else "списки классов на начало учебного года"
            movement = services.enroll_student(actor=self.actor, student=student, school_class=school_class,
                                               date=start, order_number=order, note=note)
            if on is None:
                self.demo.rosters.setdefault(child.class_name, []).append(student)
            else:
                self.demo.movements.append(movement)
            self.demo.students.append(student)
            students.append(student)
        for index, (name, relation) in enumerate(family.guardians):
            email = ""
            if self.rng.random() < 0.6:
                email = f"{latin(name.first_name)}.{latin(name.last_name)}{self.rng.randint(1, 99)}@{MAIL_DOMAIN}"
            guardian = services.save_guardian(
                actor=self.actor, school=self.school, last_name=name.last_name, first_name=name.first_name,
                patronymic=name.patronymic, email=email, address=family.address)
            if personas and index == 0:
                guardian.user = self._user("roditel", name)
                guardian.save(update_fields=["user"])
                self.demo.personas["roditel"] = Persona("roditel", guardian.user, guardian)
            for student in students:
                services.link_guardian(actor=self.actor, student=student, guardian=guardian, relation=relation,
                                       consent_given_on=consent, info_channel=family.channel, today=consent)
            self.demo.guardians.append(guardian)
        if personas:
            student = students[0]
            student.user = self._user("uchenik", family.children[0].name)
            student.save(update_fields=["user"])
            self.demo.personas["uchenik"] = Persona("uchenik", student.user, student)
        return students

    def _during_year(self, fraction: float) -> dt.date:
        """A school day ``fraction`` of the way through the part of the year already lived."""
        first = self.year.start + dt.timedelta(days=7)
        last = max(min(self.today, self.year.end), self.year.start + dt.timedelta(days=35))
        day = first + dt.timedelta(days=round((last - first).days * fraction))
        if self._days_off is None:
            self._days_off = list(self.year.holidays.values_list("start", "end"))
        while day.weekday() >= 5 or any(start <= day <= end for start, end in self._days_off):
            day += dt.timedelta(days=1)
        return day

    def _pick(self, name: str) -> Student:
        """A pupil of the class on 1 September who is not one of the demo personas' family."""
        persona_ids = {p.person.pk for p in self.demo.personas.values() if isinstance(p.person, Student)}
        family = set(GuardianLink.objects.filter(guardian__user__isnull=False).values_list("student_id", flat=True))
        options = [s for s in self.demo.rosters[name] if s.pk not in persona_ids | family]
        return self.rng.choice(options)

    def _arrive(self, name: str, on: dt.date, came_from: str) -> Student:
        family = self._family([(name, self.names.gender())])
        verb = "прибыла" if family.children[0].name.gender == FEMALE else "прибыл"
        student = self._create_family(family, on=on, note=f"{verb} {came_from}", order=self._order())[0]
        self._join_subgroups(student, name, on)
        return student

    def _join_subgroups(self, student: Student, name: str, on: dt.date) -> None:
        """A newcomer joins the smaller subgroup of each split subject of his class."""
        for (class_key, _), groups in self.demo.subgroups.items():
            if class_key != name:
                continue
            group = min(groups, key=lambda g: (len(self._members[g.pk]), g.pk))
            services.add_to_group(actor=self.actor, group=group, student=student, start=on)
            self._members[group.pk].append(student)


def build_demo_school(today: dt.date | None = None, seed: int = DEMO_SEED,
                      progress: ProgressCallback | None = None) -> DemoSchool:
    """Build the whole demo school in one transaction; see ``DemoBuilder.STEPS`` for what it makes."""
    return DemoBuilder(today=today, seed=seed, progress=progress).build()


def demo_school() -> School | None:
    return School.objects.filter(slug=DEMO_SLUG).first()


# --- the logins table ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    who: str
    sees: str


def demo_logins(school: School) -> list[DemoLogin]:
    """What each demo login is and what it will see, read from the school as it is now."""
    users = {u.username: u for u in get_user_model().objects.filter(username__in=LOGINS)}
    year = selectors.current_year(school)
    on = selectors.default_date(year) if year else school_today()
    staff = {s.user_id: s for s in StaffMember.objects.filter(school=school, user__in=users.values())}
    rows = []
    for username in LOGINS:
        user = users.get(username)
        if user is None:
            continue
        colleague = staff.get(user.pk)
        member: StaffMember | Student | Guardian | None = colleague
        if username in STAFF_LOGINS:
            spec_key = STAFF_LOGINS[username].rsplit("-", 1)[0]
            title = next(spec.title for spec in (*ADMINISTRATION, *SUBJECT_TEACHERS) if spec.key == spec_key)
        if username == "admin":
            who, sees = title, "настройку учебного года, все классы, обучающихся, сотрудников, импорт"
        elif username == "director":
            who, sees = title, "все классы школы, обучающихся, сотрудников, движение"
        elif username == "zavuch":
            who, sees = title, "все классы школы, обучающихся, движение; свой элективный курс"
        elif username in ("klassruk", "uchitel"):
            assignments = TeachingAssignment.objects.filter(teacher=colleague).select_related(
                "subject", "group__school_class")
            subjects = sorted({a.subject.name.lower() for a in assignments})
            classes = sorted({a.group.school_class.name for a in assignments if a.group.school_class},
                             key=lambda n: (grade_of(n), n))
            led = ", ".join(c.name for c in SchoolClass.objects.filter(class_teacher=colleague).order_by("grade"))
            who = f"классный руководитель {led}, {title}" if led else title
            sees = (f"свой класс {led} с родителями; " if led else "") + \
                f"свои группы: {', '.join(subjects)} в {', '.join(classes)}"
        elif username == "uo":
            rows.append(DemoLogin(username, DEMO_PASSWORD, f"{user.display_name}, специалист управления образования",
                                  "показатели школ управления без имён обучающихся"))
            continue
        elif username == "uchenik":
            member = Student.objects.filter(school=school, user=user).first()
            current = selectors.class_of_student_on(member, on) if member else None
            who = f"ученик {current}" if current else "ученик"
            sees = "свою страницу: класс, предметы и учителя, родители"
        else:
            member = Guardian.objects.filter(school=school, user=user).first()
            links = GuardianLink.objects.filter(guardian__user=user, school=school).select_related("student")
            kids = []
            for link in links.order_by("student__birth_date"):
                kid_class = selectors.class_of_student_on(link.student, on)
                kids.append(f"{link.student.first_name} ({kid_class})" if kid_class else link.student.first_name)
            who, sees = "родитель", f"«Мои дети»: {', '.join(kids)}"
        name = member.short_name if member else user.display_name
        rows.append(DemoLogin(username, DEMO_PASSWORD, f"{name}, {who}", sees))
    return rows
