"""The lesson record: topic, homework with files and a due date, individual homework, control type, notes."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhurnal.audit.models import AuditEntry
from zhurnal.core.testing import sample_file
from zhurnal.journal import selectors, services
from zhurnal.journal.models import HomeworkAttachment, IndividualHomework, LessonRecord, WorkType

pytestmark = pytest.mark.django_db

IN_Q1 = dt.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_topic_and_homework_are_audited_old_to_new(journal):
    user = journal.school.users["teacher"]
    lesson = journal.lessons[0]
    services.save_lesson_record(actor=user, lesson=lesson, topic="Натуральные числа", homework="№ 1–5", today=IN_Q1)
    services.save_lesson_record(actor=user, lesson=lesson, topic="Натуральные числа и шкалы", today=IN_Q1)
    entries = list(selectors.lesson_history(lesson).filter(verb="journal.lesson"))
    assert [(e.before, e.after) for e in entries] == [
        ({"topic": "", "homework": ""}, {"topic": "Натуральные числа", "homework": "№ 1–5"}),
        ({"topic": "Натуральные числа"}, {"topic": "Натуральные числа и шкалы"}),
    ]


def test_the_homework_is_due_at_the_next_lesson_unless_set(journal):
    user = journal.school.users["teacher"]
    lesson = journal.lessons[0]
    sheet = selectors.lesson_sheet(lesson, today=IN_Q1)
    assert sheet.due_date == journal.lessons[1].date
    services.save_lesson_record(actor=user, lesson=lesson, homework="Проект", homework_due=dt.date(2026, 9, 15),
                                today=IN_Q1)
    lesson.refresh_from_db()
    assert selectors.lesson_sheet(lesson, today=IN_Q1).due_date == dt.date(2026, 9, 15)
    with pytest.raises(ValidationError, match="позже дня урока"):
        services.save_lesson_record(actor=user, lesson=lesson, homework_due=lesson.date, today=IN_Q1)


def test_the_control_type_marks_the_column_and_the_deputy_sees_it_without_marks(journal):
    school = journal.school
    control = WorkType.objects.get(school=school.school, name="Контрольная работа")
    lesson = journal.lessons[2]
    services.save_lesson_record(actor=school.users["teacher"], lesson=lesson, control_type=control, today=IN_Q1)
    assert LessonRecord.objects.get(lesson=lesson).control_type == control
    overview = selectors.control_overview(school.school, school.year, today=lesson.date + dt.timedelta(days=2))
    assert lesson in overview.control_without_marks
    overview = selectors.control_overview(school.school, school.year, today=lesson.date + dt.timedelta(days=1))
    assert lesson not in overview.control_without_marks
    services.save_cell(actor=school.users["teacher"], lesson=lesson, student=school.students["student"], text="4",
                       today=IN_Q1)
    overview = selectors.control_overview(school.school, school.year, today=IN_Q1)
    assert lesson not in overview.control_without_marks


def test_files_to_the_homework_are_limited_in_type_and_size(journal):
    user = journal.school.users["teacher"]
    lesson = journal.lessons[0]
    key = uuid.uuid4()
    pdf = SimpleUploadedFile("задание.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    first = services.add_homework_attachment(actor=user, lesson=lesson, upload=pdf, key=key, today=IN_Q1)
    again = services.add_homework_attachment(actor=user, lesson=lesson, upload=pdf, key=key, today=IN_Q1)
    assert first.pk == again.pk and HomeworkAttachment.objects.count() == 1
    assert first.name == "задание.pdf" and first.content_type == "application/pdf"
    with pytest.raises(ValidationError, match="тип файла не принимается"):
        services.add_homework_attachment(actor=user, lesson=lesson, today=IN_Q1,
                                         upload=SimpleUploadedFile("virus.exe", b"MZ"))
    with pytest.raises(ValidationError, match="больше 10 МБ"):
        services.add_homework_attachment(actor=user, lesson=lesson, today=IN_Q1,
                                         upload=SimpleUploadedFile("big.pdf", b"0" * (10 * 1024 * 1024 + 1)))
    services.remove_homework_attachment(actor=user, attachment=first, today=IN_Q1)
    assert not HomeworkAttachment.objects.exists()
    assert list(AuditEntry.objects.filter(verb__startswith="journal.attachment").values_list("verb", flat=True)
                .order_by("id")) == ["journal.attachment_add", "journal.attachment_remove"]


def test_a_family_downloads_the_homework_file(journal, login, settings):
    lesson = journal.open_lesson()
    attachment = services.add_homework_attachment(
        actor=journal.school.users["teacher"], lesson=lesson,
        upload=SimpleUploadedFile("карточка.docx", sample_file("docx"), content_type="application/octet-stream"))
    response = login("guardian").get(reverse("journal:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == sample_file("docx")
    assert "attachment" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert login("other_guardian").get(reverse("journal:attachment", args=[attachment.pk])).status_code == 404


def test_an_exe_renamed_to_pdf_is_refused(journal):
    lesson = journal.open_lesson()
    exe = SimpleUploadedFile("homework.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64)
    with pytest.raises(ValidationError, match="по содержимому это не PDF"):
        services.add_homework_attachment(actor=journal.school.users["teacher"], lesson=lesson, upload=exe)
    assert not HomeworkAttachment.objects.exists()


def test_individual_homework_for_chosen_students(journal):
    school = journal.school
    user = school.users["teacher"]
    lesson = journal.lessons[0]
    student = school.students["student"]
    services.save_individual_homework(actor=user, lesson=lesson, student=student, text="Карточка № 3", today=IN_Q1)
    assert IndividualHomework.objects.get(lesson=lesson, student=student).text == "Карточка № 3"
    sheet = selectors.lesson_sheet(lesson, today=IN_Q1)
    assert next(r for r in sheet.rows if r.student == student).individual_homework == "Карточка № 3"
    services.save_individual_homework(actor=user, lesson=lesson, student=student, text="", today=IN_Q1)
    assert not IndividualHomework.objects.exists()
    with pytest.raises(ValidationError, match="не учился"):
        services.save_individual_homework(actor=user, lesson=lesson, student=school.students["other_student"],
                                          text="x", today=IN_Q1)


def test_a_homework_due_after_the_years_end_is_refused(journal, login):
    lesson = journal.open_lesson()
    response = login("teacher").post(reverse("journal:lesson_record", args=[lesson.pk]),
                                     {"homework": "Летнее чтение", "homework_due": "2027-09-01"},
                                     HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "после конца учебного года (31.05.2027)" in response.json()["error"]
    lesson.refresh_from_db()
    assert lesson.homework == ""
