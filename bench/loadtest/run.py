"""``make loadtest``: gunicorn (several workers) + PostgreSQL on 127.0.0.1, driven by wrk, bounded in time.

    python -m bench.loadtest.run [--duration 60] [--workers 4] [--connections 8]

Against the generated region in ``LOADTEST_DATABASE_URL`` (postgres://postgres@127.0.0.1:5432/zhurnal_region; make it
with ``make generate``). Runs, each after a short warm-up: the trivial view ``/health/`` (the framework's ceiling),
the diary week alone, mark saves alone, and the morning mix (``morning.lua``); writes bench/loadtest/results.json
and results.md. Only 127.0.0.1 is ever a target; gunicorn is stopped at the end whatever happens.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DATA = HERE.parent / "data" / "loadtest"  # ignored by git: sessions, targets, the server log
DB_URL = os.environ.get("LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zhurnal_region")
HOST = "127.0.0.1"
SCENARIOS = (
    ("health", "GET /health/: тривиальный ответ через все middleware (потолок фреймворка)"),
    ("diary_week", "дневник: неделя (родители и ученики)"),
    ("mark_save", "учителя сохраняют отметки (JSON, новый ключ повтора на каждый запрос)"),
    ("morning", "утренний час пик: 55 % неделя дневника, 10 % предмет, 10 % новые отметки, 25 % сохранение отметок"),
)


def server_env() -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": DB_URL, "SECRET_KEY": os.environ.get("SECRET_KEY", "loadtest-only-key"),
            "ALLOWED_HOSTS": HOST, "SECURE_COOKIES": "0", "DB_CONN_MAX_AGE": "600",
            "ZHURNAL_VAR_DIR": str(DATA / "var"), "DJANGO_SETTINGS_MODULE": "config.settings"}


def wait_until_up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/health/", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /health/ in time")


def wrk(mix: str, *, port: int, seconds: int, threads: int, connections: int, targets: Path) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(HERE / "morning.lua"), f"http://{HOST}:{port}", "--", mix, str(targets)]
    out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT,  # noqa: S603
                         timeout=seconds + 60)
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def data_size(env: dict[str, str]) -> dict:
    script = ("import django; django.setup();"
              "from zhurnal.school.models import School, Student;"
              "from zhurnal.journal.models import Mark, Attendance;"
              "from zhurnal.timetable.models import Lesson;"
              "import json; print(json.dumps({'schools': School.objects.count(), 'students': Student.objects.count(),"
              "'lessons': Lesson.objects.count(), 'marks': Mark.objects.count(),"
              "'attendance': Attendance.objects.count()}))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env,  # noqa: S603
                         cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def write_markdown(report: dict, path: Path) -> None:
    size = report["data"]
    ceiling = report["results"]["health"]["rps"]
    lines = [
        "# Load test results", "",
        f"Run at {report['run_at']} on {report['machine']}: gunicorn {report['gunicorn']}, {report['workers']} sync "
        f"workers, PostgreSQL on 127.0.0.1; wrk with {report['threads']} threads and {report['connections']} "
        f"connections, {report['duration']} s per scenario after a {report['warmup']} s warm-up. "
        "Reproduce: `make generate` (once), then `make loadtest`.", "",
        f"Data: {size['schools']} schools, {_n(size['students'])} pupils, {_n(size['lessons'])} lessons, "
        f"{_n(size['marks'])} marks, {_n(size['attendance'])} absences; sessions of {report['targets']}.", "",
        f"Load average before/after: {report['load_average']['before']} / {report['load_average']['after']}.", "",
        "| scenario | what | requests/s | p50 ms | p95 ms | p99 ms | errors | × ceiling throughput |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, what in SCENARIOS:
        r = report["results"][name]
        errors = r["errors_status"] + r["errors_connect"] + r["errors_read"] + r["errors_write"] + r["errors_timeout"]
        rate = f"{errors / r['requests'] * 100:.2f} %" if r["requests"] else "—"
        lines.append(f"| `{name}` | {what} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
                     f"{r['p99_ms']:.1f} | {errors} ({rate}) | {r['rps'] / ceiling:.2f} |")
    goal = report["results"]["diary_week"]
    lines += ["", f"Goal (issue 8): the diary at least half of the ceiling's throughput, p95 under 100 ms, no errors — "
                  f"diary week: {goal['rps'] / ceiling:.2f} × ceiling, p95 {goal['p95_ms']:.1f} ms, "
                  f"{goal['errors_status']} errors.", "",
              "wrk, gunicorn and PostgreSQL share the machine's cores (and, on a shared machine, with whatever else "
              "runs there: see the load average above), so these figures are a floor for one box; the in-process "
              "figures of `bench/results.md` separate the server's own cost per page.", ""]
    path.write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=60, help="seconds per scenario")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = server_env()
    DATA.mkdir(parents=True, exist_ok=True)
    targets = DATA / "targets.lua"
    prepared = subprocess.run([sys.executable, "-m", "bench.loadtest.prepare", "--out", str(targets)],  # noqa: S603
                              env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    print(prepared.stdout.strip(), file=sys.stderr)
    size = data_size(env)
    log = (DATA / "gunicorn.log").open("w")
    server = subprocess.Popen([str(gunicorn), "config.wsgi:application", "--workers", str(args.workers),  # noqa: S603
                               "--bind", f"{HOST}:{args.port}", "--worker-class", "sync", "--keep-alive", "5"],
                              env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    results = {}
    load_before = os.getloadavg()
    try:
        wait_until_up(args.port)
        for name, _ in SCENARIOS:
            wrk(name, port=args.port, seconds=args.warmup, threads=args.threads, connections=args.connections,
                targets=targets)
            results[name] = wrk(name, port=args.port, seconds=args.duration, threads=args.threads,
                                connections=args.connections, targets=targets)
            r = results[name]
            print(f"{name}: {r['rps']:.0f} req/s, p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, "
                  f"p99 {r['p99_ms']:.1f} ms, non-200 {r['non200']}", file=sys.stderr)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    version = subprocess.run([str(gunicorn), "--version"], capture_output=True, text=True,  # noqa: S603
                             check=False).stdout.strip().split()[-1].strip("()")
    from bench.run import machine

    m = machine()
    report = {
        "run_at": time.strftime("%Y-%m-%d %H:%M:%S %z"), "machine": f"{m['cpu']} ({m['cores']} cores)",
        "gunicorn": version, "workers": args.workers, "threads": args.threads, "connections": args.connections,
        "duration": args.duration, "warmup": args.warmup, "data": size,
        "targets": prepared.stdout.strip().split(" → ")[0],
        "load_average": {"before": [round(x, 2) for x in load_before],
                         "after": [round(x, 2) for x in os.getloadavg()]},
        "results": results,
    }
    (HERE / "results.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    write_markdown(report, HERE / "results.md")
    print((HERE / "results.md").read_text())


if __name__ == "__main__":
    main()
