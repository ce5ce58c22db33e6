"""Compare this checkout with an earlier revision, measured interleaved (A B, B A, A B …) on the same minutes.

The machine drifts: a comparison of two runs an hour apart measures the hour. So both sides are measured in
alternating rounds, each round in fresh processes on the data set each side built once, and each case is judged
by its median over the rounds of the ratio to the trivial view (``framework_ceiling``) of the same process:
    python -m bench.interleave 8908fc6                          # all cases, SQLite, 8 rounds
    python -m bench.interleave 8908fc6 --rounds 6 --only journal_grid,mark_save --db postgres
    python -m bench.interleave 8908fc6 --out bench/interleaved.md
The revision is checked out in a detached worktree under bench/data/ and run with this checkout's virtualenv
(both sides must pin the same requirements). A case is flagged when its ratio is more than 10 % above the
base's; queries are compared exactly.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
LIMIT = 1.10
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zhurnal_bench")


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, text=True,  # noqa: S603, S607
                          stdout=subprocess.PIPE).stdout.strip()


def checkout(revision: str) -> Path:
    sha = git("rev-parse", "--short", revision)
    path = DATA / f"base-{sha}"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        git("worktree", "add", "--detach", str(path), sha)
    for pinned in ("requirements.txt", "requirements-dev.txt"):
        if (path / pinned).read_text() != (ROOT / pinned).read_text():
            sys.exit(f"{pinned} differs between {revision} and this checkout: measure each in its own virtualenv")
    return path


def child(side: Path, db: str, only: str, *, build: bool) -> dict:
    """One process of ``bench.run`` in ``side``: builds the data set, or measures on the one it built."""
    env = {**os.environ, "BENCH_CHILD": "1", "PYTHONPATH": str(side)}
    if db == "postgres":
        # Each side its own database: the build of one must not be measured by the other.
        env["BENCH_DATABASE_URL"] = f"{PG_URL}_{'head' if side == ROOT else 'base'}"
    command = [sys.executable, "-m", "bench.run", "--db", db, "--only", only,
               "--build-only" if build else "--reuse"]
    out = subprocess.run(command, cwd=side, env=env, check=True, text=True,  # noqa: S603
                         stdout=subprocess.PIPE).stdout
    return json.loads(out.strip().splitlines()[-1])


def compare(rounds: dict[str, list[dict]]) -> list[dict]:
    by_case: dict[str, dict[str, list[dict]]] = {}
    for side, runs in rounds.items():
        for run in runs:
            for case in run["cases"]:
                by_case.setdefault(case["case"], {}).setdefault(side, []).append(case)
    rows = []
    for name, sides in by_case.items():
        if name == "framework_ceiling" or len(sides) < 2:
            continue
        base = statistics.median(c["ratio_to_ceiling"] for c in sides["base"])
        head = statistics.median(c["ratio_to_ceiling"] for c in sides["head"])
        rows.append({"case": name, "base_ms": statistics.median(c["median_ms"] for c in sides["base"]),
                     "head_ms": statistics.median(c["median_ms"] for c in sides["head"]),
                     "base_ratio": base, "head_ratio": head, "change": head / base if base else None,
                     "base_queries": sides["base"][-1]["queries"], "head_queries": sides["head"][-1]["queries"]})
    return rows


def markdown(rows: list[dict], *, base: str, head: str, db: str, count: int, load: list[float],
             seconds: float) -> str:
    lines = [f"# Interleaved: {head} against {base} ({db}, {count} rounds)", "",
             f"Measured {time.strftime('%Y-%m-%d %H:%M %z')}, rounds alternating A B / B A, the whole comparison "
             f"{seconds / 60:.0f} min; load average at the end {load}. *× ceiling*: the median over the rounds of a "
             "case's median divided by the trivial view's of the same process; *change*: head / base of it "
             f"(flagged above {LIMIT:.2f}).", "",
             "| case | base ms | head ms | base × ceiling | head × ceiling | change | queries base → head |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        change = "—" if row["change"] is None else f"{row['change']:.2f}" + (" ⚠" if row["change"] > LIMIT else "")
        queries = str(row["base_queries"]) if row["base_queries"] == row["head_queries"] else \
            f"{row['base_queries']} → {row['head_queries']}"
        lines.append(f"| `{row['case']}` | {row['base_ms']:.2f} | {row['head_ms']:.2f} | {row['base_ratio']:.2f} | "
                     f"{row['head_ratio']:.2f} | {change} | {queries} |")
    flagged = [row["case"] for row in rows if row["change"] is not None and row["change"] > LIMIT]
    lines += ["", f"{len(rows) - len(flagged)} of {len(rows)} cases within {LIMIT - 1:.0%}"
              + (f"; above: {', '.join(flagged)}." if flagged else "."), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the revision to compare with (e.g. the commit before the change)")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("--out", help="also write the table to this Markdown file")
    parser.add_argument("--keep", action="store_true", help="keep the base's worktree for another comparison")
    args = parser.parse_args()
    began = time.perf_counter()
    base = checkout(args.base)
    sides = {"base": base, "head": ROOT}
    for name, side in sides.items():
        print(f"building the data set of {name} ({side.name})", file=sys.stderr)
        child(side, args.db, args.only, build=True)
    rounds: dict[str, list[dict]] = {"base": [], "head": []}
    for number in range(args.rounds):
        order = ["base", "head"] if number % 2 == 0 else ["head", "base"]
        for name in order:
            rounds[name].append(child(sides[name], args.db, args.only, build=False))
        print(f"round {number + 1}/{args.rounds} done", file=sys.stderr)
    text = markdown(compare(rounds), base=git("rev-parse", "--short", args.base),
                    head=git("rev-parse", "--short", "HEAD"), db=args.db, count=args.rounds,
                    load=[round(x, 2) for x in os.getloadavg()], seconds=time.perf_counter() - began)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    if not args.keep:
        git("worktree", "remove", "--force", str(base))
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
