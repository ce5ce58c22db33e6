"""The diary's pages: week, subject, marks feed, final marks, calendar link, printable week; the class teacher's
and the deputy's tables of who reads the diary and who acknowledged the final marks."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from zhurnal.core import params, uploads
from zhurnal.core.dates import today as school_today
from zhurnal.core.view_helpers import require, school_row, school_view, scoped
from zhurnal.journal import visibility
from zhurnal.journal.models import HomeworkAttachment
from zhurnal.journal.selectors import current_period
from zhurnal.school import permissions as school_permissions
from zhurnal.school.access.log import AccessKind, note_reading
from zhurnal.school.models import Guardian, GuardianLink, ReportingPeriod, Student, Subject
from zhurnal.school.roles import Role
from zhurnal.school.selectors import current_year, periods_for_grade
from zhurnal.timetable.calendar import monday_of
from zhurnal.timetable.exports import PDF_TYPE, file_response

from . import ical, permissions, rendering, selectors, services
from .models import CalendarFeed, token_digest

_FRESH_FEED_KEY = "zhurnal_calendar_link"  # the link just made, shown once

CALENDAR_DAYS_BACK = 14
CALENDAR_DAYS_AHEAD = 56


# --- helpers ---------------------------------------------------------------------------------------------------------


def _student(request, student_id: int) -> Student:
    """The student whose diary the user may open (else 404), with the active school: its stamp versions the
    cached rules, periods and bells the diary reads."""
    student = school_row(request, Student, student_id)
    if not permissions.can_open_diary(request.roles, student):
        raise Http404
    student.school = request.roles.school
    return student


def _guardian_id(roles, student: Student) -> int | None:
    if not permissions.is_guardian_of(roles, student):
        return None
    if len(roles.guardian_ids) == 1:
        return next(iter(roles.guardian_ids))
    return (GuardianLink.objects.filter(guardian_id__in=sorted(roles.guardian_ids), student=student)
            .order_by("guardian_id").values_list("guardian_id", flat=True).first())


def _track(request, student: Student, today: dt.date) -> None:
    """Count the view when the family reads the diary (staff reading it are not counted)."""
    roles = request.roles
    guardian_id = _guardian_id(roles, student)
    is_self = roles.student is not None and roles.student.pk == student.pk
    if guardian_id is not None or is_self:
        services.count_diary_view(student=student, guardian_id=guardian_id, viewer_is_student=guardian_id is None,
                                  on=today)


def _date_param(request, name: str = "date") -> dt.date | None:
    return params.date_param(request.GET, name, request=request)


def _opened(request, student_id: int) -> tuple[Student, dt.date]:
    """The diary of ``student_id`` opened today: the student (404 unless the user may open it) and today; the
    family's view is counted."""
    student = _student(request, student_id)
    today = school_today()
    _track(request, student, today)
    return student, today


def _opened_week(request, student_id: int) -> tuple[Student, dt.date, dt.date]:
    """As ``_opened``, with the day of the week asked for (``?date=``, else today)."""
    student = _student(request, student_id)
    today = school_today()
    day = _date_param(request) or today
    _track(request, student, today)
    return student, today, day


def _frame(request, student: Student, tab: str) -> dict:
    """What every diary page shows around its content: whose diary, the children switcher, the tabs."""
    roles = request.roles
    children = selectors.children_of(roles.child_ids) if roles.has(Role.GUARDIAN) and len(roles.child_ids) > 1 \
        else []
    several_schools = roles.has(Role.GUARDIAN) and len(request.schools) > 1
    elsewhere = selectors.other_school_children(request.user, roles.school) if several_schools else []
    return {
        "student": student, "tab": tab, "children": children, "elsewhere": elsewhere,
        "is_family": permissions.is_family_of(roles, student),
        "is_guardian": permissions.is_guardian_of(roles, student),
        "read_only_staff": not permissions.is_family_of(roles, student),
    }


# --- the family's pages ---------------------------------------------------------------------------------------------


@school_view
def home(request):
    """The family's start page: the student's own diary, or the first child's."""
    roles = request.roles
    if roles.student is not None:
        return redirect("diary:week", roles.student.pk)
    if roles.child_ids:
        first = selectors.children_of(roles.child_ids)[0]
        return redirect("diary:week", first.pk)
    classes = school_permissions.classes_for_class_teacher_pages(roles).order_by("-year__start", "grade", "letter")
    first_class = classes.first()
    if first_class is not None:
        return redirect("diary:class_overview", first_class.pk)
    raise Http404


