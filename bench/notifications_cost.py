"""What notifications add to saving a mark: ``mark_save`` with the notifications' subscriber and without it
(``mark_save_quiet``), interleaved save by save so that the machine's drift falls on both alike.

    python -m bench.notifications_cost [--db sqlite|postgres] [--pairs 60] [--reuse]

Builds the benchmark data set (as ``make bench``) unless ``--reuse``; prints the medians and their difference and
writes them to ``bench/notifications.md``. The queue is the deployment's own (the SQLite file on one computer):
the cost measured is the event's subscriber queuing its job after the commit; the job runs later, in the worker.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from bench.run import prepare

OUT = Path(__file__).resolve().parent / "notifications.md"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pairs", type=int, default=60)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args(argv)
    ctx = prepare(args.db, reuse=args.reuse)
    from bench.cases import mark_save, mark_save_quiet
    from bench.harness import check_response
    from zhurnal.core import tasks
    from zhurnal.core.runtime import settle

    settle()
    loud, quiet = mark_save(ctx), mark_save_quiet(ctx)
    for _ in range(6):  # past psycopg's prepare threshold, as the harness does
        check_response("mark_save", loud(), method_get=True)
        check_response("mark_save_quiet", quiet(), method_get=True)
    with_notifications: list[float] = []
    without: list[float] = []
    for n in range(args.pairs):
        order = ((loud, with_notifications), (quiet, without)) if n % 2 else ((quiet, without), (loud, with_notifications))
        for run, timings in order:
            start = time.perf_counter()
            run()
            timings.append((time.perf_counter() - start) * 1000)
    queued = tasks.queue.pending_count()
    on, off = statistics.median(with_notifications), statistics.median(without)
    line = (f"| {args.db} | {args.pairs} | {off:.2f} | {on:.2f} | {on - off:+.2f} | {queued} |")
    print(f"mark_save without notifications {off:.2f} ms, with {on:.2f} ms, difference {on - off:+.2f} ms "
          f"({args.pairs} interleaved pairs, {queued} jobs queued)", file=sys.stderr)
    header = ("# Saving a mark with and without notifications\n\n"
              "`python -m bench.notifications_cost` — `mark_save` (one cell, JSON) with the notifications' "
              "subscriber and without it, interleaved save by save; medians in ms. The bar: ≤ 2 ms more.\n\n"
              "| db | pairs | without, ms | with, ms | difference, ms | jobs queued |\n|---|---|---|---|---|---|\n")
    rows = [row for row in (OUT.read_text().splitlines() if OUT.exists() else []) if row.startswith(f"| {'sqlite' if args.db == 'postgres' else 'postgres'} |")]
    OUT.write_text(header + "\n".join([*rows, line]) + "\n")


if __name__ == "__main__":
    main()
