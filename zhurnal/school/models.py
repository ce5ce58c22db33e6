"""The school's structure: years, periods, subjects, classes, groups, people, movement.

Models hold data and constraints only; every write goes through ``services.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from zhurnal.core.stamps import new_stamp


class School(models.Model):
    name = models.CharField("полное наименование", max_length=300)
    short_name = models.CharField("краткое наименование", max_length=120)
    slug = models.SlugField("код", max_length=60, unique=True)
    address = models.CharField("адрес", max_length=300, blank=True)
    timezone = models.CharField("часовой пояс", max_length=64, default="Europe/Moscow")
    created_at = models.DateTimeField(auto_now_add=True)
    # Replaced whenever the roles, rules, periods or bells of the school change: the version of its cache
    # (see stamps.py).
    config_stamp = models.CharField(max_length=32, default=new_stamp, editable=False)

    class Meta:
        verbose_name = "школа"
        verbose_name_plural = "школы"
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name


class AcademicYear(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="years")
    name = models.CharField("название", max_length=20)
    start = models.DateField("начало")
    end = models.DateField("окончание")

    class Meta:
        verbose_name = "учебный год"
        verbose_name_plural = "учебные годы"
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["school", "start"], name="year_unique_start"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="year_start_before_end"),
        ]

    def __str__(self) -> str:
        return self.name


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", "четверти"
    TRIMESTER = "trimester", "триместры"
    HALF = "half", "полугодия"


class PeriodSet(models.Model):
    """A set of reporting periods that applies to a range of grades (e.g. quarters for 1–9)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="period_sets")
    kind = models.CharField("вид", max_length=16, choices=PeriodKind.choices)
    grade_from = models.PositiveSmallIntegerField("с параллели")
    grade_to = models.PositiveSmallIntegerField("по параллель")

    class Meta:
        verbose_name = "набор учебных периодов"
        verbose_name_plural = "наборы учебных периодов"
        ordering = ["grade_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade_from__gte=1, grade_to__lte=11, grade_from__lte=F("grade_to")),
                name="periodset_grade_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.grade_from}–{self.grade_to} кл.)"


class ReportingPeriod(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE)
    period_set = models.ForeignKey(PeriodSet, on_delete=models.CASCADE, related_name="periods")
    number = models.PositiveSmallIntegerField("номер")
    name = models.CharField("название", max_length=40)
    start = models.DateField("начало")
    end = models.DateField("окончание")

    class Meta:
        verbose_name = "учебный период"
        verbose_name_plural = "учебные периоды"
        ordering = ["period_set", "number"]
        constraints = [
            models.UniqueConstraint(fields=["period_set", "number"], name="period_unique_number"),
            models.CheckConstraint(condition=Q(start__lte=F("end")), name="period_start_before_end"),
        ]

    def __str__(self) -> str:
        return self.name


class HolidayKind(models.TextChoices):
    VACATION = "vacation", "каникулы"
    HOLIDAY = "holiday", "праздничный день"


class Holiday(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE)
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="holidays")
    kind = models.CharField("вид", max_length=16, choices=HolidayKind.choices, default=HolidayKind.VACATION)
    name = models.CharField("название", max_length=120)
    start = models.DateField("начало")
    end = models.DateField("окончание")
    grade_from = models.PositiveSmallIntegerField("с параллели", default=1)
    grade_to = models.PositiveSmallIntegerField("по параллель", default=11)

    class Meta:
        verbose_name = "каникулы или праздник"
        verbose_name_plural = "каникулы и праздники"
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lte=F("end")), name="holiday_start_before_end"),
        ]

    def __str__(self) -> str:
        return self.name


class Subject(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE)
    name = models.CharField("название", max_length=150)
    short_name = models.CharField("сокращение", max_length=40, blank=True)
    without_marks = models.BooleanField(
        "безотметочный", default=False, help_text="Отметки и домашние задания не ставятся (например, ОРКСЭ)."
    )

    class Meta:
        verbose_name = "учебный предмет"
        verbose_name_plural = "учебные предметы"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="subject_unique_name")]

    def __str__(self) -> str:
        return self.name


