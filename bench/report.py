"""`make bench`: run every benchmark of bench/ one after the other and write bench/RESULTS.md.

    uv run python bench/report.py [--only NAME ...] [--out bench/RESULTS.md]

Each benchmark measures the suite next to a peer or a limit in the same run (a raw consumer, a raw COPY, a raw
producer, nginx, hand-written SQL) and prints its figures as `key=value` pairs; this script runs them as child
processes (one at a time, so they do not share the two cores with each other), reads those pairs, checks them
against the goals the issues set and writes a table: what was measured, what it was compared with, the figures,
the ratio, the goal and whether it was met, with the machine it ran on. A benchmark that fails is reported as
failed (with the end of its output) and the others still run; the exit status is then 1. Goals are never a
test's pass/fail: the machines are noisy, so RESULTS.md is a record of one run, not a verdict.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import operator
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAIR = re.compile(r"(?<![\w.])([a-z][a-z0-9_]*)=(-?\d+(?:\.\d+)?)(?![\w.])")
OPERATORS = {">=": operator.ge, "<=": operator.le}


@dataclasses.dataclass(frozen=True)
class Goal:
    figure: str  # a key of the figures (or of the derived ones)
    op: str  # ">=" or "<="
    limit: float
    unit: str = ""

    def met(self, figures: dict[str, float]) -> bool | None:
        value = figures.get(self.figure)
        return None if value is None else OPERATORS[self.op](value, self.limit)

    def __str__(self) -> str:
        return f"{self.figure} {self.op.replace('>=', '≥').replace('<=', '≤')} {self.limit:g}{self.unit}"


@dataclasses.dataclass(frozen=True)
class Bench:
    name: str
    script: str
    measures: str
    compared_with: str
    ratio: str  # the figure that is the side-by-side ratio (derived ones are computed below)
    goals: tuple[Goal, ...] = ()
    source: str = ""  # where the goal was set
    args: tuple[str, ...] = ()
    derive: tuple[tuple[str, str, str], ...] = ()  # (new key, numerator, denominator)
    extra: tuple[tuple[str, str], ...] = ()  # (key, regex with one number group) read from other lines


BENCHES: tuple[Bench, ...] = (
    Bench(
        name="outbox",
        script="outbox.py",
        measures="outbox relay: 50,000 committed outbox rows claimed, sent with acks=all and deleted",
        compared_with="a raw aiokafka producer sending the same payloads and keys to the same broker",
        ratio="ratio",
        goals=(Goal("ratio", ">=", 0.8),),
        source="issue 2, kept by issue 25",
    ),
    Bench(
        name="ingest",
        script="ingest.py",
        measures="one 50,000-row bulk JSON POST to the assessments service until results and outbox rows commit",
        compared_with="a raw asyncpg COPY of the same rows into the same tables",
        ratio="ratio",
        goals=(Goal("ratio", "<=", 1.5),),
        source="issue 25 (ratio = service time / COPY time; issue 3's ≤ 3 and 20,000 rows/s are superseded)",
    ),
    Bench(
        name="flags",
        script="flags.py",
        measures="50,000 result events → committed flags (2 consumer replicas), then 500 results/s for 60 s"
        " through the assessments API until the flag is visible",
        compared_with="a raw aiokafka consumer reading the same 50,000 events",
        ratio="service_vs_raw",
        derive=(("service_vs_raw", "events_per_s", "raw_per_s"),),
        extra=(("steady_p99_ms", r"POST→visible flag p50 [\d.]+ ms, p99 ([\d.]+) ms"),),
        goals=(
            Goal("events_per_s", ">=", 10_000, " events/s"),
            Goal("p99_ms", "<=", 2_000, " ms"),
            Goal("steady_p99_ms", "<=", 500, " ms"),
        ),
        source="issue 4, kept by issue 25 (p99_ms: the burst's)",
    ),
    Bench(
        name="goals",
        script="goals.py",
        measures="50,000 result events (corrections and voids included) → progress of 200 active goals"
        " (2 consumer replicas); p99 from a result's commit to its goal's progress",
        compared_with="a raw aiokafka consumer reading the same events",
        ratio="service_vs_raw",
        derive=(("service_vs_raw", "events_per_s", "raw_per_s"),),
        goals=(Goal("events_per_s", ">=", 10_000, " events/s"),),
        source="issue 13, kept by issue 25",
    ),
    Bench(
        name="proxy",
        script="proxy.py",
        measures="authenticated GET requests/s at 32 connections and added p50 latency at 1 connection",
        compared_with="the same service straight, and nginx as a plain reverse proxy in front of it"
        " (vs_nginx = gateway rps / nginx rps)",
        ratio="ratio",
        goals=(Goal("ratio", ">=", 0.9), Goal("vs_nginx", ">=", 0.9), Goal("added_p50_ms", "<=", 1, " ms")),
        source="issue 25 (ratio and vs_nginx; issue 5's ratio ≥ 0.7 is superseded), issue 5 (added_p50_ms)",
    ),
    Bench(
        name="soak",
        script="soak.py",
        measures="SOAK_SECONDS (60) of bulk posts, single posts and teachers of several schools reading flags and"
        " analysis, all through the gateway of a real `plc up` stack; p50/p99 per route",
        compared_with="its own books: results accepted with a 2xx = result events = results applied, flags as"
        " the scores call for (0 lost, 0 doubled)",
        ratio="",  # no peer: the books are the comparison
        goals=(Goal("errors", "<=", 0), Goal("lost", "<=", 0), Goal("doubled", "<=", 0)),
        source="issue 12 (errors must be 0)",
    ),
    Bench(
        name="district",
        script="district.py",
        measures="a generated district (20,000 students, 198,000 rows with retakes and corrections) posted by an"
        " SIS API key in 10,000-row bulk posts through the gateway of a real `plc up` stack until every flag, goal"
        " entry and review result is applied; result commit → flag p99 during the load; CPU s per 1,000 rows"
        " of each process (cpu_<process>; relay and consumers run in their service's process)",
        compared_with="the isolated ingest rate of the same bodies (in-process assessments app, relay off, same"
        " PostgreSQL): ratio = end-to-end rows/s ÷ it",
        ratio="ratio",
        goals=(Goal("results_per_s", ">=", 5_000, " results/s"), Goal("flag_p99_ms", "<=", 2_000, " ms")),
        source="issue 25",
    ),
    Bench(
        name="charts",
        script="charts.py",
        measures="drawing one chart for a page (web app: altair spec, vl-convert SVG off the event loop,"
        " inlined), median and p99 per chart kind; the first chart after start-up; a cache hit",
        compared_with="vl-convert alone on the same Vega-Lite spec",
        ratio="ratio",
        source="issue 24 (no numeric goal set: fast enough for a page)",
    ),
    Bench(
        name="reviews_analytics",
        script="reviews_analytics.py",
        measures="the reviews analytics over a generated 30-district program, per request (median)",
        compared_with="the same figures computed by hand-written SQL (and the same statistics calls)",
        ratio="trends_ratio",
        derive=(
            (
                "district_implementation_ratio",
                "district_implementation_api_ms",
                "district_implementation_sql_ms",
            ),
            (
                "implementation_achievement_ratio",
                "implementation_achievement_api_ms",
                "implementation_achievement_sql_ms",
            ),
            ("trends_ratio", "trends_api_ms", "trends_sql_ms"),
        ),
        source="issue 14 (no numeric goal set)",
    ),
    Bench(
        name="scale",
        script="scale.py",
        measures="reads over districts of 2,000 / 20,000 / 100,000 students seeded by COPY (in process): median"
        " and p99 per read and size, growth largest ÷ smallest; web pages' data with the time they add over"
        " their API calls",
        compared_with="the same reads at the smallest size (growth factor)",
        ratio="max_growth",
        goals=(
            Goal("district_analysis_ms", "<=", 200, " ms"),
            Goal("flags_page_ms", "<=", 300, " ms"),
            Goal("meeting_page_ms", "<=", 1_000, " ms"),
            Goal("flags_page_added_ms", "<=", 50, " ms"),
            Goal("meeting_page_added_ms", "<=", 50, " ms"),
        ),
        source="issue 25 (at 90,000 to 100,000 students; reads flat with district size)",
    ),
)


def figures_of(output: str, bench: Bench) -> dict[str, float]:
    """The `key=value` pairs of the last line that has any, the `extra` figures found anywhere in the output
    and the derived ratios."""
    figures: dict[str, float] = {}
    for line in reversed(output.splitlines()):
        pairs = PAIR.findall(line)
        if pairs:
            figures = {key: float(value) for key, value in pairs}
            break
    for key, pattern in bench.extra:
        found = re.findall(pattern, output)
        if found:
            figures[key] = float(found[-1])
    for key, numerator, denominator in bench.derive:
        if figures.get(denominator):
            figures[key] = round(figures.get(numerator, 0.0) / figures[denominator], 3)
    return figures


@dataclasses.dataclass
class Outcome:
    bench: Bench
    seconds: float
    returncode: int
    figures: dict[str, float]
    tail: str
    notes: tuple[str, ...] = ()  # the output's `skipped: ...` lines: a comparison that could not be made

    @property
    def failed(self) -> bool:
        return self.returncode != 0 or not self.figures


def run(bench: Bench) -> Outcome:
    command = [sys.executable, str(HERE / bench.script), *bench.args]
    print(f"== {bench.name}: {' '.join(command[1:])}", flush=True)
    started = time.monotonic()
    process = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    output = process.stdout
    sys.stdout.write(output)
    tail = "\n".join((output + process.stderr).strip().splitlines()[-12:])
    if process.returncode:
        sys.stdout.write(tail + "\n")
    notes = tuple(line.strip() for line in output.splitlines() if line.startswith("skipped:"))
    return Outcome(bench, seconds, process.returncode, figures_of(output, bench), tail, notes)


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    postgres = ""
    if shutil.which("postgres"):
        postgres = subprocess.run(
            ["postgres", "--version"], capture_output=True, text=True, check=False
        ).stdout
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False, cwd=HERE
    ).stdout
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit.strip() or "unknown",
        "cpu": f"{cpu}, {os.cpu_count()} logical cores",
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": postgres.strip() or "the server at PLC_BENCH_POSTGRES_URL / 127.0.0.1:5432",
        "load before the run": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _figure(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:g}"


def render(outcomes: list[Outcome], facts: dict[str, str]) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`bench/report.py`), which ran every script of bench/ one after the other on the",
        "machine below. Each compares the suite with a peer or a limit **in the same run**; the ratio is the",
        "figure to compare across machines, the absolute figures depend on the machine and its load.",
        "",
        "| machine | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in facts.items()),
        "",
        "| benchmark | measures | compared with | figures | ratio | goal | met |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for o in outcomes:
        b = o.bench
        if o.failed:
            lines.append(
                f"| {b.name} | {b.measures} | {b.compared_with} | failed (exit {o.returncode}) | | "
                f"{'; '.join(map(str, b.goals)) or '—'} | not measured |"
            )
            continue
        figures = ", ".join(f"{key}={_figure(value)}" for key, value in o.figures.items())
        figures += "".join(f"; **{note}**" for note in o.notes)
        ratio = f"{b.ratio}={o.figures[b.ratio]:g}" if b.ratio in o.figures else "—"
        verdicts = [(str(g), g.met(o.figures)) for g in b.goals]
        goal = "; ".join(text for text, _ in verdicts) or "— (none set)"
        met = "; ".join({True: "met", False: "**not met**", None: "not measured"}[v] for _, v in verdicts)
        lines.append(
            f"| {b.name} | {b.measures} | {b.compared_with} | {figures} | {ratio} | {goal} | {met or '—'} |"
        )
    lines += ["", "## Goals", "", "Every goal in force (one table: `BENCHES` in bench/report.py):", ""]
    lines += ["| benchmark | goal | set by |", "| --- | --- | --- |"]
    lines += [f"| {b.name} | {g} | {b.source} |" for b in BENCHES for g in b.goals]
    lines += ["", "Where each goal was set, and how long each run took:", ""]
    lines += [
        f"- {o.bench.name} (`bench/{o.bench.script}`): {o.bench.source or '—'}; {o.seconds:.0f} s"
        for o in outcomes
    ]
    failed = [o for o in outcomes if o.failed]
    for o in failed:
        lines += ["", f"## {o.bench.name} failed", "", "```", o.tail, "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=[b.name for b in BENCHES], help="run these only")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    facts = machine()
    outcomes = [run(b) for b in BENCHES if not args.only or b.name in args.only]
    args.out.write_text(render(outcomes, facts))
    print(f"wrote {args.out}")
    return 1 if any(o.failed for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
