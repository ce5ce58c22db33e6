"""The demo school's mail, announcements and help desk, made through the services: a realistic mailbox for each
persona (a conversation with the maths teacher about a test, the class teacher's letter to the class's parents,
a question from a pupil, the staff's notices), a few announcements (a parents' meeting with acknowledgements
still pending, a local act for the staff, a school concert), the administrator's consultation hours and two help
requests, one answered."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from zhurnal.school.models import School, SchoolClass
from zhurnal.school.roles import roles_in

from . import services
from .models import Announcement, HelpRequest, Thread
from .people import school_people


@dataclass
class DemoMessaging:
    threads: list[Thread] = field(default_factory=list)
    announcements: list[Announcement] = field(default_factory=list)
    requests: list[HelpRequest] = field(default_factory=list)


def build_demo_messaging(*, school: School, today: dt.date, rng: random.Random, class_name: str = "5А",
                         logins: dict[str, str] | None = None) -> DemoMessaging:
    logins = logins or {}
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["admin", "director", "zavuch", "klassruk", "uchitel", "uchenik", "roditel"])}
    people = school_people(school, today)
    demo = DemoMessaging()

    def roles(username: str):
        return roles_in(users[username], school)

    def send(sender: str, *, to=(), groups=(), subject: str, body: str, student_id: int | None = None) -> list[Thread]:
        threads = services.send_message(actor=users[sender], roles=roles(sender), subject=subject, body=body,
                                        user_ids=[users[u].pk for u in to], group_keys=list(groups),
                                        student_id=student_id, people=people)
        demo.threads.extend(threads)
        return threads

    def answer(thread: Thread, sender: str, body: str) -> None:
        services.reply(actor=users[sender], thread=thread, body=body)

    def read(thread: Thread, username: str) -> None:
        services.mark_thread_read(user=users[username], thread=thread)

    school_class = next((c for c in SchoolClass.objects.filter(school=school).order_by("-year__start")
                         if c.name == class_name), None)
    parents_key = f"parents:class:{school_class.pk}" if school_class else ""
    teachers_key = f"teachers:class:{school_class.pk}" if school_class else ""

    # Staff notices.
    send("zavuch", groups=["staff:all"], subject="Педагогический совет",
         body="Уважаемые коллеги! Педагогический совет по итогам первой четверти состоится в пятницу в 15:00 "
              "в актовом зале. Классным руководителям подготовить сводные ведомости успеваемости.")
    [backup] = send("director", to=["admin"], subject="Резервные копии журнала",
                    body="Прошу проверить, что еженедельная копия журнала записана на оба носителя.")
    answer(backup, "admin", "Проверил: копии за эту неделю записаны на оба носителя, отчёт в разделе "
                            "«Резервные копии».")
    read(backup, "director")

    if "uchitel" in users:
        [swap] = send("uchitel", to=["zavuch"], subject="Замена в среду",
                      body="Прошу заменить мой 3-й урок в среду: еду с 6Б на олимпиаду по математике.")
        del swap  # left unread: the deputy's inbox shows it new

    # The class teacher writes to the class's parents: each family gets its own letter, naming its child.
    if parents_key:
        letters = send("klassruk", groups=[parents_key], subject="Родительское собрание",
                       body="Уважаемые родители! Родительское собрание 5А класса состоится в четверг в 18:00 в "
                            "кабинете 214. Тема: итоги первой четверти и подготовка к новогоднему празднику.")
        for thread in letters:
            if thread.participants.filter(user=users.get("roditel")).exists():
                answer(thread, "roditel", "Спасибо, буду. Можно ли прийти на 15 минут позже — работаю до 18:00?")
                answer(thread, "klassruk", "Конечно, приходите, начнём с общих вопросов.")
    if teachers_key:
        send("klassruk", groups=[teachers_key], subject="Успеваемость 5А перед концом четверти",
             body="Коллеги, прошу до среды выставить отметки за контрольные работы и сообщить мне, у кого из "
                  "учеников 5А выходит «2» за четверть.")

    # The maths teacher and the persona's parent talk about a test; the parent has not read the last answer.
    # The persona parent's child in the persona class (she has another one in an older class).
    child = next((student_id for guardian_id, person in people.guardians.items()
                  if person.user_id == getattr(users.get("roditel"), "pk", None)
                  for student_id in sorted(people.children_of[guardian_id])
                  if people.classes.get(people.pupils[student_id].class_id) == class_name), None)
    if "roditel" in users and "uchitel" in users:
        [test] = send("uchitel", to=["roditel"], subject="Контрольная работа по математике", student_id=child,
                      body="Добрый день! В пятницу контрольная работа по теме «Обыкновенные дроби». Ваш сын "
                           "пропустил два урока на этой неделе — прошу повторить с ним §12–14.")
        answer(test, "roditel", "Здравствуйте! Он болел, справка есть. Позанимаемся в выходные, спасибо.")
        answer(test, "uchitel", "Хорошо. Если будут вопросы по задачам — пусть подойдёт на консультацию "
                                "во вторник после 6-го урока.")
        [note] = send("roditel", to=["klassruk"], subject="Справка о болезни", student_id=child,
                      body="Добрый вечер! Передаю справку о болезни сына с 3 по 5 число, оригинал принесёт в "
                           "понедельник.")
        del note  # left unread: the class teacher's inbox shows it new

    if "uchenik" in users and "uchitel" in users:
        [question] = send("uchenik", to=["uchitel"], subject="Вопрос по домашнему заданию",
                          body="Здравствуйте! В номере 245 не понимаю, как привести дроби к общему знаменателю.")
        answer(question, "uchitel", "Найди наименьшее общее кратное знаменателей — разберём завтра перед уроком.")

    # Announcements.
    now = timezone.now()
    demo.announcements.append(services.publish_announcement(
        actor=users["director"], roles=roles("director"), title="Новогодний концерт",
        body="Приглашаем учеников, родителей и сотрудников на новогодний концерт в актовом зале. "
             "Вход свободный.", audience="school", to_staff=True, to_students=True, to_parents=True,
        pinned=True, event_date=dt.date(today.year, 12, 26) if today.month >= 9 else None))
    demo.announcements.append(services.publish_announcement(
        actor=users["director"], roles=roles("director"), title="Положение о ведении электронного журнала",
        body="Утверждено приказом директора. Прошу всех педагогов ознакомиться с Положением и подтвердить "
             "ознакомление кнопкой «Ознакомлен».", audience="school", to_staff=True, is_regulation=True))
    if school_class is not None:
        demo.announcements.append(services.publish_announcement(
            actor=users["klassruk"], roles=roles("klassruk"), title="Родительское собрание 5А",
            body="Собрание в четверг в 18:00, каб. 214. Просим подтвердить, что вы прочитали объявление.",
            audience="class", school_class=school_class, to_parents=True, requires_ack=True,
            expires_at=now + dt.timedelta(days=10)))
    # Their readers now (the queue's job would do it after the demo's transaction; a second run adds nobody).
    for announcement in demo.announcements:
        services.fan_out_announcement(announcement_id=announcement.pk, people=people)
    # Some readers acknowledge at once; the rest are pending in the read reports.
    for announcement in demo.announcements:
        if not announcement.requires_ack:
            continue
        for row in announcement.recipients.order_by("pk").select_related("user"):
            if row.user.username in ("roditel", "klassruk"):
                continue
            if rng.random() < 0.55:
                services.acknowledge_announcement(actor=row.user, announcement=announcement)

    # The help desk: the administrator's hours, a parent's request (new) and a teacher's (answered).
    services.add_consultation_slot(actor=users["admin"], roles=roles("admin"), weekday=2, start=dt.time(14),
                                   end=dt.time(16), place="каб. 105 (информатика)")
    services.add_consultation_slot(actor=users["admin"], roles=roles("admin"), weekday=4, start=dt.time(15),
                                   end=dt.time(17), place="каб. 105 (информатика)")
    if "roditel" in users:
        parent = users["roditel"]
        demo.requests.append(services.submit_help_request(
            actor=parent, roles=roles("roditel"), name=parent.display_name, class_name=class_name,
            problem="Не приходит код подтверждения при входе с телефона.", page="/accounts/login/"))
    teacher = users["uchitel"]
    staff = roles("uchitel").staff
    request = services.submit_help_request(
        actor=teacher, roles=roles("uchitel"), name=staff.full_name if staff else teacher.display_name,
        position="учитель математики", problem="В журнале 6Б не видно второй подгруппы.", page="/journal/")
    services.answer_help_request(actor=users["admin"], roles=roles("admin"), request=request,
                                 body="Подгруппу добавил в нагрузку, проверьте, пожалуйста, журнал.")
    demo.requests.append(request)
    return demo


def demo_summary(demo: DemoMessaging) -> dict[str, Any]:
    return {"threads": len(demo.threads), "announcements": len(demo.announcements), "requests": len(demo.requests)}
