"""Set-up screens of the school year for the journal administrator.

The administration (director, deputy, clerk) reads every screen; only the journal administrator changes
anything (a POST from anyone else is a 403). Rows are fetched through ``permissions.setup_rows``, so another
school's row is a 404; forms limit every choice to the active school and year.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from zhurnal.core import params
from zhurnal.core.dates import today
from zhurnal.core.forms import apply_errors, error_messages
from zhurnal.core.view_helpers import require, save_form, school_view, scoped

from .. import forms, permissions, selectors, services
from ..access.log import AccessKind, note_reading
from ..models import (
    AcademicYear,
    Group,
    GroupKind,
    GroupMembership,
    Guardian,
    GuardianLink,
    Holiday,
    MovementKind,
    PeriodSet,
    ReportingPeriod,
    SchoolClass,
    StaffMember,
    Subject,
    TeachingAssignment,
)

SECTIONS = [
    # key, label, url name, count key, plural forms
    ("years", "Учебные годы", "school:setup_years", "years", "год,года,лет"),
    ("periods", "Учебные периоды", "school:setup_periods", "periods", "период,периода,периодов"),
    ("holidays", "Каникулы и праздники", "school:setup_holidays", "holidays", "запись,записи,записей"),
    ("subjects", "Предметы", "school:setup_subjects", "subjects", "предмет,предмета,предметов"),
    ("curriculum", "Учебный план", "school:setup_curriculum", "curriculum", "строка,строки,строк"),
    ("classes", "Классы", "school:setup_classes", "classes", "класс,класса,классов"),
    ("groups", "Группы", "school:setup_groups", "groups", "группа,группы,групп"),
    ("assignments", "Нагрузка", "school:setup_assignments", "assignments", "назначение,назначения,назначений"),
    ("staff", "Сотрудники", "school:setup_staff", "staff", "сотрудник,сотрудника,сотрудников"),
    ("students", "Обучающиеся", "school:setup_students", "students", "обучающийся,обучающихся,обучающихся"),
    ("guardians", "Законные представители", "school:setup_guardians", "guardians",
     "представитель,представителя,представителей"),
    ("movement", "Движение", "school:movement_log", "movements", "запись,записи,записей"),
]
SECTION_URLS = {key: url for key, _, url, _, _ in SECTIONS}


# --- plumbing ---------------------------------------------------------------------------------------------


def setup_view(*, needs_year: bool = True):
    """The administration may open the screen; only the journal administrator may POST to it.

    With ``needs_year`` the view gets the year on show (``?year=``, else the current one) as ``year``;
    a school without any year is sent to create one first.
    """

    def decorate(view):
        @school_view
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            require(permissions.can_view_setup(request.roles))
            if request.method == "POST":
                require(permissions.can_manage_structure(request.roles))
            if needs_year:
                year = chosen_year(request)
                if year is None:
                    messages.info(request, "Сначала создайте учебный год.")
                    return redirect("school:setup_years")
                kwargs["year"] = year
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def chosen_year(request) -> AcademicYear | None:
    years = permissions.setup_rows(request.roles, AcademicYear)
    wanted = params.id_param(request.GET, "year")
    if wanted is not None:
        year = years.filter(pk=wanted).first()
        if year is not None:
            return year
    return selectors.current_year(request.roles.school)


def date_on_show(request, year: AcademicYear) -> dt.date:
    on = params.date_param(request.GET, "on", request=request) or selectors.default_date(year)
    return min(max(on, year.start), year.end)


def to(name: str, *args: Any, year: AcademicYear | None = None, **params: Any) -> str:
    url = reverse(name, args=args)
    if year is not None:
        params = {"year": year.pk, **params}
    query = "&".join(f"{key}={value}" for key, value in params.items() if value not in (None, ""))
    return f"{url}?{query}" if query else url


def readonly(request, *forms_: django_forms.Form | None) -> None:
    """The administration sees the same screens with nothing to press."""
    if permissions.can_manage_structure(request.roles):
        return
    for form in forms_:
        if form is None:
            continue
        for field in form.fields.values():
            field.disabled = True


def page(request, template: str, context: dict[str, Any], *, year: AcademicYear | None, section: str):
    return render(request, f"school/setup/{template}", {
        "year": year, "section": section, "sections": SECTIONS,
        "section_url": reverse(SECTION_URLS.get(section, "school:setup")),
        "years": permissions.setup_rows(request.roles, AcademicYear).order_by("-start"),
        "can_edit": permissions.can_manage_structure(request.roles),
        **context,
    })


# --- dashboard, years --------------------------------------------------------------------------------------


@setup_view(needs_year=False)
def setup(request):
    year = chosen_year(request)
    if year is None:
        return page(request, "dashboard.html", {"form": forms.YearForm()}, year=None, section="dashboard")
    on = date_on_show(request, year)
    counts = selectors.setup_counts(request.roles.school, year, on)
    tiles = [{"key": key, "label": label, "url": to(url, year=year), "count": counts[count], "forms": plural}
             for key, label, url, count, plural in SECTIONS]
    issues = selectors.setup_checklist(request.roles.school, year, on, counts)
    return page(request, "dashboard.html", {
        "on": on, "counts": counts, "tiles": tiles,
        "issues": [(issue, to(SECTION_URLS[issue.section], year=year)) for issue in issues],
        "import_url": reverse("school:import"),
    }, year=year, section="dashboard")


@setup_view(needs_year=False)
def years(request):
    form = forms.YearForm(request.POST or None)
    saved = save_form(request, form, lambda data: services.create_academic_year(
        actor=request.user, school=request.roles.school, start=data["start"], end=data["end"],
        with_defaults=data["with_defaults"]),
        success=lambda year: f"Учебный год {year} создан.", then=lambda year: to("school:setup", year=year))
    if saved:
        return saved
    readonly(request, form)
    rows = selectors.year_list(request.roles.school)
    return page(request, "years.html", {"form": form, "rows": rows}, year=chosen_year(request), section="years")


# --- periods ----------------------------------------------------------------------------------------------


@setup_view()
def periods(request, year):
    form = forms.PeriodSetForm(request.POST or None)
    saved = save_form(request, form, lambda data: services.create_period_set(
        actor=request.user, year=year, kind=data["kind"], grade_from=data["grade_from"], grade_to=data["grade_to"]),
        success=lambda period_set: f"Добавлены периоды: {period_set}.", then=to("school:setup_periods", year=year))
    if saved:
        return saved
    readonly(request, form)
    period_sets = PeriodSet.objects.filter(year=year).prefetch_related("periods").order_by("grade_from")
    return page(request, "periods.html", {"form": form, "period_sets": period_sets}, year=year,
                section="periods")


@setup_view(needs_year=False)
def period_edit(request, pk: int):
    period = scoped(permissions.setup_rows(request.roles, ReportingPeriod)
                    .select_related("period_set", "period_set__year"), pk=pk)
    year = period.period_set.year
    form = forms.PeriodForm(request.POST or None,
                            initial={"name": period.name, "start": period.start, "end": period.end})
    saved = save_form(request, form, lambda data: services.update_period(actor=request.user, period=period, **data),
                      success=lambda _: f"Период «{period.name}» сохранён.", then=to("school:setup_periods", year=year))
    if saved:
        return saved
    readonly(request, form)
    return page(request, "period_edit.html", {"form": form, "period": period}, year=year, section="periods")


@require_POST
@setup_view(needs_year=False)
def period_set_delete(request, pk: int):
    period_set = scoped(permissions.setup_rows(request.roles, PeriodSet).select_related("year"), pk=pk)
    try:
        services.delete_period_set(actor=request.user, period_set=period_set)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Периоды «{period_set}» удалены.")
    return redirect(to("school:setup_periods", year=period_set.year))


# --- holidays ----------------------------------------------------------------------------------------------


@setup_view()
def holidays(request, year):
    form = forms.HolidayForm(request.POST or None)
    saved = save_form(request, form, lambda data: services.save_holiday(actor=request.user, year=year, **data),
                      success=lambda holiday: f"«{holiday.name}» добавлено в календарь.",
                      then=to("school:setup_holidays", year=year))
    if saved:
        return saved
    readonly(request, form)
    rows = Holiday.objects.filter(year=year).order_by("start", "name")
    return page(request, "holidays.html", {"form": form, "rows": rows}, year=year, section="holidays")


@setup_view(needs_year=False)
def holiday_edit(request, pk: int):
    holiday = scoped(permissions.setup_rows(request.roles, Holiday).select_related("year"), pk=pk)
    form = forms.HolidayForm(request.POST or None, initial={
        "name": holiday.name, "kind": holiday.kind, "start": holiday.start, "end": holiday.end,
        "grade_from": holiday.grade_from, "grade_to": holiday.grade_to})
    saved = save_form(request, form, lambda data: services.save_holiday(
        actor=request.user, year=holiday.year, holiday=holiday, **data),
        success=lambda _: f"«{holiday.name}» сохранено.", then=to("school:setup_holidays", year=holiday.year))
    if saved:
        return saved
    readonly(request, form)
    return page(request, "holiday_edit.html", {"form": form, "holiday": holiday}, year=holiday.year,
                section="holidays")


@require_POST
@setup_view(needs_year=False)
def holiday_delete(request, pk: int):
    holiday = scoped(permissions.setup_rows(request.roles, Holiday).select_related("year"), pk=pk)
    services.delete_holiday(actor=request.user, holiday=holiday)
    messages.success(request, f"«{holiday.name}» удалено из календаря.")
    return redirect(to("school:setup_holidays", year=holiday.year))


# --- subjects, curriculum ----------------------------------------------------------------------------------


@setup_view()
def subjects(request, year):
    form = forms.SubjectForm(request.POST or None)
    saved = save_form(request, form, lambda data: services.save_subject(
        actor=request.user, school=request.roles.school, **data),
        success=lambda subject: f"Предмет «{subject}» добавлен.", then=to("school:setup_subjects", year=year))
    if saved:
        return saved
    readonly(request, form)
    rows = permissions.setup_rows(request.roles, Subject).order_by("name")
    return page(request, "subjects.html", {"form": form, "rows": rows}, year=year, section="subjects")


@setup_view()
def subject_edit(request, pk: int, year):
    subject = scoped(permissions.setup_rows(request.roles, Subject), pk=pk)
    form = forms.SubjectForm(request.POST or None, initial={
        "name": subject.name, "short_name": subject.short_name, "without_marks": subject.without_marks})
    saved = save_form(request, form, lambda data: services.save_subject(
        actor=request.user, school=request.roles.school, subject=subject, **data),
        success=lambda _: f"Предмет «{subject}» сохранён.", then=to("school:setup_subjects", year=year))
    if saved:
        return saved
    readonly(request, form)
    return page(request, "subject_edit.html", {"form": form, "subject": subject}, year=year, section="subjects")


@setup_view()
def curriculum(request, year):
    subject_rows = list(permissions.setup_rows(request.roles, Subject).order_by("name"))
    grid = selectors.curriculum_grid(year)
    initial = {forms.curriculum_field_name(subject_id, grade): row.hours_per_week
               for (grade, subject_id), row in grid.items()}
    form = forms.CurriculumForm(request.POST or None, initial=initial, subjects=subject_rows)
    saved = save_form(request, form, lambda _: services.save_curriculum(actor=request.user, year=year,
                                                                        hours=form.hours()),
                      success=lambda changed: f"Учебный план сохранён (изменено строк: {changed}).",
                      then=to("school:setup_curriculum", year=year))
    if saved:
        return saved
    readonly(request, form)
    grades = range(1, 12)
    rows = [(subject, [(form[forms.curriculum_field_name(subject.pk, g)], grid.get((g, subject.pk)))
                       for g in grades]) for subject in subject_rows]
    totals = [(sum((r.hours_per_week for (g, _), r in grid.items() if g == grade), start=0),
               sum(r.hours_per_year for (g, _), r in grid.items() if g == grade)) for grade in grades]
    return page(request, "curriculum.html", {"form": form, "grades": grades, "rows": rows, "totals": totals},
                year=year, section="curriculum")


# --- classes ----------------------------------------------------------------------------------------------


@setup_view()
def classes(request, year):
    form = forms.ClassForm(request.POST or None, school=request.roles.school)
    saved = save_form(request, form, lambda data: services.save_class(actor=request.user, year=year, **data),
                      success=lambda school_class: f"Класс {school_class} создан.",
                      then=to("school:setup_classes", year=year))
    if saved:
        return saved
    readonly(request, form)
    on = date_on_show(request, year)
    return page(request, "classes.html", {"form": form, "rows": selectors.class_list(year, on), "on": on},
                year=year, section="classes")


@setup_view(needs_year=False)
def class_edit(request, pk: int):
    school_class = scoped(permissions.setup_rows(request.roles, SchoolClass)
                          .select_related("year", "class_teacher"), pk=pk)
    form = forms.ClassForm(request.POST or None, school=request.roles.school,
                           current_teacher=school_class.class_teacher,
                           initial={"grade": school_class.grade, "letter": school_class.letter,
                                    "class_teacher": school_class.class_teacher_id, "shift": school_class.shift})
    if request.method == "POST":
        require(permissions.can_edit_class(request.roles, school_class))
    saved = save_form(request, form, lambda data: services.save_class(
        actor=request.user, year=school_class.year, school_class=school_class, **data),
        success=lambda _: f"Класс {school_class} сохранён.", then=to("school:setup_classes", year=school_class.year))
    if saved:
        return saved
    readonly(request, form)
    return page(request, "class_edit.html", {"form": form, "school_class": school_class},
                year=school_class.year, section="classes")


# --- groups -----------------------------------------------------------------------------------------------


@setup_view()
def groups(request, year):
    form = forms.GroupForm(request.POST or None, year=year, prefix="new")
    saved = save_form(request, form, lambda data: services.create_group(actor=request.user, year=year, **data),
                      success=lambda group: f"Группа «{group}» создана; добавьте в неё обучающихся.",
                      then=lambda group: to("school:setup_group", group.pk))
    if saved:
        return saved
    return groups_page(request, year, form=form)


@setup_view()
def group_split(request, year):
    form = forms.SplitClassForm(request.POST or None, year=year, prefix="split")
    saved = save_form(request, form, lambda data: services.split_class(actor=request.user, **data),
                      success=lambda pair: f"Созданы подгруппы «{pair[0]}» и «{pair[1]}».",
                      then=to("school:setup_groups", year=year))
    if saved:
        return saved
    return groups_page(request, year, split_form=form)


def groups_page(request, year, *, form=None, split_form=None):
    on = date_on_show(request, year)
    form = form or forms.GroupForm(year=year, prefix="new")
    split_form = split_form or forms.SplitClassForm(year=year, prefix="split", initial={"date": on})
    readonly(request, form, split_form)
    return page(request, "groups.html", {
        "form": form, "split_form": split_form, "rows": selectors.setup_group_list(year, on), "on": on,
    }, year=year, section="groups")


def _setup_group(request, pk: int) -> Group:
    group = scoped(permissions.setup_rows(request.roles, Group).select_related("school_class", "subject", "year"),
                   pk=pk)
    return group


@setup_view(needs_year=False)
def group(request, pk: int):
    group = _setup_group(request, pk)
    if group.kind == GroupKind.CLASS:
        return redirect("school:class_detail", group.school_class_id)
    form = forms.GroupEditForm(request.POST or None, school=request.roles.school, initial={
        "name": group.name, "subject": group.subject_id, "journal_kind": group.journal_kind})
    saved = save_form(request, form, lambda data: services.update_group(actor=request.user, group=group, **data),
                      success=lambda _: f"Группа «{group}» сохранена.", then=to("school:setup_group", group.pk))
    if saved:
        return saved
    return group_page(request, group, form=form)


@setup_view(needs_year=False)
def group_member_add(request, pk: int):
    group = _setup_group(request, pk)
    on = date_on_show(request, group.year)
    form = forms.AddMemberForm(request.POST, group=group, on=on, prefix="add")
    saved = save_form(request, form, lambda data: services.add_to_group(actor=request.user, group=group, **data),
                      success=lambda _: f"{form.cleaned_data['student'].short_name} добавлен(а) в группу.",
                      then=to("school:setup_group", group.pk))
    if saved:
        return saved
    return group_page(request, group, add_form=form)


@setup_view(needs_year=False)
def group_member_remove(request, pk: int, membership_pk: int):
    group = _setup_group(request, pk)
    membership = scoped(GroupMembership.objects.filter(group=group).select_related("student"), pk=membership_pk)
    form = forms.RemoveMemberForm(request.POST, prefix=f"m{membership.pk}")
    saved = save_form(request, form, lambda data: services.remove_from_group(
        actor=request.user, group=group, student=membership.student, date=data["date"]),
        success=lambda _: f"{membership.student.short_name} исключен(а) из группы с "
                          f"{form.cleaned_data['date']:%d.%m.%Y}.",
        then=to("school:setup_group", group.pk))
    if saved:
        return saved
    messages.error(request, " ".join(error_messages(form)))
    return redirect(to("school:setup_group", group.pk))


def group_page(request, group: Group, *, form=None, add_form=None):
    on = date_on_show(request, group.year)
    form = form or forms.GroupEditForm(school=request.roles.school, initial={
        "name": group.name, "subject": group.subject_id, "journal_kind": group.journal_kind})
    add_form = add_form or forms.AddMemberForm(group=group, on=on, prefix="add", initial={"start": on})
    members = list(selectors.group_membership_list(group, on))
    removals = [(m, forms.RemoveMemberForm(prefix=f"m{m.pk}", initial={"date": on})) for m in members]
    readonly(request, form, add_form)
    return page(request, "group.html", {
        "group": group, "form": form, "add_form": add_form, "members": removals, "on": on,
        "assignments": group.assignments.select_related("teacher", "subject").order_by("subject__name"),
    }, year=group.year, section="groups")


# --- teaching assignments ----------------------------------------------------------------------------------


@setup_view()
def assignments(request, year):
    form = forms.AssignmentForm(request.POST or None, year=year)
    saved = save_form(request, form, lambda data: services.save_assignment(actor=request.user, year=year, **data),
                      success=lambda assignment: f"Нагрузка назначена: {assignment.subject}, {assignment.group} — "
                                                 f"{assignment.teacher.short_name}.",
                      then=request.get_full_path())
    if saved:
        return saved
    readonly(request, form)
    class_choices = SchoolClass.objects.filter(year=year).order_by("grade", "letter")
    teacher_choices = permissions.setup_rows(request.roles, StaffMember).order_by("last_name", "first_name")
    school_class = _pick(class_choices, request.GET.get("class"))
    teacher = _pick(teacher_choices, request.GET.get("teacher"))
    rows = selectors.setup_assignment_list(year, school_class=school_class, teacher=teacher)
    return page(request, "assignments.html", {
        "form": form, "rows": rows, "class_choices": class_choices, "teacher_choices": teacher_choices,
        "school_class": school_class, "teacher": teacher,
        "total_hours": sum((a.hours_per_week for a in rows), start=0),
    }, year=year, section="assignments")


def _pick(queryset, value: str | None):
    wanted = params.parse_id(value)
    return queryset.filter(pk=wanted).first() if wanted is not None else None


@setup_view(needs_year=False)
def assignment_edit(request, pk: int):
    assignment = scoped(permissions.setup_rows(request.roles, TeachingAssignment)
                        .select_related("year", "teacher", "subject", "group"), pk=pk)
    year = assignment.year
    form = forms.AssignmentForm(request.POST or None, year=year, current_teacher=assignment.teacher, initial={
        "teacher": assignment.teacher_id, "subject": assignment.subject_id, "group": assignment.group_id,
        "hours_per_week": assignment.hours_per_week})
    saved = save_form(request, form, lambda data: services.save_assignment(
        actor=request.user, year=year, assignment=assignment, **data),
        success="Нагрузка сохранена.", then=to("school:setup_assignments", year=year))
    if saved:
        return saved
    readonly(request, form)
    return page(request, "assignment_edit.html", {"form": form, "assignment": assignment}, year=year,
                section="assignments")


# --- staff ------------------------------------------------------------------------------------------------


@setup_view(needs_year=False)
def staff(request):
    year = chosen_year(request)
    rows = selectors.setup_staff_list(request.roles.school, year)
    return page(request, "staff.html", {"rows": rows}, year=year, section="staff")


@setup_view(needs_year=False)
def staff_new(request):
    form = forms.StaffForm(request.POST or None, initial={"positions": ["teacher"]})
    saved = save_form(request, form, lambda data: services.save_staff(
        actor=request.user, school=request.roles.school, **data),
        success=lambda member: f"Сотрудник {member.full_name} добавлен.", then="school:setup_staff")
    if saved:
        return saved
    readonly(request, form)
    return page(request, "staff_edit.html", {"form": form, "member": None}, year=chosen_year(request),
                section="staff")


@setup_view(needs_year=False)
def staff_edit(request, pk: int):
    member = scoped(permissions.setup_rows(request.roles, StaffMember).select_related("user"), pk=pk)
    form = forms.StaffForm(request.POST or None, initial={
        "last_name": member.last_name, "first_name": member.first_name, "patronymic": member.patronymic,
        "positions": list(member.positions.values_list("position", flat=True)), "email": member.email,
        "phone": member.phone})
    saved = save_form(request, form, lambda data: services.save_staff(
        actor=request.user, school=request.roles.school, staff=member, **data),
        success=lambda _: f"Сотрудник {member.full_name} сохранён.", then="school:setup_staff")
    if saved:
        return saved
    readonly(request, form)
    return page(request, "staff_edit.html", {"form": form, "member": member}, year=chosen_year(request),
                section="staff")


@require_POST
@setup_view(needs_year=False)
def staff_deactivate(request, pk: int):
    return _staff_status(request, pk, services.deactivate_staff, "{} отмечен(а) как не работающий(ая); "
                                                                 "вход в журнал закрыт.")


@require_POST
@setup_view(needs_year=False)
def staff_reactivate(request, pk: int):
    return _staff_status(request, pk, services.reactivate_staff, "{} снова работает.")


def _staff_status(request, pk: int, service, done: str):
    member = scoped(permissions.setup_rows(request.roles, StaffMember), pk=pk)
    try:
        service(actor=request.user, staff=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done.format(member.full_name))
    return redirect("school:setup_staff")


# --- students ---------------------------------------------------------------------------------------------


@setup_view()
def students(request, year):
    on = date_on_show(request, year)
    class_choices = SchoolClass.objects.filter(year=year).order_by("grade", "letter")
    school_class = _pick(class_choices, request.GET.get("class"))
    search = request.GET.get("q", "")
    without_class = request.GET.get("without_class") == "1"
    rows = selectors.setup_student_list(request.roles.school, on, school_class=school_class, search=search,
                                        without_class=without_class)
    return page(request, "students.html", {
        "page": Paginator(rows, 100).get_page(request.GET.get("page")), "on": on, "q": search,
        "class_choices": class_choices, "school_class": school_class, "without_class": without_class,
    }, year=year, section="students")


@setup_view()
def student_new(request, year):
    on = date_on_show(request, year)
    form = forms.AdmitStudentForm(request.POST or None, year=year, initial={"date": on})

    def admitted(student) -> str:
        if "add_guardian" in request.POST:
            return to("school:setup_guardian_new", student=student.pk)
        return to("school:setup_students", year=year, **{"class": form.cleaned_data["school_class"].pk})

    saved = save_form(request, form, lambda data: services.admit_student(
        actor=request.user, school=request.roles.school, school_class=data["school_class"], date=data["date"],
        order_number=data["order_number"], note=data["note"], **form.personal_data()),
        success=lambda student: f"{student.full_name} зачислен(а) в {form.cleaned_data['school_class']} "
                                f"с {form.cleaned_data['date']:%d.%m.%Y}.",
        then=admitted)
    if saved:
        return saved
    readonly(request, form)
    return page(request, "student_new.html", {"form": form}, year=year, section="students")


@school_view
def student_edit(request, pk: int):
    """Personal data: the journal administrator, or the class teacher of the student's class."""
    student = scoped(permissions.students_visible_to(request.roles), pk=pk)
    require(permissions.can_edit_student(request.roles, student))
    form = forms.StudentForm(request.POST or None,
                             initial={name: getattr(student, name) for name in forms.StudentForm.PERSONAL_FIELDS})
    saved = save_form(request, form, lambda _: services.save_student(
        actor=request.user, school=request.roles.school, student=student, **form.personal_data()),
        success=lambda _: f"Личные данные: {student.full_name} — сохранено.",
        then=reverse("school:student_detail", args=[student.pk]))
    if saved:
        return saved
    manages = permissions.can_manage_structure(request.roles)
    if request.method == "GET":
        note_reading(request, AccessKind.STUDENT_CARD, f"Личные данные обучающегося: {student.full_name}",
                     target=student)
    return render(request, "school/setup/student_edit.html", {
        "form": form, "student": student, "manages": manages,
        "links": student.guardian_links.select_related("guardian").order_by("guardian__last_name"),
    })


