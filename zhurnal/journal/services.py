"""Every write to the journal. Keyword-only, one transaction each, audited, idempotent where a client retries.

Marks and attendance of one student at one lesson (a "cell") change together through ``save_cell``; the lesson
row is locked first so that two saves of one cell run one after the other and both land in the history.
Changes that concern a lesson (its record, every cell) are audited with the lesson as the target, so the
lesson's history and a cell's history are one indexed query.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from zhurnal.audit.services import record, record_many
from zhurnal.core import sql
from zhurnal.core.dates import today as school_today
from zhurnal.school.models import (
    Enrollment,
    ReportingPeriod,
    School,
    SchoolClass,
    Student,
    TeachingAssignment,
)
from zhurnal.timetable.models import Lesson

from . import grading, locks, selectors
from .models import (
    AbsenceCode,
    Attendance,
    AttendanceCheck,
    FinalKind,
    FinalMark,
    GradingPolicy,
    HomeworkAttachment,
    IndividualHomework,
    LessonRecord,
    Mark,
    PeriodReopening,
    WorkType,
    WriteKey,
)
from .policies import DEFAULT_WORK_TYPES, policy_for, policy_row_for, rules_on

MAX_REOPEN_DAYS = 30
HOMEWORK_MAX_BYTES = getattr(settings, "ZHURNAL_HOMEWORK_MAX_BYTES", 10 * 1024 * 1024)
HOMEWORK_MAX_FILES = 10
HOMEWORK_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".rtf": "application/rtf",
    ".txt": "text/plain",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".mp3": "audio/mpeg",
}
UNSET: Any = object()


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# --- set-up and grading rules -------------------------------------------------------------------------------


@transaction.atomic
def ensure_journal_setup(*, school: School, actor: Any = None, valid_from: dt.date | None = None) -> bool:
    """Give a school the usual work types and a first version of the grading rules, once. Returns True if made."""
    if WorkType.objects.filter(school=school).exists():
        return False
    work_types = []
    for ordering, (name, short_name, _weight, is_control) in enumerate(DEFAULT_WORK_TYPES):
        work_types.append(WorkType.objects.create(school=school, name=name, short_name=short_name,
                                                  is_control=is_control, is_default=ordering == 0,
                                                  ordering=ordering))
    weights = {str(w.pk): weight for w, (_, _, weight, _) in zip(work_types, DEFAULT_WORK_TYPES, strict=True)}
    first_year = school.years.order_by("start").values_list("start", flat=True).first()
    start = valid_from or first_year or dt.date(2000, 1, 1)
    if not GradingPolicy.objects.filter(school=school).exists():
        policy = GradingPolicy.objects.create(school=school, valid_from=start, weights=weights,
                                              created_by=_actor(actor), note="Исходные правила")
        record(actor=actor, verb="grading.create", target=policy, after=_policy_snapshot(policy))
    record(actor=actor, verb="worktypes.create", target=school, school=school,
           after=[w.name for w in work_types])
    return True


POLICY_FIELDS = ["allow_modifiers", "modifier_value", "excluded_codes", "weights", "threshold_2", "threshold_3",
                 "threshold_4", "threshold_5", "min_marks", "two_blocks_five", "grades_without_marks",
                 "close_after_days", "edit_window_days", "year_ties_up", "note"]


def _policy_snapshot(policy: GradingPolicy) -> dict:
    out: dict[str, Any] = {"valid_from": str(policy.valid_from)}
    for name in POLICY_FIELDS:
        value = getattr(policy, name)
        out[name] = str(value) if isinstance(value, Decimal) else value
    return out


@transaction.atomic
def save_grading_policy(
    *, actor: Any, school: School, valid_from: dt.date, weights: dict[int, Decimal], allow_modifiers: bool = True,
    modifier_value: Decimal = Decimal(0), excluded_codes: list[str] | tuple[str, ...] = tuple(grading.CODE_VALUES),
    thresholds: tuple[Decimal, Decimal, Decimal, Decimal] = (Decimal("1.5"), Decimal("2.5"), Decimal("3.5"),
                                                             Decimal("4.5")),
    min_marks: int = 3, two_blocks_five: bool = False, grades_without_marks: list[int] | tuple[int, ...] = (1,),
    close_after_days: int = 5, edit_window_days: int | None = None, year_ties_up: bool = True, note: str = "",
    today: dt.date | None = None,
) -> GradingPolicy:
    """A new version of the rules in force from ``valid_from`` (a version for the same date is replaced).

    Versions that already took effect are never edited, and final marks already set keep their value: a change
    can only start today or later.
    """
    today = today or school_today()
    if valid_from < today:
        raise ValidationError({"valid_from": "Новые правила вступают в силу не раньше сегодняшнего дня: "
                                             "прошедшие итоговые отметки не пересчитываются."})
    t2, t3, t4, t5 = (Decimal(t) for t in thresholds)
    if not (1 <= t2 < t3 < t4 < t5 <= 5):
        raise ValidationError({"thresholds": "Пороги должны возрастать: «2» < «3» < «4» < «5», от 1 до 5."})
    if not Decimal(0) <= Decimal(modifier_value) < 1:
        raise ValidationError({"modifier_value": "Вес «+»/«−» — от 0 до 0,99."})
    unknown = set(excluded_codes) - set(grading.CODE_VALUES)
    if unknown:
        raise ValidationError({"excluded_codes": f"Неизвестные обозначения: {', '.join(sorted(unknown))}."})
    grades = sorted({1, *(int(g) for g in grades_without_marks)})
    if any(not 1 <= g <= 11 for g in grades):
        raise ValidationError({"grades_without_marks": "Параллели — от 1 до 11."})
    if not 0 <= min_marks <= 20:
        raise ValidationError({"min_marks": "Минимум отметок — от 0 до 20."})
    if not 0 <= close_after_days <= 60:
        raise ValidationError({"close_after_days": "Период закрывается через 0–60 дней после окончания."})
    if edit_window_days is not None and not 0 <= edit_window_days <= 365:
        raise ValidationError({"edit_window_days": "Окно исправлений — от 0 до 365 дней или без ограничения."})
    own = set(WorkType.objects.filter(school=school).values_list("pk", flat=True))
    clean_weights: dict[str, str] = {}
    for work_type_id, weight in weights.items():
        if int(work_type_id) not in own:
            raise ValidationError({"weights": "Вид работы из другой школы."})
        try:
            weight = Decimal(weight)
        except (InvalidOperation, TypeError) as error:
            raise ValidationError({"weights": "Вес — число от 0 до 10."}) from error
        if not Decimal(0) <= weight <= 10:
            raise ValidationError({"weights": "Вес — число от 0 до 10."})
        clean_weights[str(int(work_type_id))] = str(weight.normalize())
    policy = GradingPolicy.objects.filter(school=school, valid_from=valid_from).first()
    before = _policy_snapshot(policy) if policy is not None else None
    policy = policy or GradingPolicy(school=school, valid_from=valid_from)
    policy.allow_modifiers = allow_modifiers
    policy.modifier_value = Decimal(modifier_value)
    policy.excluded_codes = sorted(set(excluded_codes))
    policy.weights = clean_weights
    policy.threshold_2, policy.threshold_3, policy.threshold_4, policy.threshold_5 = t2, t3, t4, t5
    policy.min_marks = min_marks
    policy.two_blocks_five = two_blocks_five
    policy.grades_without_marks = grades
    policy.close_after_days = close_after_days
    policy.edit_window_days = edit_window_days
    policy.year_ties_up = year_ties_up
    policy.note = note.strip()
    policy.created_by = _actor(actor)
    policy.full_clean()
    policy.save()
    record(actor=actor, verb="grading.update" if before else "grading.create", target=policy, before=before,
           after=_policy_snapshot(policy))
    return policy


@transaction.atomic
def save_work_type(
    *, actor: Any, school: School, name: str, short_name: str = "", is_control: bool = False,
    is_default: bool = False, is_active: bool = True, ordering: int | None = None, work_type: WorkType | None = None,
    weight: Decimal | None = None, today: dt.date | None = None,
) -> WorkType:
    """Add or change a work type. A weight given for a new type is written into a version of the rules from today."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Укажите название вида работы."})
    clash = WorkType.objects.filter(school=school, name__iexact=name)
    if work_type is not None:
        clash = clash.exclude(pk=work_type.pk)
    if clash.exists():
        raise ValidationError({"name": f"Вид работы «{name}» уже есть."})
    if is_default and not is_active:
        raise ValidationError({"is_default": "Вид работы по умолчанию должен использоваться."})
    is_new = work_type is None
    before = None if is_new else {"name": work_type.name, "short_name": work_type.short_name,
                                  "is_control": work_type.is_control, "is_default": work_type.is_default,
                                  "is_active": work_type.is_active}
    if is_default:
        WorkType.objects.filter(school=school, is_default=True).exclude(
            pk=getattr(work_type, "pk", None)).update(is_default=False)
    work_type = work_type or WorkType(school=school)
    work_type.name, work_type.short_name = name, short_name.strip()[:12]
    work_type.is_control, work_type.is_default, work_type.is_active = is_control, is_default, is_active
    if ordering is not None:
        work_type.ordering = ordering
    elif is_new:
        last = WorkType.objects.filter(school=school).order_by("-ordering").values_list("ordering", flat=True).first()
        work_type.ordering = (last or 0) + 1
    work_type.full_clean()
    work_type.save()
    record(actor=actor, verb="worktype.create" if is_new else "worktype.update", target=work_type, before=before,
           after={"name": work_type.name, "short_name": work_type.short_name, "is_control": is_control,
                  "is_default": is_default, "is_active": is_active})
    if weight is not None:
        today = today or school_today()
        current = policy_row_for(school, today)
        weights = {int(k): Decimal(v) for k, v in ((current.weights if current else {}) or {}).items()}
        weights[work_type.pk] = Decimal(weight)
        kwargs = _policy_kwargs(current) if current is not None else {}
        save_grading_policy(actor=actor, school=school, valid_from=today, weights=weights, today=today, **kwargs)
    return work_type