@school_view
def week(request, student_id: int):
    student, today, day = _opened_week(request, student_id)
    family = permissions.is_family_of(request.roles, student)
    data = selectors.diary_week(student, day, today=today, user_id=request.user.pk if family else None)
    return render(request, "diary/week.html", {
        **_frame(request, student, "week"), "week": data, "today": today, "this_week": monday_of(today),
        "days_html": rendering.render_days(data.days, student_id=student.pk),
        "upcoming": selectors.upcoming_controls(student, today=today),
        "absences": selectors.period_absences(student, data.period, today=today) if data.period else None,
    })


def _period_of(request, periods: list[ReportingPeriod], today: dt.date) -> ReportingPeriod:
    wanted = request.GET.get("period", "")
    for period in periods:
        if str(period.pk) == wanted:
            return period
    current = current_period(periods, today)
    if current is None:
        raise Http404("Для класса ученика не заданы учебные периоды.")
    return current


@school_view
def subject(request, student_id: int, subject_id: int):
    subject_row = school_row(request, Subject, subject_id)
    student, today = _opened(request, student_id)
    place = selectors.placement(student, today - dt.timedelta(days=366), today + dt.timedelta(days=366))
    school_class, periods = selectors.student_periods(place, today, school=student.school)
    if school_class is None:
        raise Http404("Ученик не зачислен ни в один класс.")
    period = _period_of(request, periods, today)
    page = selectors.diary_subject(student, subject_row, period=period, periods=periods, school_class=school_class,
                                   place=place, today=today)
    for section in page.sections:
        section.marks_html = rendering.render_marks(section) if section.lines else ""
    return render(request, "diary/subject.html", {**_frame(request, student, "subject"), "page": page})


@school_view
def feed(request, student_id: int):
    student, today = _opened(request, student_id)
    family = permissions.is_family_of(request.roles, student)
    seen_at = selectors.last_feed_visit(student, request.user.pk) if family else None
    data = selectors.marks_feed(student, seen_at=seen_at)
    if family:
        services.mark_feed_seen(user=request.user, student=student)
    return render(request, "diary/feed.html", {**_frame(request, student, "feed"), "feed": data,
                                               "show_new": family})


@school_view
def finals(request, student_id: int):
    student, today = _opened(request, student_id)
    page = selectors.diary_finals(student, today=today)
    guardian_ids = request.roles.guardian_ids if permissions.is_guardian_of(request.roles, student) else frozenset()
    acks = []
    for state in page.acks:
        if not state.visible:
            continue
        mine = state.for_guardian(guardian_ids)
        acks.append((state, mine, mine is not None and state.is_current(mine)))
    upcoming = page.current if page.current is not None and not any(
        state.key == str(page.current.pk) for state, _, _ in acks) else None
    return render(request, "diary/finals.html", {
        **_frame(request, student, "finals"), "page": page, "acks": acks, "upcoming": upcoming,
        "upcoming_from": visibility.finals_visible_from(upcoming.end) if upcoming else None,
        "can_acknowledge": permissions.can_acknowledge_finals(request.roles, student),
        "finals_days": visibility.finals_visible_days(), "forecast_days": visibility.forecast_days(),
    })


@school_view
@require_POST
def acknowledge(request, student_id: int):
    student = _student(request, student_id)
    require(permissions.can_acknowledge_finals(request.roles, student))
    guardian_id = _guardian_id(request.roles, student)
    if guardian_id is None:
        raise Http404("Подтверждает ознакомление родитель обучающегося.")
    guardian = Guardian.objects.get(pk=guardian_id)
    wanted = request.POST.get("period", "")
    period = None
    if wanted != "year":
        period = ReportingPeriod.objects.filter(school=request.roles.school,
                                                pk=params.parse_id(wanted) or 0).select_related("period_set").first()
        if period is None:
            messages.error(request, "Выберите учебный период, с отметками которого вы ознакомились.")
            return redirect("diary:finals", student.pk)
    try:
        services.acknowledge_final_marks(actor=request.user, guardian=guardian, student=student, period=period,
                                         today=school_today())
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        what = f"за «{period.name}»" if period is not None else "за год"
        messages.success(request, f"Ознакомление с итоговыми отметками {what} подтверждено. Классный "
                                  "руководитель видит это в электронном журнале.")
    return redirect("diary:finals", student.pk)


