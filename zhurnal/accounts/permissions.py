"""Who may do what with a login: everybody signed in manages his own password, sessions and second factor; what
a school's staff may do with other people's logins is the school's (``school.access.permissions``)."""

from __future__ import annotations