def _policy_kwargs(policy: GradingPolicy) -> dict[str, Any]:
    return {
        "allow_modifiers": policy.allow_modifiers, "modifier_value": policy.modifier_value,
        "excluded_codes": policy.excluded_codes,
        "thresholds": (policy.threshold_2, policy.threshold_3, policy.threshold_4, policy.threshold_5),
        "min_marks": policy.min_marks, "two_blocks_five": policy.two_blocks_five,
        "grades_without_marks": policy.grades_without_marks, "close_after_days": policy.close_after_days,
        "edit_window_days": policy.edit_window_days, "year_ties_up": policy.year_ties_up, "note": policy.note,
    }


# --- locks shared by every write --------------------------------------------------------------------------------


@dataclass
class LessonContext:
    lesson: Lesson
    grade: int | None
    period: ReportingPeriod | None
    policy: grading.Policy
    marks_allowed: bool
    late: bool
    work_types: list[WorkType]  # the school's


def _lesson_context(lesson: Lesson, *, today: dt.date) -> LessonContext:
    assignment = lesson.assignment
    grade = selectors.assignment_grade(assignment)
    period = locks.period_of(selectors.assignment_periods(assignment, grade), lesson.date)
    policy_date = selectors.period_policy_date(period, today) if period is not None else lesson.date
    policy, work_types = rules_on(lesson.school, policy_date)
    return LessonContext(lesson=lesson, grade=grade, period=period, policy=policy,
                         marks_allowed=selectors.marks_allowed_for(assignment, grade, policy),
                         late=locks.is_late(lesson.date, policy=policy, today=today), work_types=work_types)


