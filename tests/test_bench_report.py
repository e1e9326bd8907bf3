"""`make bench`'s report: every script of bench/ is in it, its figures are read and checked against the goals."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
_spec = importlib.util.spec_from_file_location("bench_report", BENCH / "report.py")
report = sys.modules["bench_report"] = importlib.util.module_from_spec(_spec)  # dataclasses look it up
_spec.loader.exec_module(report)

FLAGS_OUTPUT = """\
steady 500 results/s through the assessments API for 60s: POST→visible flag p50 41.2 ms, p99 312.5 ms (812 flags)
events=50000 students=10000 batch=5000 consumer_replicas=2 burst_flag_changes=16000 flag_rows_after_both_phases=17000
service: 4,472 events/s (11.18s, publish included)  raw consumer: 116,517/s
events_per_s=4472 p50_ms=6586 p99_ms=10989 raw_per_s=116517
"""


def test_every_benchmark_script_is_in_the_report():
    scripts = {p.name for p in BENCH.glob("*.py")} - {"report.py"}
    assert scripts == {b.script for b in report.BENCHES}


def test_every_goal_names_a_figure_the_benchmark_gives_and_every_ratio_is_defined():
    for bench in report.BENCHES:
        derived = {key for key, _, _ in bench.derive} | {key for key, _ in bench.extra}
        source = (BENCH / bench.script).read_text()
        for name in [bench.ratio, *(g.figure for g in bench.goals)]:
            assert name in derived or f"{name}=" in source, (bench.name, name)


def test_figures_come_from_the_last_pairs_line_the_extras_and_the_derived_ratios():
    flags = next(b for b in report.BENCHES if b.name == "flags")
    figures = report.figures_of(FLAGS_OUTPUT, flags)
    assert figures == {
        "events_per_s": 4472,
        "p50_ms": 6586,
        "p99_ms": 10989,
        "raw_per_s": 116517,
        "steady_p99_ms": 312.5,
        "service_vs_raw": round(4472 / 116517, 3),
    }
    verdicts = [g.met(figures) for g in flags.goals]
    assert verdicts == [False, False, True]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "relay_per_s=41000 raw_per_s=50000 ratio=0.82",
            {"relay_per_s": 41000, "raw_per_s": 50000, "ratio": 0.82},
        ),
        ("ratio=-1.5 added_p50_ms=0.437", {"ratio": -1.5, "added_p50_ms": 0.437}),
        ("no figures here", {}),
        ("x=1.2.3 path=/a=b", {}),
    ],
)
def test_pairs(line, expected):
    assert report.figures_of(line, report.Bench("t", "t.py", "", "", "ratio")) == expected


def test_the_table_says_met_not_met_and_failed_with_the_machine():
    outbox, ingest = report.BENCHES[0], report.BENCHES[1]
    outcomes = [
        report.Outcome(outbox, 30.0, 0, {"relay_per_s": 41000, "raw_per_s": 50000, "ratio": 0.82}, ""),
        report.Outcome(ingest, 12.0, 1, {}, "Traceback ...\nConnectionRefusedError"),
    ]
    text = report.render(outcomes, {"cpu": "test cpu, 2 logical cores"})
    assert "| cpu | test cpu, 2 logical cores |" in text
    outbox_row = next(line for line in text.splitlines() if line.startswith("| outbox |"))
    assert "ratio=0.82" in outbox_row and "ratio ≥ 0.8" in outbox_row and outbox_row.endswith("| met |")
    ingest_row = next(line for line in text.splitlines() if line.startswith("| ingest |"))
    assert "failed (exit 1)" in ingest_row and "not measured" in ingest_row
    assert "## ingest failed" in text and "ConnectionRefusedError" in text


def test_a_skipped_comparison_is_said_in_the_table_and_every_goal_is_listed_once(monkeypatch, capsys):
    proxy = next(b for b in report.BENCHES if b.name == "proxy")
    output = "skipped: nginx comparison: nginx is not installed\nratio=0.91 added_p50_ms=0.4\n"

    class Done:
        returncode, stdout, stderr = 0, output, ""

    monkeypatch.setattr(report.subprocess, "run", lambda *a, **k: Done())
    outcome = report.run(proxy)
    assert outcome.notes == ("skipped: nginx comparison: nginx is not installed",)
    text = report.render([outcome], {})
    row = next(line for line in text.splitlines() if line.startswith("| proxy |"))
    assert "**skipped: nginx comparison: nginx is not installed**" in row
    assert row.endswith("| met; not measured; met |")  # vs_nginx: not measured, not a silent nan
    goals = text.split("## Goals", 1)[1]
    for bench in report.BENCHES:
        for goal in bench.goals:
            assert f"| {bench.name} | {goal} |" in goals
    assert "ratio ≤ 1.5" in goals and "results_per_s ≥ 5000 results/s" in goals
