"""``make bench``: every case on SQLite and on PostgreSQL, results in bench/results.json and results.md.

Each database is built afresh by one process and measured by another (settings choose the database at start-up;
the measuring process, like a server, does not carry the build's heap):
    python -m bench.run                      # both databases, writes the results files
    python -m bench.run --db sqlite          # one database, prints its JSON (used by the parent)
    python -m bench.run --only journal_grid,mark_save   # some cases (the results files are not written)
    python -m bench.run --db sqlite --only mark_save --profile   # and where the time goes (cProfile, stderr)
    python -m bench.run --db sqlite --only mark_save --reuse     # on the data set the last run left (no build)
The PostgreSQL database is ``BENCH_DATABASE_URL`` (postgres://postgres@127.0.0.1:5432/zhurnal_bench); it is
dropped and created anew. Without a reachable PostgreSQL the run stops unless ``--db sqlite`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zhurnal_bench")


def prepare(db: str, *, reuse: bool = False):
    """Django set up on the bench database of ``db`` and its data set: built afresh (the database recreated,
    migrated, filled, settled) unless ``reuse``, else loaded as the last build left it. Returns the context."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["SECURE_COOKIES"] = "0"
    os.environ["ZHURNAL_VAR_DIR"] = str(DATA / "var")
    if db == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        path = DATA / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            if not reuse:
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        if not reuse:
            recreate_pg_database(PG_URL)
        os.environ["DATABASE_URL"] = PG_URL
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    from bench.dataset import build_dataset, load_context, save_context

    saved = DATA / f"context-{db}.json"
    if reuse:
        return load_context(saved)
    call_command("migrate", verbosity=0)
    ctx = build_dataset()
    save_context(ctx, saved)
    settle_database()
    return ctx


def run_one(db: str, only: set[str] | None = None, profile: bool = False, reuse: bool = False,
            build_only: bool = False) -> dict:
    """Build the data set (unless ``reuse``) and measure the cases (unless ``build_only``) in this process."""
    load_before = os.getloadavg()
    started = time.perf_counter()
    ctx = prepare(db, reuse=reuse)
    from bench.cases import CASES
    from bench.harness import measure, ratio

    build_seconds = time.perf_counter() - started
    print(f"  {db}: data set {'loaded' if reuse else 'built'} in {build_seconds:.0f} s", file=sys.stderr)
    if build_only:
        return {"db": db, "data": {**ctx.size, "build_seconds": round(build_seconds, 1)}}
    from zhurnal.core.runtime import settle

    settle()  # what every server does before it serves (config.wsgi)
    results = []
    for case in CASES:
        if only and case.name not in only and case.name != "framework_ceiling":
            continue
        began = time.perf_counter()
        run = case.make(ctx)
        results.append(measure(case.name, db, run, repeat=case.repeat, warmup=case.warmup,
                               expect_page=case.page, what=case.what))
        print(f"  {db} {case.name}: {results[-1].median_ms:.1f} ms ({time.perf_counter() - began:.0f} s)",
              file=sys.stderr)
        if profile and case.name != "framework_ceiling":
            print_profile(case.name, run)
    ceiling = next(r for r in results if r.case == "framework_ceiling")
    for result in results:
        result.ratio_to_ceiling = ratio(result.median_ms, ceiling.median_ms)
    return {"db": db, "data": {**ctx.size, "build_seconds": round(build_seconds, 1)},
            "load_average": {"before": [round(x, 2) for x in load_before],
                             "after": [round(x, 2) for x in os.getloadavg()]},
            "seconds": round(time.perf_counter() - started, 1), "cases": [r.as_dict() for r in results]}


