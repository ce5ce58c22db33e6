"""Bells, rooms, the weekly timetable, lessons on dates and substitutions.

A ``TimetableEntry`` is a weekly slot valid for a span of dates; a ``Lesson`` is one instance of it on a
date (or an ad-hoc lesson). The journal hangs marks and attendance on lessons. Writes go through
``services.py``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from zhurnal.school.models import AcademicYear, School, Shift, StaffMember, TeachingAssignment

WEEKDAY_NAMES = {1: "понедельник", 2: "вторник", 3: "среда", 4: "четверг", 5: "пятница", 6: "суббота",
                 7: "воскресенье"}
WEEKDAY_SHORT = {1: "Пн", 2: "Вт", 3: "Ср", 4: "Чт", 5: "Пт", 6: "Сб", 7: "Вс"}
MAX_LESSON_NUMBER = 12


class BellSchedule(models.Model):
    """Расписание звонков: the main one of each shift, and special ones (a shortened day) used on chosen dates."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="bell_schedules")
    name = models.CharField("название", max_length=120)
    shift = models.PositiveSmallIntegerField("смена", choices=Shift.choices, default=Shift.FIRST)
    is_main = models.BooleanField("основное для смены", default=False)

    class Meta:
        verbose_name = "расписание звонков"
        verbose_name_plural = "расписания звонков"
        ordering = ["shift", "-is_main", "name"]
        constraints = [
            models.UniqueConstraint(fields=["year", "shift"], condition=Q(is_main=True), name="bells_one_main"),
            models.UniqueConstraint(fields=["year", "name"], name="bells_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Bell(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE)
    schedule = models.ForeignKey(BellSchedule, on_delete=models.CASCADE, related_name="bells")
    number = models.PositiveSmallIntegerField("урок №")
    start = models.TimeField("начало")
    end = models.TimeField("окончание")

    class Meta:
        verbose_name = "звонок"
        verbose_name_plural = "звонки"
        ordering = ["schedule", "number"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "number"], name="bell_unique_number"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="bell_start_before_end"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.start:%H:%M}–{self.end:%H:%M}"


class SpecialBellDay(models.Model):
    """A date on which a shift rings by another schedule (a shortened day, a holiday eve)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    date = models.DateField("дата")
    shift = models.PositiveSmallIntegerField("смена", choices=Shift.choices)
    schedule = models.ForeignKey(BellSchedule, on_delete=models.CASCADE, related_name="special_days")
    note = models.CharField("причина", max_length=200, blank=True)

    class Meta:
        verbose_name = "особый день звонков"
        verbose_name_plural = "особые дни звонков"
        ordering = ["date", "shift"]
        constraints = [models.UniqueConstraint(fields=["school", "date", "shift"], name="specialday_unique")]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y}: {self.schedule}"


class Room(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField("кабинет", max_length=40, help_text="Номер или краткое название: «214», «Спортзал».")
    title = models.CharField("назначение", max_length=150, blank=True)
    capacity = models.PositiveSmallIntegerField("мест", null=True, blank=True)
    is_active = models.BooleanField("используется", default=True)

    class Meta:
        verbose_name = "кабинет"
        verbose_name_plural = "кабинеты"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="room_unique_name")]

    def __str__(self) -> str:
        return self.name


class WeekParity(models.IntegerChoices):
    EVERY = 0, "каждую неделю"
    FIRST = 1, "1-я неделя"
    SECOND = 2, "2-я неделя"


class TimetableEntry(models.Model):
    """One weekly slot: on ``weekday`` at lesson ``number`` the assignment's group has its subject in ``room``,
    from ``valid_from`` to ``valid_to`` (open while empty). Two-week rotations use ``week``."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="timetable_entries")
    assignment = models.ForeignKey(TeachingAssignment, on_delete=models.PROTECT, related_name="timetable_entries",
                                   verbose_name="нагрузка")
    weekday = models.PositiveSmallIntegerField("день недели", choices=sorted(WEEKDAY_NAMES.items()))
    number = models.PositiveSmallIntegerField("урок №")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="entries",
                             verbose_name="кабинет")
    week = models.PositiveSmallIntegerField("неделя", choices=WeekParity.choices, default=WeekParity.EVERY)
    valid_from = models.DateField("действует с")
    valid_to = models.DateField("действует по", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "урок в расписании"
        verbose_name_plural = "расписание"
        ordering = ["weekday", "number"]
        indexes = [
            models.Index(fields=["school", "weekday", "number"]),
            models.Index(fields=["school", "assignment"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=1, weekday__lte=7), name="entry_weekday_range"),
            models.CheckConstraint(condition=Q(number__lte=MAX_LESSON_NUMBER), name="entry_number_range"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_from__lte=F("valid_to")),
                                   name="entry_dates"),
        ]

    def __str__(self) -> str:
        return f"{WEEKDAY_SHORT[self.weekday]} {self.number}: {self.assignment_id}"


