"""The class journal: grading rules, work types, marks, attendance, lesson records, final marks, locks.

Models hold data and constraints only; every write goes through ``services.py``. The rules that turn marks
into averages and final marks live in ``grading.py`` (pure functions over a ``grading.Policy``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from zhurnal.school.models import ReportingPeriod, School, SchoolClass, Student, TeachingAssignment
from zhurnal.timetable.models import Lesson


class WorkType(models.Model):
    """Вид работы / контроля: «ответ на уроке», «контрольная работа»… Its weight is part of the grading policy."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="work_types")
    name = models.CharField("название", max_length=80)
    short_name = models.CharField("сокращение", max_length=12, blank=True)
    is_control = models.BooleanField(
        "контрольная", default=False,
        help_text="Контрольные работы выделяются в журнале и участвуют в правиле о неисправленной «2».",
    )
    is_default = models.BooleanField("по умолчанию", default=False)
    ordering = models.PositiveSmallIntegerField("порядок", default=0)
    is_active = models.BooleanField("используется", default=True)

    class Meta:
        verbose_name = "вид работы"
        verbose_name_plural = "виды работ"
        ordering = ["ordering", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="worktype_unique_name"),
            models.UniqueConstraint(fields=["school"], condition=Q(is_default=True), name="worktype_one_default"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name


def default_excluded_codes() -> list[str]:
    return ["зч", "нз", "н/а", "осв"]


def default_grades_without_marks() -> list[int]:
    return [1]


class GradingPolicy(models.Model):
    """One version of a school's grading rules, in force from ``valid_from`` until the next version.

    Read it through ``grading.Policy`` (``selectors.policy_for(school, on)``), never field by field.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="grading_policies")
    valid_from = models.DateField("действует с")
    allow_modifiers = models.BooleanField("отметки с «+» и «−»", default=True)
    marks_without_separator = models.BooleanField(
        "«55» — две отметки", default=False,
        help_text="Две отметки за урок можно набрать подряд, без «/» («55» — «5/5»). Выключено — «55» не "
                  "принимается с объяснением: так не спутать две отметки с опечаткой.",
    )
    modifier_value = models.DecimalField(
        "вес «+»/«−»", max_digits=3, decimal_places=2, default=Decimal("0"),
        help_text="На сколько «+» повышает и «−» понижает отметку в среднем балле: 0 — «5−» считается как 5, "
                  "0,25 — как 4,75.",
    )
    excluded_codes = models.JSONField(
        "не учитываются в среднем", default=default_excluded_codes, blank=True,
        help_text="Из «зч», «нз», «н/а», «осв». «нз» и «н/а», если учитываются, считаются как 2.",
    )
    weights = models.JSONField("веса видов работ", default=dict, blank=True, help_text="id вида работы → вес.")
    threshold_2 = models.DecimalField("«2» от", max_digits=3, decimal_places=2, default=Decimal("1.50"))
    threshold_3 = models.DecimalField("«3» от", max_digits=3, decimal_places=2, default=Decimal("2.50"))
    threshold_4 = models.DecimalField("«4» от", max_digits=3, decimal_places=2, default=Decimal("3.50"))
    threshold_5 = models.DecimalField("«5» от", max_digits=3, decimal_places=2, default=Decimal("4.50"))
    min_marks = models.PositiveSmallIntegerField("отметок для итоговой не меньше", default=3)
    two_blocks_five = models.BooleanField("неисправленная «2» за контрольную не даёт «5»", default=False)
    grades_without_marks = models.JSONField(
        "безотметочные параллели", default=default_grades_without_marks, blank=True, help_text="1-й класс — всегда."
    )
    close_after_days = models.PositiveSmallIntegerField("период закрывается через, дней", default=5)
    edit_window_days = models.PositiveSmallIntegerField(
        "окно исправлений после урока, дней", null=True, blank=True,
        help_text="Пусто — без ограничения. После окна изменение сохраняется как позднее исправление с причиной.",
    )
    year_ties_up = models.BooleanField("годовая при равенстве — в пользу ученика", default=True)
    note = models.CharField("основание (локальный акт)", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "правила оценивания"
        verbose_name_plural = "правила оценивания"
        ordering = ["school", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["school", "valid_from"], name="policy_unique_valid_from"),
            models.CheckConstraint(
                condition=Q(threshold_2__lt=F("threshold_3"), threshold_3__lt=F("threshold_4"),
                            threshold_4__lt=F("threshold_5"), threshold_2__gte=1, threshold_5__lte=5),
                name="policy_thresholds_ascending",
            ),
            models.CheckConstraint(condition=Q(modifier_value__gte=0, modifier_value__lt=1),
                                   name="policy_modifier_range"),
        ]

    def __str__(self) -> str:
        return f"Правила оценивания с {self.valid_from:%d.%m.%Y}"


class MarkValue(models.TextChoices):
    FIVE = "5", "5"
    FOUR = "4", "4"
    THREE = "3", "3"
    TWO = "2", "2"
    ONE = "1", "1"
    PASSED = "зч", "зачёт"
    FAILED = "нз", "незачёт"
    NOT_ATTESTED = "н/а", "не аттестован"
    EXEMPT = "осв", "освобождён"


class Modifier(models.TextChoices):
    NONE = "", "—"
    PLUS = "+", "+"
    MINUS = "-", "−"


class Mark(models.Model):
    """Отметка: one of possibly several marks of a student at a lesson, each with its work type."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="marks")
    # Indexed with the time of the last change (Meta): the diary's new-marks count and feed read by both.
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="marks", db_index=False)
    value = models.CharField("отметка", max_length=4, choices=MarkValue.choices)
    modifier = models.CharField("«+»/«−»", max_length=1, choices=Modifier.choices, blank=True, default="")
    work_type = models.ForeignKey(WorkType, on_delete=models.PROTECT, related_name="marks", verbose_name="вид работы")
    comment = models.CharField("комментарий", max_length=300, blank=True)
    position = models.PositiveSmallIntegerField("порядок в клетке", default=0)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "отметка"
        verbose_name_plural = "отметки"
        ordering = ["lesson", "student", "position", "id"]
        indexes = [
            models.Index(fields=["school", "lesson", "student"]),
            models.Index(fields=["school", "student"]),
            # The family's "new marks" (changed since the last visit, newest first) without reading the year's.
            models.Index(fields=["student", "updated_at"], name="mark_student_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(modifier="") | Q(value__in=["1", "2", "3", "4", "5"]), name="mark_modifier_numeric"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value}{self.modifier}"

    @property
    def text(self) -> str:
        return f"{self.value}{'−' if self.modifier == '-' else self.modifier}"


class AbsenceCode(models.TextChoices):
    ABSENT = "н", "н — отсутствовал"
    SICK = "б", "б — болел"
    EXCUSED = "уп", "уп — уважительная причина"
    LATE = "оп", "оп — опоздал"


class Attendance(models.Model):
    """A student's absence or lateness at a lesson; no row means he was present."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="attendance")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="attendance")
    code = models.CharField("отметка посещаемости", max_length=2, choices=AbsenceCode.choices)
    note = models.CharField("причина, примечание", max_length=300, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "пропуск урока"
        verbose_name_plural = "посещаемость"
        indexes = [models.Index(fields=["school", "student", "lesson"])]
        constraints = [models.UniqueConstraint(fields=["lesson", "student"], name="attendance_one_per_lesson")]

    def __str__(self) -> str:
        return self.code


class LessonRecord(models.Model):
    """The lesson record beyond topic and homework (those live on ``Lesson``): control type, due date, notes."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    lesson = models.OneToOneField(Lesson, on_delete=models.PROTECT, related_name="record")
    control_type = models.ForeignKey(
        WorkType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="вид контроля",
        help_text="Отметки урока по умолчанию ставятся за этот вид работы.",
    )
    homework_due = models.DateField("задано к", null=True, blank=True,
                                    help_text="Пусто — к следующему уроку.")
    notes = models.TextField("примечания", blank=True)
    # «Все присутствуют»: the teacher confirmed that he took attendance and nobody was absent (no rows in
    # ``Attendance`` is otherwise the same as attendance not taken at all).
    attendance_taken_at = models.DateTimeField("посещаемость отмечена", null=True, blank=True)
    attendance_taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+",
                                            verbose_name="посещаемость отметил(а)")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "запись об уроке"
        verbose_name_plural = "записи об уроках"

    def __str__(self) -> str:
        return f"урок {self.lesson_id}"


class HomeworkAttachment(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE)
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField("файл", upload_to="homework/%Y/%m/")
    name = models.CharField("имя файла", max_length=200)
    size = models.PositiveIntegerField("размер, байт")
    content_type = models.CharField("тип", max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "файл к домашнему заданию"
        verbose_name_plural = "файлы к домашним заданиям"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["school", "lesson"])]

    def __str__(self) -> str:
        return self.name