@school_view
def week_pdf(request, student_id: int):
    student, today, day = _opened_week(request, student_id)
    reports = [_weekly_report(student, day, today)]
    content = _render_reports(reports, request.roles.school, today)
    monday = monday_of(day)
    if request.roles.staff is not None:  # a family printing its own diary is no third party's access
        note_reading(request, AccessKind.DIARY_PRINT, f"Дневник {student.full_name}, неделя с {monday:%d.%m.%Y}",
                     rows=1, target=student)
    return file_response(content, PDF_TYPE, f"Дневник {student.last_name} {monday:%d.%m.%Y}.pdf")


def _weekly_report(student: Student, day: dt.date, today: dt.date) -> dict:
    monday, sunday = selectors.week_bounds(day)
    span = selectors.diary_days(student, monday, sunday, today=today)
    finals_page = selectors.diary_finals(student, today=today)
    days = [d for d in span.days if d.date.weekday() < 6 or d.lessons]
    published = [state for state in finals_page.acks if state.visible and state.has_marks]
    return {"student": student, "span": span, "days": days, "monday": monday, "sunday": sunday,
            "finals": finals_page, "published": published[-1] if published else None}


def _render_reports(reports: list[dict], school, today: dt.date) -> bytes:
    from weasyprint import HTML

    html = render_to_string("diary/pdf/week.html", {"reports": reports, "school": school, "today": today})
    return HTML(string=html).write_pdf()


@school_view
def attachment(request, student_id: int, pk: int):
    """A homework file, for whoever may read this student's diary — if the student was in the lesson's group."""
    student = _student(request, student_id)
    item = scoped(HomeworkAttachment.objects.filter(school=request.roles.school)
                  .select_related("lesson__assignment__group"), pk=pk)
    lesson = item.lesson
    place = selectors.placement(student, lesson.date, lesson.date)
    group = lesson.assignment.group
    if not place.attends(group_kind=group.kind, group_id=group.pk, school_class_id=group.school_class_id,
                         day=lesson.date):
        raise Http404
    return uploads.file_response(item.file.open("rb"), filename=item.name, content_type=item.content_type)


# --- the private calendar link ---------------------------------------------------------------------------------------


@school_view
def calendar(request, student_id: int):
    student = _student(request, student_id)
    can_manage = permissions.can_manage_calendar(request.roles, student)
    if request.method == "POST":
        require(can_manage)
        if request.POST.get("action") == "revoke":
            if services.revoke_calendar_feed(actor=request.user, student=student):
                messages.success(request, "Ссылка на календарь отключена: по ней больше ничего не доступно.")
        else:
            had = CalendarFeed.objects.filter(user=request.user, student=student).exists()
            feed = services.renew_calendar_feed(actor=request.user, student=student)
            # Shown once, on the page the browser goes to next: only the token's digest is stored.
            request.session[_FRESH_FEED_KEY] = {"student": student.pk, "token": feed.plain_token}
            messages.success(request, "Выдана новая ссылка; прежняя больше не работает." if had
                             else "Ссылка на календарь готова.")
        return redirect("diary:calendar", student.pk)
    feed_row = CalendarFeed.objects.filter(user=request.user, student=student).first() if can_manage else None
    fresh = request.session.pop(_FRESH_FEED_KEY, None)
    token = fresh["token"] if fresh and feed_row and fresh.get("student") == student.pk \
        and token_digest(fresh["token"]) == feed_row.token else ""
    url = request.build_absolute_uri(reverse("diary:ical", args=[token])) if token else ""
    return render(request, "diary/calendar.html", {
        **_frame(request, student, "calendar"), "feed": feed_row, "url": url,
        "webcal": "webcal://" + url.split("://", 1)[1] if url else "", "can_manage": can_manage,
        "days_back": CALENDAR_DAYS_BACK, "days_ahead": CALENDAR_DAYS_AHEAD,
    })


@require_GET
def ical_feed(request, token: str):
    """No login: the token is the key. It works only while its owner may still read the student's diary."""
    feed_row = (CalendarFeed.objects.filter(token=token_digest(token)).select_related("student__school", "user")
                .first() if token else None)
    if feed_row is None or not feed_row.user.is_active:
        raise Http404
    student = feed_row.student
    is_self = student.user_id == feed_row.user_id
    is_guardian = Guardian.objects.filter(school_id=student.school_id, user_id=feed_row.user_id,
                                          links__student=student).exists()
    if not (is_self or is_guardian):
        raise Http404
    today = school_today()
    span = selectors.diary_days(student, today - dt.timedelta(days=CALENDAR_DAYS_BACK),
                                today + dt.timedelta(days=CALENDAR_DAYS_AHEAD), today=today)
    content = ical.build_calendar(span, title=f"Дневник: {student.last_name} {student.first_name}",
                                  timezone_name=student.school.timezone, host=f"{student.school.slug}.zhurnal")
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="diary.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