# --- guardians --------------------------------------------------------------------------------------------


@setup_view(needs_year=False)
def guardians(request):
    search = request.GET.get("q", "")
    rows = selectors.setup_guardian_list(request.roles.school, search)
    return page(request, "guardians.html", {
        "page": Paginator(rows, 100).get_page(request.GET.get("page")), "q": search,
    }, year=chosen_year(request), section="guardians")


@setup_view(needs_year=False)
def guardian_new(request):
    year = chosen_year(request)
    on = selectors.default_date(year) if year else today()
    form = forms.NewGuardianForm(request.POST or None, school=request.roles.school, on=on,
                                 initial={"student": params.id_param(request.GET, "student")})
    saved = save_form(request, form, lambda data: services.register_guardian(
        actor=request.user, school=request.roles.school, student=data["student"], **form.link(), **form.person()),
        success=lambda guardian: f"Законный представитель {guardian.full_name} добавлен.",
        then=lambda guardian: reverse("school:setup_guardian_edit", args=[guardian.pk]))
    if saved:
        return saved
    readonly(request, form)
    return page(request, "guardian_new.html", {"form": form}, year=year, section="guardians")


@setup_view(needs_year=False)
def guardian_edit(request, pk: int):
    guardian = scoped(permissions.setup_rows(request.roles, Guardian), pk=pk)
    year = chosen_year(request)
    on = selectors.default_date(year) if year else today()
    person = {name: getattr(guardian, name) for name in forms.GuardianForm.PERSON_FIELDS}
    form = forms.GuardianForm(request.POST if "save" in request.POST else None, initial=person)
    link_initial: dict[str, Any] = {}
    wanted = params.id_param(request.GET, "student")
    existing = guardian.links.filter(student_id=wanted).first() if wanted is not None else None
    if existing is not None:
        link_initial = {"student": existing.student_id, "relation": existing.relation,
                        "consent_given_on": existing.consent_given_on, "info_channel": existing.info_channel}
    link_form = forms.GuardianLinkForm(request.POST if "link" in request.POST else None,
                                       school=request.roles.school, on=on, initial=link_initial)
    back = reverse("school:setup_guardian_edit", args=[guardian.pk])
    saved = save_form(request, form, lambda _: services.save_guardian(
        actor=request.user, school=request.roles.school, guardian=guardian, **form.person()),
        success=lambda _: f"{guardian.full_name} — сохранено.", then=back)
    saved = saved or save_form(request, link_form, lambda data: services.link_guardian(
        actor=request.user, student=data["student"], guardian=guardian, **link_form.link()),
        success=lambda _: f"{guardian.short_name} — законный представитель: "
                          f"{link_form.cleaned_data['student'].full_name}.", then=back)
    if saved:
        return saved
    if request.method == "POST" and not (form.is_bound or link_form.is_bound):
        return redirect("school:setup_guardian_edit", guardian.pk)
    readonly(request, form, link_form)
    links = selectors.guardian_links_of(guardian, on)
    if request.method == "GET":
        note_reading(request, AccessKind.GUARDIAN_CARD, f"Карточка законного представителя: {guardian.full_name}",
                     target=guardian)
    return page(request, "guardian_edit.html", {
        "guardian": guardian, "form": form, "link_form": link_form, "links": links,
    }, year=year, section="guardians")


