"""The school's hand-written SQL: the schools of a user, read on every request."""

from __future__ import annotations

from zhurnal.core.sql import columns, table

from .models import Guardian, School, StaffMember, Student


def schools_query(user_id: int) -> tuple[str, list]:
    """``schools_of``'s query: (SQL, parameters); ``model_rows(School, rows)`` makes its rows schools."""
    # Subqueries, not joins: OR-ing three joined relations multiplies staff × students × guardians rows
    # (seconds per request in a 600-pupil school).
    return (f"SELECT {columns(School)} FROM {table(School)} WHERE id IN ("  # noqa: S608 - table names from the models
            f"SELECT school_id FROM {table(StaffMember)} WHERE user_id = %s AND is_active "
            f"UNION SELECT school_id FROM {table(Student)} WHERE user_id = %s "
            f"UNION SELECT school_id FROM {table(Guardian)} WHERE user_id = %s) ORDER BY short_name, id",
            [user_id, user_id, user_id])

