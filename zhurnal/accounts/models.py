from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A login. What the person may do comes from school relations, never from flags here."""

    patronymic = models.CharField("отчество", max_length=150, blank=True)

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"

    @property
    def display_name(self) -> str:
        parts = [self.last_name, self.first_name, self.patronymic]
        name = " ".join(p for p in parts if p)
        return name or self.username
