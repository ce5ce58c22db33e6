"""Writes of cells: a student's marks and attendance at one lesson, one cell or a lesson's column at once."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from zhurnal.accounts.models import User
from zhurnal.audit.services import record, record_many
from zhurnal.audit.verbs import Verb
from zhurnal.core import events, idempotency, sql
from zhurnal.core.dates import today as school_today
from zhurnal.core.models import WriteKey
from zhurnal.school.models import Student
from zhurnal.school.roles import SchoolRoles
from zhurnal.timetable.models import Lesson

from .. import grading, permissions, selectors
from ..models import (
    Attendance,
    Mark,
    WorkType,
)
from .common import (
    LessonContext,
    _actor,
    _lesson_context,
    _lesson_to_write,
    _locked_lesson,
    _not_given_message,
    _require_open,
)
from .rules import ensure_journal_setup


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
    """What was typed in one student's cell, with the idempotency key of its request and ``base``: the cell as the
    page showed it when the teacher typed (its version). ``None``: no version known — the save is unconditional
    (the service's own callers: demo data, imports); every page and client sends one."""

    student: Student
    text: str
    key: uuid.UUID | str | None = None
    base: str | None = None

    @property
    def untouched(self) -> bool:
        """The cell was sent as the page showed it (a column form's cell the teacher did not change)."""
        return self.base is not None and grading.same_cell(self.text, self.base)

    @property
    def request(self) -> str:
        """What the save asks for, as its idempotency key remembers it: a retry asks the same."""
        return idempotency.fingerprint("cell", self.text, self.base)


VALUE_MISSING = ("Не передано значение клетки: ничего не сохранено. Чтобы очистить клетку, отправьте пустое "
                 "значение.")
BASE_MISSING = ("Не передано, что было в клетке, когда вы начали ввод: ничего не сохранено. Обновите страницу и "
                "введите значение снова.")


@dataclass(frozen=True)
class PostedCell:
    """One cell as a page or a client posted it, each part ``None`` when the request lacks it: read by
    ``input_for`` only once the pupil may be named (a refusal names him)."""

    value: str | None
    base: str | None
    key: str | None = None

    def input_for(self, student: Student) -> CellInput:
        """The value (required — a missing one never means «clear the cell»), the cell as the page showed it
        (``base``, required: the save's version) and the idempotency key (a malformed one refused)."""
        if self.value is None:
            raise ValidationError({"value": VALUE_MISSING})
        if self.base is None:
            raise ValidationError({"base": BASE_MISSING})
        return CellInput(student, self.value, idempotency.parse_key(self.key), self.base)


class CellConflict(ValidationError):
    """The cell changed since the page showed it (another tab, another computer, the class teacher): the save is
    refused and nothing is replaced unseen. Carries what is in the cell now, who changed it and when (from the
    cell's history), and what the teacher typed — the page shows them and lets him keep his value (a save based
    on ``theirs``) or take theirs."""

    def __init__(self, *, lesson: Lesson, student: Student, theirs: str, mine: str, absence: str, marks: list[str],
                 who: str = "", at: dt.datetime | None = None) -> None:
        self.lesson, self.student, self.theirs, self.mine, self.who, self.at = lesson, student, theirs, mine, who, at
        self.absence, self.marks = absence, marks
        parts = [part for part in (who, f"{timezone.localtime(at):%d.%m.%Y %H:%M}" if at else "") if part]
        changed = f" ({', '.join(parts)})" if parts else ""
        super().__init__({"value": f"{student.short_name}: клетку уже изменили{changed} — сейчас в ней "
                                   f"«{theirs or 'пусто'}». Ваше «{mine or 'пусто'}» не сохранено: оставьте своё "
                                   "или возьмите их значение."})

    def as_dict(self) -> dict:
        return {"student": self.student.pk, "theirs": self.theirs, "mine": self.mine, "who": self.who,
                "at": self.at.isoformat() if self.at else None, "absence": self.absence, "marks": self.marks}


@dataclass
class ColumnResult:
    """Saved cells in the order given; refused ones by student id, each with its reason; the lesson as saved."""

    lesson: Lesson
    results: list[CellResult]
    errors: dict[int, ValidationError]


def save_cell(
    *, actor: User | None, lesson: Lesson, student: Student, text: str, key: uuid.UUID | str | None = None,
    base: str | None = None, work_type: WorkType | None = None, reason: str = "", today: dt.date | None = None,
    with_row: bool = False,
) -> CellResult:
    """Set one student's cell at one lesson from what the teacher typed: «н», «5», «4-», «5/4», «оп 5», or empty.

    Marks keep their work type and comment when only their value changes; new marks get ``work_type`` (the
    column's control type or the school's default). A retry with the same ``key`` changes nothing and returns
    the first result. ``base``: the cell as the teacher's page showed it; if the cell holds something else now
    (and not what he typed), the save is refused with ``CellConflict``. A column of one: see ``save_cells``.
    """
    column = save_cells(actor=actor, lesson=lesson, cells=[CellInput(student, text, key, base)], work_type=work_type,
                        reason=reason, today=today, with_rows=with_row)
    return _only_cell(column, student)


def _only_cell(column: ColumnResult, student: Student) -> CellResult:
    if column.errors:
        raise column.errors[student.pk]
    return column.results[0]


def save_posted_cell(
    *, actor: User, roles: SchoolRoles, lesson_id: int, student: Student, cell: PostedCell,
    work_type_id: int | None = None, reason: str = "", with_row: bool = False,
) -> CellResult:
    """``save_cell`` for a cell a page or a client posted: the lesson is read by id, locked and checked for
    ``roles``' user once, in the transaction that saves the cell (Http404: a lesson he may not see, a pupil not of
    its group; PermissionDenied: a lesson he may not change). ``work_type_id``: of the school, else the column's."""
    with transaction.atomic():
        lesson = _lesson_to_write(roles, lesson_id)
        if not permissions.lesson_students(lesson).filter(pk=student.pk).exists():
            raise Http404  # another group's pupil: not named, not saved
        typed = cell.input_for(student)
        work_type = None
        if work_type_id is not None:
            work_type = WorkType.objects.filter(school_id=lesson.school_id, pk=work_type_id).first()
        column = _save_column(actor=actor, lesson=lesson, cells=[typed], work_type=work_type, reason=reason,
                              today=school_today(), with_rows=with_row)
        return _only_cell(column, student)


def save_posted_column(
    *, actor: User, roles: SchoolRoles, lesson_id: int, named: Collection[int], cells: list[CellInput],
    reason: str = "",
) -> ColumnResult:
    """``save_cells`` for a lesson's column a page posted, checked as ``save_posted_cell`` checks a cell; ``named``:
    every pupil the request names, ``cells`` among them those read and changed. A pupil not of the lesson's
    group refuses the whole column (Http404)."""
    with transaction.atomic():
        lesson = _lesson_to_write(roles, lesson_id)
        if permissions.lesson_students(lesson).filter(pk__in=named).count() != len(named):
            raise Http404  # a pupil of another group: not named, nothing saved
        return _save_column(actor=actor, lesson=lesson, cells=cells, reason=reason, today=school_today())


def save_cells(
    *, actor: User | None, lesson: Lesson, cells: list[CellInput], work_type: WorkType | None = None, reason: str = "",
    today: dt.date | None = None, with_rows: bool = False,
) -> ColumnResult:
    """Cells of one lesson's column in one transaction, by the rules of ``save_cell``. A cell that breaks a rule
    of its own (a wrong mark, a student not in the group that day, a key used elsewhere) is refused alone and
    reported; a rule of the lesson (cancelled, period closed, reason missing) refuses them all. A cell whose
    ``base`` is no longer what it holds is refused alone with ``CellConflict`` (unless it already holds what was
    typed); a key used for another write, with ``idempotency.KeyReused``. Reads the whole
    column at once — a fixed number of queries plus one write per changed mark or absence. ``with_rows``: each
    result (a retry's too) carries its student's figures in the period after the save (``CellResult.row``), read
    with the column."""
    with transaction.atomic():
        return _save_column(actor=actor, lesson=_locked_lesson(lesson), cells=cells, work_type=work_type,
                            reason=reason, today=today or school_today(), with_rows=with_rows)


def _save_column(
    *, actor: User | None, lesson: Lesson, cells: list[CellInput], today: dt.date, work_type: WorkType | None = None,
    reason: str = "", with_rows: bool = False,
) -> ColumnResult:
    """``save_cells`` in the transaction under way, ``lesson`` read with its row locked in it."""
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
                done[student.pk] = CellResult(**{**idempotency.replayed_result(
                    replays[key], school_id=lesson.school_id, verb="cell",
                    scope={"lesson": lesson.pk, "student": student.pk}, request=cell.request), "replayed": True})
            except ValidationError as error:
                errors[student.pk] = error
            continue
        if key is not None:
            if key in seen_keys:
                errors[student.pk] = idempotency.KeyReused()
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
                raise ValidationError({"value": _not_given_message(context, "marks")})
            if cell.base is not None:
                _check_version(lesson, state, student, cell.base, entry)
        except ValidationError as error:
            errors[student.pk] = error
            continue
        pending.append((cell, entry))
    if pending:
        reason = _require_open(context, today=today, reason=reason)
        if work_type is not None and work_type.school_id != lesson.school_id:
            raise ValidationError({"work_type": "Вид работы другой школы."})
        try:
            done.update(_write_cells(actor=actor, lesson=lesson, context=context, state=state,
                                     pending=pending, errors=errors, work_type=work_type, reason=reason))
        except IntegrityError as error:
            # A key taken by a save of another lesson not yet committed when this one read the keys.
            if idempotency.is_key_collision(error):
                raise idempotency.KeyReused from error
            raise
    if with_rows and context.period is not None:
        for result in done.values():
            result.row = _row_figures(context, state, result.student)
    return ColumnResult(lesson=lesson, results=[done[c.student.pk] for c in cells if c.student.pk in done],
                        errors=errors)


def _cell_now(state: selectors.ColumnState, student_id: int) -> tuple[str, list]:
    attendance = state.absences.get(student_id)
    marks = state.marks.get(student_id, [])
    return attendance.code if attendance else "", marks


def _check_version(lesson: Lesson, state: selectors.ColumnState, student: Student, base: str,
                   entry: grading.CellEntry) -> None:
    """Refuse a save based on what the cell no longer holds — unless it holds what was typed already (two tabs
    typing the same), which is no conflict. Who changed it and when come from the cell's history."""
    absence, marks = _cell_now(state, student.pk)
    theirs = grading.format_cell(absence, [(m.value, m.modifier) for m in marks])
    mine = grading.format_cell(entry.absence, entry.marks)
    if grading.same_cell(theirs, base) or grading.same_cell(theirs, mine):
        return
    last = selectors.cell_history(lesson, student).select_related(None).select_related("actor").last()
    raise CellConflict(lesson=lesson, student=student, theirs=theirs, mine=mine, absence=absence,
                       marks=[grading.format_mark(m.value, m.modifier) for m in marks],
                       who=last.actor.display_name if last is not None and last.actor is not None else "",
                       at=last.created_at if last is not None else None)


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


def _write_cells(*, actor: User | None, lesson: Lesson, context: LessonContext, state: selectors.ColumnState,
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
                             "result": idempotency.stored_result(result.as_dict(), cell.request)})
        if changes:
            record_many(actor=actor, verb=Verb.JOURNAL_CELL, school=lesson.school, changes=changes, reason=reason)
            # One event for the column (notifications, thresholds): the cells as they were and are now.
            # ``at`` orders the saves of one cell for whoever reads events out of order (several workers).
            events.publish("journal.cells_saved", school_id=lesson.school_id, actor_id=author_id, lesson_id=lesson.pk,
                           at=dt.datetime.now(dt.UTC).isoformat(), changes=[{"student_id": before["student"], "before": before, "after": after}
                                    for _, before, after in changes])
        sql.insert_rows(WriteKey, keys)
    return results


@transaction.atomic
def update_mark(
    *, actor: User, mark: Mark, work_type: WorkType, comment: str = "", reason: str = "",
    key: uuid.UUID | str | None = None, today: dt.date | None = None,
) -> Mark:
    """Change a mark's work type or comment (its value changes through ``save_cell``)."""
    today = today or school_today()
    lesson = _locked_lesson(mark.lesson)
    request = idempotency.fingerprint("mark", work_type.pk, comment, reason)
    if idempotency.replay(key, school_id=lesson.school_id, verb="mark", scope={"mark": mark.pk},
                          request=request) is not None:
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
        record(actor=actor, verb=Verb.JOURNAL_MARK, target=lesson, before=before, after=after, reason=reason)
    idempotency.remember(key, school_id=lesson.school_id, actor=actor, verb="mark", result={"mark": mark.pk},
                         request=request)
    return mark