def _require_open(context: LessonContext, *, today: dt.date, reason: str, reason_when_late: bool = True) -> str:
    """Refuse changes to a closed period; demand a reason after the edit window (for what is a correction of the
    record: marks, absences, topic, homework). Returns the cleaned reason."""
    lesson = context.lesson
    if lesson.cancelled:
        raise ValidationError({"lesson": "Урок отменён: записи в журнал по нему не вносятся."})
    lock = locks.period_lock(context.period, policy=context.policy, today=today,
                             reopened_until=locks.reopened_until(lesson.assignment_id, context.period,
                                                               policy=context.policy, today=today))
    if lock.closed:
        raise ValidationError({"lesson": lock.message})
    reason = (reason or "").strip()
    if lock.reopened_until is not None:
        # A closed period reopened by the deputy: every change in it is a late correction.
        context.late = True
        if reason_when_late and not reason:
            raise ValidationError({"reason": f"Период «{lock.period.name}» закрыт и открыт только для исправлений: "
                                             "укажите причину исправления."})
    if context.late and reason_when_late and not reason:
        raise ValidationError({"reason": f"Прошло больше {context.policy.edit_window_days} дн. после урока "
                                         f"{lesson.date:%d.%m.%Y}: это позднее исправление — укажите причину."})
    return reason


LOCKED_LESSON_RELATED = ("school", "assignment__school", "assignment__group__school_class", "assignment__subject",
                         "assignment__year")


def _locked_lesson(lesson: Lesson) -> Lesson:
    """Lock the lesson row and read it afresh: writes to one lesson's cells run one after another (PostgreSQL;
    SQLite writes are serialised by its IMMEDIATE transactions). The school and the assignment (with its group,
    class, subject and year) are taken from ``lesson`` when it was fetched with them (the views fetch them a
    moment before), so the lock reads one row."""
    locked = Lesson.objects.select_for_update(of=("self",))
    fields = Lesson._meta
    if fields.get_field("school").is_cached(lesson) and fields.get_field("assignment").is_cached(lesson):
        fresh = locked.get(pk=lesson.pk)
        if fresh.assignment_id == lesson.assignment_id and fresh.school_id == lesson.school_id:
            fresh.school, fresh.assignment = lesson.school, lesson.assignment
            return fresh
    return locked.select_related(*LOCKED_LESSON_RELATED).get(pk=lesson.pk)


def _replay(key: uuid.UUID | str | None, *, school_id: int, verb: str, scope: dict) -> dict | None:
    if key is None:
        return None
    row = WriteKey.objects.filter(key=key).first()
    if row is None:
        return None
    return _replayed_result(row, school_id=school_id, verb=verb, scope=scope)


KEY_REUSED = "Этот ключ запроса уже использован для другой записи."


def _replayed_result(row: WriteKey, *, school_id: int, verb: str, scope: dict) -> dict:
    """The first result of a retried write — if the key was used for this very write."""
    if row.school_id != school_id or row.verb != verb or any(row.result.get(k) != v for k, v in scope.items()):
        raise ValidationError({"key": KEY_REUSED})
    return row.result


def _remember(key: uuid.UUID | str | None, *, school_id: int, actor: Any, verb: str, result: dict) -> None:
    if key is not None:
        WriteKey.objects.create(school_id=school_id, key=key, actor=_actor(actor), verb=verb, result=result)


def parse_key(value: str | None) -> uuid.UUID | None:
    """An idempotency key from a request; a malformed one is refused rather than ignored."""
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError as error:
        raise ValidationError({"key": "Неверный ключ запроса."}) from error


# --- cells: marks and attendance -------------------------------------------------------------------------------------


@dataclass
class RowFigures:
    """A student's figures in the lesson's period after a save: what the grid's row shows at its right."""

    average: grading.Average
    suggestion: grading.Suggestion


@dataclass
class CellResult:
    lesson: int
    student: int
    text: str
    absence: str
    marks: list[str]
    changed: bool
    late: bool
    replayed: bool = False
    # With ``with_rows``: the row's figures (not part of what a retry replays: they are read afresh each time).
    row: RowFigures | None = field(default=None, compare=False)

    def as_dict(self) -> dict:
        """What is kept with the idempotency key and answered (the row's figures apart)."""
        return {name: value for name, value in vars(self).items() if name != "row"}


def _cell_snapshot(student: Student, attendance: Attendance | None, marks: list[Mark]) -> dict:
    absence = attendance.code if attendance else ""
    return {
        "student": student.pk,
        "cell": grading.format_cell(absence, [(m.value, m.modifier) for m in marks]),
        "absence": absence,
        "marks": [f"{m.text} ({m.work_type.name}){': ' + m.comment if m.comment else ''}" for m in marks],
    }


def _column_work_type(context: LessonContext, state: selectors.ColumnState) -> WorkType:
    """A new mark's work type: the lesson's control type, else the school's default — as the grid's column shows
    it (``selectors.default_work_type``); the school's usual work types are made first if it has none."""
    work_type = next((w for w in context.work_types if w.pk == state.control_type_id), None)
    work_type = work_type or selectors.default_work_type(context.work_types)
    if work_type is None:
        ensure_journal_setup(school=context.lesson.school)
        work_type = WorkType.objects.get(school_id=context.lesson.school_id, is_default=True)
    return work_type


@dataclass
class CellInput:
    """What was typed in one student's cell, with the idempotency key of its request."""

    student: Student
    text: str
    key: uuid.UUID | str | None = None


@dataclass
class ColumnResult:
    """Saved cells in the order given; refused ones by student id, each with its reason."""

    results: list[CellResult]
    errors: dict[int, ValidationError]


def save_cell(
    *, actor: Any, lesson: Lesson, student: Student, text: str, key: uuid.UUID | str | None = None,
    work_type: WorkType | None = None, reason: str = "", today: dt.date | None = None, locked: bool = False,
    with_row: bool = False,
) -> CellResult:
    """Set one student's cell at one lesson from what the teacher typed: «н», «5», «4-», «5/4», «оп 5», or empty.

    Marks keep their work type and comment when only their value changes; new marks get ``work_type`` (the
    column's control type or the school's default). A retry with the same ``key`` changes nothing and returns
    the first result. A column of one: see ``save_cells``.
    """
    column = save_cells(actor=actor, lesson=lesson, cells=[CellInput(student, text, key)], work_type=work_type,
                        reason=reason, today=today, locked=locked, with_rows=with_row)
    if column.errors:
        raise column.errors[student.pk]
    return column.results[0]