@require_POST
@setup_view(needs_year=False)
def guardian_unlink(request, pk: int):
    link = scoped(permissions.setup_rows(request.roles, GuardianLink).select_related("student", "guardian"), pk=pk)
    services.unlink_guardian(actor=request.user, link=link)
    messages.success(request, f"{link.guardian.short_name} больше не указан(а) законным представителем: "
                              f"{link.student.full_name}.")
    return redirect("school:setup_guardian_edit", link.guardian_id)


# --- movement ---------------------------------------------------------------------------------------------


MOVEMENT_SERVICES = {
    MovementKind.ARRIVAL: lambda d: services.enroll_student(
        actor=d["actor"], student=d["student"], school_class=d["to_class"], date=d["date"],
        order_number=d["order_number"], note=d["note"]),
    MovementKind.TRANSFER: lambda d: services.transfer_student(
        actor=d["actor"], student=d["student"], to_class=d["to_class"], date=d["date"],
        order_number=d["order_number"], note=d["note"]),
    MovementKind.GROUP_TRANSFER: lambda d: services.transfer_between_groups(
        actor=d["actor"], student=d["student"], from_group=d["from_group"], to_group=d["to_group"],
        date=d["date"], order_number=d["order_number"], note=d["note"]),
    MovementKind.DEPARTURE: lambda d: services.depart_student(
        actor=d["actor"], student=d["student"], date=d["date"], order_number=d["order_number"], note=d["note"]),
}
# Services name the class they were given ``school_class``; the form calls it ``to_class``.
MOVEMENT_FIELD_NAMES = {"school_class": "to_class", "group": "from_group"}


