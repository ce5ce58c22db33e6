"""The benchmark harness: its statistics, its refusal to time errors, stable case names, the results files."""

import itertools
import json
from types import SimpleNamespace

import pytest

from bench import harness
from bench.cases import CASES
from bench.run import write_markdown

STABLE_NAMES = {"framework_ceiling", "class_list", "journal_grid", "mark_save", "mark_column_save", "diary_week",
                "diary_subject"}


def page(status=200, body=b"ok", location=""):
    return SimpleNamespace(status_code=status, content=body, headers={"Location": location} if location else {})


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert harness.percentile(values, 0.95) == 95
    assert harness.percentile(values, 0.5) == 50
    assert harness.percentile(values, 1.0) == 100
    assert harness.percentile(values, 0.0) == 1
    assert harness.percentile([7.0], 0.95) == 7.0
    assert harness.percentile([3, 1, 2], 0.95) == 3  # unsorted input


def test_percentile_refuses_nonsense():
    with pytest.raises(ValueError):
        harness.percentile([], 0.5)
    with pytest.raises(ValueError):
        harness.percentile([1, 2], 1.5)


def test_summarize_gives_median_and_p95():
    median, p95 = harness.summarize([10, 12, 11, 13, 100, 11, 12, 10, 11, 12, 13, 11, 12, 10, 11, 12, 13, 11, 12, 14])
    assert median == 12
    assert p95 == 14


def test_ratio_to_ceiling():
    assert harness.ratio(30.0, 1.5) == 20.0
    assert harness.ratio(5.0, 0.0) is None


def test_measure_times_runs_with_the_given_clock_and_counts_queries(db):
    from django.contrib.auth import get_user_model

    ticks = itertools.count(0, 0.004)  # every clock reading is 4 ms after the previous one
    calls = []

    def run():
        calls.append(1)
        get_user_model().objects.exists()  # one query
        return page(body=b"x" * 321)

    result = harness.measure("case", "sqlite", run, repeat=10, warmup=2, clock=lambda: next(ticks))
    assert len(calls) == 2 + 10
    assert result.median_ms == pytest.approx(4.0)
    assert result.p95_ms == pytest.approx(4.0)
    assert result.min_ms == pytest.approx(4.0)
    assert result.queries == 1
    assert result.bytes == 321
    assert result.runs == 10


def test_measure_refuses_to_time_errors_and_redirects_to_login(db):
    with pytest.raises(harness.CaseFailed, match="HTTP 500"):
        harness.measure("broken", "sqlite", lambda: page(status=500), repeat=1, warmup=0)
    with pytest.raises(harness.CaseFailed, match="302 /accounts/login/"):
        harness.measure("anonymous", "sqlite", lambda: page(status=302, location="/accounts/login/"), repeat=1,
                        warmup=0)
    # A form post that redirects back is fine when no page is expected.
    result = harness.measure("post", "sqlite", lambda: page(status=302, location="/journal/"), repeat=2, warmup=0,
                             expect_page=False)
    assert result.runs == 2


def test_case_names_are_stable_and_unique():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))
    assert set(names) >= STABLE_NAMES
    assert names[0] == "framework_ceiling"  # measured first: every other case is given as a ratio to it


def test_results_json_shape_and_markdown(tmp_path):
    result = harness.Result(case="journal_grid", db="sqlite", median_ms=12.345, p95_ms=15.0, queries=9, bytes=63000,
                            runs=30, ratio_to_ceiling=8.2, what="журнал", min_ms=10.5)
    row = result.as_dict()
    assert {"case", "db", "median_ms", "p95_ms", "min_ms", "queries", "bytes", "ratio_to_ceiling"} <= set(row)
    json.dumps(row)
    report = {"run_at": "2026-11-22 20:00:00 +0000",
              "machine": {"cpu": "Test CPU", "cores": 2, "memory": "24 GiB", "python": "3.11.7", "django": "5.2"},
              "runs": [{"db": "sqlite", "data": {"students": 600}, "load_average": {"before": [1, 1, 1],
                                                                                   "after": [2, 2, 2]},
                        "seconds": 100, "cases": [row]}]}
    path = tmp_path / "results.md"
    write_markdown(report, path)
    text = path.read_text()
    assert "| `journal_grid` | журнал | 12.35 | 15.00 | 10.50 | 9 | 63000 | 8.2 |" in text
    assert "Data: students: 600." in text and "Test CPU (2 cores" in text


def test_peers_put_our_figures_beside_rosariosis(tmp_path):
    from bench.run import write_peers

    cases = [{"case": "journal_grid", "db": "sqlite", "median_ms": 9.5, "p95_ms": 12.0, "queries": 10, "bytes": 65536},
             {"case": "mark_grid_save", "db": "postgres", "median_ms": 4321.0, "p95_ms": 4400.0, "queries": 30000,
              "bytes": 0}]
    report = {"run_at": "now", "runs": [{"db": "sqlite", "load_average": {"before": [1, 1, 1]}}], "cases": cases}
    path = tmp_path / "peers.md"
    write_peers(report, path)
    text = path.read_text()
    assert "| gradebook page, 30 students × 60 assignments | 53–77 ms, 887 KB | 9.5 / 12.0 ms, 64 KB, 10 queries | — |" \
        in text
    assert "4\u00a0321 / 4\u00a0400 ms, 30000 queries | `mark_grid_save` |" in text
