"""«Доступ»: logins and activation codes for a class (class teacher, administrator) and for the staff
(administrator), the families' choice of paper or electronic information, a person's login history."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from zhurnal.accounts import selectors as login_selectors
from zhurnal.accounts import services as login_services
from zhurnal.accounts.devices import describe_device
from zhurnal.accounts.permissions import refusal_for
from zhurnal.accounts.views.security import post_only
from zhurnal.core import uploads
from zhurnal.core.forms import error_messages
from zhurnal.core.view_helpers import own_path, require, school_view, scoped

from .. import services as school_services
from ..roles import Role
from ..selectors import current_year, default_date
from . import permissions, selectors, services, slips
from .forms import AccessLogFilterForm, GuardianLinkForm, SchoolSecurityForm
from .log import AccessKind, note_reading
from .selectors import AccessRow


def _school_today(request):
    year = current_year(request.roles.school)
    return default_date(year) if year else timezone.localdate()


@school_view
def access_home(request):
    require(permissions.can_view_access(request.roles))
    year = current_year(request.roles.school)
    on = _school_today(request)
    classes = permissions.access_classes_visible_to(request.roles)
    classes = classes.filter(year=year) if year else classes.none()
    return render(request, "school/access/access_home.html", {
        "on": on, "year": year, "summary": selectors.access_overview(classes, on),
        "can_view_staff": request.roles.is_school_reader,
        "can_edit_settings": permissions.can_edit_security_settings(request.roles),
        "security": selectors.school_security(request.roles.school),
    })


def _class_context(request, pk: int):
    school_class = scoped(permissions.access_classes_visible_to(request.roles).select_related("year", "school"),
                          pk=pk)
    on = default_date(school_class.year)
    rows = selectors.class_access_rows(school_class, on)
    return school_class, on, rows


def _issue_rows(request, rows: list[AccessRow]) -> list[AccessRow]:
    """The rows the form asked for: everyone without a working login, or the ticked ones (unknown → 404)."""
    if request.POST.get("scope") == "all":
        return [row for row in rows if row.needs_code]
    by_key = {row.key: row for row in rows}
    wanted = request.POST.getlist("people")
    if any(key not in by_key for key in wanted):
        raise Http404
    return [by_key[key] for key in dict.fromkeys(wanted)]


def _issue_and_download(request, *, rows: list[AccessRow], chosen: list[AccessRow], title: str, file_stem: str,
                        back: str):
    fmt = request.POST.get("format", "slips")
    if fmt not in slips.FORMATS:
        fmt = "slips"
    if not chosen:
        if request.POST.get("scope") == "all":
            messages.info(request, "Коды не выданы: все в списке уже входили в систему (или выбрали бумажную "
                                   "выписку). Чтобы выдать новый код, отметьте человека и выберите «только "
                                   "отмеченным».")
        else:
            messages.error(request, "Коды не выданы: никто не отмечен в списке.")
        return redirect(back)
    on = _school_today(request)
    try:
        issued = services.issue_activation_codes(actor=request.user, school=request.roles.school,
                                                 people=[row.person for row in chosen], on=on)
    except ValidationError as error:
        messages.error(request, "Коды не выданы: " + " ".join(error.messages))
        return redirect(back)
    activation_url = request.build_absolute_uri(reverse("accounts:activate"))
    login_url = request.build_absolute_uri(reverse("accounts:login"))
    role_lines: dict[str, str] = {}
    for row in rows:  # a parent of two children in the class: both are named on his slip
        known = role_lines.get(row.key)
        role_lines[row.key] = row.role_label if not known or row.role_label in known else f"{known}; {row.role_label}"
    note_reading(request, AccessKind.ACTIVATION_CODES, f"{title} ({fmt})", rows=len(issued))
    render_file, content_type, extension, what = slips.FORMATS[fmt]
    content = render_file(school=request.roles.school, title=title,
                          slips=slips.make_slips(issued, role_lines, activation_url),
                          activation_url=activation_url, login_url=login_url)
    filename = f"{file_stem} — {what} {timezone.localdate():%d.%m.%Y}.{extension}"
    return uploads.file_response(content, filename=filename, content_type=content_type)


@never_cache
@school_view
def class_access(request, pk: int):
    school_class, on, rows = _class_context(request, pk)
    can_issue = permissions.can_issue_codes_in_class(request.roles, school_class)
    # Whoever may issue codes for the class may record its families' choices (the same rule, no query per row).
    editable_links = {row.link.pk for row in rows if row.link is not None} if can_issue else set()
    return render(request, "school/access/class_access.html", {
        "school_class": school_class, "on": on, "rows": rows, "can_issue": can_issue,
        "editable_links": editable_links, "needs_code": len({row.key for row in rows if row.needs_code}),
        "link_form": GuardianLinkForm(), "code_days": settings.ZHURNAL_ACTIVATION_CODE_DAYS,
    })


@school_view
def class_issue(request, pk: int):
    school_class, on, rows = _class_context(request, pk)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    require(permissions.can_issue_codes_in_class(request.roles, school_class))
    return _issue_and_download(
        request, rows=rows, chosen=_issue_rows(request, rows),
        title=f"Доступ к электронному дневнику: {school_class.name} класс",
        file_stem=f"Коды доступа {school_class.name}", back=reverse("school:class_access", args=[pk]),
    )


def _staff_rows(request) -> list[AccessRow]:
    require(request.roles.is_school_reader)
    return selectors.staff_access_rows(request.roles.school)


@never_cache
@school_view
def staff_access(request):
    rows = _staff_rows(request)
    return render(request, "school/access/staff_access.html", {
        "rows": rows, "can_issue": permissions.can_manage_staff_access(request.roles),
        "needs_code": len({row.key for row in rows if row.needs_code}), "code_days": settings.ZHURNAL_ACTIVATION_CODE_DAYS,
    })


@school_view
def staff_issue(request):
    rows = _staff_rows(request)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    require(permissions.can_manage_staff_access(request.roles))
    return _issue_and_download(request, rows=rows, chosen=_issue_rows(request, rows),
                               title="Доступ к электронному журналу: сотрудники", file_stem="Коды доступа сотрудники",
                               back=reverse("school:staff_access"))


@school_view
def guardian_link_update(request, pk: int):
    """The family's choice (electronic diary or a weekly paper printout) and the date of the consent."""
    on = _school_today(request)
    link = scoped(permissions.guardian_links_visible_to(request.roles, on).select_related("student", "guardian"),
                  pk=pk)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    require(permissions.can_edit_guardian_link(request.roles, link, on))
    form = GuardianLinkForm(request.POST)
    back = own_path(request, request.POST.get("back"), reverse("school:access"))
    if not form.is_valid():
        messages.error(request, f"{link.guardian.short_name}: ничего не изменено. " + " ".join(error_messages(form)))
        return redirect(back)
    try:
        school_services.link_guardian(
            actor=request.user, student=link.student, guardian=link.guardian, relation=link.relation,
            consent_given_on=form.cleaned_data["consent_given_on"], info_channel=form.cleaned_data["info_channel"],
        )
    except ValidationError as error:
        messages.error(request, f"{link.guardian.short_name}: ничего не изменено. " + " ".join(error.messages))
    else:
        messages.success(request, f"{link.guardian.short_name}: способ информирования и согласие сохранены.")
    return redirect(back)


