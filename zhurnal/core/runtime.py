"""What a server process does once its code is loaded, before it serves requests.

Python's cyclic garbage collector now and then walks every object the process holds. A Django process holds some
hundred thousand of them from start-up (modules, the URLconf, the ORM's metadata) that live as long as it does;
a page that builds a few thousand short-lived objects (the journal grid) makes the collector walk them all every
dozen requests — 60 ms each time on the project's machine, 5 ms per grid on average. ``settle`` moves the start-up
objects out of the collector's sight (``gc.freeze``; the Python documentation suggests it before a server forks
its workers, where it also keeps their memory shared).
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Load what every request will need (the URLconf and every view module with it), drop start-up garbage,
    then freeze what is left. Called by ``config.wsgi`` (every server), ``zhurnal serve`` after its migrations,
    and the benchmark after building its data (so that it measures what a server does)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and the views now, not on the first request
    gc.collect()
    gc.freeze()