class IndividualHomework(models.Model):
    """Homework for one student instead of (or in addition to) the class's."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="individual_homework")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="individual_homework")
    text = models.TextField("задание")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "индивидуальное домашнее задание"
        verbose_name_plural = "индивидуальные домашние задания"
        indexes = [models.Index(fields=["school", "student"])]
        constraints = [models.UniqueConstraint(fields=["lesson", "student"], name="individual_hw_unique")]

    def __str__(self) -> str:
        return self.text[:40]


class FinalKind(models.TextChoices):
    PERIOD = "period", "за период"
    YEAR = "year", "за год"


class FinalMark(models.Model):
    """Итоговая отметка for a period or the year. ``suggested`` and ``policy`` record what the rules proposed
    when it was set; later rule changes never rewrite it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    assignment = models.ForeignKey(TeachingAssignment, on_delete=models.PROTECT, related_name="final_marks")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="final_marks")
    kind = models.CharField("вид", max_length=8, choices=FinalKind.choices, default=FinalKind.PERIOD)
    period = models.ForeignKey(ReportingPeriod, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="final_marks", verbose_name="период")
    value = models.CharField("отметка", max_length=4, choices=MarkValue.choices)
    suggested = models.CharField("предложено", max_length=4, blank=True)
    average = models.DecimalField("средний балл", max_digits=4, decimal_places=2, null=True, blank=True)
    policy = models.ForeignKey(GradingPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    flagged = models.BooleanField("расходится с предложенной", default=False)
    reason = models.TextField("обоснование", blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    set_at = models.DateTimeField("выставлена")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "итоговая отметка"
        verbose_name_plural = "итоговые отметки"
        indexes = [
            models.Index(fields=["school", "assignment", "period"]),
            models.Index(fields=["school", "student"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student", "period"], condition=Q(kind="period"),
                                    name="final_unique_period"),
            models.UniqueConstraint(fields=["assignment", "student"], condition=Q(kind="year"),
                                    name="final_unique_year"),
            models.CheckConstraint(
                condition=(Q(kind="period") & Q(period__isnull=False)) | (Q(kind="year") & Q(period__isnull=True)),
                name="final_period_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.value


class PeriodReopening(models.Model):
    """The deputy reopens one assignment's closed period until a date, with a reason."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    assignment = models.ForeignKey(TeachingAssignment, on_delete=models.PROTECT, related_name="reopenings")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="reopenings")
    until = models.DateField("открыт по")
    reason = models.TextField("причина")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "открытие закрытого периода"
        verbose_name_plural = "открытия закрытых периодов"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["school", "assignment", "period"])]

    def __str__(self) -> str:
        return f"{self.assignment_id}/{self.period_id} до {self.until}"


class AttendanceCheck(models.Model):
    """The class teacher's weekly check of his class's attendance."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="attendance_checks")
    week_start = models.DateField("неделя с")
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    checked_at = models.DateTimeField("проверено")
    note = models.CharField("примечание", max_length=300, blank=True)

    class Meta:
        verbose_name = "проверка посещаемости за неделю"
        verbose_name_plural = "проверки посещаемости"
        constraints = [models.UniqueConstraint(fields=["school_class", "week_start"], name="attcheck_unique")]

    def __str__(self) -> str:
        return f"{self.school_class_id} {self.week_start}"
