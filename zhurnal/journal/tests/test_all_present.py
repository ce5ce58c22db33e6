"""«Все присутствуют»: one click confirms that attendance was taken at a held lesson and nobody was absent — on the
lesson page and in «Мой день», which then no longer lists «посещаемость» as unfilled for that lesson."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhurnal.audit.models import AuditEntry
from zhurnal.journal import selectors, services
from zhurnal.journal.models import LessonRecord
from zhurnal.timetable.models import Lesson

pytestmark = pytest.mark.django_db


def _lesson_today(journal):
    lesson = next((lesson for lesson in journal.lessons if lesson.date == journal.today), None)
    if lesson is None:
        pytest.skip("no maths lesson today in the test school's calendar")
    return lesson


def _confirm(journal, lesson, persona="teacher"):
    return services.confirm_all_present(actor=journal.school.users[persona], lesson=lesson, today=journal.today)


def _day_row(journal, lesson):
    staff = journal.maths.teacher
    page = selectors.teacher_day_page(staff, journal.school.year, lesson.date, today=journal.today)
    return next(item for item in page.lessons if item.lesson.pk == lesson.pk)


def test_all_present_is_kept_audited_and_idempotent(journal):
    lesson = journal.open_lesson()
    teacher = journal.school.users["teacher"]
    assert "посещаемость" in _day_row(journal, lesson).missing
    record = _confirm(journal, lesson)
    assert record.attendance_taken_by == teacher and record.attendance_taken_at is not None
    assert "посещаемость" not in _day_row(journal, lesson).missing
    again = _confirm(journal, lesson)
    assert again.attendance_taken_at == record.attendance_taken_at
    entries = AuditEntry.objects.filter(verb="journal.all_present", target_id=str(lesson.pk))
    assert entries.count() == 1 and entries.get().actor == teacher
    assert "journal.all_present" in [e.verb for e in selectors.lesson_history(lesson)]


def test_all_present_is_refused_with_absences_recorded(journal):
    lesson = journal.open_lesson()
    student = journal.school.students["student"]
    services.save_cell(actor=journal.school.users["teacher"], lesson=lesson, student=student, text="н",
                       today=journal.today)
    with pytest.raises(ValidationError, match=f"Отмечены пропуски: {student.short_name}"):
        _confirm(journal, lesson)
    assert not LessonRecord.objects.filter(lesson=lesson, attendance_taken_at__isnull=False).exists()
    services.save_cell(actor=journal.school.users["teacher"], lesson=lesson, student=student, text="оп",
                       today=journal.today)
    assert _confirm(journal, lesson).attendance_taken_at is not None  # late is present


def test_all_present_is_refused_for_a_lesson_to_come_or_cancelled(journal):
    with pytest.raises(ValidationError, match="ещё не прошёл"):
        _confirm(journal, journal.future_lesson())
    lesson = journal.open_lesson()
    Lesson.objects.filter(pk=lesson.pk).update(cancelled=True)
    with pytest.raises(ValidationError, match="Урок отменён"):
        _confirm(journal, lesson)
    assert not LessonRecord.objects.filter(attendance_taken_at__isnull=False).exists()


def test_my_day_confirms_all_present_in_one_click(journal, login):
    lesson = _lesson_today(journal)
    client = login("teacher")
    url = reverse("journal:all_present", args=[lesson.pk])
    row = client.get(reverse("journal:today")).content.decode().split(f'data-lesson="{lesson.pk}"', 1)[1]
    row = row.split("</tr>", 1)[0]
    assert "посещаемость" in row and f'action="{url}"' in row and "Все присутствуют" in row
    response = client.post(url, {"from": "day"})
    assert response.status_code == 302 and response.url == reverse("journal:today")
    row = client.get(reverse("journal:today")).content.decode().split(f'data-lesson="{lesson.pk}"', 1)[1]
    row = row.split("</tr>", 1)[0]
    assert "посещаемость" not in row and f'action="{url}"' not in row


def test_the_lesson_page_confirms_all_present_and_says_so(journal, login):
    lesson = journal.open_lesson()
    client = login("teacher")
    url = reverse("journal:all_present", args=[lesson.pk])
    page = client.get(reverse("journal:lesson", args=[lesson.pk])).content.decode()
    assert f'action="{url}"' in page
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("journal:lesson", args=[lesson.pk])
    html = response.content.decode()
    assert "все присутствуют" in html and 'id="all-present-note"' in html and f'action="{url}"' not in html
    assert journal.school.users["teacher"].display_name in html


def test_all_present_with_an_absence_answers_the_message(journal, login):
    lesson = journal.open_lesson()
    services.save_cell(actor=journal.school.users["teacher"], lesson=lesson,
                       student=journal.school.students["student"], text="б", today=journal.today)
    client = login("teacher")
    page = client.get(reverse("journal:lesson", args=[lesson.pk])).content.decode()
    url = reverse("journal:all_present", args=[lesson.pk])
    assert f'action="{url}"' not in page  # not offered with an absence in the list
    response = client.post(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "Отмечены пропуски" in response.json()["error"]


@pytest.mark.parametrize(("persona", "status"), [
    ("teacher", 302), ("class_teacher", 403), ("deputy", 403), ("other_teacher", 404), ("student", 403),
    ("guardian", 403), ("other_guardian", 404), ("other_school_admin", 404),
])
def test_who_may_confirm_all_present(journal, login, persona, status):
    lesson = journal.open_lesson()
    assert login(persona).post(reverse("journal:all_present", args=[lesson.pk])).status_code == status
    assert LessonRecord.objects.filter(attendance_taken_at__isnull=False).exists() is (status == 302)
