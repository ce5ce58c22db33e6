"""The mail's items in every page's header (``core.header``): «Почта» with the unread count, and «Помощь»."""

from __future__ import annotations

from urllib.parse import urlencode

from django.utils.html import format_html

from zhurnal.core.navigation import cached_reverse

from . import selectors


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


def help_link(request) -> str | None:
    roles = getattr(request, "roles", None)
    if roles is None or not roles.is_member:
        return None
    return format_html('<a class="header-help" href="{}?{}" title="Помощь: обращение к администратору журнала">'
                       '<span aria-hidden="true">?</span><span class="header-label"> Помощь</span></a>',
                       cached_reverse("messaging:help"), urlencode({"page": request.path}))
