"""What a server process does once its code is loaded, before it serves requests.

Python's cyclic garbage collector now and then walks every object the process holds. A Django process holds some
hundred thousand of them from start-up (modules, the URLconf, the ORM's metadata) that live as long as it does;
a page that builds a few thousand short-lived objects (the journal grid) makes the collector walk them all every
dozen requests (figures in docs/performance.md). ``settle`` moves the start-up
objects out of the collector's sight (``gc.freeze``; the Python documentation suggests it before a server forks
its workers, where it also keeps their memory shared).

A request's own objects are freed by reference counting as it ends, but for a few hundred in reference cycles
(the request and its middleware's lazy attributes; the template context's cycle is broken by
``core.templating``). The collector's youngest generation is still walked every 700 net allocations by default —
within a grid request, whose 2,000 cells and rows are alive at once, once or twice, walking them all. With
``YOUNG_THRESHOLD`` the collection comes every few dozen requests instead and finds mostly their few hundred
cyclic leftovers.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000  # net allocations between collections of the youngest generation (Python's default: 700)


def settle() -> None:
    """Load what every request will need (the URLconf and every view module with it), drop start-up garbage,
    then freeze what is left, and let the youngest generation grow to ``YOUNG_THRESHOLD``. Called by
    ``config.wsgi`` (every server), ``zhurnal serve`` after its migrations, and the benchmark after building its
    data (so that it measures what a server does)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and the views now, not on the first request
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
