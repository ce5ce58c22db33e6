"""The class teacher's writes: reasons of absences and the weekly check of attendance."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhurnal.accounts.models import User
from zhurnal.audit.services import record
from zhurnal.audit.verbs import Verb
from zhurnal.core import idempotency
from zhurnal.core.dates import today as school_today
from zhurnal.school.models import Enrollment, SchoolClass, Student
from zhurnal.timetable.models import Lesson

from .. import grading, selectors
from ..models import (
    AbsenceCode,
    Attendance,
    AttendanceCheck,
    LessonRecord,
)
from .common import _actor, _lesson_context, _locked_lesson, _require_open


@transaction.atomic
def set_absence_reason(
    *, actor: User | None, lesson: Lesson, student: Student, code: str, note: str = "", key: uuid.UUID | str | None = None,
    today: dt.date | None = None,
) -> Attendance | None:
    """The class teacher's correction of an absence: «н» → «б» / «уп» with a note, or removed (empty code: the
    student was at the lesson, the note says why). Marks of the cell are not touched."""
    today = today or school_today()
    lesson = _locked_lesson(lesson)
    request = idempotency.fingerprint("absence_reason", code, note)
    if idempotency.replay(key, school_id=lesson.school_id, verb="absence_reason",
                          scope={"lesson": lesson.pk, "student": student.pk}, request=request) is not None:
        return Attendance.objects.filter(lesson=lesson, student=student).first()
    code = (code or "").strip().lower()
    note = (note or "").strip()
    if code and code not in grading.ABSENCE_CODES:
        raise ValidationError({"code": "Отметка посещаемости — н, б, уп или оп."})
    if len(note) > 300:
        raise ValidationError({"note": "Примечание — не длиннее 300 знаков."})
    context = _lesson_context(lesson, today=today)
    _require_open(context, today=today, reason=note, reason_when_late=False)
    attendance = Attendance.objects.filter(lesson=lesson, student=student).first()
    if attendance is None and code and not selectors.is_member_on(lesson.assignment.group, student, lesson.date):
        raise ValidationError({"student": f"{student.short_name} не учился в группе {lesson.date:%d.%m.%Y}."})
    if not code and attendance is not None and not note:
        raise ValidationError({"note": "Укажите, почему пропуск снят."})
    before = {"student": student.pk, "absence": attendance.code if attendance else "",
              "note": attendance.note if attendance else ""}
    if code:
        attendance = attendance or Attendance(school_id=lesson.school_id, lesson=lesson, student=student)
        attendance.code, attendance.note, attendance.set_by = code, note, _actor(actor)
        attendance.save()
    elif attendance is not None:
        attendance.delete()
        attendance = None
    after = {"student": student.pk, "absence": code, "note": note}
    if before != after:
        record(actor=actor, verb=Verb.JOURNAL_ABSENCE_REASON, target=lesson, before=before, after=after, reason=note)
    idempotency.remember(key, school_id=lesson.school_id, actor=actor, verb="absence_reason",
                         result={"lesson": lesson.pk, "student": student.pk}, request=request)
    return attendance


@transaction.atomic
def confirm_all_present(*, actor: User, lesson: Lesson, today: dt.date | None = None) -> LessonRecord:
    """«Все присутствуют»: the teacher took attendance at a held lesson and nobody was absent — kept on the lesson
    record (who, when) and audited, so the lesson no longer counts as without attendance. Refused for a lesson
    still to come, a cancelled one, one in a closed period and one with absences recorded (late «оп» is
    presence). Confirming again changes nothing."""
    today = today or school_today()
    lesson = _locked_lesson(lesson)
    context = _lesson_context(lesson, today=today)
    _require_open(context, today=today, reason="", reason_when_late=False)
    if lesson.date > today:
        raise ValidationError({"lesson": f"Урок {lesson.date:%d.%m.%Y} ещё не прошёл: посещаемость отмечается в "
                                         "день урока или позже."})
    absent = (Attendance.objects.filter(lesson=lesson, code__in=grading.MISSED_CODES)
              .select_related("student").order_by("student__last_name", "student__first_name"))
    names = [a.student.short_name for a in absent]
    if names:
        raise ValidationError({"lesson": f"Отмечены пропуски: {', '.join(names)}. «Все присутствуют» можно "
                                         "подтвердить, только если пропусков нет."})
    record_row, _ = LessonRecord.objects.get_or_create(lesson=lesson, defaults={"school_id": lesson.school_id})
    if record_row.attendance_taken_at is not None:
        return record_row
    record_row.attendance_taken_at, record_row.attendance_taken_by = timezone.now(), _actor(actor)
    record_row.save(update_fields=["attendance_taken_at", "attendance_taken_by", "updated_at"])
    record(actor=actor, verb=Verb.JOURNAL_ALL_PRESENT, target=lesson, before={"attendance_taken": False},
           after={"attendance_taken": True, "absent": 0})
    return record_row


@transaction.atomic
def set_day_absence_reason(
    *, actor: User, school_class: SchoolClass, student: Student, date: dt.date, code: str, note: str = "",
    today: dt.date | None = None,
) -> int:
    """Give every «н» of a student on a day the same reason (a note from the doctor covers the day)."""
    if code not in (AbsenceCode.SICK, AbsenceCode.EXCUSED):
        raise ValidationError({"code": "Причина на весь день — «б» (болезнь) или «уп» (уважительная)."})
    rows = list(Attendance.objects.filter(student=student, lesson__date=date, code=AbsenceCode.ABSENT)
                .select_related("lesson"))
    if not rows:
        raise ValidationError({"date": f"У {student.short_name} нет пропусков «н» {date:%d.%m.%Y}."})
    for row in rows:
        set_absence_reason(actor=actor, lesson=row.lesson, student=student, code=code, note=note, today=today)
    return len(rows)


@transaction.atomic
def confirm_attendance_week(
    *, actor: User, school_class: SchoolClass, week_start: dt.date, note: str = "", with_unexcused: bool = False,
) -> AttendanceCheck:
    """The class teacher confirms the week's attendance. With absences still without a reason («н») only when he
    says so (``with_unexcused``): the check then records how many were left."""
    if week_start.weekday() != 0:
        raise ValidationError({"week_start": "Неделя начинается с понедельника."})
    unexcused = unexcused_absences(school_class=school_class, week_start=week_start)
    if unexcused and not with_unexcused:
        raise ValidationError({"with_unexcused": (
            f"За неделю остались пропуски без причины: {unexcused}. Укажите причины или подтвердите неделю "
            f"с пропусками без причины (отметьте «Подтвердить с пропусками без причины»).")})
    if unexcused and not note.strip():
        note = f"подтверждено с пропусками без причины: {unexcused}"
    check, created = AttendanceCheck.objects.update_or_create(
        school_class=school_class, week_start=week_start,
        defaults={"school_id": school_class.school_id, "checked_by": _actor(actor), "checked_at": timezone.now(),
                  "note": note.strip()[:300]},
    )
    record(actor=actor, verb=Verb.JOURNAL_ATTENDANCE_CHECK, target=check,
           after={"class": school_class.pk, "week_start": str(week_start), "note": check.note,
                  "unexcused": unexcused})
    return check


def unexcused_absences(*, school_class: SchoolClass, week_start: dt.date) -> int:
    """Absences without a reason («н») of the class's pupils in the week (Monday to Saturday)."""
    week_end = week_start + dt.timedelta(days=5)
    students = Enrollment.objects.filter(school_class=school_class, start__lte=week_end).filter(
        Q(end__isnull=True) | Q(end__gte=week_start)).values("student_id")
    return Attendance.objects.filter(student_id__in=students, code=AbsenceCode.ABSENT, lesson__date__gte=week_start,
                                     lesson__date__lte=week_end).count()
