"""The mail, announcement and help desk pages: thin — scope, check, bind the form, call one service."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhurnal.core import params, uploads
from zhurnal.core.dates import today
from zhurnal.core.htmx import render_page
from zhurnal.core.idempotency import parse_key
from zhurnal.core.view_helpers import require, school_view, scoped
from zhurnal.school.models import Group, SchoolClass, StaffPosition
from zhurnal.school.selectors import class_of_student_on

from . import permissions, selectors, services
from .forms import (
    AnnouncementForm,
    ComposeForm,
    HelpRequestForm,
    ReplyForm,
    SettingsForm,
    SlotForm,
    StatusForm,
    apply_errors,
)
from .models import Announcement, ConsultationSlot, HelpRequest, RequestStatus, Thread
from .people import school_people

# --- mail ------------------------------------------------------------------------------------------------------------


def _box(request, box: str):
    query = request.GET.get("q", "").strip()[:100]
    rows = selectors.inbox(request.roles, query) if box == "inbox" else selectors.sent(request.roles, query)
    context = {"rows": rows, "box": box, "query": query}
    return render_page(request, "messaging/mailbox.html", context, fragment="messaging/_threads.html")


@school_view
def inbox(request):
    return _box(request, "inbox")


@school_view
def sent(request):
    return _box(request, "sent")


def _ints(values) -> list[int]:
    return params.id_list(values)


def _compose_context(request, book, people, form, chosen: set[int], chosen_groups: set[str], student_id):
    query = request.GET.get("find", "").strip().lower()
    contacts = sorted(book.contacts.values(), key=lambda c: ({"staff": 0, "guardian": 1, "student": 2}[c.kind],
                                                             c.name))
    if query:
        shown = [c for c in contacts if query in c.name.lower() or query in c.detail.lower() or c.user_id in chosen]
    else:
        shown = [c for c in contacts if c.user_id in chosen] if len(contacts) > 60 else contacts
    children = []
    my_children = sorted({s for g, p in people.guardians.items() if p.user_id == request.user.pk
                          for s in people.children_of[g]})
    if len(my_children) > 1:
        children = [(s, people.pupil_label(s)) for s in my_children]
    key = request.POST.get("key") if request.method == "POST" else ""
    return {"form": form, "key": key or uuid.uuid4(), "groups": book.groups, "contacts": shown, "all_count": len(contacts), "find": query,
            "chosen": chosen, "chosen_groups": chosen_groups, "children": children, "student_id": student_id}


@school_view
def compose(request):
    roles = request.roles
    people = school_people(roles.school)
    book = permissions.address_book(roles, people)
    if request.method == "POST":
        form = ComposeForm(request.POST)
        chosen = set(_ints(request.POST.getlist("to")))
        chosen_groups = set(request.POST.getlist("group"))
        student = _ints([request.POST.get("student")])
        student_id = student[0] if student else None
        if form.is_valid():
            try:
                threads = services.send_message(
                    actor=request.user, roles=roles, subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"], user_ids=sorted(chosen), group_keys=sorted(chosen_groups),
                    student_id=student_id, uploads=request.FILES.getlist("files"),
                    key=parse_key(request.POST.get("key")), people=people)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                if len(threads) == 1:
                    messages.success(request, "Сообщение отправлено.")
                    return redirect("messaging:thread", threads[0].pk)
                messages.success(request, f"Сообщение отправлено каждому отдельно: {len(threads)} адресатам.")
                return redirect("messaging:sent")
        context = _compose_context(request, book, people, form, chosen, chosen_groups, student_id)
        return render(request, "messaging/compose.html", context, status=400)
    chosen = {u for u in _ints(request.GET.getlist("to")) if u in book.contacts}
    chosen_groups = {g for g in request.GET.getlist("group") if book.group(g)}
    initial = {"subject": request.GET.get("subject", "")[:200]}
    student = _ints([request.GET.get("student")])
    context = _compose_context(request, book, people, ComposeForm(initial=initial), chosen, chosen_groups,
                               student[0] if student else None)
    return render_page(request, "messaging/compose.html", context, fragment="messaging/_contacts.html")


def _thread_context(request, thread, form=None):
    class_name = ""
    if thread.student_id:
        found = class_of_student_on(thread.student, today())
        class_name = found.name if found else ""
    return {"page": selectors.thread_page(thread, class_name=class_name), "form": form or ReplyForm()}


def _thread(request, pk: int) -> Thread:
    return scoped(permissions.threads_visible_to(request.roles).select_related("student"), pk=pk)


@school_view
def thread(request, pk: int):
    item = _thread(request, pk)
    services.mark_thread_read(user=request.user, thread=item)
    return render(request, "messaging/thread.html", _thread_context(request, item))


@school_view
@require_POST
def reply(request, pk: int):
    item = _thread(request, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.reply(actor=request.user, thread=item, body=form.cleaned_data["body"],
                           uploads=request.FILES.getlist("files"), key=parse_key(request.POST.get("key")))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Ответ отправлен.")
            return redirect(reverse("messaging:thread", args=[item.pk]) + "#last")
    return render(request, "messaging/thread.html", _thread_context(request, item, form), status=400)


@school_view
def attachment(request, pk: int):
    item = selectors.attachment_visible_to(request.roles, pk)
    if item is None:
        raise Http404
    return uploads.file_response(item.file.open("rb"), filename=item.name, content_type=item.content_type)


@school_view
def settings_page(request):
    require(permissions.manages_messaging(request.roles))
    current = permissions.school_settings(request.roles.school)
    form = SettingsForm(request.POST or None, initial={"parents_to_parents": current.parents_to_parents,
                                                       "students_to_students": current.students_to_students})
    if request.method == "POST" and form.is_valid():
        services.save_messaging_settings(actor=request.user, school=request.roles.school, **form.cleaned_data)
        messages.success(request, "Настройки почты сохранены.")
        return redirect("messaging:settings")
    return render(request, "messaging/settings.html", {"form": form})


# --- announcements ---------------------------------------------------------------------------------------------


@school_view
def announcements(request):
    roles = request.roles
    past = request.GET.get("past") == "1" and permissions.publishes_announcements(roles)
    rows = selectors.announcement_list(roles, include_past=past)
    return render(request, "messaging/announcements.html", {
        "rows": rows, "past": past, "can_publish": permissions.publishes_announcements(roles)})


@school_view
def announcement_new(request):
    roles = request.roles
    require(permissions.publishes_announcements(roles))
    scopes = services.announcement_scopes(roles)
    initial = {"audience": "school" if scopes.school else ("class" if scopes.classes else "group"),
               "to_parents": True}
    form = AnnouncementForm(request.POST or None, scopes=scopes, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.publish_announcement(
                actor=request.user, roles=roles, title=data["title"], body=data["body"], audience=data["audience"],
                grade=data["grade"],
                school_class=SchoolClass.objects.filter(pk=data["school_class"], school=roles.school).first()
                if data["school_class"] else None,
                group=Group.objects.filter(pk=data["group"], school=roles.school).first() if data["group"] else None,
                to_staff=data["to_staff"], to_students=data["to_students"], to_parents=data["to_parents"],
                publish_at=data["publish_at"], expires_at=data["expires_at"], pinned=data["pinned"],
                requires_ack=data["requires_ack"], is_regulation=data["is_regulation"], urgent=data["urgent"],
                event_date=data["event_date"], uploads=request.FILES.getlist("files"))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Объявление опубликовано." if item.publish_at <= timezone.now() else
                             f"Объявление будет опубликовано {timezone.localtime(item.publish_at):%d.%m.%Y %H:%M}.")
            return redirect("messaging:announcement", item.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "messaging/announcement_new.html", {"form": form}, status=status)


def _announcement(request, pk: int) -> Announcement:
    return scoped(permissions.announcements_visible_to(request.roles)
                  .select_related("author", "school_class", "group"), pk=pk)


@school_view
def announcement(request, pk: int):
    item = _announcement(request, pk)
    services.mark_announcement_read(user=request.user, announcement=item)
    mine = selectors.recipient_row(item, request.user.pk)
    return render(request, "messaging/announcement.html", {
        "item": item, "mine": mine, "audience": selectors.audience_label(item),
        "attachments": list(item.attachments.order_by("pk")),
        "can_report": permissions.can_see_read_report(request.roles, item),
        "can_edit": permissions.can_edit_announcement(request.roles, item)})


@school_view
@require_POST
def announcement_acknowledge(request, pk: int):
    item = _announcement(request, pk)
    try:
        services.acknowledge_announcement(actor=request.user, announcement=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Отмечено: вы ознакомлены.")
    return redirect("messaging:announcement", item.pk)


@school_view
@require_POST
def announcement_change(request, pk: int):
    item = _announcement(request, pk)
    require(permissions.can_edit_announcement(request.roles, item))
    action = request.POST.get("action")
    if action not in {"pin", "unpin", "withdraw"}:
        messages.error(request, "Неизвестное действие.")
        return redirect("messaging:announcement", item.pk)
    services.change_announcement(actor=request.user, roles=request.roles, announcement=item,
                                 pinned={"pin": True, "unpin": False}.get(action), withdraw=action == "withdraw")
    messages.success(request, {"pin": "Объявление закреплено.", "unpin": "Объявление откреплено.",
                               "withdraw": "Объявление снято с публикации."}[action])
    return redirect("messaging:announcement", item.pk)


@school_view
def announcement_report(request, pk: int):
    item = _announcement(request, pk)
    require(permissions.can_see_read_report(request.roles, item))
    return render(request, "messaging/announcement_report.html", {
        "item": item, "report": selectors.read_report(item), "audience": selectors.audience_label(item)})


# --- help desk -------------------------------------------------------------------------------------------------------


def _prefill(request) -> dict:
    roles = request.roles
    if roles.staff is not None:
        positions = [p.get_position_display() for p in StaffPosition.objects.filter(staff=roles.staff)]
        if roles.led_class_ids:
            positions.append("классный руководитель")
        return {"name": roles.staff.full_name, "position": ", ".join(positions)}
    people = school_people(roles.school)
    me_pupil = next((p for p in people.pupils.values() if p.user_id == request.user.pk), None)
    if me_pupil is not None:
        return {"name": me_pupil.name, "class_name": people.classes.get(me_pupil.class_id, "")}
    children = sorted({s for g, p in people.guardians.items() if p.user_id == request.user.pk
                       for s in people.children_of[g]})
    return {"name": request.user.display_name,
            "class_name": ", ".join(sorted({people.classes.get(people.pupils[s].class_id, "") for s in children}))}


@school_view
def help_page(request):
    roles = request.roles
    if request.method == "POST":
        form = HelpRequestForm(request.POST)
        if form.is_valid():
            try:
                item = services.submit_help_request(actor=request.user, roles=roles,
                                                    uploads=request.FILES.getlist("files"),
                                                    key=parse_key(request.POST.get("key")), **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"Обращение № {item.pk} отправлено администратору журнала. "
                                          "Ответ придёт во внутреннюю почту.")
                return redirect("messaging:help")
        status = 400
    else:
        form = HelpRequestForm(initial={**_prefill(request), "page": request.GET.get("page", "")[:300]})
        status = 200
    return render(request, "messaging/help.html", {
        "form": form, "key": request.POST.get("key") or uuid.uuid4(), "is_staff": roles.staff is not None, "hours": selectors.consultation_hours(roles.school),
        "mine": list(selectors.help_request_list(roles).filter(author=request.user)[:20]),
        "handles": permissions.handles_help_requests(roles), "manages": permissions.manages_messaging(roles),
    }, status=status)


@school_view
def help_hours(request):
    roles = request.roles
    require(permissions.manages_messaging(roles))
    form = SlotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_consultation_slot(actor=request.user, roles=roles, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Часы консультаций добавлены.")
            return redirect("messaging:help_hours")
    status = 400 if request.method == "POST" else 200
    return render(request, "messaging/help_hours.html", {
        "form": form, "hours": selectors.consultation_hours(roles.school)}, status=status)


@school_view
@require_POST
def help_hours_remove(request, pk: int):
    require(permissions.manages_messaging(request.roles))
    slot = scoped(ConsultationSlot.objects.filter(school=request.roles.school), pk=pk)
    services.remove_consultation_slot(actor=request.user, roles=request.roles, slot=slot)
    messages.success(request, "Часы консультаций удалены.")
    return redirect("messaging:help_hours")


@school_view
def help_requests(request):
    require(permissions.handles_help_requests(request.roles))
    status = request.GET.get("status", "")
    status = status if status in RequestStatus.values else ""
    rows = list(selectors.help_request_list(request.roles, status=status)[:200])
    return render(request, "messaging/help_requests.html", {
        "rows": rows, "status": status, "statuses": RequestStatus.choices})


def _request(request, pk: int) -> HelpRequest:
    return scoped(permissions.help_requests_visible_to(request.roles).select_related("author", "thread"), pk=pk)


def _handled_request(request, pk: int) -> HelpRequest:
    """A request the user sees (else 404) and handles (else 403)."""
    item = _request(request, pk)
    require(permissions.handles_help_requests(request.roles))
    return item


@school_view
def help_request(request, pk: int):
    return _help_request_page(request, _request(request, pk))


def _help_request_page(request, item: HelpRequest, *, answer_form=None, status_code: int = 200):
    handles = permissions.handles_help_requests(request.roles)
    return render(request, "messaging/help_request.html", {
        "item": item, "handles": handles, "attachments": list(item.attachments.order_by("pk")),
        "status_form": StatusForm(initial={"status": item.status}), "answer_form": answer_form or ReplyForm(),
    }, status=status_code)


@school_view
@require_POST
def help_request_status(request, pk: int):
    item = _handled_request(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        services.set_help_request_status(actor=request.user, roles=request.roles, request=item,
                                         status=form.cleaned_data["status"])
        messages.success(request, "Состояние обращения изменено.")
    else:
        messages.error(request, "Выберите состояние из списка.")
    return redirect("messaging:help_request", item.pk)


@school_view
@require_POST
def help_request_answer(request, pk: int):
    item = _handled_request(request, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.answer_help_request(actor=request.user, roles=request.roles, request=item,
                                         body=form.cleaned_data["body"], uploads=request.FILES.getlist("files"))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Ответ отправлен во внутреннюю почту автора.")
            return redirect("messaging:help_request", item.pk)
    return _help_request_page(request, item, answer_form=form, status_code=400)
