"""Styled Russian error pages (400, 403, 404, 413, 500) with the menu and a way back.

Django calls these as ``handler400`` … ``handler500`` (``config/urls.py``). A request body over the limit
(``RequestDataTooBig``, a ``SuspiciousOperation`` that Django answers with 400) gets its own page, 413. The 500
page is rendered without the menu when the menu itself cannot be made (the database may be what failed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import reverse

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErrorKind:
    status: int
    title: str
    text: str


KINDS = {
    400: ErrorKind(400, "Неверный запрос",
                   "Страница получила данные, которые не может обработать. Вернитесь назад и попробуйте ещё раз."),
    403: ErrorKind(403, "Нет доступа",
                   "Эта страница есть, но вашей учётной записи она недоступна. Если она нужна вам для работы, "
                   "обратитесь к администратору электронного журнала."),
    404: ErrorKind(404, "Страница не найдена",
                   "Такой страницы нет или она вам не видна: возможно, ссылка устарела или в ней опечатка."),
    413: ErrorKind(413, "Файл слишком большой",
                   "Отправленный файл или форма больше допустимого размера. Уменьшите файл (например, сохраните "
                   "таблицу без лишних листов) и отправьте снова."),
    500: ErrorKind(500, "Ошибка на сервере",
                   "Что-то пошло не так, и мы уже записали подробности. Введённые в журнал отметки, которые "
                   "были сохранены, не потеряны. Попробуйте ещё раз через минуту."),
}


def back_url(request: HttpRequest) -> str | None:
    """The page the user came from, when it is on this site and is not the failing page itself."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer:
        return None
    parts = urlsplit(referer)
    if parts.netloc and parts.netloc != request.get_host():
        return None
    if parts.scheme and parts.scheme not in {"http", "https"}:
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or path == request.path:
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def render_error(request: HttpRequest, status: int, *, detail: str = "") -> HttpResponse:
    kind = KINDS[status]
    context = {"error": kind, "detail": detail, "back": back_url(request), "home": reverse("core:home")}
    try:
        body = loader.render_to_string("errors/error.html", context, request=request)
    except Exception:  # the menu needs the database, which may be what failed
        logger.exception("error page %s rendered without the menu", status)
        body = loader.render_to_string("errors/plain.html", context)
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def _detail(exception: BaseException | None) -> str:
    """A message a view raised on purpose in Russian (``Http404("В школе ещё не создан учебный год.")``)."""
    if exception is None or not exception.args:
        return ""
    text = str(exception.args[0])
    return text if any("а" <= ch.lower() <= "я" or ch in "ёЁ" for ch in text) else ""


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return too_large(request, limit=getattr(exception, "limit", None))
    return render_error(request, 400, detail=_detail(exception))


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return render_error(request, 403, detail=_detail(exception))


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return render_error(request, 404, detail=_detail(exception))


def server_error(request: HttpRequest) -> HttpResponse:
    return render_error(request, 500)


def too_large(request: HttpRequest, *, limit: int | None = None) -> HttpResponse:
    """The 413 page, for an upload refused by its size, naming the limit."""
    from django.conf import settings

    from .uploads import megabytes

    limit = limit or settings.ZHURNAL_MAX_UPLOAD_BYTES
    return render_error(request, 413, detail=f"Отправлено больше {megabytes(limit)} — столько эта страница не "
                                             "принимает.")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent after the session ended or from a stale page (Django's ``CSRF_FAILURE_VIEW``). The journal's
    script gets JSON: it keeps the unsaved cells and asks to log in again."""
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"ok": False, "session": True, "error": "Сессия истекла — войдите снова."}, status=403)
    return render_error(request, 403, detail="Страница устарела или сессия истекла: обновите страницу "
                                             "(или войдите снова) и повторите действие.")