# --- the class teacher and the deputy -----------------------------------------------------------------------------------


def _class(request, class_id: int):
    return scoped(school_permissions.classes_for_class_teacher_pages(request.roles).select_related("year", "class_teacher"),
                  pk=class_id)


def last_complete_week(today: dt.date) -> dt.date:
    """The Monday of the last week whose school days (Monday to Saturday) are all over: the printout's default."""
    this_monday = monday_of(today)
    return this_monday if today.weekday() == 6 else this_monday - dt.timedelta(days=7)


@school_view
def class_overview(request, class_id: int):
    school_class = _class(request, class_id)
    today = school_today()
    monday = monday_of(_date_param(request) or today)
    activity = selectors.class_week_activity(school_class, monday)
    paper = [row for row in activity.rows if row.paper]
    led = school_permissions.classes_for_class_teacher_pages(request.roles).filter(year=school_class.year) \
        .order_by("grade", "letter")
    return render(request, "diary/class_overview.html", {
        "school_class": school_class, "activity": activity, "monday": monday, "today": today,
        "paper_monday": min(monday, last_complete_week(today)),
        "previous": monday - dt.timedelta(days=7), "following": monday + dt.timedelta(days=7),
        "this_week": monday_of(today), "paper": paper, "classes": led, "checks": selectors.CHECKS_PER_WEEK,
        "can_school": permissions.can_view_school_activity(request.roles),
    })


@school_view
def class_acknowledgements(request, class_id: int):
    school_class = _class(request, class_id)
    today = school_today()
    periods = list(periods_for_grade(school_class.year, school_class.grade))
    wanted = request.GET.get("period", "")
    if wanted == "year":
        period = None
    else:
        period = next((p for p in periods if str(p.pk) == wanted), None) or current_period(periods, today)
        if period is not None and period.start > today:
            past = [p for p in periods if p.start <= today]
            period = past[-1] if past else period
    if period is None and wanted != "year" and not periods:
        raise Http404("Для класса не заданы учебные периоды.")
    data = selectors.class_acknowledgements(school_class, period, periods=periods, today=today)
    return render(request, "diary/class_acknowledgements.html", {"school_class": school_class, "data": data,
                                                                 "today": today})


@school_view
def class_paper_pdf(request, class_id: int):
    """The weekly reports of every student whose family chose paper, in one PDF to print."""
    school_class = _class(request, class_id)
    today = school_today()
    day = _date_param(request)
    monday = monday_of(day) if day else last_complete_week(today)
    students = selectors.paper_students(school_class, monday)
    if not students:
        messages.info(request, "В классе нет семей, выбравших бумажную выписку вместо электронного дневника.")
        return redirect(f"{reverse('diary:class_overview', args=[school_class.pk])}?date={monday:%Y-%m-%d}")
    reports = [_weekly_report(student, monday, today) for student in students]
    content = _render_reports(reports, request.roles.school, today)
    note_reading(request, AccessKind.DIARY_PRINT, f"Бумажные выписки {school_class.name}, неделя с {monday:%d.%m.%Y}",
                 rows=len(students), target=school_class)
    return file_response(content, PDF_TYPE, f"Выписки {school_class.name} {monday:%d.%m.%Y}.pdf")


@school_view
def school_activity(request):
    require(permissions.can_view_school_activity(request.roles))
    today = school_today()
    monday = monday_of(_date_param(request) or today)
    year = current_year(request.roles.school, monday)
    if year is None:
        raise Http404("В школе ещё не создан учебный год.")
    rows = selectors.school_week_activity(year, monday)
    totals = {
        "students": sum(r.students for r in rows), "families": sum(r.families for r in rows),
        "families_checking": sum(r.families_checking for r in rows),
        "students_with_access": sum(r.students_with_access for r in rows),
        "students_checking": sum(r.students_checking for r in rows), "paper": sum(r.paper for r in rows),
    }
    return render(request, "diary/school_activity.html", {
        "rows": rows, "totals": totals, "monday": monday, "sunday": monday + dt.timedelta(days=6),
        "previous": monday - dt.timedelta(days=7), "following": monday + dt.timedelta(days=7),
        "this_week": monday_of(today), "checks": selectors.CHECKS_PER_WEEK, "year": year,
    })