class Curriculum(models.Model):
    """Hours per subject per grade in a year (учебный план)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="curriculum")
    grade = models.PositiveSmallIntegerField("параллель")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT)
    hours_per_week = models.DecimalField("часов в неделю", max_digits=4, decimal_places=1)
    hours_per_year = models.PositiveSmallIntegerField("часов в год")

    class Meta:
        verbose_name = "строка учебного плана"
        verbose_name_plural = "учебный план"
        ordering = ["grade", "subject__name"]
        constraints = [
            models.UniqueConstraint(fields=["year", "grade", "subject"], name="curriculum_unique"),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=11), name="curriculum_grade_range"),
        ]

    def __str__(self) -> str:
        return f"{self.grade} кл. — {self.subject_id}: {self.hours_per_week} ч/нед"


class PersonName(models.Model):
    last_name = models.CharField("фамилия", max_length=100)
    first_name = models.CharField("имя", max_length=100)
    patronymic = models.CharField("отчество", max_length=100, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def short_name(self) -> str:
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.patronymic) if p)
        return f"{self.last_name} {initials}".strip()


class Position(models.TextChoices):
    DIRECTOR = "director", "директор"
    DEPUTY = "deputy", "заместитель директора"
    JOURNAL_ADMIN = "journal_admin", "администратор ЭЖ"
    TEACHER = "teacher", "учитель"
    CLERK = "clerk", "документовед"
    REVIEWER = "reviewer", "руководитель ПЦК"
    PSYCHOLOGIST = "psychologist", "педагог-психолог"
    LIBRARIAN = "librarian", "библиотекарь"
    OTHER = "other", "другое"


class StaffMember(PersonName):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff_roles"
    )
    email = models.EmailField("эл. почта", blank=True)
    phone = models.CharField("телефон", max_length=40, blank=True)
    is_active = models.BooleanField("работает", default=True)

    class Meta:
        verbose_name = "сотрудник"
        verbose_name_plural = "сотрудники"
        ordering = ["last_name", "first_name", "patronymic"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "user"], condition=Q(user__isnull=False), name="staff_one_per_user_school"
            )
        ]


class StaffPosition(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE)
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="positions")
    position = models.CharField("должность", max_length=20, choices=Position.choices)

    class Meta:
        verbose_name = "должность"
        verbose_name_plural = "должности"
        constraints = [models.UniqueConstraint(fields=["staff", "position"], name="staffposition_unique")]

    def __str__(self) -> str:
        return self.get_position_display()


class Gender(models.TextChoices):
    MALE = "m", "мужской"
    FEMALE = "f", "женский"


class Student(PersonName):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="students")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="student_roles"
    )
    birth_date = models.DateField("дата рождения")
    gender = models.CharField("пол", max_length=1, choices=Gender.choices)
    address = models.CharField("адрес", max_length=300, blank=True)
    document = models.CharField("документ (вид, серия, номер)", max_length=120, blank=True)
    snils = models.CharField("СНИЛС", max_length=14, blank=True)
    phone = models.CharField("телефон", max_length=40, blank=True)
    email = models.EmailField("эл. почта", blank=True)

    class Meta:
        verbose_name = "обучающийся"
        verbose_name_plural = "обучающиеся"
        ordering = ["last_name", "first_name", "patronymic"]
        indexes = [models.Index(fields=["school", "last_name", "first_name"])]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "last_name", "first_name", "patronymic", "birth_date"],
                name="student_unique_person",
            )
        ]


class Guardian(PersonName):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="guardians")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="guardian_roles"
    )
    phone = models.CharField("телефон", max_length=40, blank=True)
    email = models.EmailField("эл. почта", blank=True)
    address = models.CharField("адрес", max_length=300, blank=True)

    class Meta:
        verbose_name = "законный представитель"
        verbose_name_plural = "законные представители"
        ordering = ["last_name", "first_name", "patronymic"]


class InfoChannel(models.TextChoices):
    ELECTRONIC = "electronic", "электронный дневник"
    PAPER = "paper", "бумажная выписка (отказ от электронной формы)"


class GuardianLink(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE)
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardian_links")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="links")
    relation = models.CharField("кем приходится", max_length=40, blank=True)
    consent_given_on = models.DateField("согласие на обработку ПДн", null=True, blank=True)
    info_channel = models.CharField(
        "способ информирования", max_length=16, choices=InfoChannel.choices, default=InfoChannel.ELECTRONIC
    )
    channel_chosen_on = models.DateField("дата выбора способа", null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "связь с законным представителем"
        verbose_name_plural = "связи с законными представителями"
        constraints = [models.UniqueConstraint(fields=["student", "guardian"], name="guardianlink_unique")]

    def __str__(self) -> str:
        return f"{self.guardian_id} → {self.student_id}"


class Shift(models.IntegerChoices):
    FIRST = 1, "первая смена"
    SECOND = 2, "вторая смена"


class SchoolClass(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="classes")
    grade = models.PositiveSmallIntegerField("параллель")
    letter = models.CharField("литера", max_length=4)
    class_teacher = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_classes",
        verbose_name="классный руководитель",
    )
    shift = models.PositiveSmallIntegerField("смена", choices=Shift.choices, default=Shift.FIRST)

    class Meta:
        verbose_name = "класс"
        verbose_name_plural = "классы"
        ordering = ["grade", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "grade", "letter"], name="class_unique_name"),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=11), name="class_grade_range"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.grade}{self.letter}"


class GroupKind(models.TextChoices):
    CLASS = "class", "весь класс"
    SUBGROUP = "subgroup", "подгруппа класса"
    CROSS = "cross", "сводная группа"


class JournalKind(models.TextChoices):
    REGULAR = "regular", "урочная деятельность"
    ELECTIVE = "elective", "элективный курс"
    EXTRACURRICULAR = "extracurricular", "внеурочная деятельность"
    EXTRA_EDUCATION = "extra_education", "дополнительное образование"
    EXTENDED_DAY = "extended_day", "группа продлённого дня"


class Group(models.Model):
    """Whom a teacher teaches: a whole class, a subgroup of a class, or a cross-class group."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField("название", max_length=120)
    kind = models.CharField("вид", max_length=16, choices=GroupKind.choices)
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.CASCADE, related_name="groups", verbose_name="класс"
    )
    subject = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.PROTECT, verbose_name="предмет")
    journal_kind = models.CharField(
        "вид журнала", max_length=20, choices=JournalKind.choices, default=JournalKind.REGULAR
    )

    class Meta:
        verbose_name = "группа"
        verbose_name_plural = "группы"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_class"], condition=Q(kind="class"), name="group_one_whole_class"
            ),
            models.CheckConstraint(
                condition=Q(kind="cross") | Q(school_class__isnull=False), name="group_class_required"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    """Membership of a subgroup or a cross-class group for a span of dates (whole classes use enrollment)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="group_memberships")
    start = models.DateField("с")
    end = models.DateField("по", null=True, blank=True)

    class Meta:
        verbose_name = "состав группы"
        verbose_name_plural = "составы групп"
        indexes = [models.Index(fields=["school", "group", "start"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(start__lte=F("end")), name="gm_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} в {self.group_id} с {self.start}"


class Enrollment(models.Model):
    """A student's stay in a class, from ``start`` to ``end`` inclusive (open while ``end`` is empty)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="enrollments")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.PROTECT, related_name="enrollments")
    start = models.DateField("зачислен с")
    end = models.DateField("выбыл после", null=True, blank=True)

    class Meta:
        verbose_name = "пребывание в классе"
        verbose_name_plural = "пребывание в классах"
        indexes = [
            models.Index(fields=["school", "school_class", "start"]),
            models.Index(fields=["school", "student"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(start__lte=F("end")), name="enrollment_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} в {self.school_class_id} с {self.start}"


class MovementKind(models.TextChoices):
    ARRIVAL = "arrival", "прибытие"
    TRANSFER = "transfer", "перевод в другой класс"
    GROUP_TRANSFER = "group_transfer", "перевод в другую подгруппу"
    DEPARTURE = "departure", "выбытие"


class Movement(models.Model):
    """The order-backed record of pupil movement (книга движения). Never edited, only appended."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="movements")
    kind = models.CharField("вид", max_length=20, choices=MovementKind.choices)
    date = models.DateField("дата")
    order_number = models.CharField("номер приказа", max_length=40)
    from_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="из класса"
    )
    to_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="в класс"
    )
    from_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="из группы"
    )
    to_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="в группу"
    )
    note = models.CharField("примечание (откуда прибыл, куда выбыл)", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "движение обучающегося"
        verbose_name_plural = "движение обучающихся"
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["school", "date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d.%m.%Y}, приказ № {self.order_number}"


class TeachingAssignment(models.Model):
    """Педагогическая нагрузка: a teacher teaches a subject to a group in a year."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="assignments")
    teacher = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="assignments",
                                verbose_name="учитель")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, verbose_name="предмет")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="assignments", verbose_name="группа")
    hours_per_week = models.DecimalField("часов в неделю", max_digits=4, decimal_places=1, default=1)

    class Meta:
        verbose_name = "педагогическая нагрузка"
        verbose_name_plural = "педагогическая нагрузка"
        indexes = [models.Index(fields=["school", "teacher"])]
        constraints = [
            models.UniqueConstraint(fields=["teacher", "subject", "group"], name="assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} — {self.group}"
