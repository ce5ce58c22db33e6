"""School-local dates. Timestamps are aware UTC; a school's "today" is its local date."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    return timezone.localdate()
