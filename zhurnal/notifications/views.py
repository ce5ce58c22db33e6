"""The bell, the list of a person's notifications, his settings, the school's defaults, and the browser's push
subscription (JSON only)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from zhurnal.core.view_helpers import own_path, require, school_view

from . import forms, permissions, push, selectors, services
from .kinds import KINDS, Mode, kinds_for
from .models import WEEKDAYS, Notification


def bell(request) -> str:
    """The header's bell (``core.navigation.register_header_item``): the unread count, refreshed by htmx."""
    if not getattr(request, "roles", None) or not request.roles.is_member:
        return ""
    return _bell_html(selectors.unread_count(request.user))


def _bell_html(count: int):
    label = f"Уведомления: непрочитанных {count}" if count else "Уведомления: новых нет"
    return format_html(
        '<a class="bell{}" id="bell" href="{}" hx-get="{}" hx-trigger="every {}s, focus from:window" '
        'hx-swap="outerHTML" aria-label="{}" title="{}">{}'
        '<span class="bell-count" data-count="{}">{}</span></a>',
        " bell-unread" if count else "", reverse("notifications:list"), reverse("notifications:bell"),
        settings.ZHURNAL_BELL_POLL_SECONDS, label, label, _BELL_ICON, count, count if count else "")


# A drawn bell, not the emoji: a school PC without an emoji font shows an empty box for «🔔».
_BELL_ICON = mark_safe(  # noqa: S308 - a constant of our own
    '<svg aria-hidden="true" viewBox="0 0 24 24" focusable="false"><path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 '
    '2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1z"/></svg>')


@school_view
@require_GET
def bell_fragment(request):
    return HttpResponse(_bell_html(selectors.unread_count(request.user)))


@school_view
def notification_list(request):
    items = selectors.latest(request.user)
    return render(request, "notifications/list.html", {
        "items": items, "unread": sum(1 for n in items if n.read_at is None),
        "push_key_url": reverse("notifications:push_key"), "service_worker": static("notifications/sw.js")})


@school_view
@require_POST
def mark_read(request):
    services.mark_read(user=request.user)
    messages.success(request, "Все уведомления отмечены прочитанными.")
    return redirect("notifications:list")


@school_view
@require_POST
def open_notification(request, pk: int):
    """Mark one read and go where it points (a notification of another person does not exist: 404)."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.mark_read(user=request.user, notification_ids=[notification.pk])
    return redirect(own_path(request, notification.url, reverse("notifications:list")))


@school_view
def user_settings(request):
    roles = request.roles
    kinds = kinds_for(family=permissions.is_family(roles))
    errors: list[str] = []
    if request.method == "POST":
        post = request.POST
        try:
            services.save_settings(
                user=request.user, school_id=roles.school.pk, modes=forms.parse_modes(post, kinds),
                by_email=post.get("by_email") == "on", email=forms.parse_email(post.get("email", "")),
                by_push=post.get("by_push") == "on", **forms.parse_times(post),
                weekly_day=forms.parse_weekday(post.get("weekly_day", "")))
        except ValidationError as error:
            errors = list(error.messages)
        else:
            messages.success(request, "Настройки уведомлений сохранены.")
            return redirect("notifications:settings")
    prefs = selectors.preferences(request.user, roles.school.pk)
    return render(request, "notifications/settings.html", {
        "prefs": prefs, "rows": [(kind, prefs.mode(kind.code), prefs.urgent.get(kind.code)) for kind in kinds],
        "modes": Mode.choices, "weekdays": WEEKDAYS, "errors": errors,
        "push_key_url": reverse("notifications:push_key"), "service_worker": static("notifications/sw.js"),
        "subscriptions": request.user.push_subscriptions.count()})


@school_view
def school_settings(request):
    roles = request.roles
    require(permissions.can_read_school_settings(roles))
    school = roles.school
    errors: list[str] = []
    kinds = list(KINDS.values())
    if request.method == "POST":
        require(permissions.can_edit_school_settings(roles))
        post = request.POST
        try:
            services.save_school_settings(
                actor=request.user, school=school, modes=forms.parse_modes(post, kinds),
                urgent={kind.code for kind in kinds if post.get(f"urgent_{kind.code}") == "on"},
                low_average_below=forms.parse_average(post.get("low_average_below", "")),
                absences_limit=forms.parse_limit(post.get("absences_limit", "")), **forms.parse_times(post))
        except ValidationError as error:
            errors = list(error.messages)
        else:
            messages.success(request, "Настройки уведомлений школы сохранены.")
            return redirect("notifications:school_settings")
    defaults = selectors.school_defaults(school.pk)
    return render(request, "notifications/school_settings.html", {
        "current": selectors.school_settings(school.pk), "modes": Mode.choices, "errors": errors,
        "rows": [(kind, defaults[kind.code]) for kind in kinds],
        "can_edit": permissions.can_edit_school_settings(roles)})


# --- Web Push ------------------------------------------------------------------------------------------------------

@school_view
@require_GET
def push_key(request):
    return JsonResponse({"key": push.public_key()})


def _json_body(request) -> dict:
    if request.content_type != "application/json":
        raise ValidationError({"content_type": "Ожидается запрос в формате application/json."})
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        raise ValidationError({"body": "Тело запроса — не JSON."}) from None
    if not isinstance(body, dict):
        raise ValidationError({"body": "Ожидается объект JSON с подпиской."})
    return body


def _json_error(request, error: ValidationError) -> JsonResponse:
    """400, or 415 when the request is not JSON at all."""
    status = 415 if request.content_type != "application/json" else 400
    return JsonResponse({"errors": error.messages}, status=status)


@school_view
@require_POST
def push_subscribe(request):
    try:
        body = _json_body(request)
        keys = body.get("keys")
        keys = keys if isinstance(keys, dict) else {}
        services.subscribe_push(user=request.user, endpoint=str(body.get("endpoint") or ""),
                                p256dh=str(keys.get("p256dh") or ""), auth=str(keys.get("auth") or ""),
                                user_agent=request.headers.get("User-Agent", ""))
    except ValidationError as error:
        return _json_error(request, error)
    return JsonResponse({"ok": True}, status=201)


@school_view
@require_POST
def push_unsubscribe(request):
    try:
        body = _json_body(request)
    except ValidationError as error:
        return _json_error(request, error)
    removed = services.unsubscribe_push(user=request.user, endpoint=str(body.get("endpoint") or ""))
    if not removed:
        raise Http404
    return JsonResponse({"ok": True})
