"""Internal mail: threads, group addressing, the child named, read status, search, files, the header's count."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhurnal.core import events
from zhurnal.messaging import selectors, services
from zhurnal.messaging.models import Attachment, Message, Thread, ThreadParticipant
from zhurnal.school.roles import roles_in


def send(s, sender, *, to=(), groups=(), subject="Тема", body="Текст", **extra):
    return services.send_message(actor=s.users[sender], roles=roles_in(s.users[sender], s.school), subject=subject,
                                 body=body, user_ids=[s.users[p].pk for p in to], group_keys=list(groups), **extra)


@pytest.fixture
def published():
    seen = []

    def handler(event):
        seen.append(event)

    events.subscribe("messaging.message_sent", handler)
    yield seen
    events.unsubscribe("messaging.message_sent", handler)


def test_teacher_writes_to_a_parent_and_the_parent_replies(small_school, published, django_capture_on_commit_callbacks):
    s = small_school
    with django_capture_on_commit_callbacks(execute=True):
        [thread] = send(s, "teacher", to=["guardian"], subject="Контрольная по математике")
    assert thread.student == s.students["student"]  # the only child linking them is named
    assert selectors.unread_count(school_id=s.school.pk, user_id=s.users["guardian"].pk) == 1
    assert published[-1].data["recipient_user_ids"] == [s.users["guardian"].pk]
    assert published[-1].data["student_id"] == s.students["student"].pk
    assert published[-1].actor_id == s.users["teacher"].pk
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(actor=s.users["guardian"], thread=thread, body="Спасибо, подготовимся.")
    assert published[-1].data["recipient_user_ids"] == [s.users["teacher"].pk]
    assert selectors.unread_count(school_id=s.school.pk, user_id=s.users["teacher"].pk) == 1
    assert [r.pk for r in selectors.inbox(roles_in(s.users["teacher"], s.school))] == [thread.pk]
    assert [r.pk for r in selectors.sent(roles_in(s.users["teacher"], s.school))] == [thread.pk]


def test_a_message_to_parents_of_a_class_goes_to_each_family_apart(small_school):
    s = small_school
    threads = send(s, "admin", groups=[f"parents:class:{s.class_5a.pk}", f"parents:class:{s.class_5b.pk}"])
    assert len(threads) == 2
    for thread in threads:
        people = set(ThreadParticipant.objects.filter(thread=thread).values_list("user_id", flat=True))
        assert len(people) == 2 and s.users["admin"].pk in people
        assert thread.student_id is not None
    assert Message.objects.filter(thread__in=threads).count() == 2


def test_colleagues_share_one_thread(small_school):
    s = small_school
    [thread] = send(s, "teacher", to=["class_teacher", "deputy"])
    assert ThreadParticipant.objects.filter(thread=thread).count() == 3


def test_nobody_writes_outside_the_rule_and_nothing_is_saved(small_school):
    s = small_school
    for sender, target in (("guardian", "other_guardian"), ("student", "other_student"),
                           ("other_teacher", "guardian"), ("student", "director")):
        with pytest.raises(ValidationError):
            send(s, sender, to=[target])
    with pytest.raises(ValidationError):
        send(s, "teacher", groups=[f"parents:class:{s.class_5b.pk}"])
    with pytest.raises(ValidationError):
        send(s, "teacher", to=["guardian"], subject="  ")
    assert not Thread.objects.exists()


def test_a_retried_send_makes_one_thread(small_school):
    s = small_school
    key = "0d6f1c1a-59a5-4f6a-8a2d-3b0f6bb7d7a1"
    first = send(s, "teacher", to=["guardian"], key=key)
    again = send(s, "teacher", to=["guardian"], key=key)
    assert [t.pk for t in first] == [t.pk for t in again]
    assert Thread.objects.count() == 1


def test_files_are_checked_by_content(small_school, settings, tmp_path):
    s = small_school
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("отчёт.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="по содержимому это не PDF"):
        send(s, "teacher", to=["guardian"], uploads=[fake])
    exe = SimpleUploadedFile("игра.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    with pytest.raises(ValidationError, match="такой тип файла не принимается"):
        send(s, "teacher", to=["guardian"], uploads=[exe])
    assert not Thread.objects.exists()
    good = SimpleUploadedFile("задание.pdf", b"%PDF-1.4\n%...\n", content_type="application/pdf")
    [thread] = send(s, "teacher", to=["guardian"], uploads=[good])
    attachment = Attachment.objects.get(message__thread=thread)
    assert attachment.name == "задание.pdf"


def test_search_finds_only_ones_own_mail(small_school):
    s = small_school
    send(s, "teacher", to=["guardian"], subject="Экскурсия", body="Едем в музей в пятницу")
    send(s, "other_teacher", to=["other_guardian"], subject="Музей", body="Экскурсия в музей")
    roles = roles_in(s.users["guardian"], s.school)
    assert [r.subject for r in selectors.inbox(roles, "музей")] == ["Экскурсия"]
    assert selectors.inbox(roles, "диктант") == []


def test_thread_page_names_the_child_in_the_genitive(small_school, login):
    s = small_school
    [thread] = send(s, "teacher", to=["guardian"], subject="Контрольная")
    page = login("guardian").get(reverse("messaging:thread", args=[thread.pk]))
    assert page.status_code == 200
    assert "По поводу Иванова Ивана, 5А" in page.content.decode()
    assert selectors.unread_count(school_id=s.school.pk, user_id=s.users["guardian"].pk) == 0


def test_compose_and_reply_pages(small_school, login):
    s = small_school
    client = login("teacher")
    page = client.get(reverse("messaging:compose"))
    assert page.status_code == 200 and "родители 5А" in page.content.decode()
    sent = client.post(reverse("messaging:compose"), {"to": [s.users["guardian"].pk], "subject": "Собрание",
                                                      "body": "Собрание в четверг."})
    thread = Thread.objects.get()
    assert sent.status_code == 302 and sent["Location"] == reverse("messaging:thread", args=[thread.pk])
    bad = client.post(reverse("messaging:compose"), {"to": [s.users["other_guardian"].pk], "subject": "x",
                                                     "body": "y"})
    assert bad.status_code == 400 and "Этому адресату вы не можете написать." in bad.content.decode()
    parent = login("guardian")
    answer = parent.post(reverse("messaging:reply", args=[thread.pk]), {"body": "Придём."})
    assert answer.status_code == 302
    assert Message.objects.filter(thread=thread).count() == 2


def test_header_shows_the_unread_count_in_one_query(small_school, login, django_assert_num_queries):
    from django.test import RequestFactory

    from zhurnal.messaging.header import mail_link

    s = small_school
    send(s, "teacher", to=["guardian"])
    send(s, "class_teacher", to=["guardian"])
    request = RequestFactory().get("/")
    request.user = s.users["guardian"]
    request.roles = roles_in(s.users["guardian"], s.school)
    with django_assert_num_queries(1):
        html = mail_link(request)
    assert "data-unread>2<" in html


def test_mailbox_makes_constant_queries(small_school, login, django_assert_num_queries):
    s = small_school
    client = login("guardian")
    send(s, "teacher", to=["guardian"])
    client.get(reverse("messaging:inbox"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(reverse("messaging:inbox"))
    for _ in range(8):
        send(s, "class_teacher", to=["guardian"])
        send(s, "admin", to=["guardian"])
    with CaptureQueriesContext(connection) as large:
        page = client.get(reverse("messaging:inbox"))
    assert page.content.decode().count('class="subject"') == 17
    assert len(large) == len(small)


def test_a_message_reaches_the_notifications_bell(small_school, django_capture_on_commit_callbacks):
    """The contract with zhurnal.notifications: the parent's bell counts the teacher's message, the teacher's not."""
    from zhurnal.notifications.models import Notification

    s = small_school
    with django_capture_on_commit_callbacks(execute=True):
        send(s, "teacher", to=["guardian"], subject="Контрольная")
    assert Notification.objects.filter(user=s.users["guardian"]).count() == 1
    assert not Notification.objects.filter(user=s.users["teacher"]).exists()


def test_thread_page_makes_constant_queries(small_school, login, settings, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    s = small_school
    settings.MEDIA_ROOT = tmp_path
    [thread] = send(s, "teacher", to=["guardian"])
    client = login("guardian")
    url = reverse("messaging:thread", args=[thread.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(6):
        note = SimpleUploadedFile(f"лист{n}.pdf", b"%PDF-1.4\n%...\n", content_type="application/pdf")
        services.reply(actor=s.users["teacher" if n % 2 else "guardian"], thread=thread, body=f"Ответ {n}",
                       uploads=[note])
    client.get(url)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url)
    assert page.content.decode().count('class="message"') == 7
    assert len(large) == len(small)