def save_cells(
    *, actor: Any, lesson: Lesson, cells: list[CellInput], work_type: WorkType | None = None, reason: str = "",
    today: dt.date | None = None, locked: bool = False, with_rows: bool = False,
) -> ColumnResult:
    """Cells of one lesson's column in one transaction, by the rules of ``save_cell``. A cell that breaks a rule
    of its own (a wrong mark, a student not in the group that day, a key used elsewhere) is refused alone and
    reported; a rule of the lesson (cancelled, period closed, reason missing) refuses them all. Reads the whole
    column at once — a fixed number of queries plus one write per changed mark or absence. ``locked``: the caller
    read ``lesson`` with its row locked in the transaction under way (``select_for_update``), so it is not read
    again. ``with_rows``: each result (a retry's too) carries its student's figures in the period after the save
    (``CellResult.row``), read with the column."""
    if locked and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("save_cells(locked=True) must run in the transaction that locked the lesson")
    with transaction.atomic(savepoint=not locked):  # locked: the caller's transaction is the one
        today = today or school_today()
        if not locked:
            lesson = _locked_lesson(lesson)
        errors: dict[int, ValidationError] = {}
        done: dict[int, CellResult] = {}
        context = _lesson_context(lesson, today=today)
        state = selectors.column_state(lesson, [c.student.pk for c in cells],
                                       [str(c.key) for c in cells if c.key is not None],
                                       work_types=context.work_types, period=context.period if with_rows else None)
        replays = state.keys
        seen_keys: set[str] = set()
        pending: list[tuple[CellInput, grading.CellEntry]] = []
        for cell in cells:
            student = cell.student
            key = str(cell.key) if cell.key is not None else None
            if key in replays:
                try:
                    done[student.pk] = CellResult(**{**_replayed_result(
                        replays[key], school_id=lesson.school_id, verb="cell",
                        scope={"lesson": lesson.pk, "student": student.pk}), "replayed": True})
                except ValidationError as error:
                    errors[student.pk] = error
                continue
            if key is not None:
                if key in seen_keys:
                    errors[student.pk] = ValidationError({"key": KEY_REUSED})
                    continue
                seen_keys.add(key)
            if student.school_id != lesson.school_id:
                errors[student.pk] = ValidationError({"student": "Обучающийся из другой школы."})
                continue
            try:
                entry = grading.parse_cell(cell.text, policy=context.policy)
                if (entry.absence or entry.marks) and lesson.date > today:
                    raise ValidationError({"value": f"Урок {lesson.date:%d.%m.%Y} ещё не прошёл: отметки и пропуски "
                                                    "ставятся в день урока или позже."})
                if entry.marks and not context.marks_allowed:
                    raise ValidationError({"value": _no_marks_message(context)})
            except ValidationError as error:
                errors[student.pk] = error
                continue
            pending.append((cell, entry))
        if pending:
            reason = _require_open(context, today=today, reason=reason)
            if work_type is not None and work_type.school_id != lesson.school_id:
                raise ValidationError({"work_type": "Вид работы другой школы."})
            done.update(_write_cells(actor=actor, lesson=lesson, context=context, state=state, pending=pending,
                                     errors=errors, work_type=work_type, reason=reason))
        if with_rows and context.period is not None:
            for result in done.values():
                result.row = _row_figures(context, state, result.student)
        return ColumnResult(results=[done[c.student.pk] for c in cells if c.student.pk in done], errors=errors)


def _row_figures(context: LessonContext, state: selectors.ColumnState, student_id: int) -> RowFigures:
    """The student's average and suggested final mark in the lesson's period, from his marks at its other lessons
    and those now in his cell (none at a cancelled lesson, which does not count). The other lessons are read as
    the save began: a save of another lesson of the same student committed meanwhile (a second tab) shows in the
    row at the next save or reload, as everything does in the grid."""
    lesson = context.lesson
    marks = list(state.period_marks.get(student_id, ()))
    if not lesson.cancelled:
        marks += [grading.GradedMark(m.value, m.modifier, m.work_type_id, lesson.date, m.position, lesson.number)
                  for m in state.marks.get(student_id, ())]
    average = grading.weighted_average(marks, policy=context.policy)
    return RowFigures(average, grading.suggest_final_mark(marks, policy=context.policy, average=average))


def _write_cells(*, actor: Any, lesson: Lesson, context: LessonContext, state: selectors.ColumnState,
                 pending: list[tuple[CellInput, grading.CellEntry]], errors: dict[int, ValidationError],
                 work_type: WorkType | None, reason: str) -> dict[int, CellResult]:
    absences, marks_of, members = state.absences, state.marks, state.members
    author = _actor(actor)
    author_id = author.pk if author is not None else None
    changes: list[tuple[Lesson, dict, dict]] = []
    keys: list[dict] = []  # the idempotency keys' rows
    results: dict[int, CellResult] = {}
    # The cells' writes go to PostgreSQL together (one round trip for the mark, the audit entry and the key).
    with sql.pipeline():
        for cell, entry in pending:
            student = cell.student
            if (entry.absence or entry.marks) and student.pk not in members:
                errors[student.pk] = ValidationError({"student": f"{student.short_name} не учился в группе "
                                                                 f"«{lesson.assignment.group}» {lesson.date:%d.%m.%Y}."})
                continue
            attendance, marks = absences.get(student.pk), marks_of.get(student.pk, [])
            before = _cell_snapshot(student, attendance, marks)
            # Written in plain statements (``core.sql``): a cell save is the teacher's most frequent write.
            if entry.absence:
                if attendance is None:
                    values = {"school_id": lesson.school_id, "lesson_id": lesson.pk, "student_id": student.pk,
                              "code": entry.absence, "note": "", "set_by_id": author_id}
                    attendance = Attendance(**values)  # its id is not needed: nothing refers to it in this save
                    sql.insert_rows(Attendance, [values])
                elif attendance.code != entry.absence:
                    attendance.code, attendance.set_by_id = entry.absence, author_id
                    sql.update_row(Attendance, attendance.pk, {"code": entry.absence, "set_by_id": author_id})
            elif attendance is not None:
                attendance.delete()
                attendance = None
            kept: list[Mark] = []
            for position, parsed in enumerate(entry.marks):
                if position < len(marks):
                    mark = marks[position]
                    if (mark.value, mark.modifier, mark.position) != (parsed.value, parsed.modifier, position):
                        mark.value, mark.modifier, mark.position, mark.author_id = (parsed.value, parsed.modifier,
                                                                                    position, author_id)
                        sql.update_row(Mark, mark.pk, {"value": parsed.value, "modifier": parsed.modifier,
                                                       "position": position, "author_id": author_id})
                else:
                    work_type = work_type or _column_work_type(context, state)
                    values = {"school_id": lesson.school_id, "lesson_id": lesson.pk, "student_id": student.pk,
                              "value": parsed.value, "modifier": parsed.modifier, "work_type_id": work_type.pk,
                              "comment": "", "position": position, "author_id": author_id}
                    mark = Mark(**values)  # (its id is not needed either)
                    mark.work_type = work_type
                    sql.insert_rows(Mark, [values])
                kept.append(mark)
            for mark in marks[len(entry.marks):]:
                mark.delete()
            marks_of[student.pk] = kept  # the column as it is now (for the row's figures)
            after = _cell_snapshot(student, attendance, kept)
            changed = before != after
            if changed:
                if context.late:
                    after["late"] = True
                changes.append((lesson, before, after))
            result = CellResult(lesson=lesson.pk, student=student.pk, text=after["cell"], absence=after["absence"],
                                marks=[grading.format_mark(m.value, m.modifier) for m in kept], changed=changed,
                                late=context.late and changed)
            results[student.pk] = result
            if cell.key is not None:
                keys.append({"school_id": lesson.school_id, "key": cell.key, "actor_id": author_id, "verb": "cell",
                             "result": result.as_dict()})
        if changes:
            record_many(actor=actor, verb="journal.cell", school=lesson.school, changes=changes, reason=reason)
        sql.insert_rows(WriteKey, keys)
    return results


