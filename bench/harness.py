"""Measuring one case: server time through the whole Django stack, query count and response size.

Requests go through Django's test client in-process, so the figures are the server's own work
(middleware, view, queries, template) without network noise. Every case runs a warm-up, then
``repeat`` timed runs; the median and the 95th percentile are reported. The query count and the size
are those of the first timed run.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connection


class CaseFailed(RuntimeError):
    """A case answered an error (or a redirect where a page was expected): its timing would mean nothing."""


@dataclass
class Result:
    case: str
    db: str
    median_ms: float
    p95_ms: float
    queries: int
    bytes: int
    runs: int = 0
    ratio_to_ceiling: float | None = None
    min_ms: float | None = None  # the fastest run: the least touched by the shared machine's drift
    what: str = ""

    def as_dict(self) -> dict:
        return {
            "case": self.case, "db": self.db, "median_ms": round(self.median_ms, 3), "p95_ms": round(self.p95_ms, 3),
            "min_ms": None if self.min_ms is None else round(self.min_ms, 3),
            "queries": self.queries, "bytes": self.bytes, "runs": self.runs,
            "ratio_to_ceiling": None if self.ratio_to_ceiling is None else round(self.ratio_to_ceiling, 2),
            "what": self.what,
        }


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``fraction`` of the values at or below it."""
    if not values:
        raise ValueError("no values")
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must be between 0 and 1")
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def summarize(timings: Sequence[float]) -> tuple[float, float]:
    """(median, 95th percentile) of timings in milliseconds."""
    return statistics.median(timings), percentile(timings, 0.95)


def ratio(value: float, ceiling: float) -> float | None:
    return value / ceiling if ceiling > 0 else None


def check_response(case: str, response: object, *, method_get: bool) -> None:
    status = getattr(response, "status_code", 200)
    if status >= 400 or (method_get and status != 200):
        location = getattr(response, "headers", {}).get("Location", "") if status in (301, 302) else ""
        raise CaseFailed(f"{case}: HTTP {status} {location}".strip())


class QueryCounter:
    """Counts every query (Django's query log keeps only the last 9,000, too few for the 1,800-cell save)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(case: str, db: str, run: Callable[[], object], *, repeat: int = 30, warmup: int = 3,
            expect_page: bool = True, what: str = "", clock: Callable[[], float] = time.perf_counter) -> Result:
    """``run`` performs one operation and returns an HTTP response. ``expect_page``: the answer must be 200
    (a page), not a redirect — a redirect to the login page would otherwise be timed as a fast page."""
    for _ in range(warmup):
        check_response(case, run(), method_get=expect_page)
    timings = []
    queries = size = 0
    for n in range(repeat):
        counter = QueryCounter()
        start = clock()
        if n == 0:  # the first timed run also counts its queries (the counter costs microseconds)
            with connection.execute_wrapper(counter):
                response = run()
        else:
            response = run()
        timings.append((clock() - start) * 1000)
        if n == 0:
            check_response(case, response, method_get=expect_page)
            queries = counter.count
            size = len(getattr(response, "content", b"") or b"")
    median, p95 = summarize(timings)
    return Result(case=case, db=db, median_ms=median, p95_ms=p95, queries=queries, bytes=size, runs=repeat,
                  what=what, min_ms=min(timings))
