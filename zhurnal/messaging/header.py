"""The mail's items in every page's header (``core.header``): «Почта» with the unread count, and «Помощь»."""

from __future__ import annotations

from urllib.parse import urlencode

from django.utils.html import format_html
from django.utils.safestring import mark_safe

from zhurnal.core.navigation import cached_reverse

from . import permissions, selectors


def mail_link(request) -> str | None:
    roles = getattr(request, "roles", None)
    if roles is None or not roles.is_member:
        return None
    count = selectors.unread_count(school_id=roles.school.pk, user_id=request.user.pk)
    if count:
        return format_html('<a class="header-mail" href="{}" title="Почта: непрочитанных переписок — {}">'
                           '<span aria-hidden="true">✉</span><span class="header-label"> Почта</span> '
                           '<span class="badge" data-unread>{}</span></a>',
                           cached_reverse("messaging:inbox"), count, count)
    return format_html('<a class="header-mail" href="{}" title="Почта"><span aria-hidden="true">✉</span>'
                       '<span class="header-label"> Почта</span></a>', cached_reverse("messaging:inbox"))


# A drawn megaphone: a school PC may have no emoji font.
_ANNOUNCEMENTS_ICON = mark_safe(  # noqa: S308 - a constant of our own
    '<svg aria-hidden="true" viewBox="0 0 24 24" focusable="false" class="header-icon"><path d="M3 10v4h3l5 4V6L6 '
    '10H3zm10.5-3.5v11l1.5.9V5.6l-1.5.9zM17 8v8a4 4 0 0 0 0-8z"/></svg>')


def announcements_link(request) -> str | None:
    """«Объявления» beside the mail: news and local acts for everyone who reads them."""
    roles = getattr(request, "roles", None)
    if roles is None or not roles.is_member or not permissions.reads_announcements(roles):
        return None
    return format_html('<a class="header-news" href="{}" title="Объявления">{}<span class="header-label"> Объявления'
                       '</span></a>', cached_reverse("messaging:announcements"), _ANNOUNCEMENTS_ICON)


def help_link(request) -> str | None:
    roles = getattr(request, "roles", None)
    if roles is None or not roles.is_member:
        return None
    return format_html('<a class="header-help" href="{}?{}" title="Помощь: обращение к администратору журнала">'
                       '<span aria-hidden="true">?</span><span class="header-label"> Помощь</span></a>',
                       cached_reverse("messaging:help"), urlencode({"page": request.path}))
