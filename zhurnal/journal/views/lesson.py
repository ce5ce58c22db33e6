"""One lesson: its record (topic, homework, files, control type, notes), its column of cells, cells' and the
lesson's history. Every write answers JSON to the journal script and redirects a plain form."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhurnal.core import idempotency, params, uploads
from zhurnal.core.dates import today as school_today
from zhurnal.planning import selectors as plan_selectors
from zhurnal.school.models import Student

from .. import grading, permissions, selectors, services
from ..forms import HomeworkFileForm, LessonRecordForm
from ..models import HomeworkAttachment, Mark, WorkType
from .common import (
    error_messages,
    flash_outcome,
    json_error,
    own_path,
    require,
    school_row,
    school_view,
    scoped,
    visible_lesson,
    wants_json,
)


def _lesson_url(lesson) -> str:
    return reverse("journal:lesson", args=[lesson.pk])


@school_view
def lesson(request, pk: int):
    lesson = visible_lesson(request, pk)
    require(request.roles.staff is not None)  # families read the diary, not the class's journal
    today = school_today()
    sheet = selectors.lesson_sheet(lesson, today=today)
    can_edit = permissions.can_edit_lesson(request.roles, lesson) and not sheet.lock.closed
    offered = plan_selectors.offered_topic(lesson) if can_edit and not lesson.topic else None
    return render(request, "journal/lesson.html", {
        "offered": offered,
        "lesson": lesson, "sheet": sheet, "can_edit": can_edit, "today": today,
        "can_mark": can_edit and lesson.date <= today,
        "work_types": [w for w in sheet.work_types if w.is_active or w.pk == sheet.column_work_type_id],
        "form_key": uuid.uuid4(),
        "assignment": lesson.assignment, "can_read_grid": permissions.assignments_visible_to(request.roles)
        .filter(pk=lesson.assignment_id).exists(),
        "individual": selectors.individual_homework_of(lesson),
    })


def save_record(request, pk: int):
    lesson = visible_lesson(request, pk)
    require(permissions.can_edit_lesson(request.roles, lesson))
    form = LessonRecordForm(request.POST, school_id=lesson.school_id)
    try:
        services.save_lesson_record(actor=request.user, lesson=lesson, reason=request.POST.get("reason", ""),
                                    **form.changes())
    except ValidationError as error:
        if wants_json(request):
            return json_error(error)
        for message in error_messages(error):
            messages.error(request, message)
        return redirect(_lesson_url(lesson))
    if wants_json(request):
        return JsonResponse({"ok": True})
    messages.success(request, "Запись об уроке сохранена.")
    return redirect(_lesson_url(lesson))


@school_view
@require_POST
def record(request, pk: int):
    return save_record(request, pk)


@school_view
def record_panel(request, pk: int):
    """The lesson's topic and homework as a fragment, opened over the grid from the column's header."""
    lesson = visible_lesson(request, pk)
    require(permissions.can_edit_lesson(request.roles, lesson))
    sheet = selectors.lesson_sheet(lesson, today=school_today())
    require(not sheet.lock.closed)
    return render(request, "journal/_record_panel.html", {
        "lesson": lesson, "sheet": sheet,
        "offered": plan_selectors.offered_topic(lesson) if not lesson.topic else None,
    })


def _row_json(row: services.RowFigures | None) -> dict:
    """Count, average and suggestion of the student's period after a save, for the grid's right columns."""
    if row is None:  # the lesson is in no period
        return {}
    average, suggestion = row.average, row.suggestion
    return {"count": average.count or "", "average": grading.format_average(average.value),
            "suggested": suggestion.value or "", "explanation": suggestion.explanation}


@school_view
def cell(request, pk: int, student_id: int):
    """GET: the cell's marks (with work types and comments), absence and history. POST: save what was typed."""
    if request.method == "POST":
        return _save_cell(request, pk, student_id)
    lesson = visible_lesson(request, pk)
    student = scoped(permissions.lesson_students(lesson), pk=student_id)
    require(permissions.can_read_student_cell(request.roles, lesson, student))
    detail = selectors.cell_detail(lesson, student)
    can_edit = permissions.can_edit_lesson(request.roles, lesson)
    template = "journal/_cell.html" if request.headers.get("HX-Request") == "true" else "journal/cell.html"
    return render(request, template, {
        "lesson": lesson, "student": student, "detail": detail, "can_edit": can_edit,
        "text": grading.format_cell(detail.attendance.code if detail.attendance else "",
                                    [(m.value, m.modifier) for m in detail.marks]),
        "work_types": WorkType.objects.filter(school_id=lesson.school_id).order_by("ordering", "name"),
        "form_key": uuid.uuid4(),
    })


