"""Charts: what drawing one costs a page, next to vl-convert alone on the same spec.

    uv run python bench/charts.py [--rounds 30]

The web app draws every chart (web/web/charts/) from the services' JSON: altair builds the Vega-Lite spec,
vl-convert renders it to SVG off the event loop, the SVG is sanitised and inlined with its title and text
alternative. This measures, in one process, the first chart after start-up (vl-convert's V8 starting: the web
app warms it up at start-up so no page pays it), then per chart kind the median and p99 of --rounds draws
through `render.draw` with the cache emptied each time, next to the median of `vl_convert.vegalite_to_svg` on
the same spec (ratio = ours / vl-convert: what the spec building, the thread hop and the inlining add), and a
draw served from the cache (the same spec again: a reload, the flags page's live refresh). No services needed:
the JSON is shaped like theirs (sizes of a busy school: a goal with 30 points, 3 PDSA cycles and 2 versions,
an intervention with 12 checks, 6 reviews, 5 school years of 6 strands).
Last line: `first_ms=… <kind>_ms=… <kind>_p99_ms=… <kind>_cpu_ms=… goal_raw_ms=… ratio=… cached_ms=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from datetime import date, timedelta

import vl_convert as vlc
from web.charts import render
from web.charts import reviews as review_charts
from web.charts.goals import GoalChart
from web.charts.progress import progress_spec
from web.charts.tiers import tiers_spec

START = date(2026, 9, 1)


def day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


def samples() -> dict:
    goal = {"title": "Grade 4 fractions", "measure": {"kind": "proficient"}, "target": 80, "start": day(0),
            "deadline": day(260), "version": 2, "interim_targets": [{"on": day(120), "value": 55}]}  # fmt: skip
    series = {"baseline": 40, "target": 80, "start": day(0), "deadline": day(260), "status": "on track",
              "projection": 78.5, "points": [{"on": day(7 * i), "value": 40 + i * 1.2} for i in range(30)]}  # fmt: skip
    cycles = [
        {"number": n, "do": {"started_on": day(40 * n)}, "created_at": day(40 * n - 5)} for n in (1, 2, 3)
    ]
    versions = [
        {"version": 1, "target": 70, "start": day(0), "deadline": day(240), "baseline": {"value": 40}}
    ]
    assignment = {"start_on": day(0), "baseline": 20, "goal": 70, "goal_date": day(84)}
    progress = {"points": [{"measured_on": day(7 * i), "score": 20 + 4 * i} for i in range(12)], "goal_rate": 4.2,
                "rate_of_improvement": 4.0}  # fmt: skip
    tiers = {"students": 480, "tiers": [{"tier": t, "count": c, "share": c / 480, "guidance": g}
                                        for t, c, g in ((1, 380, 0.8), (2, 70, 0.15), (3, 30, 0.05))]}  # fmt: skip
    history = [(day(90 * i), "site" if i % 2 else "interim", 0.5 + 0.4 * i) for i in range(6)]
    strands = {f"s{i}": f"Strand {i}" for i in range(6)}
    years = [{"value": str(2022 + y), "n": 10 + y, "strands": {s: {"points": 0.3 + 0.05 * (y + i)} for i, s in
              enumerate(strands)}} for y in range(5)]  # fmt: skip
    return {
        "goal": GoalChart(goal, series, cycles, versions).chart(),
        "progress": progress_spec(assignment, progress, title="Progress of a student"),
        "tiers": tiers_spec(tiers, title="Tiers at a school"),
        "history": review_charts.history_spec(history, title="Implementation level over time"),
        "trends": review_charts.trend_spec(years, strands, title="Strand points by school year"),
    }


async def ours(chart) -> tuple[float, float]:
    """Wall and CPU milliseconds of one draw (CPU: this process's threads, vl-convert's V8 included; on a busy
    shared machine it is the steadier figure)."""
    render._drawn.cache_clear()
    started, cpu = time.perf_counter(), time.process_time()
    await render.draw(chart, chart_id="c", title="t", description="d")
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000


def raw(chart) -> float:
    spec = json.dumps(render.spec_of(chart))
    started = time.perf_counter()
    vlc.vegalite_to_svg(spec, vl_version=render.VEGA_LITE)
    return (time.perf_counter() - started) * 1000


async def main(rounds: int) -> None:
    charts = samples()
    figures = {"first_ms": (await ours(charts["tiers"]))[0]}  # vl-convert's V8 starts here
    for kind, chart in charts.items():
        drawn = [await ours(chart) for _ in range(rounds)]
        times = sorted(wall for wall, _ in drawn)
        figures[f"{kind}_ms"] = statistics.median(times)
        figures[f"{kind}_p99_ms"] = times[min(len(times) - 1, round(0.99 * len(times)))]
        figures[f"{kind}_cpu_ms"] = statistics.median(cpu for _, cpu in drawn)
        print(f"{kind}: median {figures[f'{kind}_ms']:.1f} ms, p99 {figures[f'{kind}_p99_ms']:.1f} ms,"
              f" CPU {figures[f'{kind}_cpu_ms']:.1f} ms", flush=True)  # fmt: skip
    figures["goal_raw_ms"] = statistics.median(raw(charts["goal"]) for _ in range(rounds))
    figures["ratio"] = figures["goal_ms"] / figures["goal_raw_ms"]
    await render.draw(charts["goal"], chart_id="c", title="t", description="d")
    cached = []
    for _ in range(rounds):
        started = time.perf_counter()
        await render.draw(charts["goal"], chart_id="c", title="t", description="d")
        cached.append((time.perf_counter() - started) * 1000)
    figures["cached_ms"] = statistics.median(cached)
    print(" ".join(f"{k}={v:.3f}" if k == "ratio" else f"{k}={v:.1f}" for k, v in figures.items()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    asyncio.run(main(parser.parse_args().rounds))