@school_view
def movement_new(request):
    require(permissions.can_view_setup(request.roles))
    if request.method == "POST":
        require(permissions.can_record_movement(request.roles))
    year = chosen_year(request)
    if year is None:
        messages.info(request, "Сначала создайте учебный год.")
        return redirect("school:setup_years")
    on = date_on_show(request, year)
    initial = {"date": on, "kind": request.GET.get("kind") or MovementKind.TRANSFER}
    if params.id_param(request.GET, "student") is not None:
        initial["student"] = params.id_param(request.GET, "student")
    form = forms.MovementForm(request.POST or None, year=year, on=on, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "actor": request.user}
        try:
            movement = MOVEMENT_SERVICES[data["kind"]](data)
        except ValidationError as error:
            renamed = ValidationError({MOVEMENT_FIELD_NAMES.get(field, field): messages_
                                       for field, messages_ in error.message_dict.items()}) \
                if hasattr(error, "error_dict") else error
            apply_errors(form, renamed)
        else:
            messages.success(request, f"{movement.get_kind_display().capitalize()}: {movement.student.full_name}, "
                                      f"{movement.date:%d.%m.%Y}, приказ № {movement.order_number}.")
            return redirect(to("school:movement_log", year=year))
    if not permissions.can_record_movement(request.roles):
        for field in form.fields.values():
            field.disabled = True
    return page(request, "movement_new.html", {"form": form, "on": on, "can_edit":
                                               permissions.can_record_movement(request.roles)},
                year=year, section="movement")


