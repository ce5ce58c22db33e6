"""The help desk: a request from any page, its status, the answer by mail, the consultation hours."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhurnal.messaging import services
from zhurnal.messaging.models import HelpRequest, Message, RequestStatus
from zhurnal.school.roles import roles_in


def test_staff_give_their_position_and_families_their_class(small_school):
    s = small_school
    with pytest.raises(ValidationError, match="Должность"):
        services.submit_help_request(actor=s.users["teacher"], roles=roles_in(s.users["teacher"], s.school),
                                     name="Учителева Анна Петровна", problem="Не сохраняется отметка.")
    with pytest.raises(ValidationError, match="Класс"):
        services.submit_help_request(actor=s.users["guardian"], roles=roles_in(s.users["guardian"], s.school),
                                     name="Иванова Мария", problem="Не вижу дневник.")
    assert not HelpRequest.objects.exists()


def test_the_form_is_prefilled_and_the_administrator_answers_by_mail(small_school, login):
    teacher = login("teacher")
    page = teacher.get(reverse("messaging:help") + "?page=/journal/").content.decode()
    assert "Учителева Анна Петровна" in page and 'value="учитель"' in page
    response = teacher.post(reverse("messaging:help"), {"name": "Учителева Анна Петровна", "position": "учитель",
                                                        "problem": "Не сохраняется отметка.", "page": "/journal/"})
    assert response.status_code == 302
    request = HelpRequest.objects.get()
    assert request.status == RequestStatus.NEW and request.page == "/journal/"
    admin = login("admin")
    assert "Учителева" in admin.get(reverse("messaging:help_requests")).content.decode()
    admin.post(reverse("messaging:help_request_status", args=[request.pk]), {"status": "in_work"})
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_WORK
    admin.post(reverse("messaging:help_request_answer", args=[request.pk]), {"body": "Обновите страницу."})
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED
    assert Message.objects.get(thread=request.thread).body == "Обновите страницу."
    assert login("teacher").get(reverse("messaging:thread", args=[request.thread_id])).status_code == 200


def test_consultation_hours_are_shown_and_edited_by_the_administrator(small_school, login):
    s = small_school
    admin = login("admin")
    bad = admin.post(reverse("messaging:help_hours"), {"weekday": "2", "start": "16:00", "end": "14:00"})
    assert bad.status_code == 400 and "позже начала" in bad.content.decode()
    admin.post(reverse("messaging:help_hours"), {"weekday": "2", "start": "14:00", "end": "16:00",
                                                 "place": "каб. 214"})
    services.add_consultation_slot(actor=s.users["admin"], roles=roles_in(s.users["admin"], s.school), weekday=4,
                                   start=dt.time(15), end=dt.time(17))
    page = login("guardian").get(reverse("messaging:help")).content.decode()
    assert "Вторник, 14:00–16:00, каб. 214" in page and "Четверг, 15:00–17:00" in page
    assert login("teacher").post(reverse("messaging:help_hours"), {"weekday": "1", "start": "10:00",
                                                                    "end": "11:00"}).status_code == 403