def settle_database() -> None:
    """PostgreSQL after the bulk build as a server in service has it: vacuumed (dead rows of the build's updates
    gone, pages marked all-visible), analysed, and checkpointed. Otherwise autovacuum starts on the big tables in
    the middle of the measurements, the first reads of each page write hint bits, and the checkpoint the build's
    gigabyte of WAL calls for writes its pages out — spread over minutes, on the same two cores and disk, while
    the cases are measured (the trivial view was seen at twice its time then)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")


def print_profile(name: str, run) -> None:
    """Where one case spends its time: ten runs under cProfile, the top functions by own and cumulative time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(10):
        run()
    profiler.disable()
    print(f"== {name}: our functions by cumulative time (10 runs)", file=sys.stderr)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats("zhurnal/", 40)
    print(f"== {name}: by own time (10 runs)", file=sys.stderr)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(15)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        run()
    print(f"== {name}: the queries of one run", file=sys.stderr)
    for query in queries.captured_queries:
        print(f"  {query['time']} {query['sql'][:300]}", file=sys.stderr)


def recreate_pg_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(host=parsed.hostname, port=parsed.port or 5432, user=parsed.username or "postgres",
                         password=parsed.password, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    versions = {}
    try:
        import django
        import psycopg

        versions = {"django": django.get_version(), "psycopg": psycopg.__version__}
    except ImportError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": memory, "python": platform.python_version(),
            "platform": platform.platform(), **versions}


def _fmt(value) -> str:
    return "—" if value is None else f"{value}"


def write_markdown(report: dict, path: Path) -> None:
    m = report["machine"]
    lines = ["# Benchmark results", "",
             f"Run at {report['run_at']} on {m['cpu']} ({m['cores']} cores, {m.get('memory', '')}), "
             f"Python {m['python']}, Django {m.get('django', '?')}. Reproduce: `make bench`.", "",
             "Server time per operation through the whole Django stack (test client, every middleware), in "
             "milliseconds (*fastest*: the quickest run, the least touched by the machine's drift); *queries* and "
             "*bytes* are those of one operation; *× ceiling* is the median divided by "
             "the median of `framework_ceiling` (a trivial view through the same middleware) in the same run, "
             "which drifts less than absolute times on a shared machine. The load average of the machine during "
             "the run is given: other work on it slows every figure. PostgreSQL is vacuumed, analysed and "
             "checkpointed after the build, as a database in service is.", ""]
    for run in report["runs"]:
        data = ", ".join(f"{k}: {v}" for k, v in run["data"].items())
        load = run.get("load_average", {})
        lines += [f"## {run['db']}", "", f"Data: {data}.", "",
                  f"Load average before/after: {load.get('before')} / {load.get('after')}; "
                  f"the whole run took {run.get('seconds')} s.", "",
                  "| case | what | median ms | p95 ms | fastest ms | queries | bytes | × ceiling |",
                  "|---|---|---:|---:|---:|---:|---:|---:|"]
        for c in run["cases"]:
            fastest = "—" if c.get("min_ms") is None else f"{c['min_ms']:.2f}"
            lines.append(f"| `{c['case']}` | {c.get('what', '')} | {c['median_ms']:.2f} | {c['p95_ms']:.2f} | "
                         f"{fastest} | {c['queries']} | {c['bytes']} | {_fmt(c['ratio_to_ceiling'])} |")
        lines.append("")
    path.write_text("\n".join(lines))


# RosarioSIS (the open-source peer), measured once on this kind of machine: PHP built-in server, PostgreSQL 15.
PEERS = (
    ("journal_grid", "gradebook page, 30 students × 60 assignments", "53–77 ms, 887 KB"),
    ("mark_column_save", "save one column of 30 grades", "≈ 90 ms"),
    ("mark_grid_save", "save 1,800 grades", "620–660 ms"),
    ("diary_class_paper", "100 report cards (for 500 students it silently produced only 100)", "110–360 ms"),
)


