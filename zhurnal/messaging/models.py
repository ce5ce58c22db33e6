"""The school's internal mail, its announcements and events, and the help desk.

Models hold data and constraints only; every write goes through ``services.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhurnal.school.models import Group, School, SchoolClass, Student


class MessagingSettings(models.Model):
    """A school's choices for its mail (one row per school, made on first change)."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="messaging_settings")
    parents_to_parents = models.BooleanField(
        "родители могут писать родителям одноклассников", default=False)
    students_to_students = models.BooleanField("обучающиеся могут писать одноклассникам", default=False)

    class Meta:
        verbose_name = "настройки почты"
        verbose_name_plural = "настройки почты"

    def __str__(self) -> str:
        return f"настройки почты школы {self.school_id}"


class Thread(models.Model):
    """A conversation: its subject, the people in it (``ThreadParticipant``) and its messages in time order."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    subject = models.CharField("тема", max_length=200)
    # The child the conversation is about (a message to a parent names him), if any.
    student = models.ForeignKey(Student, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name="о ребёнке")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField()

    class Meta:
        verbose_name = "переписка"
        verbose_name_plural = "переписка"
        indexes = [models.Index(fields=["school", "last_message_at"])]

    def __str__(self) -> str:
        return self.subject


class ThreadParticipant(models.Model):
    """A person in a thread, with his read status: ``unread`` is set for everyone else when a message comes and
    cleared when he opens the thread, so the header's unread count is one indexed count."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unread = models.BooleanField(default=False)
    has_received = models.BooleanField(default=False)  # someone else wrote to him here: the thread is in his inbox
    has_sent = models.BooleanField(default=False)  # he wrote here: the thread is in his «Отправленные»
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "участник переписки"
        verbose_name_plural = "участники переписки"
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="participant_unique")]
        indexes = [models.Index(fields=["school", "user", "unread"])]

    def __str__(self) -> str:
        return f"{self.user_id} в {self.thread_id}"


class Message(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField("текст")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "сообщение"
        verbose_name_plural = "сообщения"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["school", "thread", "created_at"])]

    def __str__(self) -> str:
        return f"сообщение {self.pk} в {self.thread_id}"


class Audience(models.TextChoices):
    SCHOOL = "school", "вся школа"
    GRADE = "grade", "параллель"
    CLASS = "class", "класс"
    GROUP = "group", "группа"


class Announcement(models.Model):
    """News or an event for the school, a parallel, a class or a group, to staff, pupils and/or parents. Its
    recipients are fixed when it is published (``AnnouncementRecipient``), with what each has read and
    acknowledged."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField("заголовок", max_length=200)
    body = models.TextField("текст")
    event_date = models.DateField("дата события", null=True, blank=True)
    audience = models.CharField("для кого", max_length=10, choices=Audience.choices)
    grade = models.PositiveSmallIntegerField("параллель", null=True, blank=True)
    school_class = models.ForeignKey(SchoolClass, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                     verbose_name="класс")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                              verbose_name="группа")
    to_staff = models.BooleanField("сотрудникам", default=False)
    to_students = models.BooleanField("обучающимся", default=False)
    to_parents = models.BooleanField("родителям", default=False)
    publish_at = models.DateTimeField("опубликовать")
    expires_at = models.DateTimeField("снять с публикации", null=True, blank=True)
    pinned = models.BooleanField("закрепить", default=False)
    requires_ack = models.BooleanField("с подтверждением «Ознакомлен»", default=False)
    is_regulation = models.BooleanField("локальный акт (ознакомление обязательно)", default=False)
    urgent = models.BooleanField("срочное", default=False)
    recipient_count = models.PositiveIntegerField(default=0)
    announced = models.BooleanField(default=False)  # its publication was told (the event fired) once
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "объявление"
        verbose_name_plural = "объявления"
        indexes = [models.Index(fields=["school", "publish_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(to_staff=True) | Q(to_students=True) | Q(to_parents=True),
                                   name="announcement_has_readers"),
            models.CheckConstraint(condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("publish_at")),
                                   name="announcement_expires_after_publish"),
            models.CheckConstraint(condition=Q(is_regulation=False) | Q(requires_ack=True),
                                   name="announcement_regulation_acknowledged"),
        ]

    def __str__(self) -> str:
        return self.title


class AnnouncementRecipient(models.Model):
    """Who an announcement is for, and when he read and acknowledged it (kept: the acknowledgement of a local act
    is the school's record)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)  # staff / student / guardian: how he is a reader (the report groups by it)
    label = models.CharField(max_length=200, blank=True)  # «родитель: Иванов Иван, 5А», «учитель»
    read_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "получатель объявления"
        verbose_name_plural = "получатели объявлений"
        constraints = [models.UniqueConstraint(fields=["announcement", "user"], name="recipient_unique")]
        indexes = [models.Index(fields=["school", "user", "announcement"])]

    def __str__(self) -> str:
        return f"{self.user_id} ← {self.announcement_id}"


class RequestStatus(models.TextChoices):
    NEW = "new", "новое"
    IN_WORK = "in_work", "в работе"
    ANSWERED = "answered", "дан ответ"
    CLOSED = "closed", "закрыто"


class HelpRequest(models.Model):
    """A request to the school's journal administrator (seed 000): who asks (name, and position or class), the
    problem, its status; the answers go by mail, in ``thread``."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField("фамилия, имя, отчество", max_length=200)
    position = models.CharField("должность", max_length=200, blank=True)
    class_name = models.CharField("класс", max_length=20, blank=True)
    problem = models.TextField("суть проблемы")
    page = models.CharField("страница, где возникла проблема", max_length=300, blank=True)
    status = models.CharField("состояние", max_length=10, choices=RequestStatus.choices, default=RequestStatus.NEW)
    thread = models.ForeignKey(Thread, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "обращение в службу поддержки"
        verbose_name_plural = "обращения в службу поддержки"
        indexes = [models.Index(fields=["school", "status", "created_at"])]

    def __str__(self) -> str:
        return f"Обращение № {self.pk}"


class ConsultationSlot(models.Model):
    """When the journal administrator consults (seed 004): a weekday and hours, and where."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField("день недели")  # 1 = Monday … 6 = Saturday
    start = models.TimeField("с")
    end = models.TimeField("до")
    place = models.CharField("где", max_length=120, blank=True)

    class Meta:
        verbose_name = "часы консультаций"
        verbose_name_plural = "часы консультаций"
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=1, weekday__lte=7), name="slot_weekday"),
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="slot_start_before_end"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday}: {self.start:%H:%M}–{self.end:%H:%M}"


class Attachment(models.Model):
    """A file of a message, an announcement or a help request (exactly one of them)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="attachments")
    announcement = models.ForeignKey(Announcement, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="attachments")
    help_request = models.ForeignKey(HelpRequest, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="attachments")
    file = models.FileField("файл", upload_to="messaging/%Y/%m/")
    name = models.CharField("имя файла", max_length=200)
    size = models.PositiveIntegerField("размер, байт")
    content_type = models.CharField("тип", max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "вложение"
        verbose_name_plural = "вложения"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(message__isnull=False, announcement__isnull=True, help_request__isnull=True)
                           | Q(message__isnull=True, announcement__isnull=False, help_request__isnull=True)
                           | Q(message__isnull=True, announcement__isnull=True, help_request__isnull=False)),
                name="attachment_one_owner"),
        ]

    def __str__(self) -> str:
        return self.name
