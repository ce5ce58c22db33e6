"""КТП: thematic plans, their sections and topics, and which plan hour each lesson took.

A plan belongs to a year, a subject and a grade and serves one or more teaching assignments of them
(``PlanAssignment``). Its sections and topics form one ordered list: ``position`` numbers sections and topics
together, and a topic's ``section`` is the last section above it. The plan's hours, topic by topic, make a
sequence of plan hours 1…N; ``LessonTopicLink`` records that a lesson took plan hour N (``position``) and the
text that was written into it, so a teacher's later edit of the lesson is recognised and never overwritten.
Writes go through ``services.py``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from zhurnal.school.models import AcademicYear, School, StaffMember, Subject, TeachingAssignment
from zhurnal.timetable.models import Lesson

MAX_TOPIC_HOURS = 100
TITLE_LENGTH = 500
SECTION_LENGTH = 300
CONTROL_LENGTH = 100
TEXT_LENGTH = 2000

# Suggestions for the «вид контроля» field. The field is free text (the school's own work types may differ);
# the journal matches it to its WorkType by name, ignoring case.
CONTROL_KINDS = (
    "Контрольная работа",
    "Проверочная работа",
    "Самостоятельная работа",
    "Практическая работа",
    "Лабораторная работа",
    "Диктант",
    "Контрольный диктант",
    "Изложение",
    "Сочинение",
    "Тест",
    "Зачёт",
    "Диагностическая работа",
    "Всероссийская проверочная работа",
)


class ThematicPlan(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE)
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="thematic_plans")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, verbose_name="предмет")
    grade = models.PositiveSmallIntegerField("параллель", null=True, blank=True,
                                             help_text="Пусто для сводных групп (элективы, кружки).")
    title = models.CharField("название", max_length=200)
    owner = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="thematic_plans",
                              verbose_name="составитель")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "тематический план (КТП)"
        verbose_name_plural = "тематические планы (КТП)"
        ordering = ["year", "grade", "subject__name", "title"]
        indexes = [models.Index(fields=["school", "year"])]
        constraints = [
            models.CheckConstraint(condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=11),
                                   name="plan_grade_range"),
        ]

    def __str__(self) -> str:
        return self.title


class PlanAssignment(models.Model):
    """The plan serves this teaching assignment (one plan may serve several groups; a group has one plan)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    plan = models.ForeignKey(ThematicPlan, on_delete=models.CASCADE, related_name="uses")
    assignment = models.OneToOneField(TeachingAssignment, on_delete=models.CASCADE, related_name="plan_use",
                                      verbose_name="нагрузка")

    class Meta:
        verbose_name = "применение КТП"
        verbose_name_plural = "применения КТП"

    def __str__(self) -> str:
        return f"{self.plan_id} → {self.assignment_id}"


class PlanSection(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE)
    plan = models.ForeignKey(ThematicPlan, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField("порядок")
    title = models.CharField("раздел", max_length=SECTION_LENGTH)

    class Meta:
        verbose_name = "раздел КТП"
        verbose_name_plural = "разделы КТП"
        ordering = ["plan", "position"]
        indexes = [models.Index(fields=["plan", "position"])]

    def __str__(self) -> str:
        return self.title


class PlannedTopic(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE)
    plan = models.ForeignKey(ThematicPlan, on_delete=models.CASCADE, related_name="topics")
    section = models.ForeignKey(PlanSection, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="topics", verbose_name="раздел")
    position = models.PositiveIntegerField("порядок")
    title = models.CharField("тема урока", max_length=TITLE_LENGTH)
    hours = models.PositiveSmallIntegerField("часов", default=1)
    control = models.CharField("вид контроля", max_length=CONTROL_LENGTH, blank=True,
                               help_text="Например, «Контрольная работа»; совпадает с видом работы в журнале.")
    homework = models.TextField("домашнее задание", blank=True)
    materials = models.TextField("материалы", blank=True)

    class Meta:
        verbose_name = "тема КТП"
        verbose_name_plural = "темы КТП"
        ordering = ["plan", "position"]
        indexes = [models.Index(fields=["plan", "position"])]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gte=1, hours__lte=MAX_TOPIC_HOURS), name="topic_hours_range"),
        ]

    def __str__(self) -> str:
        return self.title


class LessonTopicLink(models.Model):
    """The lesson took plan hour ``position`` (of ``topic``, if the topic still exists) and got ``text`` as topic.

    ``extra`` marks a lesson that continues the topic of an earlier lesson (the teacher extended the topic):
    it takes no hour of the plan. ``homework`` is what the plan wrote into the lesson's homework ("" if nothing).
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    lesson = models.OneToOneField(Lesson, on_delete=models.CASCADE, related_name="plan_link")
    topic = models.ForeignKey(PlannedTopic, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="lesson_links")
    position = models.PositiveIntegerField("час по КТП")
    extra = models.BooleanField("продолжение темы", default=False)
    text = models.TextField("тема, записанная по КТП")
    homework = models.TextField("задание, записанное по КТП", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "тема урока по КТП"
        verbose_name_plural = "темы уроков по КТП"
        indexes = [models.Index(fields=["school", "topic"])]

    def __str__(self) -> str:
        return f"{self.lesson_id}: час {self.position}"