def _conflict_fragment(request, lesson, conflicts: list[services.CellConflict], *, back: str,
                       reason: str = "") -> str:
    """The conflicts of a save as the page shows them: for each cell what it holds now, who changed it and when,
    what the teacher typed, and two ways on — keep mine (a save based on theirs, with a new key) or take theirs."""
    return render_to_string("journal/_conflict.html", {
        "lesson": lesson, "back": back, "reason": reason,
        "conflicts": [{"error": c, "key": uuid.uuid4()} for c in conflicts],
    }, request=request)


def _back(request, pk: int) -> str:
    """Where a cell's save goes back to: the page it came from (``next``), else the lesson."""
    return own_path(request, request.POST.get("next"), reverse("journal:lesson", args=[pk]))


def _save_cell(request, pk: int, student_id: int):
    """One cell from the grid's script (JSON, with the row's new figures) or the cell page's form."""
    post = request.POST
    student = school_row(request, Student, student_id)
    try:
        result = services.save_posted_cell(
            actor=request.user, roles=request.roles, lesson_id=pk, student=student,
            cell=services.PostedCell(post.get("value"), post.get("base"), post.get("key")),
            work_type_id=params.id_param(post, "work_type"), reason=post.get("reason", ""),
            with_row=wants_json(request) and post.get("row") == "1")
    except services.CellConflict as conflict:
        back = _back(request, pk)
        html = _conflict_fragment(request, conflict.lesson, [conflict], back=back, reason=post.get("reason", ""))
        if wants_json(request):
            return JsonResponse({"ok": False, "error": " ".join(conflict.messages), "conflict": conflict.as_dict(),
                                 "html": html}, status=409)
        return render(request, "journal/conflict.html", {"lesson": conflict.lesson, "fragment": html, "back": back},
                      status=409)
    except ValidationError as error:
        if wants_json(request):
            return json_error(error)
        for message in error_messages(error):
            messages.error(request, f"{student.short_name}: {message}")
        return redirect(_back(request, pk))
    if wants_json(request):
        payload = {"ok": True, **result.as_dict()}
        if post.get("row") == "1":
            payload["row"] = _row_json(result.row)
        return JsonResponse(payload)
    messages.success(request, f"{student.short_name}: сохранено.")
    return redirect(_back(request, pk))


@school_view
@require_POST
def cells(request, pk: int):
    """The whole column at once — the lesson page without JavaScript. Cells sent as the page showed them are left
    as they are now; a cell changed meanwhile by someone else is not replaced: the answer lists such conflicts,
    each with «keep mine» and «take theirs»."""
    post = request.POST
    students = {s.pk: s for s in Student.objects.filter(school=request.roles.school, pk__in=params.id_list(
        name[5:] for name in post if name.startswith("cell-")))}
    inputs: list[services.CellInput] = []
    errors: list[str] = []
    for student_id, student in sorted(students.items()):
        posted = services.PostedCell(post.get(f"cell-{student_id}"), post.get(f"base-{student_id}"),
                                     post.get(f"key-{student_id}"))
        try:
            cell = posted.input_for(student)
        except ValidationError as error:
            errors.extend(f"{student.short_name}: {m}" for m in error.messages)
            continue
        if not cell.untouched:
            inputs.append(cell)
    saved = 0
    conflicts: list[services.CellConflict] = []
    try:
        column = services.save_posted_column(actor=request.user, roles=request.roles, lesson_id=pk, named=students,
                                             cells=inputs, reason=post.get("reason", ""))
    except ValidationError as error:  # a rule of the lesson: nothing saved
        errors.extend(error.messages)
    else:
        saved = sum(result.changed for result in column.results)
        conflicts = [error for error in column.errors.values() if isinstance(error, services.CellConflict)]
        errors.extend(f"{students[student_id].short_name}: {m}" for student_id, error in column.errors.items()
                      if not isinstance(error, services.CellConflict) for m in error.messages)
    for message in errors:
        messages.error(request, message)
    if saved:
        messages.success(request, f"Сохранено клеток: {saved}.")
    back = reverse("journal:lesson", args=[pk])
    if conflicts:
        html = _conflict_fragment(request, column.lesson, conflicts, back=back, reason=post.get("reason", ""))
        return render(request, "journal/conflict.html", {"lesson": column.lesson, "fragment": html, "back": back},
                      status=409)
    return redirect(back)


