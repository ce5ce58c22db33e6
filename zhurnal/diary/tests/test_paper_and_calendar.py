"""The paper route (weekly reports as PDF, read back) and the private iCalendar feed (parsed back with the same
library that wrote it)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from zhurnal.diary.models import CalendarFeed
from zhurnal.journal import services as journal
from zhurnal.school import services as school_services

from .conftest import current_quarter, lesson_on, put_cell, set_period_end

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def fill_week(s, student):
    monday = lesson_on(s.math_5a, s.monday)
    journal.save_lesson_record(actor=s.users["teacher"], lesson=monday, topic="Десятичные дроби",
                               homework="Учебник, № 345", today=s.monday)
    put_cell(s, monday, student, "5")
    put_cell(s, lesson_on(s.russian_5a, s.monday + dt.timedelta(days=1)), student, "б")


def test_weekly_report_pdf_holds_marks_absences_and_homework(diary, login):
    s = diary
    student = s.students["student"]
    fill_week(s, student)
    response = login("guardian").get(f"/diary/{student.pk}/week/pdf/?date={s.monday:%Y-%m-%d}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Выписка из электронного дневника" in text
    assert "Иванов Иван Сергеевич" in text and "5А" in text
    assert "Десятичные дроби" in text and "Учебник, № 345" in text
    assert "Математика 5" in text  # the week's marks
    assert "Пропущено уроков: 1" in text and "болел(а)" in text


def test_class_teacher_prints_the_reports_of_paper_families_in_one_click(diary, login):
    s = diary
    student = s.students["student"]
    fill_week(s, student)
    link = student.guardian_links.get()
    school_services.link_guardian(actor=None, student=student, guardian=link.guardian, relation="мать",
                                  info_channel="paper")
    client = login("class_teacher")
    page = client.get(f"/diary/classes/{s.class_5a.pk}/?date={s.monday:%Y-%m-%d}").content.decode()
    assert "Выписки на бумаге за неделю" in page and "(1)</a>" in page and "бумажная выписка" in page
    response = client.get(f"/diary/classes/{s.class_5a.pk}/paper.pdf?date={s.monday:%Y-%m-%d}")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    text = pdf_text(response.content)
    assert text.count("Выписка из электронного дневника") == 1
    assert "Иванов Иван Сергеевич" in text and "Десятичные дроби" in text
    assert len(reader.pages) >= 1
    # Two paper families: two reports, each on its own page.
    classmate = s.class_5a.enrollments.exclude(student=student).first().student
    guardian = school_services.save_guardian(actor=None, school=s.school, last_name=classmate.last_name,
                                             first_name="Ольга")
    school_services.link_guardian(actor=None, student=classmate, guardian=guardian, info_channel="paper")
    response = client.get(f"/diary/classes/{s.class_5a.pk}/paper.pdf?date={s.monday:%Y-%m-%d}")
    reader = PdfReader(io.BytesIO(response.content))
    starts = [i for i, p in enumerate(reader.pages) if "Выписка из электронного дневника" in p.extract_text()]
    assert len(starts) == 2 and starts[1] > starts[0]


def test_paper_pdf_without_paper_families_says_so(diary, login):
    s = diary
    response = login("class_teacher").get(f"/diary/classes/{s.class_5a.pk}/paper.pdf", follow=True)
    assert "нет семей, выбравших бумажную выписку" in response.content.decode()


def test_weekly_report_carries_the_forecast_inside_the_window(diary, login):
    s = diary
    student = s.students["student"]
    set_period_end(s, current_quarter(s), s.today + dt.timedelta(days=5))
    fill_week(s, student)
    text = pdf_text(login("class_teacher").get(f"/diary/{student.pk}/week/pdf/").content)
    assert "Прогноз итоговых отметок" in text and "недостаточно отметок" in text


def calendar_url(client, student) -> str:
    """The link as the page shows it, once, right after it is made."""
    page = client.post(f"/diary/{student.pk}/calendar/", {"action": "renew"}, follow=True).content.decode()
    return re.search(r'id="ical-url" class="wide" value="https?://[^/"]+(/diary/calendar/[^"]+\.ics)"', page).group(1)


def test_calendar_feed_parses_and_holds_lessons_and_homework(diary, login, client):
    s = diary
    student = s.students["student"]
    lesson = lesson_on(s.math_5a, s.monday)
    journal.save_lesson_record(actor=s.users["teacher"], lesson=lesson, topic="Дроби", homework="№ 12",
                               today=s.monday)
    family = login("guardian")
    url = calendar_url(family, student)
    # Shown once: only the token's digest is kept, so the page cannot show it again and offers a new one.
    again = family.get(f"/diary/{student.pk}/calendar/").content.decode()
    assert url not in again and "показать её снова нельзя" in again and "Выдать новую ссылку" in again
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert not CalendarFeed.objects.filter(token=token).exists()
    family.logout()
    response = client.get(url)  # no login: the token is the key
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    lessons = {str(e["UID"]): e for e in events if str(e["UID"]).startswith("lesson-")}
    event = lessons[f"lesson-{lesson.pk}@{s.school.slug}.zhurnal"]
    assert str(event["SUMMARY"]) == "Математика"
    start = event.decoded("DTSTART")
    assert (start.date(), start.strftime("%H:%M")) == (s.monday, "09:25")
    assert event.decoded("DTEND").strftime("%H:%M") == "10:10"
    assert str(event["LOCATION"]) == "каб. 214" and "Тема: Дроби" in str(event["DESCRIPTION"])
    homework = [e for e in events if str(e["UID"]) == f"homework-{lesson.pk}@{s.school.slug}.zhurnal"]
    assert len(homework) == 1 and "№ 12" in str(homework[0]["DESCRIPTION"])
    assert homework[0].decoded("DTSTART") == s.monday + dt.timedelta(days=1)
    # Only the student's lessons: 5Б's maths is not in it.
    assert not any(e["UID"] == f"lesson-{lesson_on(s.math_5b, s.monday).pk}@{s.school.slug}.zhurnal" for e in events)
    days = {e.decoded("DTSTART").date() if isinstance(e.decoded("DTSTART"), dt.datetime) else e.decoded("DTSTART")
            for e in lessons.values()}
    assert min(days) >= s.today - dt.timedelta(days=14) and max(days) <= s.today + dt.timedelta(days=56)


def test_renewing_the_calendar_link_revokes_the_old_one(diary, login, client):
    s = diary
    student = s.students["student"]
    family = login("student")
    old = calendar_url(family, student)
    new = calendar_url(family, student)
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    family.post(f"/diary/{student.pk}/calendar/", {"action": "revoke"})
    assert client.get(new).status_code == 404


def test_calendar_link_stops_working_when_the_guardian_link_is_gone(diary, login, client):
    s = diary
    student = s.students["student"]
    url = calendar_url(login("guardian"), student)
    assert client.get(url).status_code == 200
    school_services.unlink_guardian(actor=None, link=student.guardian_links.get())
    assert client.get(url).status_code == 404


def test_staff_cannot_make_calendar_links(diary, login):
    s = diary
    student = s.students["student"]
    assert login("class_teacher").post(f"/diary/{student.pk}/calendar/", {"action": "renew"}).status_code == 403
    assert not CalendarFeed.objects.exists()


def test_the_signatures_never_stand_alone_on_a_page(diary, login):
    """However long the week, the page with the signatures also holds the week's totals."""
    s = diary
    student = s.students["student"]
    fill_week(s, student)
    monday = lesson_on(s.math_5a, s.monday)
    client = login("guardian")
    pages_seen = set()
    for lines in range(24, 96, 3):
        journal.save_lesson_record(actor=s.users["teacher"], lesson=monday, today=s.monday, reason="тест",
                                   homework="\n".join(f"Задача {n}: решить и записать ответ" for n in range(lines)))
        response = client.get(f"/diary/{student.pk}/week/pdf/?date={s.monday:%Y-%m-%d}")
        reader = PdfReader(io.BytesIO(response.content))
        pages_seen.add(len(reader.pages))
        last = reader.pages[-1].extract_text()
        assert "ознакомлен" in last and "Итоги недели" in last, (lines, len(reader.pages))
    assert len(pages_seen) > 1  # the homework pushed the totals over a page boundary