def _no_marks_message(context: LessonContext) -> str:
    if context.lesson.assignment.subject.without_marks:
        return f"«{context.lesson.assignment.subject}» — безотметочный предмет: отметки не ставятся."
    if context.grade == 1:
        return "В 1-м классе отметки не ставятся."
    return f"В {context.grade}-х классах школа не ставит отметки."


@transaction.atomic
def update_mark(
    *, actor: Any, mark: Mark, work_type: WorkType, comment: str = "", reason: str = "",
    key: uuid.UUID | str | None = None, today: dt.date | None = None,
) -> Mark:
    """Change a mark's work type or comment (its value changes through ``save_cell``)."""
    today = today or school_today()
    lesson = _locked_lesson(mark.lesson)
    if _replay(key, school_id=lesson.school_id, verb="mark", scope={"mark": mark.pk}) is not None:
        return Mark.objects.get(pk=mark.pk)
    mark = Mark.objects.select_related("work_type", "student").get(pk=mark.pk)
    if work_type.school_id != lesson.school_id:
        raise ValidationError({"work_type": "Вид работы другой школы."})
    comment = comment.strip()
    if len(comment) > 300:
        raise ValidationError({"comment": "Комментарий — не длиннее 300 знаков."})
    context = _lesson_context(lesson, today=today)
    reason = _require_open(context, today=today, reason=reason)
    before = {"student": mark.student_id, "mark": mark.text, "work_type": mark.work_type.name,
              "comment": mark.comment}
    if (mark.work_type_id, mark.comment) != (work_type.pk, comment):
        mark.work_type, mark.comment, mark.author = work_type, comment, _actor(actor)
        mark.save(update_fields=["work_type", "comment", "author", "updated_at"])
        after = {"student": mark.student_id, "mark": mark.text, "work_type": work_type.name, "comment": comment}
        if context.late:
            after["late"] = True
        record(actor=actor, verb="journal.mark", target=lesson, before=before, after=after, reason=reason)
    _remember(key, school_id=lesson.school_id, actor=actor, verb="mark", result={"mark": mark.pk})
    return mark


# --- the lesson record ------------------------------------------------------------------------------------------------


@transaction.atomic
def save_lesson_record(
    *, actor: Any, lesson: Lesson, topic: str = UNSET, homework: str = UNSET, control_type: WorkType | None = UNSET,
    homework_due: dt.date | None = UNSET, notes: str = UNSET, reason: str = "", today: dt.date | None = None,
) -> Lesson:
    """Topic and homework (on the lesson), control type, due date and notes (on its record). Only the fields
    given change; one audit entry lists them old → new."""
    today = today or school_today()
    lesson = _locked_lesson(lesson)
    context = _lesson_context(lesson, today=today)
    reason = _require_open(context, today=today, reason=reason)
    record_row = LessonRecord.objects.filter(lesson=lesson).first()
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    lesson_fields = []
    if topic is not UNSET:
        topic = topic.strip()
        if len(topic) > 500:
            raise ValidationError({"topic": "Тема урока — не длиннее 500 знаков."})
        if topic != lesson.topic:
            before["topic"], after["topic"] = lesson.topic, topic
            lesson.topic = topic
            lesson_fields.append("topic")
    if homework is not UNSET:
        homework = homework.strip()
        if homework and not context.marks_allowed:
            raise ValidationError({"homework": _no_homework_message(context)})
        if len(homework) > 4000:
            raise ValidationError({"homework": "Домашнее задание — не длиннее 4000 знаков."})
        if homework != lesson.homework:
            before["homework"], after["homework"] = lesson.homework, homework
            lesson.homework = homework
            lesson_fields.append("homework")
    record_changes: dict[str, Any] = {}
    if control_type is not UNSET:
        if control_type is not None and control_type.school_id != lesson.school_id:
            raise ValidationError({"control_type": "Вид контроля другой школы."})
        current = record_row.control_type_id if record_row else None
        new = control_type.pk if control_type is not None else None
        if current != new:
            before["control_type"] = record_row.control_type.name if record_row and record_row.control_type else ""
            after["control_type"] = control_type.name if control_type is not None else ""
            record_changes["control_type"] = control_type
    if homework_due is not UNSET:
        if homework_due is not None and homework_due <= lesson.date:
            raise ValidationError({"homework_due": "Срок домашнего задания — позже дня урока."})
        year_end = lesson.assignment.year.end
        if homework_due is not None and homework_due > year_end:
            raise ValidationError({"homework_due": f"Срок домашнего задания {homework_due:%d.%m.%Y} — после конца "
                                                   f"учебного года ({year_end:%d.%m.%Y})."})
        if homework_due is not None and not context.marks_allowed:
            raise ValidationError({"homework_due": _no_homework_message(context)})
        current_due = record_row.homework_due if record_row else None
        if current_due != homework_due:
            before["homework_due"] = str(current_due) if current_due else ""
            after["homework_due"] = str(homework_due) if homework_due else ""
            record_changes["homework_due"] = homework_due
    if notes is not UNSET:
        notes = notes.strip()
        if len(notes) > 2000:
            raise ValidationError({"notes": "Примечания — не длиннее 2000 знаков."})
        if notes != (record_row.notes if record_row else ""):
            before["notes"], after["notes"] = (record_row.notes if record_row else ""), notes
            record_changes["notes"] = notes
    if lesson_fields:
        lesson.save(update_fields=[*lesson_fields, "updated_at"])
    if record_changes:
        record_row = record_row or LessonRecord(school_id=lesson.school_id, lesson=lesson)
        for name, value in record_changes.items():
            setattr(record_row, name, value)
        record_row.save()
    if after:
        if context.late:
            after["late"] = True
        record(actor=actor, verb="journal.lesson", target=lesson, before=before, after=after, reason=reason)
    return lesson


