"""The world the access matrix walks: the small school with a timetable, lessons, marks, a plan, a substitution,
files and tokens, and a second school with its own class, pupil, lesson and family to forge ids from.

Every object is made through the apps' services. ``build_world()`` returns a dict of name → object (or str);
the matrix refers to these names.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from zhurnal.core.dates import today as school_today
from zhurnal.school.testing import (
    build_small_school,
    class_group,
    make_assignment,
    make_guardian,
    make_subject,
)

DATE = dt.date(2026, 11, 18)  # a Wednesday in the second quarter, before the school's "today" in these tests


def build_world() -> dict[str, Any]:
    from zhurnal.diary import services as diary_services
    from zhurnal.journal import services as journal_services
    from zhurnal.journal.models import Mark
    from zhurnal.planning import services as planning_services
    from zhurnal.planning.exchange import SAMPLE_ITEMS
    from zhurnal.school import services as school_services
    from zhurnal.school.models import (
        Group,
        GroupKind,
        GuardianLink,
        Holiday,
        PeriodSet,
        ReportingPeriod,
        TeachingAssignment,
    )
    from zhurnal.timetable import services as timetable_services
    from zhurnal.timetable.models import Lesson, SpecialBellDay, Substitution, TimetableEntry
    from zhurnal.timetable.testing import make_bells, make_room, put

    s = build_small_school()
    w: dict[str, Any] = {"s": s, "school": s.school, "class_5a": s.class_5a, "class_5b": s.class_5b,
                         "student": s.students["student"], "other_student": s.students["other_student"],
                         "other_class": s.other_class, "other_school_student": s.other_school_student}
    for name, user in s.users.items():
        w[f"user_{name}"] = user
    for name, staff in s.staff.items():
        w[f"staff_{name}"] = staff

    # Structure.
    w["math"] = s.math
    w["group_5a"] = class_group(s.class_5a)
    w["subgroup_5a"] = school_services.create_group(actor=None, year=s.year, name="5А, 1 подгруппа",
                                                    kind=GroupKind.SUBGROUP, school_class=s.class_5a)
    w["cross_group"] = school_services.create_group(actor=None, year=s.year, name="Шахматы", kind=GroupKind.CROSS,
                                                    journal_kind="extracurricular")
    w["membership"] = school_services.add_to_group(actor=None, group=w["subgroup_5a"], student=w["student"],
                                                   start=s.year.start)
    w["math_5a"] = TeachingAssignment.objects.get(group__school_class=s.class_5a, subject=s.math)
    w["russian_5a"] = TeachingAssignment.objects.get(group__school_class=s.class_5a, subject=s.russian)
    w["math_5b"] = TeachingAssignment.objects.get(group__school_class=s.class_5b, subject=s.math)
    w["period_set"] = PeriodSet.objects.filter(year=s.year).order_by("grade_from").first()
    w["period"] = ReportingPeriod.objects.filter(period_set=w["period_set"]).order_by("number").first()
    w["holiday"] = Holiday.objects.filter(year=s.year).order_by("start").first()
    w["guardian"] = s.school.guardians.get(user=s.users["guardian"])
    w["guardian_link"] = GuardianLink.objects.get(guardian=w["guardian"], student=w["student"])
    w["other_guardian_link"] = GuardianLink.objects.get(guardian__user=s.users["other_guardian"])

    # Timetable: maths 5А 2nd lesson and Russian 5А 3rd every weekday, maths 5Б 4th — for three weeks only,
    # so that pages listing lessons stay quick.
    bells = make_bells(s.year)
    w["bell_schedule"] = bells["first"]
    w["room"] = make_room(s.school, "214")
    journal_services.ensure_journal_setup(school=s.school)
    weeks = {"valid_from": dt.date(2026, 11, 9), "valid_to": dt.date(2026, 11, 27)}
    for weekday in range(1, 6):
        put(w["math_5a"], weekday, 2, w["room"], **weeks)
        put(w["russian_5a"], weekday, 3, **weeks)
        put(w["math_5b"], weekday, 4, **weeks)
    w["entry"] = TimetableEntry.objects.filter(assignment=w["math_5a"]).order_by("weekday").first()
    timetable_services.set_special_bell_day(actor=None, schedule=bells["short"], date=dt.date(2026, 12, 30),
                                            note="предпраздничный день")
    w["special_day"] = SpecialBellDay.objects.get(schedule=bells["short"])
    lessons = Lesson.objects.filter(cancelled=False)
    w["math_lesson"] = lessons.get(assignment=w["math_5a"], date=DATE)
    w["russian_lesson"] = lessons.get(assignment=w["russian_5a"], date=DATE)
    w["math_5b_lesson"] = lessons.get(assignment=w["math_5b"], date=DATE)
    # The other teacher stands in for the maths teacher in 5А on the next day.
    w["substituted_lesson"] = lessons.get(assignment=w["math_5a"], date=DATE + dt.timedelta(days=1))
    timetable_services.record_substitution(actor=s.users["deputy"], lesson=w["substituted_lesson"], kind="replace",
                                           reason="болезнь", substitute=s.staff["other_teacher"])
    w["substitution"] = Substitution.objects.get(lesson=w["substituted_lesson"])
    w["substituted_lesson"].refresh_from_db()

    # The journal: a mark and a homework file in maths.
    today = max(school_today(), DATE)
    journal_services.save_cell(actor=s.users["teacher"], lesson=w["math_lesson"], student=w["student"], text="5",
                               today=today)
    w["mark"] = Mark.objects.get(lesson=w["math_lesson"], student=w["student"])
    upload = SimpleUploadedFile("задание.pdf", b"%PDF-1.4\n% homework\n", content_type="application/pdf")
    w["attachment"] = journal_services.add_homework_attachment(actor=s.users["teacher"], lesson=w["math_lesson"],
                                                               upload=upload, today=today)

    # КТП of maths in 5А.
    w["plan"] = planning_services.import_plan(actor=None, items=SAMPLE_ITEMS, assignment=w["math_5a"])
    w["topic"] = w["plan"].topics.order_by("position").first()
    w["section"] = w["plan"].sections.order_by("position").first()

    # The diary's calendar feed of the student.
    w["ical_token"] = diary_services.renew_calendar_feed(actor=s.users["student"], student=w["student"]).plain_token

    # A report file the deputy asked for, made and kept.
    from zhurnal.reports import services as report_services
    from zhurnal.reports.models import ReportJob

    job = ReportJob.objects.create(school=s.school, user=s.users["deputy"], report="class_progress",
                                   params={}, file_format="csv", title="Итоги успеваемости класса")
    w["report_job"] = report_services.finish_job(job_id=job.pk, content=b"\xef\xbb\xbf5\xd0\x90;1\r\n",
                                                 filename="itogi.csv")

    # The second school: its own subject, assignment, lesson and family, to forge ids from.
    other_subject = make_subject(s.other_school, "Математика")
    other_group = Group.objects.get(school_class=s.other_class, kind=GroupKind.CLASS)
    w["other_school_group"] = other_group
    w["other_school_assignment"] = make_assignment(s.staff["other_school_admin"], other_subject, other_group)
    w["other_school_lesson"] = timetable_services.add_lesson(actor=None, assignment=w["other_school_assignment"],
                                                             date=DATE, number=1)
    other_family = make_guardian(s.other_school_student, last_name="Сидорова", username="other_school_guardian")
    w["other_school_guardian_link"] = other_family.links.get()
    w["user_other_school_guardian"] = other_family.user
    # Mail, announcements, help requests: the teacher's thread with the 5А family, the 5Б family's own, the other
    # school's; a class teacher's announcement to 5А parents with acknowledgements; a parent's help request.
    from zhurnal.messaging import services as messaging_services
    from zhurnal.messaging.models import Attachment, ConsultationSlot
    from zhurnal.school.roles import roles_in

    def mail(sender, recipient, school, **extra):
        return messaging_services.send_message(actor=sender, roles=roles_in(sender, school), subject="Контрольная",
                                               body="Завтра контрольная работа.", user_ids=[recipient.pk],
                                               **extra)[0]

    note = SimpleUploadedFile("памятка.pdf", b"%PDF-1.4\n% note\n", content_type="application/pdf")
    w["thread"] = mail(s.users["teacher"], s.users["guardian"], s.school, uploads=[note])
    w["mail_attachment"] = Attachment.objects.get(message__thread=w["thread"])
    w["other_family_thread"] = mail(s.users["other_teacher"], s.users["other_guardian"], s.school)
    w["other_school_thread"] = mail(s.users["other_school_admin"], other_family.user, s.other_school)

    def announce(author, school, school_class):
        item = messaging_services.publish_announcement(
            actor=author, roles=roles_in(author, school), title="Родительское собрание", body="В четверг в 18:00.",
            audience="class", school_class=school_class, to_parents=True, requires_ack=True)
        messaging_services.fan_out_announcement(announcement_id=item.pk)  # the queue's job, after commit
        return item

    w["announcement"] = announce(s.users["class_teacher"], s.school, s.class_5a)
    w["other_family_announcement"] = announce(s.users["other_teacher"], s.school, s.class_5b)
    w["other_school_announcement"] = announce(s.users["other_school_admin"], s.other_school, s.other_class)

    def ask(author, school, name):
        return messaging_services.submit_help_request(actor=author, roles=roles_in(author, school), name=name,
                                                      class_name="5А", problem="Не открывается дневник.")

    w["help_request"] = ask(s.users["guardian"], s.school, "Иванова Мария Ивановна")
    w["other_family_help_request"] = ask(s.users["other_guardian"], s.school, "Петрова Мария Ивановна")
    w["other_school_help_request"] = ask(other_family.user, s.other_school, "Сидорова Мария Ивановна")
    w["consultation_slot"] = ConsultationSlot.objects.create(school=s.school, weekday=2, start=dt.time(14),
                                                             end=dt.time(16), place="каб. 214")
    w["other_school_consultation_slot"] = ConsultationSlot.objects.create(
        school=s.other_school, weekday=3, start=dt.time(14), end=dt.time(16), place="каб. 1")

    # Backups: school № 1 keeps the installation's copies (the world holds two schools, so none does by default).
    from zhurnal.ops import services as ops_services

    ops_services.set_backup_keeper(actor=None, school=s.school)
    return w


def absent_id() -> int:
    """An id that no row has: for pages of things the world does not hold (e.g. an import in progress)."""
    return 987654321