def _ms(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u00a0") if value >= 100 else f"{value:.1f}"


def write_peers(report: dict, path: Path) -> None:
    """bench/peers.md: the peer's figures beside ours for the same operations, from this run."""
    by_key = {(c["case"], c["db"]): c for c in report["cases"]}
    lines = [
        "# Beside the peers", "",
        "RosarioSIS, the open-source student information system, measured once on this kind of machine "
        "(2 cores, PHP built-in server, PostgreSQL 15), beside Zhurnal's figures for the same operations from the "
        f"latest `make bench` ({report['run_at']}; load average during the runs: "
        + "; ".join(f"{r['db']} {r.get('load_average', {}).get('before')}" for r in report["runs"]) + "). "
        "Ours are server time through the whole Django stack in-process (median / p95), without the network; "
        "theirs include the PHP built-in server's HTTP handling. A load average well above the 2 cores means "
        "other processes shared the machine during our run and inflated our absolute times several-fold (see "
        "`framework_ceiling` in `bench/results.md`); compare on an idle machine before drawing conclusions.", "",
        "| operation | RosarioSIS | Zhurnal, SQLite | Zhurnal, PostgreSQL | our case |",
        "|---|---|---|---|---|",
    ]
    for case, operation, theirs in PEERS:
        cells = []
        for db in ("sqlite", "postgres"):
            c = by_key.get((case, db))
            if c is None:
                cells.append("—")
                continue
            size = f", {c['bytes'] / 1024:.0f} KB" if case == "journal_grid" else ""
            cells.append(f"{_ms(c['median_ms'])} / {_ms(c['p95_ms'])} ms{size}, {c['queries']} queries")
        lines.append(f"| {operation} | {theirs} | {cells[0]} | {cells[1]} | `{case}` |")
    lines += [
        "",
        "Notes:",
        "- `mark_column_save` is the lesson page's column form: 30 cells in one request, saved by `save_cells` in "
        "one transaction, each cell with its own idempotency key, history and audit entry; `mark_grid_save` is 60 "
        "such requests (1,800 cells). Every run changes every cell, so each save really writes.",
        "- Report cards: Zhurnal has no batch of final report cards yet; the closest operation measured is "
        "`diary_class_paper`, the weekly diary printouts (PDF) of every family of a class who chose paper. "
        "It includes every such student — nothing is ever cut at a limit; a batch for a whole school must do the "
        "same.",
        "",
    ]
    path.write_text("\n".join(lines))


def _child(command: list[str]) -> dict:
    out = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True, cwd=ROOT.parent,  # noqa: S603
                         env={**os.environ, "BENCH_CHILD": "1"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"])
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of each case (stderr)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure on the data set the previous run of this database left (no rebuild)")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)  # the parent's first child
    args = parser.parse_args()
    only = {name for name in args.only.split(",") if name} or None
    if args.db and os.environ.get("BENCH_CHILD") == "1":
        print(json.dumps(run_one(args.db, only, profile=args.profile, reuse=args.reuse,
                                 build_only=args.build_only)))
        return
    began = time.perf_counter()
    runs = []
    for db in [args.db] if args.db else ["sqlite", "postgres"]:
        command = [sys.executable, "-m", "bench.run", "--db", db, "--only", args.only]
        built = None
        if not args.reuse:
            # Built in one process, measured in a fresh one: a server does not carry a bulk load's heap.
            built = _child([*command, "--build-only"])
        run = _child([*command, "--reuse", *["--profile"] * args.profile])
        if built is not None:
            run["data"] = built["data"]
        runs.append(run)
        print(f"{db}: done in {run['seconds']} s", file=sys.stderr)
    report = {"run_at": time.strftime("%Y-%m-%d %H:%M:%S %z"), "machine": machine(), "runs": runs,
              "seconds": round(time.perf_counter() - began, 1),
              "cases": [c for run in runs for c in run["cases"]]}
    if only or args.db or args.reuse:
        print(json.dumps(report["cases"], ensure_ascii=False, indent=1))
        return
    (ROOT / "results.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    write_markdown(report, ROOT / "results.md")
    write_peers(report, ROOT / "peers.md")
    print((ROOT / "results.md").read_text())


if __name__ == "__main__":
    main()