def _no_homework_message(context: LessonContext) -> str:
    if context.lesson.assignment.subject.without_marks:
        return f"«{context.lesson.assignment.subject}» — безотметочный предмет: домашние задания не задаются."
    if context.grade == 1:
        return "В 1-м классе домашние задания не задаются."
    return f"В {context.grade}-х классах домашние задания не задаются."


@transaction.atomic
def add_homework_attachment(
    *, actor: Any, lesson: Lesson, upload: Any, key: uuid.UUID | str | None = None, today: dt.date | None = None,
) -> HomeworkAttachment:
    """A file to the homework: size and type limited; a retried upload with the same key adds nothing."""
    today = today or school_today()
    lesson = _locked_lesson(lesson)
    replayed = _replay(key, school_id=lesson.school_id, verb="attachment", scope={"lesson": lesson.pk})
    if replayed is not None:
        return HomeworkAttachment.objects.get(pk=replayed["attachment"])
    context = _lesson_context(lesson, today=today)
    if not context.marks_allowed:
        raise ValidationError({"file": _no_homework_message(context)})
    _require_open(context, today=today, reason="", reason_when_late=False)
    original = PurePath(getattr(upload, "name", "") or "файл").name
    extension = PurePath(original).suffix.lower()
    content_type = HOMEWORK_TYPES.get(extension)
    if content_type is None:
        allowed = ", ".join(sorted(e.lstrip(".") for e in HOMEWORK_TYPES))
        raise ValidationError({"file": f"«{original}»: такой тип файла не принимается. Можно: {allowed}."})
    size = getattr(upload, "size", 0) or 0
    if size <= 0:
        raise ValidationError({"file": f"«{original}»: файл пустой."})
    if size > HOMEWORK_MAX_BYTES:
        raise ValidationError({"file": f"«{original}»: файл больше {HOMEWORK_MAX_BYTES // (1024 * 1024)} МБ."})
    if HomeworkAttachment.objects.filter(lesson=lesson).count() >= HOMEWORK_MAX_FILES:
        raise ValidationError({"file": f"К уроку можно приложить не больше {HOMEWORK_MAX_FILES} файлов."})
    stored_name = get_valid_filename(f"{uuid.uuid4().hex[:12]}{extension}")
    attachment = HomeworkAttachment(school_id=lesson.school_id, lesson=lesson, name=original[:200], size=size,
                                    content_type=content_type or mimetypes.guess_type(original)[0] or "",
                                    uploaded_by=_actor(actor))
    attachment.file.save(stored_name, upload, save=False)
    attachment.save()
    record(actor=actor, verb="journal.attachment_add", target=lesson,
           after={"file": attachment.name, "size": size, "attachment": attachment.pk})
    _remember(key, school_id=lesson.school_id, actor=actor, verb="attachment",
              result={"lesson": lesson.pk, "attachment": attachment.pk})
    return attachment


@transaction.atomic
def remove_homework_attachment(*, actor: Any, attachment: HomeworkAttachment, today: dt.date | None = None) -> None:
    today = today or school_today()
    lesson = _locked_lesson(attachment.lesson)
    context = _lesson_context(lesson, today=today)
    _require_open(context, today=today, reason="", reason_when_late=False)
    record(actor=actor, verb="journal.attachment_remove", target=lesson,
           before={"file": attachment.name, "size": attachment.size, "attachment": attachment.pk})
    stored = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def save_individual_homework(
    *, actor: Any, lesson: Lesson, student: Student, text: str, today: dt.date | None = None,
) -> IndividualHomework | None:
    """Homework for one student at this lesson; an empty text removes it."""
    today = today or school_today()
    lesson = _locked_lesson(lesson)
    context = _lesson_context(lesson, today=today)
    text = text.strip()
    if text and not context.marks_allowed:
        raise ValidationError({"text": _no_homework_message(context)})
    _require_open(context, today=today, reason="", reason_when_late=False)
    if not selectors.is_member_on(lesson.assignment.group, student, lesson.date):
        raise ValidationError({"student": f"{student.short_name} не учился в группе {lesson.date:%d.%m.%Y}."})
    row = IndividualHomework.objects.filter(lesson=lesson, student=student).first()
    before = row.text if row else ""
    if before == text:
        return row
    if text:
        row = row or IndividualHomework(school_id=lesson.school_id, lesson=lesson, student=student)
        row.text = text
        row.save()
    elif row is not None:
        row.delete()
        row = None
    record(actor=actor, verb="journal.individual_homework", target=lesson,
           before={"student": student.pk, "text": before}, after={"student": student.pk, "text": text})
    return row


# --- final marks ---------------------------------------------------------------------------------------------------


