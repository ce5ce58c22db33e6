"""Reads about a login: its history and second factor."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Authenticator, LoginEvent, User


def login_history(user: User, limit: int = 50) -> QuerySet[LoginEvent]:
    return LoginEvent.objects.filter(user=user).order_by("-at", "-id")[:limit]


def has_two_factor(user: User) -> bool:
    return Authenticator.objects.filter(user=user, confirmed=True).exists()
