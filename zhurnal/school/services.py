"""Every write to the school's structure. Keyword-only, one transaction each, audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils.text import slugify

from zhurnal.accounts.models import User
from zhurnal.audit.services import record
from zhurnal.audit.verbs import Verb
from zhurnal.core import stamps
from zhurnal.core.dates import today as school_today

from . import periods as calendar
from .models import (
    AcademicYear,
    Curriculum,
    Enrollment,
    Gender,
    Group,
    GroupKind,
    GroupMembership,
    Guardian,
    GuardianLink,
    Holiday,
    InfoChannel,
    JournalKind,
    Movement,
    MovementKind,
    PeriodSet,
    Position,
    ReportingPeriod,
    School,
    SchoolClass,
    StaffMember,
    StaffPosition,
    Student,
    Subject,
    TeachingAssignment,
)

LETTERS = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЭЮЯ"


def name_taken(queryset: Any, name: str, *, excluding: Model | None = None) -> bool:
    """Whether a row of ``queryset`` other than ``excluding`` (the row being renamed) is already called ``name``:
    the one rule for unique names (subjects, groups, rooms, bell schedules, work types). Case-insensitive for
    Cyrillic too (SQLite's ``iexact`` folds only ASCII letters)."""
    if excluding is not None:
        queryset = queryset.exclude(pk=excluding.pk)
    wanted = name.strip().casefold()
    return any(other.strip().casefold() == wanted for other in queryset.values_list("name", flat=True))


def _snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    out = {}
    for name in fields:
        value = getattr(obj, obj._meta.get_field(name).attname)
        if isinstance(value, dt.date | Decimal):
            value = str(value)
        out[name] = value
    return out


def _apply(obj: Any, changes: dict[str, Any], *, actor: User, verb: Verb) -> Any:
    fields = list(changes)
    before = _snapshot(obj, fields)
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    after = _snapshot(obj, fields)
    if before != after:
        record(actor=actor, verb=verb, target=obj, before=before, after=after)
    return obj


# --- school, year, periods ------------------------------------------------------------------------


@transaction.atomic
def create_school(*, actor: User | None, name: str, short_name: str, slug: str = "", address: str = "") -> School:
    school = School(name=name, short_name=short_name, slug=slug or slugify(short_name, allow_unicode=False) or "school",
                    address=address)
    school.full_clean()
    school.save()
    record(actor=actor, verb=Verb.SCHOOL_CREATE, target=school, school=school, after={"name": name})
    return school


@transaction.atomic
def create_academic_year(
    *, actor: User | None, school: School, start: dt.date, end: dt.date | None = None, with_defaults: bool = True
) -> AcademicYear:
    """A year with the usual calendar: quarters for 1–9, half-years for 10–11, the standard vacations."""
    end = end or calendar.default_year_bounds(start)[1]
    if end <= start:
        raise ValidationError({"end": "Окончание учебного года должно быть позже начала."})
    if AcademicYear.objects.filter(school=school, start=start).exists():
        raise ValidationError({"start": "Учебный год с такой датой начала уже есть."})
    overlapping = AcademicYear.objects.filter(school=school, start__lte=end, end__gte=start)
    if overlapping.exists():
        raise ValidationError({"start": f"Даты пересекаются с учебным годом {overlapping.first()}."})
    year = AcademicYear.objects.create(school=school, name=f"{start.year}/{start.year + 1}", start=start, end=end)
    if with_defaults:
        for period_kind, grade_from, grade_to in calendar.DEFAULT_PERIOD_SETS:
            create_period_set(actor=actor, year=year, kind=period_kind, grade_from=grade_from, grade_to=grade_to)
        for kind, name, h_start, h_end in calendar.default_holidays(start):
            if start <= h_start and h_end <= end:
                Holiday.objects.create(school=school, year=year, kind=kind, name=name, start=h_start, end=h_end)
    record(actor=actor, verb=Verb.YEAR_CREATE, target=year, after={"name": year.name, "start": str(start),
                                                                  "end": str(end)})
    return year


@transaction.atomic
def create_period_set(*, actor: User | None, year: AcademicYear, kind: str, grade_from: int, grade_to: int) -> PeriodSet:
    if not (1 <= grade_from <= grade_to <= 11):
        raise ValidationError({"grade_from": "Диапазон параллелей должен быть в пределах 1–11."})
    clash = PeriodSet.objects.filter(year=year, grade_from__lte=grade_to, grade_to__gte=grade_from).first()
    if clash:
        raise ValidationError({"grade_from": f"Для этих параллелей уже заданы периоды: {clash}."})
    period_set = PeriodSet.objects.create(school=year.school, year=year, kind=kind, grade_from=grade_from,
                                          grade_to=grade_to)
    for number, (name, p_start, p_end) in enumerate(calendar.default_periods(kind, year.start), start=1):
        ReportingPeriod.objects.create(
            school=year.school, period_set=period_set, number=number, name=name,
            start=max(p_start, year.start), end=min(p_end, year.end),
        )
    record(actor=actor, verb=Verb.PERIODSET_CREATE, target=period_set,
           after={"kind": kind, "grades": [grade_from, grade_to]})
    return period_set


@transaction.atomic
def update_period(*, actor: User, period: ReportingPeriod, name: str, start: dt.date, end: dt.date) -> ReportingPeriod:
    year = period.period_set.year
    if start > end:
        raise ValidationError({"end": "Окончание периода раньше его начала."})
    if start < year.start or end > year.end:
        raise ValidationError({"start": f"Период должен лежать внутри учебного года {year} "
                                        f"({year.start:%d.%m.%Y}–{year.end:%d.%m.%Y})."})
    siblings = period.period_set.periods.exclude(pk=period.pk).filter(start__lte=end, end__gte=start)
    if siblings.exists():
        raise ValidationError({"start": f"Период пересекается с периодом «{siblings.first()}»."})
    return _apply(period, {"name": name, "start": start, "end": end}, actor=actor, verb=Verb.PERIOD_UPDATE)


def _rows_referring_to(objects: Any) -> int:
    """How many rows of other tables point at ``objects`` (final marks, locks, reports... of any app)."""
    model = objects.model
    total = 0
    for relation in model._meta.related_objects:
        if relation.many_to_many or not relation.field.concrete:
            continue
        total += relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": objects}).count()
    return total


@transaction.atomic
def delete_period_set(*, actor: User, period_set: PeriodSet) -> None:
    """Remove a set of periods nobody has used yet (no final marks or other records point at its periods)."""
    periods = ReportingPeriod.objects.filter(period_set=period_set)
    if _rows_referring_to(periods):
        raise ValidationError({"period_set": f"Периоды «{period_set}» уже используются (есть итоговые отметки "
                                             "или другие записи); удалить их нельзя, можно изменить даты."})
    record(actor=actor, verb=Verb.PERIODSET_DELETE, target=period_set,
           before={"kind": period_set.kind, "grades": [period_set.grade_from, period_set.grade_to],
                   "periods": [[p.name, str(p.start), str(p.end)] for p in periods]})
    period_set.delete()


@transaction.atomic
def save_holiday(
    *, actor: User, year: AcademicYear, name: str, kind: str, start: dt.date, end: dt.date,
    holiday: Holiday | None = None, grade_from: int | None = None, grade_to: int | None = None,
) -> Holiday:
    """``grade_from``/``grade_to`` narrow a vacation to some grades (e.g. the extra February week of grade 1);
    left empty, a new holiday is for grades 1–11 and an existing one keeps its range."""
    if not name.strip():
        raise ValidationError({"name": "Укажите название."})
    if start > end:
        raise ValidationError({"end": "Окончание раньше начала."})
    if start < year.start or end > year.end:
        raise ValidationError({"start": "Каникулы и праздники должны лежать внутри учебного года."})
    if holiday is None:
        holiday = Holiday(school=year.school, year=year)
        holiday_created = True
    else:
        holiday_created = False
    changes: dict[str, Any] = {"name": name.strip(), "kind": kind, "start": start, "end": end}
    if grade_from is not None or grade_to is not None:
        grade_from = holiday.grade_from if grade_from is None else grade_from
        grade_to = holiday.grade_to if grade_to is None else grade_to
        if not 1 <= grade_from <= grade_to <= 11:
            raise ValidationError({"grade_from": "Параллели: от 1 до 11, «с» не больше «по»."})
        changes.update(grade_from=grade_from, grade_to=grade_to)
    _apply(holiday, changes, actor=actor, verb=Verb.HOLIDAY_CREATE if holiday_created else Verb.HOLIDAY_UPDATE)
    return holiday


@transaction.atomic
def delete_holiday(*, actor: User, holiday: Holiday) -> None:
    record(actor=actor, verb=Verb.HOLIDAY_DELETE, target=holiday,
           before={"name": holiday.name, "start": str(holiday.start), "end": str(holiday.end)})
    holiday.delete()


# --- subjects and curriculum ------------------------------------------------------------------------


@transaction.atomic
def save_subject(
    *, actor: User, school: School, name: str, short_name: str = "", without_marks: bool = False,
    subject: Subject | None = None,
) -> Subject:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Укажите название предмета."})
    if name_taken(Subject.objects.filter(school=school), name, excluding=subject):
        raise ValidationError({"name": f"Предмет «{name}» уже есть."})
    is_new = subject is None
    subject = subject or Subject(school=school)
    return _apply(subject, {"name": name, "short_name": short_name.strip(), "without_marks": without_marks},
                  actor=actor, verb=Verb.SUBJECT_CREATE if is_new else Verb.SUBJECT_UPDATE)


@transaction.atomic
def set_curriculum_hours(
    *, actor: User, year: AcademicYear, grade: int, subject: Subject, hours_per_week: Decimal,
    hours_per_year: int | None = None,
) -> Curriculum | None:
    if not 1 <= grade <= 11:
        raise ValidationError({"grade": "Параллель должна быть от 1 до 11."})
    if hours_per_week < 0 or hours_per_week > 40:
        raise ValidationError({"hours_per_week": "Часов в неделю должно быть от 0 до 40."})
    weeks = 33 if grade == 1 else 34
    if hours_per_year is None:
        hours_per_year = int((Decimal(hours_per_week) * weeks).to_integral_value())
    row = Curriculum.objects.filter(year=year, grade=grade, subject=subject).first()
    if hours_per_week == 0:
        if row:
            record(actor=actor, verb=Verb.CURRICULUM_DELETE, target=row, before={"hours_per_week": str(row.hours_per_week)})
            row.delete()
        return None
    if row is None:
        row = Curriculum(school=year.school, year=year, grade=grade, subject=subject)
    return _apply(row, {"hours_per_week": Decimal(hours_per_week), "hours_per_year": hours_per_year},
                  actor=actor, verb=Verb.CURRICULUM_SET)


@transaction.atomic
def save_curriculum(
    *, actor: User, year: AcademicYear, hours: dict[tuple[int, Subject], Decimal]
) -> int:
    """The whole grid at once (grade, subject) → hours per week; 0 removes a row. Returns the number changed."""
    current = {(c.grade, c.subject_id): c.hours_per_week for c in Curriculum.objects.filter(year=year)}
    changed = 0
    for (grade, subject), value in sorted(hours.items(), key=lambda item: (item[0][0], item[0][1].pk)):
        if subject.school_id != year.school_id:
            raise ValidationError({"subject": "Предмет из другой школы."})
        if current.get((grade, subject.pk), Decimal(0)) == value:
            continue
        try:
            set_curriculum_hours(actor=actor, year=year, grade=grade, subject=subject, hours_per_week=value)
        except ValidationError as error:
            raise ValidationError(f"{subject}, {grade} кл.: {'; '.join(error.messages)}") from error
        changed += 1
    return changed


# --- classes and groups ------------------------------------------------------------------------------


@transaction.atomic
def save_class(
    *, actor: User, year: AcademicYear, grade: int, letter: str, class_teacher: StaffMember | None = None,
    shift: int = 1, school_class: SchoolClass | None = None,
) -> SchoolClass:
    letter = letter.strip().upper()
    if not 1 <= grade <= 11:
        raise ValidationError({"grade": "Параллель должна быть от 1 до 11."})
    if not letter or len(letter) > 4:
        raise ValidationError({"letter": "Укажите литеру класса (например, «А»)."})
    if class_teacher is not None and class_teacher.school_id != year.school_id:
        raise ValidationError({"class_teacher": "Классный руководитель должен быть сотрудником этой школы."})
    clash = SchoolClass.objects.filter(year=year, grade=grade, letter=letter)
    if school_class is not None:
        clash = clash.exclude(pk=school_class.pk)
    if clash.exists():
        raise ValidationError({"letter": f"Класс {grade}{letter} в {year} учебном году уже есть."})
    is_new = school_class is None
    school_class = school_class or SchoolClass(school=year.school, year=year)
    _apply(school_class, {"grade": grade, "letter": letter, "class_teacher": class_teacher, "shift": shift},
           actor=actor, verb=Verb.CLASS_CREATE if is_new else Verb.CLASS_UPDATE)
    group, _ = Group.objects.get_or_create(
        school_class=school_class, kind=GroupKind.CLASS,
        defaults={"school": year.school, "year": year, "name": school_class.name},
    )
    if group.name != school_class.name:
        group.name = school_class.name
        group.save(update_fields=["name"])
    return school_class


def whole_class_group(school_class: SchoolClass) -> Group:
    return Group.objects.get(school_class=school_class, kind=GroupKind.CLASS)


@transaction.atomic
def create_group(
    *, actor: User, year: AcademicYear, name: str, kind: str, school_class: SchoolClass | None = None,
    subject: Subject | None = None, journal_kind: str = JournalKind.REGULAR,
) -> Group:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Укажите название группы."})
    if kind == GroupKind.CLASS:
        raise ValidationError({"kind": "Группа «весь класс» создаётся вместе с классом."})
    if kind == GroupKind.SUBGROUP and school_class is None:
        raise ValidationError({"school_class": "Подгруппа должна принадлежать классу."})
    if kind == GroupKind.CROSS:
        school_class = None
    if school_class is not None and school_class.year_id != year.pk:
        raise ValidationError({"school_class": "Класс относится к другому учебному году."})
    if name_taken(Group.objects.filter(year=year, school_class=school_class), name):
        raise ValidationError({"name": f"Группа «{name}» уже есть."})
    group = Group(school=year.school, year=year, name=name, kind=kind, school_class=school_class, subject=subject,
                  journal_kind=journal_kind)
    group.full_clean()
    group.save()
    record(actor=actor, verb=Verb.GROUP_CREATE, target=group, after={"name": name, "kind": kind})
    return group


@transaction.atomic
def update_group(
    *, actor: User, group: Group, name: str, subject: Subject | None = None, journal_kind: str = JournalKind.REGULAR,
) -> Group:
    """Rename a subgroup or a cross-class group, or change its subject or kind of journal."""
    if group.kind == GroupKind.CLASS:
        raise ValidationError({"name": "Группа «весь класс» называется по классу; измените класс."})
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Укажите название группы."})
    if subject is not None and subject.school_id != group.school_id:
        raise ValidationError({"subject": "Предмет из другой школы."})
    if journal_kind not in JournalKind.values:
        raise ValidationError({"journal_kind": "Неизвестный вид журнала."})
    siblings = Group.objects.filter(year_id=group.year_id, school_class_id=group.school_class_id)
    if name_taken(siblings, name, excluding=group):
        raise ValidationError({"name": f"Группа «{name}» уже есть."})
    return _apply(group, {"name": name, "subject": subject, "journal_kind": journal_kind}, actor=actor,
                  verb=Verb.GROUP_UPDATE)


@transaction.atomic
def split_class(
    *, actor: User, school_class: SchoolClass, subject: Subject, date: dt.date, names: tuple[str, str] | None = None,
) -> tuple[Group, Group]:
    """Two subgroups of a class for a subject, the class list split in alphabetical halves (the first gets the odd one)."""
    from .selectors import students_in_class

    _require_in_year(school_class, date)
    if subject.school_id != school_class.school_id:
        raise ValidationError({"subject": "Предмет из другой школы."})
    students = list(students_in_class(school_class, date))
    if len(students) < 2:
        raise ValidationError({"school_class": f"В классе {school_class} на {date:%d.%m.%Y} меньше двух "
                                               "обучающихся — делить некого."})
    label = subject.short_name or subject.name
    first_name, second_name = names or (f"{school_class} {label} 1", f"{school_class} {label} 2")
    halves = (students[: (len(students) + 1) // 2], students[(len(students) + 1) // 2:])
    groups = []
    for name, members in zip((first_name, second_name), halves, strict=True):
        group = create_group(actor=actor, year=school_class.year, name=name, kind=GroupKind.SUBGROUP,
                             school_class=school_class, subject=subject)
        for student in members:
            add_to_group(actor=actor, group=group, student=student, start=date)
        groups.append(group)
    return groups[0], groups[1]


@transaction.atomic
def add_to_group(*, actor: User, group: Group, student: Student, start: dt.date) -> GroupMembership:
    if group.kind == GroupKind.CLASS:
        raise ValidationError({"group": "Состав класса меняется приказом о движении, а не вручную."})
    if student.school_id != group.school_id:
        raise ValidationError({"student": "Обучающийся из другой школы."})
    if group.school_class_id is not None:
        from .selectors import class_of_student_on

        current = class_of_student_on(student, start)
        if current is None or current.pk != group.school_class_id:
            raise ValidationError({"student": f"{student.short_name} не учится в классе {group.school_class} "
                                              f"на {start:%d.%m.%Y}."})
    if _open_membership(group, student, start) is not None:
        raise ValidationError({"student": f"{student.short_name} уже в группе «{group}»."})
    membership = GroupMembership.objects.create(school=group.school, group=group, student=student, start=start)
    record(actor=actor, verb=Verb.GROUP_ADD, target=membership, after={"group": group.pk, "student": student.pk,
                                                                     "start": str(start)})
    return membership


def _open_membership(group: Group, student: Student, on: dt.date) -> GroupMembership | None:
    return (
        GroupMembership.objects.filter(group=group, student=student, start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .first()
    )


@transaction.atomic
def remove_from_group(*, actor: User, group: Group, student: Student, date: dt.date) -> None:
    membership = _open_membership(group, student, date)
    if membership is None:
        raise ValidationError({"student": f"{student.short_name} не состоит в группе «{group}» на эту дату."})
    _end_membership(membership, date, actor=actor)


def _end_membership(membership: GroupMembership, date: dt.date, *, actor: User) -> None:
    if date <= membership.start:
        record(actor=actor, verb=Verb.GROUP_REMOVE, target=membership, before={"start": str(membership.start)})
        membership.delete()
        return
    _apply(membership, {"end": date - dt.timedelta(days=1)}, actor=actor, verb=Verb.GROUP_REMOVE)


# --- staff ---------------------------------------------------------------------------------------------


@transaction.atomic
def save_staff(
    *, actor: User, school: School, last_name: str, first_name: str, patronymic: str = "",
    positions: list[str] | tuple[str, ...] = (Position.TEACHER,), email: str = "", phone: str = "",
    user: Any = None, staff: StaffMember | None = None,
) -> StaffMember:
    if not last_name.strip() or not first_name.strip():
        raise ValidationError({"last_name": "Укажите фамилию и имя сотрудника."})
    unknown = [p for p in positions if p not in Position.values]
    if unknown:
        raise ValidationError({"positions": f"Неизвестная должность: {', '.join(unknown)}."})
    if not positions:
        raise ValidationError({"positions": "Укажите хотя бы одну должность."})
    is_new = staff is None
    staff = staff or StaffMember(school=school)
    changes: dict[str, Any] = {"last_name": last_name.strip(), "first_name": first_name.strip(),
                               "patronymic": patronymic.strip(), "email": email.strip(), "phone": phone.strip()}
    if user is not None:
        changes["user"] = user
    _apply(staff, changes, actor=actor, verb=Verb.STAFF_CREATE if is_new else Verb.STAFF_UPDATE)
    current = set(staff.positions.values_list("position", flat=True))
    wanted = set(positions)
    if current != wanted:
        staff.positions.exclude(position__in=wanted).delete()
        StaffPosition.objects.bulk_create(
            [StaffPosition(school=school, staff=staff, position=p) for p in sorted(wanted - current)]
        )
        stamps.bump(school)  # bulk_create sends no signal; roles are cached per school
        record(actor=actor, verb=Verb.STAFF_POSITIONS, target=staff, before=sorted(current), after=sorted(wanted))
    return staff


@transaction.atomic
def deactivate_staff(*, actor: User, staff: StaffMember) -> StaffMember:
    """The person no longer works here: he loses access; his past lessons and assignments stay in the journal."""
    if staff.user_id is not None and staff.user_id == getattr(actor, "pk", None):
        raise ValidationError({"staff": "Нельзя отметить уволенным самого себя."})
    if not staff.is_active:
        raise ValidationError({"staff": f"{staff.short_name} уже отмечен(а) как не работающий(ая)."})
    return _apply(staff, {"is_active": False}, actor=actor, verb=Verb.STAFF_DEACTIVATE)


@transaction.atomic
def reactivate_staff(*, actor: User, staff: StaffMember) -> StaffMember:
    if staff.is_active:
        raise ValidationError({"staff": f"{staff.short_name} и так работает."})
    return _apply(staff, {"is_active": True}, actor=actor, verb=Verb.STAFF_REACTIVATE)


@transaction.atomic
def save_assignment(
    *, actor: User, year: AcademicYear, teacher: StaffMember, subject: Subject, group: Group,
    hours_per_week: Decimal = Decimal(1), assignment: TeachingAssignment | None = None,
) -> TeachingAssignment:
    for obj, field in ((teacher, "teacher"), (subject, "subject"), (group, "group")):
        if obj.school_id != year.school_id:
            raise ValidationError({field: "Запись из другой школы."})
    if group.year_id != year.pk:
        raise ValidationError({"group": "Группа относится к другому учебному году."})
    if hours_per_week <= 0 or hours_per_week > 40:
        raise ValidationError({"hours_per_week": "Часов в неделю должно быть больше 0 и не больше 40."})
    clash = TeachingAssignment.objects.filter(teacher=teacher, subject=subject, group=group)
    if assignment is not None:
        clash = clash.exclude(pk=assignment.pk)
    if clash.exists():
        raise ValidationError({"group": "Такая нагрузка уже назначена."})
    is_new = assignment is None
    assignment = assignment or TeachingAssignment(school=year.school, year=year)
    return _apply(assignment, {"teacher": teacher, "subject": subject, "group": group,
                               "hours_per_week": Decimal(hours_per_week)},
                  actor=actor, verb=Verb.ASSIGNMENT_CREATE if is_new else Verb.ASSIGNMENT_UPDATE)


# --- students, guardians --------------------------------------------------------------------------------

STUDENT_FIELDS = ["last_name", "first_name", "patronymic", "birth_date", "gender", "address", "document", "snils",
                  "phone", "email"]


EARLIEST_BIRTH_YEAR = 1930


def birth_date_problem(birth_date: dt.date, *, today: dt.date | None = None) -> str | None:
    """Why a pupil's birth date cannot be right (in the future, or before 1930), or None. The one rule for the
    forms, the services and the imports."""
    today = today or school_today()
    if birth_date > today:
        return f"Дата рождения {birth_date:%d.%m.%Y} — в будущем."
    if birth_date.year < EARLIEST_BIRTH_YEAR:
        return f"Дата рождения {birth_date:%d.%m.%Y} — раньше {EARLIEST_BIRTH_YEAR} года: проверьте год."
    return None


@transaction.atomic
def save_student(*, actor: User, school: School, student: Student | None = None, **data: Any) -> Student:
    unknown = set(data) - set(STUDENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown student fields: {sorted(unknown)}")
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    if not data.get("last_name", getattr(student, "last_name", "")) or not data.get(
            "first_name", getattr(student, "first_name", "")):
        raise ValidationError({"last_name": "Укажите фамилию и имя обучающегося."})
    if "gender" in data and data["gender"] not in Gender.values:
        raise ValidationError({"gender": "Пол: «м» или «ж»."})
    birth_date = data.get("birth_date", getattr(student, "birth_date", None))
    if birth_date is None:
        raise ValidationError({"birth_date": "Укажите дату рождения."})
    if "birth_date" in data:
        problem = birth_date_problem(birth_date)
        if problem:
            raise ValidationError({"birth_date": problem})
    is_new = student is None
    student = student or Student(school=school)
    probe = {f: data.get(f, getattr(student, f)) for f in ("last_name", "first_name", "patronymic")}
    duplicate = Student.objects.filter(school=school, birth_date=birth_date, **probe)
    if not is_new:
        duplicate = duplicate.exclude(pk=student.pk)
    if duplicate.exists():
        raise ValidationError({"last_name": f"Обучающийся {' '.join(v for v in probe.values() if v)}, "
                                            f"{birth_date:%d.%m.%Y} г. р., уже есть в школе."})
    return _apply(student, data, actor=actor, verb=Verb.STUDENT_CREATE if is_new else Verb.STUDENT_UPDATE)


@transaction.atomic
def admit_student(
    *, actor: User, school: School, school_class: SchoolClass, date: dt.date, order_number: str, note: str = "",
    **data: Any,
) -> Student:
    """A new student arrives: his record and his arrival into a class by order, both or neither."""
    if school_class.school_id != school.pk:
        raise ValidationError({"school_class": "Класс другой школы."})
    _require_order(order_number)
    _require_in_year(school_class, date)
    student = save_student(actor=actor, school=school, **data)
    enroll_student(actor=actor, student=student, school_class=school_class, date=date, order_number=order_number,
                   note=note)
    return student


@transaction.atomic
def save_guardian(*, actor: User, school: School, last_name: str, first_name: str, patronymic: str = "",
                  phone: str = "", email: str = "", address: str = "", guardian: Guardian | None = None) -> Guardian:
    if not last_name.strip() or not first_name.strip():
        raise ValidationError({"last_name": "Укажите фамилию и имя законного представителя."})
    is_new = guardian is None
    guardian = guardian or Guardian(school=school)
    return _apply(guardian, {"last_name": last_name.strip(), "first_name": first_name.strip(),
                             "patronymic": patronymic.strip(), "phone": phone.strip(), "email": email.strip(),
                             "address": address.strip()},
                  actor=actor, verb=Verb.GUARDIAN_CREATE if is_new else Verb.GUARDIAN_UPDATE)


@transaction.atomic
def link_guardian(
    *, actor: User, student: Student, guardian: Guardian, relation: str = "", consent_given_on: dt.date | None = None,
    info_channel: str = InfoChannel.ELECTRONIC, today: dt.date | None = None,
) -> GuardianLink:
    if student.school_id != guardian.school_id:
        raise ValidationError({"guardian": "Законный представитель и обучающийся из разных школ."})
    if info_channel not in InfoChannel.values:
        raise ValidationError({"info_channel": "Неизвестный способ информирования."})
    today = today or school_today()
    link = GuardianLink.objects.filter(student=student, guardian=guardian).first()
    if link is None:
        link = GuardianLink.objects.create(
            school=student.school, student=student, guardian=guardian, relation=relation.strip(),
            consent_given_on=consent_given_on, info_channel=info_channel, channel_chosen_on=today,
            registered_by=actor if getattr(actor, "pk", None) else None,
        )
        record(actor=actor, verb=Verb.GUARDIAN_LINK, target=link,
               after={"student": student.pk, "guardian": guardian.pk, "relation": relation,
                      "info_channel": info_channel})
        return link
    changes: dict[str, Any] = {"relation": relation.strip(), "consent_given_on": consent_given_on}
    if link.info_channel != info_channel:
        changes.update(info_channel=info_channel, channel_chosen_on=today,
                       registered_by=actor if getattr(actor, "pk", None) else None)
    return _apply(link, changes, actor=actor, verb=Verb.GUARDIAN_LINK_UPDATE)


@transaction.atomic
def register_guardian(
    *, actor: User, school: School, student: Student | None = None, relation: str = "",
    consent_given_on: dt.date | None = None, info_channel: str = InfoChannel.ELECTRONIC, **person: Any,
) -> Guardian:
    """A new guardian, linked at once to ``student`` when given — both or neither."""
    guardian = save_guardian(actor=actor, school=school, **person)
    if student is not None:
        link_guardian(actor=actor, student=student, guardian=guardian, relation=relation,
                      consent_given_on=consent_given_on, info_channel=info_channel)
    return guardian


@transaction.atomic
def unlink_guardian(*, actor: User, link: GuardianLink) -> None:
    """The adult is no longer the student's legal representative here (his own record stays)."""
    record(actor=actor, verb=Verb.GUARDIAN_UNLINK, target=link,
           before={"student": link.student_id, "guardian": link.guardian_id, "relation": link.relation,
                   "info_channel": link.info_channel})
    link.delete()


# --- movement -------------------------------------------------------------------------------------------


def _require_order(order_number: str) -> str:
    order_number = order_number.strip()
    if not order_number:
        raise ValidationError({"order_number": "Укажите номер приказа."})
    return order_number


def _require_in_year(school_class: SchoolClass, date: dt.date) -> None:
    year = school_class.year
    if not year.start <= date <= year.end:
        raise ValidationError({"date": f"Дата {date:%d.%m.%Y} вне учебного года {year} для класса {school_class}."})


def _open_enrollment(student: Student, on: dt.date) -> Enrollment | None:
    return (
        Enrollment.objects.select_related("school_class")
        .filter(student=student, start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .first()
    )


@transaction.atomic
def enroll_student(
    *, actor: User, student: Student, school_class: SchoolClass, date: dt.date, order_number: str, note: str = "",
) -> Movement:
    """Arrival (прибытие): the student is in ``school_class`` from ``date``."""
    order_number = _require_order(order_number)
    if student.school_id != school_class.school_id:
        raise ValidationError({"school_class": "Класс другой школы."})
    _require_in_year(school_class, date)
    current = _open_enrollment(student, date)
    if current is not None:
        raise ValidationError({"school_class": f"{student.short_name} уже учится в классе {current.school_class} "
                                               f"на {date:%d.%m.%Y}; оформите перевод."})
    later = Enrollment.objects.filter(student=student, start__gt=date).order_by("start").first()
    if later is not None:
        raise ValidationError({"date": f"У обучающегося есть более позднее зачисление ({later.start:%d.%m.%Y})."})
    Enrollment.objects.create(school=student.school, student=student, school_class=school_class, start=date)
    movement = Movement.objects.create(
        school=student.school, student=student, kind=MovementKind.ARRIVAL, date=date, order_number=order_number,
        to_class=school_class, note=note, created_by=actor if getattr(actor, "pk", None) else None,
    )
    record(actor=actor, verb=Verb.MOVEMENT_ARRIVAL, target=movement,
           after={"student": student.pk, "class": school_class.pk, "date": str(date), "order": order_number})
    return movement


@transaction.atomic
def transfer_student(
    *, actor: User, student: Student, to_class: SchoolClass, date: dt.date, order_number: str, note: str = "",
) -> Movement:
    """Transfer between classes: the old stay ends the day before ``date``; subgroups of the old class end too."""
    order_number = _require_order(order_number)
    current = _open_enrollment(student, date)
    if current is None:
        raise ValidationError({"student": f"{student.short_name} не учится в школе на {date:%d.%m.%Y}."})
    if current.school_class_id == to_class.pk:
        raise ValidationError({"to_class": f"{student.short_name} уже учится в классе {to_class}."})
    if to_class.school_id != student.school_id:
        raise ValidationError({"to_class": "Класс другой школы."})
    _require_in_year(to_class, date)
    if date <= current.start:
        raise ValidationError({"date": f"Дата перевода должна быть позже зачисления ({current.start:%d.%m.%Y})."})
    from_class = current.school_class
    _close_enrollment(current, date, actor=actor)
    Enrollment.objects.create(school=student.school, student=student, school_class=to_class, start=date)
    movement = Movement.objects.create(
        school=student.school, student=student, kind=MovementKind.TRANSFER, date=date, order_number=order_number,
        from_class=from_class, to_class=to_class, note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record(actor=actor, verb=Verb.MOVEMENT_TRANSFER, target=movement,
           before={"class": from_class.pk}, after={"class": to_class.pk, "date": str(date), "order": order_number})
    return movement


@transaction.atomic
def depart_student(*, actor: User, student: Student, date: dt.date, order_number: str, note: str = "") -> Movement:
    """Departure (выбытие): the student is no longer in the school from ``date``."""
    order_number = _require_order(order_number)
    current = _open_enrollment(student, date)
    if current is None:
        raise ValidationError({"student": f"{student.short_name} не учится в школе на {date:%d.%m.%Y}."})
    if date <= current.start:
        raise ValidationError({"date": f"Дата выбытия должна быть позже зачисления ({current.start:%d.%m.%Y})."})
    from_class = current.school_class
    _close_enrollment(current, date, actor=actor)
    movement = Movement.objects.create(
        school=student.school, student=student, kind=MovementKind.DEPARTURE, date=date, order_number=order_number,
        from_class=from_class, note=note, created_by=actor if getattr(actor, "pk", None) else None,
    )
    record(actor=actor, verb=Verb.MOVEMENT_DEPARTURE, target=movement,
           before={"class": from_class.pk}, after={"date": str(date), "order": order_number, "note": note})
    return movement


def _close_enrollment(enrollment: Enrollment, date: dt.date, *, actor: User) -> None:
    last_day = date - dt.timedelta(days=1)
    _apply(enrollment, {"end": last_day}, actor=actor, verb=Verb.ENROLLMENT_CLOSE)
    memberships = GroupMembership.objects.filter(
        student=enrollment.student, group__school_class=enrollment.school_class, start__lte=date,
    ).filter(Q(end__isnull=True) | Q(end__gte=date))
    for membership in memberships:
        _end_membership(membership, date, actor=actor)


@transaction.atomic
def transfer_between_groups(
    *, actor: User, student: Student, from_group: Group, to_group: Group, date: dt.date, order_number: str,
    note: str = "",
) -> Movement:
    """Moving a student between subgroups is done by school order (seed 001 §4.4.8)."""
    order_number = _require_order(order_number)
    if from_group.pk == to_group.pk:
        raise ValidationError({"to_group": "Выберите другую группу."})
    remove_from_group(actor=actor, group=from_group, student=student, date=date)
    add_to_group(actor=actor, group=to_group, student=student, start=date)
    movement = Movement.objects.create(
        school=student.school, student=student, kind=MovementKind.GROUP_TRANSFER, date=date,
        order_number=order_number, from_group=from_group, to_group=to_group, note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record(actor=actor, verb=Verb.MOVEMENT_GROUP_TRANSFER, target=movement,
           before={"group": from_group.pk}, after={"group": to_group.pk, "date": str(date)})
    return movement


def next_free_letter(year: AcademicYear, grade: int) -> str:
    taken = set(SchoolClass.objects.filter(year=year, grade=grade).values_list("letter", flat=True))
    for letter in LETTERS:
        if letter not in taken:
            return letter
    raise ValidationError({"letter": "Все литеры заняты."})