@transaction.atomic
def set_final_mark(
    *, actor: Any, assignment: TeachingAssignment, student: Student, period: ReportingPeriod | None, value: str,
    reason: str = "", today: dt.date | None = None,
) -> FinalMark | None:
    """Set (or, with an empty value, remove) a student's final mark for a period or, with ``period=None``, the year.

    The suggestion is computed by the rules in force; a mark a whole point or more from it, or «н/а» where a
    mark was suggested, is flagged to the deputy and needs the teacher's reason. A closed period refuses.
    """
    today = today or school_today()
    assignment = (TeachingAssignment.objects.select_for_update(of=("self",))
                  .select_related("group__school_class", "subject", "year").get(pk=assignment.pk))
    value = grading.normalize_text(value)
    if value and value not in grading.FINAL_VALUES:
        raise ValidationError({"value": f"«{value}» — не итоговая отметка. Допустимо: 5, 4, 3, 2, 1, зч, нз, н/а, "
                                        "осв."})
    grade = selectors.assignment_grade(assignment)
    periods = selectors.assignment_periods(assignment, grade)
    if period is not None and period.pk not in {p.pk for p in periods}:
        raise ValidationError({"period": "Период не относится к этой параллели."})
    lock_period = period or (periods[-1] if periods else None)
    policy_on = selectors.period_policy_date(lock_period, today) if lock_period is not None else today
    policy_row = policy_row_for(assignment.school_id, policy_on)
    policy = policy_for(assignment.school_id, policy_on)
    if not selectors.marks_allowed_for(assignment, grade, policy):
        raise ValidationError({"value": "Для этого предмета и класса итоговые отметки не выставляются."})
    lock = locks.period_lock(lock_period, policy=policy, today=today,
                             reopened_until=locks.reopened_until(assignment, lock_period, policy=policy, today=today))
    if lock.closed:
        raise ValidationError({"value": lock.message})
    span_start = period.start if period else (periods[0].start if periods else assignment.year.start)
    span_end = period.end if period else (periods[-1].end if periods else assignment.year.end)
    if student.pk not in selectors.member_spans(assignment.group, span_start, span_end):
        raise ValidationError({"student": f"{student.short_name} не учился в группе «{assignment.group}» "
                                          "в этом периоде."})
    if period is not None and today < period.start:
        raise ValidationError({"period": f"Период «{period.name}» ещё не начался."})
    kind = FinalKind.PERIOD if period is not None else FinalKind.YEAR
    existing = FinalMark.objects.filter(assignment=assignment, student=student, kind=kind, period=period).first()
    before = _final_snapshot(existing)
    if not value:
        if existing is None:
            return None
        record(actor=actor, verb="final.clear", target=existing, before=before, after=None, reason=reason.strip())
        existing.delete()
        return None
    if period is not None:
        suggestion = grading.suggest_final_mark(selectors.student_period_marks(assignment, student, period),
                                                policy=policy)
    else:
        rows = {r.student.pk: r for r in selectors.year_final_rows(assignment, periods, policy=policy)}
        suggestion = rows[student.pk].suggestion
    flagged = grading.deviates(value, suggestion.value)
    reason = reason.strip()
    if flagged and not reason:
        raise ValidationError({"reason": f"{student.short_name}: отметка «{value}» расходится с предложенной "
                                         f"«{suggestion.value}» на балл и больше — укажите обоснование."})
    final = existing or FinalMark(school_id=assignment.school_id, assignment=assignment, student=student, kind=kind,
                                  period=period)
    if existing is not None and existing.value == value and existing.reason == reason:
        return existing
    final.value = value
    final.suggested = suggestion.value or ""
    final.average = suggestion.average
    final.policy = policy_row
    final.flagged = flagged
    final.reason = reason
    final.set_by = _actor(actor)
    final.set_at = timezone.now()
    final.save()
    record(actor=actor, verb="final.set", target=final, before=before, after=_final_snapshot(final), reason=reason)
    return final


def _final_snapshot(final: FinalMark | None) -> dict | None:
    if final is None:
        return None
    return {"student": final.student_id, "assignment": final.assignment_id, "period": final.period_id,
            "kind": final.kind, "value": final.value, "suggested": final.suggested,
            "average": str(final.average) if final.average is not None else None, "flagged": final.flagged}


@transaction.atomic
def set_final_marks(
    *, actor: Any, assignment: TeachingAssignment, period: ReportingPeriod | None,
    values: dict[int, tuple[str, str]], today: dt.date | None = None,
) -> int:
    """A whole column of final marks, all or nothing: student id → (value, reason). Returns how many changed."""
    students = {s.pk: s for s in Student.objects.filter(pk__in=list(values), school_id=assignment.school_id)}
    errors: list[str] = []
    changed = 0
    kind = FinalKind.PERIOD if period is not None else FinalKind.YEAR
    current = {f.student_id: (f.value, f.reason) for f in FinalMark.objects.filter(assignment=assignment, kind=kind,
                                                                                   period=period)}
    for student_id, (value, reason) in values.items():
        student = students.get(student_id)
        if student is None:
            errors.append("Обучающийся не найден.")
            continue
        old = current.get(student_id, ("", ""))
        if (grading.normalize_text(value), reason.strip()) == (old[0], old[1]) or (not value.strip() and not old[0]):
            continue
        try:
            set_final_mark(actor=actor, assignment=assignment, student=student, period=period, value=value,
                           reason=reason, today=today)
            changed += 1
        except ValidationError as error:
            errors.extend(f"{student.short_name}: {m}" if not m.startswith(student.short_name) else m
                          for m in error.messages)
    if errors:
        raise ValidationError(errors)
    return changed


# --- locks ----------------------------------------------------------------------------------------------------------------