@never_cache
@school_view
def person(request, pk: int):
    """A person's login: status, the codes issued to him in this school, the login history."""
    on = _school_today(request)
    user = scoped(permissions.people_visible_to(request.roles, on), pk=pk)
    school = request.roles.school
    manages = permissions.can_read_login_history(request.roles, user)
    note_reading(request, AccessKind.LOGIN_CARD, f"Учётная запись {user.username}: {user.display_name}", target=user)
    history = [(event, describe_device(event.user_agent))
               for event in login_selectors.login_history(user, 50)] if manages else []
    return render(request, "school/access/person.html", {
        "person_user": user, "records": selectors.people_of_user(user, school),
        "codes": selectors.codes_of(user, school), "history": history,
        "refusal": "" if manages else refusal_for(user),
        "has_two_factor": login_selectors.has_two_factor(user),
        "can_reset_2fa": permissions.can_reset_two_factor(request.roles, user),
    })


@post_only
@school_view
def person_reset_two_factor(request, pk: int):
    on = _school_today(request)
    user = scoped(permissions.people_visible_to(request.roles, on), pk=pk)
    require(request.roles.has(Role.JOURNAL_ADMIN))
    if not permissions.can_reset_two_factor(request.roles, user):
        messages.error(request, refusal_for(user))
        return redirect("school:person", pk=user.pk)
    login_services.disable_two_factor(actor=request.user, user=user, school=request.roles.school)
    messages.success(request, f"Двухфакторная аутентификация пользователя {user.username} отключена, его сеансы "
                              f"завершены. При необходимости выдайте ему новый код активации.")
    return redirect("school:person", pk=user.pk)


@never_cache
@school_view
def access_log(request):
    """The access log of personal data (152-ФЗ): who opened which card, who took which list, with filters."""
    require(permissions.can_read_access_log(request.roles))
    school = request.roles.school
    form = AccessLogFilterForm(request.GET or None, people=selectors.access_log_people(school))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    records = selectors.access_log(school, person=filters.get("person"), kind=filters.get("kind") or "",
                                   since=filters.get("since"), until=filters.get("until"))
    page = Paginator(records, 100).get_page(request.GET.get("page"))
    return render(request, "school/access/access_log.html", {
        "form": form, "page": page,
        "retention_days": settings.ZHURNAL_ACCESS_LOG_DAYS,
    }, status=400 if form.is_bound and not form.is_valid() else 200)


@school_view
def school_security(request):
    require(permissions.can_edit_security_settings(request.roles))
    security = selectors.school_security(request.roles.school)
    form = SchoolSecurityForm(request.POST or None, initial={"require_staff_2fa": security.require_staff_2fa})
    if request.method == "POST" and form.is_valid():
        services.update_school_security(actor=request.user, school=request.roles.school,
                                        require_staff_2fa=form.cleaned_data["require_staff_2fa"])
        messages.success(request, "Настройки безопасности сохранены.")
        return redirect("school:school_security")
    return render(request, "school/access/school_security.html", {"form": form, "security": security})