urlpatterns = [
    path("setup/", setup, name="setup"),
    path("setup/years/", years, name="setup_years"),
    path("setup/periods/", periods, name="setup_periods"),
    path("setup/periods/<id:pk>/edit/", period_edit, name="setup_period_edit"),
    path("setup/period-sets/<id:pk>/delete/", period_set_delete, name="setup_period_set_delete"),
    path("setup/holidays/", holidays, name="setup_holidays"),
    path("setup/holidays/<id:pk>/edit/", holiday_edit, name="setup_holiday_edit"),
    path("setup/holidays/<id:pk>/delete/", holiday_delete, name="setup_holiday_delete"),
    path("setup/subjects/", subjects, name="setup_subjects"),
    path("setup/subjects/<id:pk>/edit/", subject_edit, name="setup_subject_edit"),
    path("setup/curriculum/", curriculum, name="setup_curriculum"),
    path("setup/classes/", classes, name="setup_classes"),
    path("classes/<id:pk>/edit/", class_edit, name="class_edit"),
    path("setup/groups/", groups, name="setup_groups"),
    path("setup/groups/split/", group_split, name="setup_group_split"),
    path("setup/groups/<id:pk>/", group, name="setup_group"),
    path("setup/groups/<id:pk>/members/add/", group_member_add, name="setup_group_member_add"),
    path("setup/groups/<id:pk>/members/<id:membership_pk>/remove/", group_member_remove,
         name="setup_group_member_remove"),
    path("setup/assignments/", assignments, name="setup_assignments"),
    path("setup/assignments/<id:pk>/edit/", assignment_edit, name="setup_assignment_edit"),
    path("setup/staff/", staff, name="setup_staff"),
    path("setup/staff/new/", staff_new, name="setup_staff_new"),
    path("setup/staff/<id:pk>/edit/", staff_edit, name="setup_staff_edit"),
    path("setup/staff/<id:pk>/deactivate/", staff_deactivate, name="setup_staff_deactivate"),
    path("setup/staff/<id:pk>/reactivate/", staff_reactivate, name="setup_staff_reactivate"),
    path("setup/students/", students, name="setup_students"),
    path("setup/students/new/", student_new, name="setup_student_new"),
    path("students/<id:pk>/edit/", student_edit, name="student_edit"),
    path("setup/guardians/", guardians, name="setup_guardians"),
    path("setup/guardians/new/", guardian_new, name="setup_guardian_new"),
    path("setup/guardians/<id:pk>/", guardian_edit, name="setup_guardian_edit"),
    path("setup/guardian-links/<id:pk>/delete/", guardian_unlink, name="setup_guardian_unlink"),
    path("movement/new/", movement_new, name="movement_new"),
]
