"""The diary's own records: who looked at it and when, acknowledgements of final marks, calendar links.

Marks, lessons and final marks belong to the journal and the timetable; the diary only reads them.
Writes go through ``services.py``.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhurnal.school.models import AcademicYear, Guardian, ReportingPeriod, School, Student


class DiaryView(models.Model):
    """How many times a guardian or a student opened the diary on a day (one row per person per day)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    date = models.DateField("дата")
    guardian = models.ForeignKey(Guardian, null=True, blank=True, on_delete=models.CASCADE, related_name="diary_views",
                                 verbose_name="родитель")
    student = models.ForeignKey(Student, null=True, blank=True, on_delete=models.CASCADE, related_name="diary_views",
                                verbose_name="обучающийся")
    count = models.PositiveIntegerField("просмотров", default=1)

    class Meta:
        verbose_name = "просмотры дневника за день"
        verbose_name_plural = "просмотры дневника"
        indexes = [models.Index(fields=["school", "date"])]
        constraints = [
            models.UniqueConstraint(fields=["guardian", "date"], condition=Q(guardian__isnull=False),
                                    name="diaryview_one_per_guardian_day"),
            models.UniqueConstraint(fields=["student", "date"], condition=Q(student__isnull=False),
                                    name="diaryview_one_per_student_day"),
            models.CheckConstraint(
                condition=(Q(guardian__isnull=False) & Q(student__isnull=True))
                | (Q(guardian__isnull=True) & Q(student__isnull=False)),
                name="diaryview_one_viewer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian_id or self.student_id} {self.date}: {self.count}"


class FeedVisit(models.Model):
    """When a person last opened the marks feed of a student: marks changed after it are «new»."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField("последний просмотр")

    class Meta:
        verbose_name = "просмотр ленты отметок"
        verbose_name_plural = "просмотры ленты отметок"
        constraints = [models.UniqueConstraint(fields=["user", "student"], name="feedvisit_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.student_id}: {self.seen_at}"


class AcknowledgementKind(models.TextChoices):
    PERIOD = "period", "за период"
    YEAR = "year", "за год"


class FinalAcknowledgement(models.Model):
    """A guardian's «ознакомлен» with a student's final marks for a period (or the year). ``marks`` keeps what he
    saw (subject → mark), so the class teacher can tell when marks changed after it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="final_acknowledgements")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="final_acknowledgements")
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("вид", max_length=8, choices=AcknowledgementKind.choices,
                            default=AcknowledgementKind.PERIOD)
    period = models.ForeignKey(ReportingPeriod, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               verbose_name="период")
    marks = models.JSONField("отметки на момент ознакомления", default=dict)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    acknowledged_at = models.DateTimeField("ознакомлен")

    class Meta:
        verbose_name = "ознакомление с итоговыми отметками"
        verbose_name_plural = "ознакомления с итоговыми отметками"
        indexes = [models.Index(fields=["school", "period"]), models.Index(fields=["school", "student"])]
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student", "period"], condition=Q(kind="period"),
                                    name="ack_unique_period"),
            models.UniqueConstraint(fields=["guardian", "student", "year"], condition=Q(kind="year"),
                                    name="ack_unique_year"),
            models.CheckConstraint(
                condition=(Q(kind="period") & Q(period__isnull=False)) | (Q(kind="year") & Q(period__isnull=True)),
                name="ack_period_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian_id} ознакомлен: {self.student_id}, {self.period_id or 'год'}"


class CalendarFeed(models.Model):
    """A private link to a student's lessons and homework for phone calendars. Whoever holds the token reads the
    feed without logging in; renewing the token revokes the old link. Only the token's SHA-256 is kept
    (``token_digest``): the link is shown once, when it is made."""

    # The token in plain text, only on the feed just made or renewed (``services.renew_calendar_feed``).
    plain_token: str = ""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField("отпечаток ключа", max_length=64, unique=True)
    created_at = models.DateTimeField("создана")

    class Meta:
        verbose_name = "ссылка на календарь"
        verbose_name_plural = "ссылки на календарь"
        constraints = [models.UniqueConstraint(fields=["user", "student"], name="calendarfeed_unique")]

    def __str__(self) -> str:
        return f"календарь {self.student_id} для {self.user_id}"


def token_digest(token: str) -> str:
    """What is stored of a calendar token: its SHA-256 (the token is 256 random bits, so no salt or key is
    needed, and a change of the secret key leaves every link working)."""
    return hashlib.sha256(token.encode()).hexdigest()