def test_the_class_printout_is_for_the_last_complete_week_by_default(diary, login):
    from zhurnal.core.dates import today as school_today
    from zhurnal.diary.views import last_complete_week

    s = diary
    student = s.students["student"]
    link = student.guardian_links.get()
    school_services.link_guardian(actor=None, student=student, guardian=link.guardian, relation="мать",
                                  info_channel="paper")
    today = school_today()
    week = last_complete_week(today)
    assert week.weekday() == 0 and week + dt.timedelta(days=5) < today
    assert last_complete_week(dt.date(2026, 12, 13)) == dt.date(2026, 12, 7)  # a Sunday: this week is over
    assert last_complete_week(dt.date(2026, 12, 12)) == dt.date(2026, 11, 30)  # a Saturday: not yet
    text = pdf_text(login("class_teacher").get(f"/diary/classes/{s.class_5a.pk}/paper.pdf").content)
    from zhurnal.core.templatetags.zhurnal import ru_date

    assert f"Неделя: {ru_date(week)}" in text.replace("\n", " ")


def test_links_handed_out_before_digests_keep_working(diary, client):
    """The data migration replaces stored tokens by their digests; the addresses families already have still open
    their calendar."""
    import importlib

    from django.apps import apps
    from django.utils import timezone

    s = diary
    student = s.students["student"]
    old_token = "a-token-handed-out-before-digests-were-kept-1234"
    CalendarFeed.objects.create(school=s.school, student=student, user=s.users["student"], token=old_token,
                                created_at=timezone.now())
    migration = importlib.import_module("zhurnal.diary.migrations.0002_calendar_token_digest")
    migration.digest_tokens(apps, None)
    migration.digest_tokens(apps, None)  # twice changes nothing more
    assert not CalendarFeed.objects.filter(token=old_token).exists()
    assert client.get(f"/diary/calendar/{old_token}.ics").status_code == 200
