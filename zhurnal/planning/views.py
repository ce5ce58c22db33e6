"""КТП pages: the list, one plan, one group's lessons and topics, the import, and the school's coverage.

Thin views: fetch through a scoper (not visible → 404), check a predicate (not allowed → 403), call one service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhurnal.core import params, uploads
from zhurnal.core.dates import today as school_today
from zhurnal.core.forms import error_messages
from zhurnal.core.templatetags.zhurnal import plural
from zhurnal.core.view_helpers import flash_outcome, require, save_form, school_view, scoped
from zhurnal.school.models import AcademicYear, SchoolClass, TeachingAssignment
from zhurnal.school.views.common import year_and_date

from . import exchange, permissions, selectors, services
from .forms import (
    AttachForm,
    CopyForm,
    FillForm,
    ImportForm,
    OwnTopicForm,
    PlanTitleForm,
    SectionForm,
    TopicForm,
)
from .models import CONTROL_KINDS, ThematicPlan

IMPORT_SALT = "zhurnal.planning.import"
IMPORT_MAX_AGE = 3 * 60 * 60
FILL_AHEAD = dt.timedelta(days=7)


def _fail(request, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


def _assignments(request):
    return permissions.assignments_visible_to(request.roles).select_related(
        "teacher", "subject", "group", "group__school_class", "year")


# --- lists -------------------------------------------------------------------------------------------------


@school_view
def index(request):
    roles = request.roles
    require(permissions.can_use_planning(roles))
    year, today = year_and_date(request)
    rows = selectors.assignment_rows(permissions.assignments_visible_to(roles), year, today)
    plans = permissions.plans_visible_to(roles)
    if not roles.is_school_reader and roles.staff is not None:
        plans = plans.filter(owner=roles.staff)
    return render(request, "planning/index.html", {
        "year": year, "years": roles.school.years.all(), "rows": rows, "today": today,
        "unattached": selectors.unattached_plans(plans, year),
        "is_reader": roles.is_school_reader, "can_coverage": permissions.can_read_coverage(roles),
    })


@school_view
def coverage(request):
    require(permissions.can_read_coverage(request.roles))
    year, today = year_and_date(request)
    only_behind = request.GET.get("behind") == "1"
    assignments = permissions.assignments_visible_to(request.roles)
    classes = list(SchoolClass.objects.filter(year=year, pk__in=assignments.filter(year=year).values(
        "group__school_class")).order_by("grade", "letter"))
    chosen_class = params.id_param(request.GET, "class")
    if chosen_class is not None:
        assignments = assignments.filter(group__school_class_id=chosen_class)
    rows = selectors.school_coverage(assignments, year, today)
    counts = {"behind": 0, "no_plan": 0, "on_track": 0, "ahead": 0}
    for row in rows:
        counts[row.coverage.status] += 1
    if only_behind:
        rows = [row for row in rows if row.coverage.status in ("behind", "no_plan")]
    # A page of a reasonable size: a whole school's groups come in pages.
    pages = max(1, -(-len(rows) // COVERAGE_PAGE))
    page = min(pages, params.int_param(request.GET, "page", default=1, minimum=1))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "planning/coverage.html", {
        "year": year, "years": request.roles.school.years.all(), "today": today,
        "rows": rows[(page - 1) * COVERAGE_PAGE:page * COVERAGE_PAGE], "only_behind": only_behind, "counts": counts,
        "classes": classes, "chosen_class": chosen_class, "page": page, "pages": pages,
        "page_numbers": range(1, pages + 1), "query": query.urlencode(),
    })


COVERAGE_PAGE = 60


# --- one group's lessons and topics ----------------------------------------------------------------------------


@school_view
def assignment_page(request, pk: int):
    roles = request.roles
    assignment = scoped(_assignments(request), pk=pk)
    plan = services.plan_of(assignment)
    today = school_today()
    coverage = selectors.coverage_for_assignments([assignment.pk], today)[assignment.pk]
    check = None
    if plan is not None:
        check = selectors.hours_check(plan_hours=coverage.planned_hours, assignment=assignment,
                                      curriculum=selectors.curriculum_index(assignment.year),
                                      lessons_in_year=coverage.lessons_in_year)
    can_edit = permissions.can_edit_topics(roles, assignment)
    attachable = []
    if can_edit and plan is None:
        attachable = list(selectors.plans_for_attach(permissions.plans_visible_to(roles), assignment))
    topics = selectors.assignment_lessons(assignment, plan, today)
    return render(request, "planning/assignment.html", {
        "assignment": assignment, "plan": plan, "coverage": coverage, "check": check, "topics": topics,
        "today": today, "can_edit": can_edit,
        "can_edit_plan": plan is not None and permissions.can_edit_plan(roles, plan),
        "fill_form": FillForm(initial={"until": today + FILL_AHEAD}),
        "attach_form": AttachForm(choices=[(p.pk, f"{p.title} ({p.owner.short_name})") for p in attachable])
        if attachable else None,
    })


def _editable_assignment(request, pk: int) -> TeachingAssignment:
    assignment = scoped(_assignments(request), pk=pk)
    require(permissions.can_edit_topics(request.roles, assignment))
    return assignment


def _assignment_url(assignment_id: int, anchor: str = "") -> str:
    url = reverse("planning:assignment", args=[assignment_id])
    return f"{url}#{anchor}" if anchor else url


@school_view
@require_POST
def create_plan(request, pk: int):
    assignment = _editable_assignment(request, pk)
    try:
        plan = services.create_plan(actor=request.user, assignment=assignment)
    except ValidationError as error:
        _fail(request, error)
        return redirect(_assignment_url(assignment.pk))
    messages.success(request, f"КТП «{plan}» создан. Добавьте разделы и темы или загрузите их из файла.")
    return redirect("planning:plan", plan.pk)


@school_view
@require_POST
def attach_plan(request, pk: int):
    assignment = _editable_assignment(request, pk)
    plans = list(selectors.plans_for_attach(permissions.plans_visible_to(request.roles), assignment))
    form = AttachForm(request.POST, choices=[(p.pk, p.title) for p in plans])
    if not form.is_valid():
        messages.error(request, "Выберите КТП из списка.")
        return redirect(_assignment_url(assignment.pk))
    plan = scoped(permissions.plans_visible_to(request.roles), pk=form.cleaned_data["plan"])
    with flash_outcome(request, f"Группа {assignment.group} работает по КТП «{plan}»."):
        services.attach_plan(actor=request.user, plan=plan, assignment=assignment)
    return redirect(_assignment_url(assignment.pk))


@school_view
@require_POST
def fill_topics(request, pk: int):
    assignment = _editable_assignment(request, pk)
    form = FillForm(request.POST)
    if not form.is_valid():
        for text in error_messages(form):
            messages.error(request, text)
        return redirect(_assignment_url(assignment.pk))
    until = form.cleaned_data["until"]
    try:
        result = services.fill_topics_from_plan(actor=request.user, assignment=assignment, until=until,
                                                start_hour=form.cleaned_data["start_hour"])
    except ValidationError as error:
        _fail(request, error)
        return redirect(_assignment_url(assignment.pk))
    _report_fill(request, result, until)
    return redirect(_assignment_url(assignment.pk, "lessons"))


def _report_fill(request, result: services.FillResult, until: dt.date) -> None:
    if result.filled:
        first, last = result.filled[0].date, result.filled[-1].date
        span = f"{first:%d.%m.%Y}" if first == last else f"с {first:%d.%m.%Y} по {last:%d.%m.%Y}"
        messages.success(request, f"Темы из КТП записаны в {plural(len(result.filled), 'урок,урока,уроков')} "
                                  f"({span}).")
    elif not result.plan_finished:
        messages.info(request, f"До {until:%d.%m.%Y} нет уроков без темы после последнего урока с темой из КТП.")
    if result.plan_finished:
        messages.warning(request, "Темы КТП закончились: все часы плана уже распределены по урокам.")
    for lesson, reason in result.skipped:
        messages.warning(request, f"Урок {lesson.date:%d.%m.%Y} пропущен: {reason}")


# What a lesson's buttons do to the plan topics from that lesson on (the url names the action): the service and
# what the page says when it is done.
LESSON_ACTIONS = {
    "shift": (services.shift_topics, "Урок {date} освобождён, темы КТП сдвинуты на урок вперёд."),
    "pull": (services.pull_topics, "Темы КТП подтянуты на урок {date}."),
    "extend": (services.extend_topic, "Тема урока {date} продлена на следующий урок, следующие темы сдвинуты."),
}


@school_view
@require_POST
def lesson_action(request, pk: int, action: str):
    lesson = scoped(permissions.lessons_visible_to(request.roles).select_related("assignment"), pk=pk)
    require(permissions.can_edit_topics(request.roles, lesson.assignment))
    service, success = LESSON_ACTIONS[action]
    with flash_outcome(request, success.format(date=f"{lesson.date:%d.%m.%Y}")):
        service(actor=request.user, lesson=lesson)
    return redirect(_assignment_url(lesson.assignment_id, f"lesson-{lesson.pk}"))


@school_view
def own_topic(request, pk: int):
    lesson = scoped(permissions.lessons_visible_to(request.roles).select_related(
        "assignment__subject", "assignment__group"), pk=pk)
    require(permissions.can_edit_topics(request.roles, lesson.assignment))
    form = OwnTopicForm(request.POST or None, initial={"topic": lesson.topic})
    saved = save_form(request, form, lambda data: services.set_own_topic(actor=request.user, lesson=lesson,
                                                                          topic=data["topic"]),
                      success=f"Уроку {lesson.date:%d.%m.%Y} записана своя тема.",
                      then=_assignment_url(lesson.assignment_id, f"lesson-{lesson.pk}"))
    if saved:
        return saved
    return render(request, "planning/own_topic.html", {"lesson": lesson, "form": form})


# --- one plan -----------------------------------------------------------------------------------------------


def _plans(request):
    return permissions.plans_visible_to(request.roles).select_related("subject", "year", "owner")


def _editable_plan(request, pk: int) -> ThematicPlan:
    plan = scoped(_plans(request), pk=pk)
    require(permissions.can_edit_plan(request.roles, plan))
    return plan


@school_view
def plan_detail(request, pk: int):
    plan = scoped(_plans(request), pk=pk)
    today = min(max(school_today(), plan.year.start), plan.year.end)
    view = selectors.plan_view(plan, today)
    return render(request, "planning/plan_detail.html", {
        "plan": plan, "view": view, "can_edit": permissions.can_edit_plan(request.roles, plan),
    })


@school_view
def plan_edit(request, pk: int):
    plan = _editable_plan(request, pk)
    form = PlanTitleForm(request.POST or None, initial={"title": plan.title})
    return _title_page(request, plan, form, lambda title: services.update_plan(actor=request.user, plan=plan,
                                                                               title=title),
                       success="Название КТП сохранено.", heading="Название КТП")


def _title_page(request, plan: ThematicPlan, form, save: Callable[[str], object], *, success: str, heading: str):
    """The one-line form of a plan's title or a section's title: saved, back to the plan; else the form again."""
    saved = save_form(request, form, lambda data: save(data["title"]), success=success, then=_plan_url(plan.pk))
    if saved:
        return saved
    return render(request, "planning/form.html", {"plan": plan, "form": form, "heading": heading})


@school_view
@require_POST
def plan_delete(request, pk: int):
    plan = _editable_plan(request, pk)
    title = str(plan)
    services.delete_plan(actor=request.user, plan=plan)
    messages.success(request, f"КТП «{title}» удалён. Темы, уже записанные в уроки, остались.")
    return redirect("planning:index")


@school_view
@require_POST
def plan_detach(request, pk: int, assignment_pk: int):
    plan = _editable_plan(request, pk)
    assignment = scoped(TeachingAssignment.objects.filter(plan_use__plan=plan), pk=assignment_pk)
    with flash_outcome(request, f"Группа {assignment.group} больше не работает по КТП «{plan}»."):
        services.detach_plan(actor=request.user, plan=plan, assignment=assignment)
    return redirect("planning:plan", plan.pk)


def _copy_targets(request, plan: ThematicPlan) -> list[tuple[str, str]]:
    staff = request.roles.staff
    assignments = (TeachingAssignment.objects.filter(school=plan.school, teacher=staff, subject=plan.subject,
                                                     year__start__gte=plan.year.start, plan_use__isnull=True)
                   .select_related("group__school_class", "year")
                   .order_by("year__start", "group__name"))
    choices = [(f"a{a.pk}", f"{a.group} — {a.year} уч. год") for a in assignments
               if services.grade_of(a) == plan.grade]
    for year in AcademicYear.objects.filter(school=plan.school, start__gt=plan.year.start).order_by("start"):
        choices.append((f"y{year.pk}", f"На {year} учебный год (группа выбирается позже)"))
    return choices


@school_view
def plan_copy(request, pk: int):
    plan = _editable_plan(request, pk)
    choices = _copy_targets(request, plan)
    form = CopyForm(request.POST or None, choices=choices)

    def copy_to(data) -> ThematicPlan:
        kind, target_pk = data["target"][0], int(data["target"][1:])
        if kind == "a":
            assignment = scoped(TeachingAssignment.objects.filter(school=plan.school), pk=target_pk)
            return services.copy_plan(actor=request.user, plan=plan, assignment=assignment)
        year = scoped(AcademicYear.objects.filter(school=plan.school), pk=target_pk)
        return services.copy_plan(actor=request.user, plan=plan, year=year)

    saved = save_form(request, form, copy_to, success=lambda copy: f"КТП скопирован: «{copy}», {copy.year} уч. год.",
                      then=lambda copy: _plan_url(copy.pk))
    if saved:
        return saved
    return render(request, "planning/copy.html", {"plan": plan, "form": form, "has_targets": bool(choices)})


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    return uploads.file_response(data, filename=filename, content_type=content_type)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


@school_view
def plan_export(request, pk: int, fmt: str):
    plan = scoped(_plans(request), pk=pk)
    items = services.plan_items(plan)
    name = f"КТП {plan.title} {plan.year}".replace("/", "-")
    if fmt == "xlsx":
        return _download(exchange.to_xlsx(items), f"{name}.xlsx", XLSX_TYPE)
    return _download(exchange.to_csv(items), f"{name}.csv", CSV_TYPE)


@school_view
def template_download(request, fmt: str):
    require(permissions.can_use_planning(request.roles))
    if fmt == "xlsx":
        return _download(exchange.to_xlsx(exchange.SAMPLE_ITEMS), "Шаблон КТП.xlsx", XLSX_TYPE)
    return _download(exchange.to_csv(exchange.SAMPLE_ITEMS), "Шаблон КТП.csv", CSV_TYPE)


# --- plan contents -------------------------------------------------------------------------------------------


TOPIC_FIELDS = ("title", "hours", "control", "homework", "materials")


def _topic_args(data: dict) -> dict:
    return {key: data[key] for key in TOPIC_FIELDS}


def _plan_url(plan_id: int, anchor: str = "") -> str:
    url = reverse("planning:plan", args=[plan_id])
    return f"{url}#{anchor}" if anchor else url


@school_view
def topic_create(request, pk: int):
    plan = _editable_plan(request, pk)
    section = None
    section_id = params.id_param(request.GET, "section") or params.id_param(request.POST, "section")
    if section_id is not None:
        section = scoped(plan.sections.all(), pk=section_id)
    return _topic_page(request, plan, TopicForm(request.POST or None), success="Тема добавлена.",
                       then=_plan_url(plan.pk), section=section)


@school_view
def topic_edit(request, pk: int):
    topic, plan = _editable_row(request, "topic", pk, "plan", "section")
    form = TopicForm(request.POST or None, initial={key: getattr(topic, key) for key in TOPIC_FIELDS})
    return _topic_page(request, plan, form, success="Тема сохранена. Уроки, которые уже её получили, не изменились.",
                       then=_plan_url(plan.pk, f"topic-{topic.pk}"), topic=topic)


def _topic_page(request, plan: ThematicPlan, form: TopicForm, *, success: str, then: str, **where: Any):
    """A topic's form, of a new one (``section=``: where it goes) or of an existing one (``topic=``): saved through
    ``services.save_topic``, back to the plan; else the form again."""
    saved = save_form(request, form, lambda data: services.save_topic(actor=request.user, plan=plan, **where,
                                                                       **_topic_args(data)),
                      success=success, then=then)
    if saved:
        return saved
    return render(request, "planning/topic_form.html", {"plan": plan, "form": form, "control_kinds": CONTROL_KINDS,
                                                         **where})


@school_view
def section_create(request, pk: int):
    plan = _editable_plan(request, pk)
    form = SectionForm(request.POST or None)
    return _title_page(request, plan, form, lambda title: services.save_section(actor=request.user, plan=plan,
                                                                                title=title),
                       success="Раздел добавлен в конец КТП.", heading="Новый раздел")


@school_view
def section_edit(request, pk: int):
    section, plan = _editable_row(request, "section", pk)
    form = SectionForm(request.POST or None, initial={"title": section.title})
    return _title_page(request, plan, form, lambda title: services.save_section(actor=request.user, plan=plan,
                                                                                section=section, title=title),
                       success="Раздел сохранён.", heading="Раздел")


# A plan's rows: its topics and its section headings (``services.move_row`` moves either, ``delete_row`` deletes
# either), by their name in the address and on the page.
ROWS_VISIBLE_TO = {"topic": permissions.topics_visible_to, "section": permissions.sections_visible_to}


def _editable_row(request, kind: str, pk: int, *related: str) -> tuple[Any, ThematicPlan]:
    """A topic or a section heading the user may see (else 404) of a plan he may edit (else 403), and the plan."""
    rows = ROWS_VISIBLE_TO[kind](request.roles)
    row = scoped(rows.select_related(*related) if related else rows, pk=pk)
    return row, _editable_plan(request, row.plan_id)


ROW_DELETED = {"topic": "Тема «{}» удалена из КТП.", "section": "Раздел «{}» удалён; его темы остались в разделе выше."}


@school_view
@require_POST
def row_delete(request, pk: int, kind: str):
    row, plan = _editable_row(request, kind, pk)
    services.delete_row(actor=request.user, row=row)
    messages.success(request, ROW_DELETED[kind].format(row.title))
    return redirect(_plan_url(plan.pk))


@school_view
@require_POST
def row_move(request, pk: int, kind: str):
    """A topic or a section heading one row up or down."""
    row, plan = _editable_row(request, kind, pk)
    direction = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.move_row(actor=request.user, row=row, direction=direction)
    except ValidationError as error:
        _fail(request, error)
    return redirect(_plan_url(plan.pk, f"{kind}-{row.pk}"))


# --- import ---------------------------------------------------------------------------------------------------


@school_view
def import_for_assignment(request, pk: int):
    assignment = _editable_assignment(request, pk)
    return _import(request, assignment=assignment, plan=services.plan_of(assignment))


@school_view
def import_into_plan(request, pk: int):
    plan = _editable_plan(request, pk)
    return _import(request, plan=plan, assignment=None)


def _target(plan: ThematicPlan | None, assignment: TeachingAssignment | None) -> tuple[str, str]:
    """Where an import goes (the assignment's plan, else the plan) as the token names it, and the page to go back to."""
    if assignment is not None:
        return f"a{assignment.pk}", _assignment_url(assignment.pk)
    if plan is None:
        raise Http404
    return f"p{plan.pk}", reverse("planning:plan", args=[plan.pk])


def _import(request, *, plan: ThematicPlan | None, assignment: TeachingAssignment | None):
    target, back = _target(plan, assignment)
    context: dict[str, Any] = {"plan": plan, "assignment": assignment, "back": back, "form": ImportForm(),
               "limit": f"{settings.ZHURNAL_MAX_IMPORT_BYTES / (1024 * 1024):g} МБ"}
    if request.method == "POST" and request.POST.get("token"):
        return _confirm_import(request, plan=plan, assignment=assignment, target=target, back=back)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                uploads.check_upload(upload, uploads.SPREADSHEET_KINDS, max_bytes=settings.ZHURNAL_MAX_IMPORT_BYTES)
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                parsed = exchange.parse_plan_file(upload.read(), upload.name)
                context["parsed"] = parsed
                if parsed.ok:
                    context.update(_preview(request, parsed, plan=plan, assignment=assignment, target=target))
        return render(request, "planning/import.html", context, status=200 if "preview" in context else 422)
    return render(request, "planning/import.html", context)


def _preview(request, parsed: exchange.ParsedPlan, *, plan, assignment, target) -> dict:
    today = school_today()
    if assignment is not None:
        assignments = [assignment]
    else:
        assignments = list(TeachingAssignment.objects.filter(plan_use__plan=plan).select_related(
            "subject", "group__school_class", "year"))
    year = assignment.year if assignment is not None else plan.year
    coverage = selectors.coverage_for_assignments([a.pk for a in assignments], today)
    curriculum = selectors.curriculum_index(year)
    checks = [(a, selectors.hours_check(plan_hours=parsed.total_hours, assignment=a, curriculum=curriculum,
                                        lessons_in_year=coverage[a.pk].lessons_in_year)) for a in assignments]
    covered = max((coverage[a.pk].covered for a in assignments), default=0)
    token = signing.dumps({"u": request.user.pk, "s": request.roles.school.pk, "t": target,
                           "f": parsed.filename, "items": exchange.items_to_data(parsed.items)},
                          salt=IMPORT_SALT, compress=True)
    own_assignments = [a for a in assignments if permissions.can_edit_topics(request.roles, a)]
    # A plan several groups share: replacing it replaces theirs too — the preview says so before anything changes.
    shared_with = []
    if plan is not None:
        sharing = TeachingAssignment.objects.filter(plan_use__plan=plan)
        if assignment is not None:
            sharing = sharing.exclude(pk=assignment.pk)
        shared_with = list(sharing.select_related("group", "subject", "teacher").order_by("group__name"))
    return {"preview": True, "checks": checks, "token": token, "covered": covered, "shared_with": shared_with,
            "current": services.plan_items(plan) if plan is not None else [],
            "fill_until": today + FILL_AHEAD, "can_fill": bool(own_assignments),
            "rows": exchange.template_rows(parsed.items)}


def _confirm_import(request, *, plan, assignment, target, back):
    try:
        payload = signing.loads(request.POST["token"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
    except signing.BadSignature:
        messages.error(request, "Предпросмотр устарел или повреждён — загрузите файл ещё раз.")
        return redirect(request.path)
    if payload.get("u") != request.user.pk or payload.get("s") != request.roles.school.pk or payload.get(
            "t") != target:
        messages.error(request, "Предпросмотр относится к другому КТП — загрузите файл ещё раз.")
        return redirect(request.path)
    items = exchange.items_from_data(payload["items"])
    try:
        plan = services.import_plan(actor=request.user, items=items, plan=plan, assignment=assignment,
                                    source=payload.get("f", ""))
    except ValidationError as error:
        _fail(request, error)
        return redirect(request.path)
    topics = sum(1 for item in items if isinstance(item, exchange.TopicItem))
    hours = sum(item.hours for item in items if isinstance(item, exchange.TopicItem))
    messages.success(request, f"КТП «{plan}» загружен из файла «{payload.get('f', '')}»: "
                              f"{plural(topics, 'тема,темы,тем')}, {hours} ч.")
    if request.POST.get("fill") == "1":
        until = _parse_until(request.POST.get("until")) or school_today() + FILL_AHEAD
        targets = [assignment] if assignment is not None else list(
            TeachingAssignment.objects.filter(plan_use__plan=plan, teacher=request.roles.staff))
        for item in targets:
            if not permissions.can_edit_topics(request.roles, item):
                continue
            try:
                result = services.fill_topics_from_plan(actor=request.user, assignment=item, until=until)
            except ValidationError as error:
                _fail(request, error)
            else:
                _report_fill(request, result, until)
    return redirect(back)


def _parse_until(value: str | None) -> dt.date | None:
    form = FillForm({"until": value or ""})
    return form.cleaned_data["until"] if form.is_valid() else None