class LessonKind(models.TextChoices):
    REGULAR = "regular", "по расписанию"
    EXTRA = "extra", "дополнительный урок"
    MOVED = "moved", "перенесённый урок"


class Lesson(models.Model):
    """A lesson on a date: made from the timetable, or added by hand (an extra or a moved lesson).

    ``actual_teacher`` is who really taught it: the planned teacher unless a substitution says otherwise.
    The journal app relates marks and attendance to it.
    """

    # The bells' times of the lesson, for the pages that show them (``timetable.selectors.attach_times``).
    start: dt.time | None = None
    end: dt.time | None = None

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    date = models.DateField("дата")
    number = models.PositiveSmallIntegerField("урок №")
    assignment = models.ForeignKey(TeachingAssignment, on_delete=models.PROTECT, related_name="lessons",
                                   verbose_name="нагрузка")
    entry = models.ForeignKey(TimetableEntry, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="lessons", verbose_name="строка расписания")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="lessons",
                             verbose_name="кабинет")
    planned_teacher = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="planned_lessons",
                                        verbose_name="учитель по расписанию")
    actual_teacher = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="taught_lessons",
                                       verbose_name="провёл урок")
    kind = models.CharField("вид", max_length=10, choices=LessonKind.choices, default=LessonKind.REGULAR)
    moved_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="перенесён с урока")
    cancelled = models.BooleanField("отменён", default=False)
    note = models.CharField("примечание", max_length=300, blank=True)
    topic = models.TextField("тема урока", blank=True)
    homework = models.TextField("домашнее задание", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "урок"
        verbose_name_plural = "уроки"
        ordering = ["date", "number"]
        indexes = [
            models.Index(fields=["school", "date"]),
            models.Index(fields=["school", "assignment", "date"]),
            models.Index(fields=["school", "actual_teacher", "date"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "date", "number"], name="lesson_unique_slot"),
            models.CheckConstraint(condition=Q(number__lte=MAX_LESSON_NUMBER), name="lesson_number_range"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y}, {self.number} урок"


class SubstitutionKind(models.TextChoices):
    REPLACE = "replace", "замена учителя"
    MERGE = "merge", "объединение групп"
    CANCEL = "cancel", "урок отменён"


class Substitution(models.Model):
    """Замещение: the deputy's record that a lesson was taken by another teacher, merged, or cancelled."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    lesson = models.OneToOneField(Lesson, on_delete=models.PROTECT, related_name="substitution",
                                  verbose_name="урок")
    date = models.DateField("дата")
    kind = models.CharField("вид", max_length=10, choices=SubstitutionKind.choices, default=SubstitutionKind.REPLACE)
    absent_teacher = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="absences",
                                       verbose_name="отсутствующий учитель")
    substitute = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="substitutions", verbose_name="заменяющий учитель")
    merged_with = models.ForeignKey(Lesson, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="объединён с уроком")
    reason = models.CharField("причина", max_length=200)
    note = models.CharField("примечание", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "замещение"
        verbose_name_plural = "журнал замещения уроков"
        ordering = ["date", "lesson__number"]
        indexes = [models.Index(fields=["school", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="cancel") & Q(substitute__isnull=True))
                | (~Q(kind="cancel") & Q(substitute__isnull=False)),
                name="substitution_substitute_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d.%m.%Y}"