@transaction.atomic
def reopen_period(
    *, actor: Any, assignment: TeachingAssignment, period: ReportingPeriod, until: dt.date, reason: str,
    today: dt.date | None = None,
) -> PeriodReopening:
    """The deputy opens one assignment's closed period for corrections until ``until`` (at most 30 days)."""
    today = today or school_today()
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Укажите причину открытия периода."})
    if period.school_id != assignment.school_id or period.period_set.year_id != assignment.year_id:
        raise ValidationError({"period": "Период не относится к учебному году этой нагрузки."})
    if until < today:
        raise ValidationError({"until": "Дата окончания не может быть в прошлом."})
    if until > today + dt.timedelta(days=MAX_REOPEN_DAYS):
        raise ValidationError({"until": f"Период открывается не больше чем на {MAX_REOPEN_DAYS} дней."})
    reopening = PeriodReopening.objects.create(school_id=assignment.school_id, assignment=assignment, period=period,
                                               until=until, reason=reason, created_by=_actor(actor))
    record(actor=actor, verb="journal.period_reopen", target=reopening, reason=reason,
           after={"assignment": assignment.pk, "period": period.pk, "until": str(until)})
    return reopening


# --- the class teacher: reasons of absences and the weekly check ------------------------------------------------------


REASON_CODES = (AbsenceCode.ABSENT, AbsenceCode.SICK, AbsenceCode.EXCUSED, AbsenceCode.LATE)


@transaction.atomic
def set_absence_reason(
    *, actor: Any, lesson: Lesson, student: Student, code: str, note: str = "", key: uuid.UUID | str | None = None,
    today: dt.date | None = None,
) -> Attendance | None:
    """The class teacher's correction of an absence: «н» → «б» / «уп» with a note, or removed (empty code: the
    student was at the lesson, the note says why). Marks of the cell are not touched."""
    today = today or school_today()
    lesson = _locked_lesson(lesson)
    if _replay(key, school_id=lesson.school_id, verb="absence_reason",
               scope={"lesson": lesson.pk, "student": student.pk}) is not None:
        return Attendance.objects.filter(lesson=lesson, student=student).first()
    code = (code or "").strip().lower()
    note = (note or "").strip()
    if code and code not in REASON_CODES:
        raise ValidationError({"code": "Отметка посещаемости — н, б, уп или оп."})
    if len(note) > 300:
        raise ValidationError({"note": "Примечание — не длиннее 300 знаков."})
    context = _lesson_context(lesson, today=today)
    _require_open(context, today=today, reason=note, reason_when_late=False)
    attendance = Attendance.objects.filter(lesson=lesson, student=student).first()
    if attendance is None and code and not selectors.is_member_on(lesson.assignment.group, student, lesson.date):
        raise ValidationError({"student": f"{student.short_name} не учился в группе {lesson.date:%d.%m.%Y}."})
    if not code and attendance is not None and not note:
        raise ValidationError({"note": "Укажите, почему пропуск снят."})
    before = {"student": student.pk, "absence": attendance.code if attendance else "",
              "note": attendance.note if attendance else ""}
    if code:
        attendance = attendance or Attendance(school_id=lesson.school_id, lesson=lesson, student=student)
        attendance.code, attendance.note, attendance.set_by = code, note, _actor(actor)
        attendance.save()
    elif attendance is not None:
        attendance.delete()
        attendance = None
    after = {"student": student.pk, "absence": code, "note": note}
    if before != after:
        record(actor=actor, verb="journal.absence_reason", target=lesson, before=before, after=after, reason=note)
    _remember(key, school_id=lesson.school_id, actor=actor, verb="absence_reason",
              result={"lesson": lesson.pk, "student": student.pk})
    return attendance


@transaction.atomic
def set_day_absence_reason(
    *, actor: Any, school_class: SchoolClass, student: Student, date: dt.date, code: str, note: str = "",
    today: dt.date | None = None,
) -> int:
    """Give every «н» of a student on a day the same reason (a note from the doctor covers the day)."""
    if code not in (AbsenceCode.SICK, AbsenceCode.EXCUSED):
        raise ValidationError({"code": "Причина на весь день — «б» (болезнь) или «уп» (уважительная)."})
    rows = list(Attendance.objects.filter(student=student, lesson__date=date, code=AbsenceCode.ABSENT)
                .select_related("lesson"))
    if not rows:
        raise ValidationError({"date": f"У {student.short_name} нет пропусков «н» {date:%d.%m.%Y}."})
    for row in rows:
        set_absence_reason(actor=actor, lesson=row.lesson, student=student, code=code, note=note, today=today)
    return len(rows)


@transaction.atomic
def confirm_attendance_week(
    *, actor: Any, school_class: SchoolClass, week_start: dt.date, note: str = "", with_unexcused: bool = False,
) -> AttendanceCheck:
    """The class teacher confirms the week's attendance. With absences still without a reason («н») only when he
    says so (``with_unexcused``): the check then records how many were left."""
    if week_start.weekday() != 0:
        raise ValidationError({"week_start": "Неделя начинается с понедельника."})
    unexcused = unexcused_absences(school_class=school_class, week_start=week_start)
    if unexcused and not with_unexcused:
        raise ValidationError({"with_unexcused": (
            f"За неделю остались пропуски без причины: {unexcused}. Укажите причины или подтвердите неделю "
            f"с пропусками без причины (отметьте «Подтвердить с пропусками без причины»).")})
    if unexcused and not note.strip():
        note = f"подтверждено с пропусками без причины: {unexcused}"
    check, created = AttendanceCheck.objects.update_or_create(
        school_class=school_class, week_start=week_start,
        defaults={"school_id": school_class.school_id, "checked_by": _actor(actor), "checked_at": timezone.now(),
                  "note": note.strip()[:300]},
    )
    record(actor=actor, verb="journal.attendance_check", target=check,
           after={"class": school_class.pk, "week_start": str(week_start), "note": check.note,
                  "unexcused": unexcused})
    return check


def unexcused_absences(*, school_class: SchoolClass, week_start: dt.date) -> int:
    """Absences without a reason («н») of the class's pupils in the week (Monday to Saturday)."""
    week_end = week_start + dt.timedelta(days=5)
    students = Enrollment.objects.filter(school_class=school_class, start__lte=week_end).filter(
        Q(end__isnull=True) | Q(end__gte=week_start)).values("student_id")
    return Attendance.objects.filter(student_id__in=students, code=AbsenceCode.ABSENT, lesson__date__gte=week_start,
                                     lesson__date__lte=week_end).count()