@school_view
@require_POST
def all_present(request, pk: int):
    """«Все присутствуют» — from the lesson page or from «Мой день» (``from=day`` goes back there)."""
    lesson = visible_lesson(request, pk)
    require(permissions.can_edit_lesson(request.roles, lesson))
    back = reverse("journal:today") if request.POST.get("from") == "day" else _lesson_url(lesson)
    try:
        services.confirm_all_present(actor=request.user, lesson=lesson)
    except ValidationError as error:
        if wants_json(request):
            return json_error(error)
        for message in error_messages(error):
            messages.error(request, message)
        return redirect(back)
    if wants_json(request):
        return JsonResponse({"ok": True})
    messages.success(request, f"{lesson.assignment.group.name}, {lesson.assignment.subject.name}, "
                              f"{lesson.number}-й урок: посещаемость отмечена — все присутствуют.")
    return redirect(back)


@school_view
@require_POST
def mark(request, pk: int):
    """A mark's work type and comment, from the cell page."""
    mark = scoped(Mark.objects.filter(school=request.roles.school).select_related("lesson", "student"), pk=pk)
    lesson = visible_lesson(request, mark.lesson_id)
    require(permissions.can_edit_lesson(request.roles, lesson))
    work_type = scoped(WorkType.objects.filter(school=request.roles.school),
                       pk=params.id_param(request.POST, "work_type", required=True))
    with flash_outcome(request, "Отметка сохранена."):
        services.update_mark(actor=request.user, mark=mark, work_type=work_type,
                             comment=request.POST.get("comment", ""), reason=request.POST.get("reason", ""),
                             key=idempotency.parse_key(request.POST.get("key")))
    return redirect(reverse("journal:cell", args=[lesson.pk, mark.student_id]))


@school_view
def history(request, pk: int):
    lesson = visible_lesson(request, pk)
    require(request.roles.staff is not None)
    return render(request, "journal/history.html", {"lesson": lesson,
                                                    "entries": selectors.lesson_history_lines(lesson)})


@school_view
@require_POST
def attachment_add(request, pk: int):
    lesson = visible_lesson(request, pk)
    require(permissions.can_edit_lesson(request.roles, lesson))
    form = HomeworkFileForm(request.POST, request.FILES)
    with flash_outcome(request, lambda: f"Файл «{form.file_name}» приложен к домашнему заданию."):
        services.add_homework_attachment(actor=request.user, lesson=lesson, **form.attachment())
    return redirect(_lesson_url(lesson))


@school_view
def attachment(request, pk: int):
    item = scoped(HomeworkAttachment.objects.filter(school=request.roles.school), pk=pk)
    visible_lesson(request, item.lesson_id)
    return uploads.file_response(item.file.open("rb"), filename=item.name, content_type=item.content_type)


@school_view
@require_POST
def attachment_delete(request, pk: int):
    item = scoped(HomeworkAttachment.objects.filter(school=request.roles.school), pk=pk)
    lesson = visible_lesson(request, item.lesson_id)
    require(permissions.can_edit_lesson(request.roles, lesson))
    with flash_outcome(request, f"Файл «{item.name}» удалён."):
        services.remove_homework_attachment(actor=request.user, attachment=item)
    return redirect(_lesson_url(lesson))


@school_view
@require_POST
def individual_homework(request, pk: int):
    lesson = visible_lesson(request, pk)
    require(permissions.can_edit_lesson(request.roles, lesson))
    student = scoped(permissions.lesson_students(lesson), pk=params.id_param(request.POST, "student", required=True))
    with flash_outcome(request, f"Индивидуальное задание для {student.short_name} сохранено."):
        services.save_individual_homework(actor=request.user, lesson=lesson, student=student,
                                          text=request.POST.get("text", ""))
    return redirect(_lesson_url(lesson))
