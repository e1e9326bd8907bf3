"""A goal's progress chart, from the goals service's JSON: the goal (title, measure, interim targets), its
progress series (points, baseline, target, dates, status, projection), its PDSA cycles and its versions.

Drawn: the measured value at each progress point, the baseline and the aimline (baseline at the start → target
at the deadline), the target, interim targets, earlier versions' targets (grey, dashed), the least-squares trend
to the deadline (Vega-Lite's regression: the same line as the service's projection) and PDSA cycle starts."""

from __future__ import annotations

import functools
from datetime import date

import altair as alt
from markupsafe import Markup

from web.charts.render import draw

COLOURS = {"Measured value": "#1f4e79", "Baseline": "#5f6b6c", "Aimline (baseline → target)": "#b03a2e",
           "Target": "#1e7e46", "Interim target": "#b35900", "Earlier version's target": "#7b8a8b",
           "Trend to the deadline": "#7d3c98"}  # fmt: skip
DASHES = {"Baseline": [1, 3], "Aimline (baseline → target)": [6, 4], "Earlier version's target": [8, 4],
          "Trend to the deadline": [3, 3]}  # fmt: skip
PDSA = "#2c3e50"
MEASURES = {
    "proficient": "% of tested students at or above proficient",
    "average": "Average score (%)",
    "growth": "% of students who grew by at least {min_growth:g} points",
    "support_exit": "% of students flagged for support who exited or were resolved",
}


def measure_label(measure: dict) -> str:
    """What the y axis shows, in a teacher's words."""
    words = MEASURES.get(measure.get("kind", ""), "Process goal (no student measure)")
    return words.format(min_growth=measure.get("min_growth") or 0)


def cycle_starts(cycles: list[dict]) -> list[tuple[str, int]]:
    """When each PDSA cycle started (its Do date, else when it was planned), with its number."""
    return sorted(((c["do"] or {}).get("started_on") or c["created_at"][:10], c["number"]) for c in cycles)


def earlier_targets(goal: dict, versions: list[dict]) -> list[dict]:
    """Earlier versions whose target or dates differ from the current version's (drawn grey, "v1 target")."""
    now = (goal["target"], goal["start"], goal["deadline"])
    return sorted((v for v in versions if v["version"] < goal["version"]
                   and (v["target"], v["start"], v["deadline"]) != now), key=lambda v: v["version"])  # fmt: skip


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%-d %b %Y")


class GoalChart:
    """The layers of one goal's chart, on shared x (date) and y (the measure) scales and one legend."""

    def __init__(self, goal: dict, series: dict, cycles: list[dict], versions: list[dict]) -> None:
        self.goal, self.series = goal, series
        self.known = [p for p in sorted(series["points"], key=lambda p: p["on"]) if p["value"] is not None]
        self.cycles, self.earlier = cycle_starts(cycles), earlier_targets(goal, versions)
        self.interim = sorted(goal.get("interim_targets") or [], key=lambda t: t["on"])
        self.baseline = series.get("baseline")

    def names(self) -> list[str]:
        """The legend's entries: only what is drawn."""
        drawn = {"Measured value": True, "Baseline": self.baseline is not None,
                 "Aimline (baseline → target)": self.baseline is not None, "Target": True,
                 "Interim target": bool(self.interim), "Earlier version's target": bool(self.earlier),
                 "Trend to the deadline": self.trend()}  # fmt: skip
        return [name for name, shown in drawn.items() if shown]

    def trend(self) -> bool:
        return len(self.known) >= 2 and self.series.get("projection") is not None

    @functools.cached_property  # built once: altair validates every channel object it constructs
    def x(self) -> alt.X:
        s = self.series
        dates = [s["start"], s["deadline"], *(p["on"] for p in self.known), *(d for d, _ in self.cycles)]
        dates += [d for e in self.earlier for d in (e["start"], e["deadline"])]
        return alt.X("on:T", title="Date", scale=alt.Scale(type="utc", domain=[min(dates), max(dates)]),
                     axis=alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 1}, labelOverlap=True))  # fmt: skip

    @functools.cached_property
    def y(self) -> alt.Y:
        s = self.series
        values = [s["target"], *(p["value"] for p in self.known), *(t["value"] for t in self.interim)]
        values += [e["target"] for e in self.earlier] + ([self.baseline] if self.baseline is not None else [])
        low, high = min(0.0, *values), max(100.0, *values)
        return alt.Y(
            "value:Q", title=measure_label(self.goal["measure"]), scale=alt.Scale(domain=[low, high])
        )

    @functools.cached_property
    def series_channels(self) -> tuple[alt.Color, alt.StrokeDash]:
        """One legend for every line and mark: colour and dash by series, only what is drawn."""
        names = self.names()
        colour = alt.Color("series:N", title=None, legend=alt.Legend(symbolType="stroke", columns=3),
                           scale=alt.Scale(domain=names, range=[COLOURS[n] for n in names]))  # fmt: skip
        dash = alt.StrokeDash("series:N", title=None, scale=alt.Scale(
            domain=names, range=[DASHES.get(n, [1, 0]) for n in names]))  # fmt: skip
        return colour, dash

    def encode(self, chart: alt.Chart) -> alt.Chart:
        colour, dash = self.series_channels
        return chart.encode(x=self.x, y=self.y, color=colour, strokeDash=dash)

    def chart(self) -> alt.LayerChart:
        layers = [*self.pdsa(), *self.lines(), *self.targets(), *self.measured(), *self.labels()]
        subtitle = " · ".join(
            x for x in (measure_label(self.goal["measure"]), self.series.get("status")) if x
        )
        title = alt.TitleParams(self.goal["title"], subtitle=subtitle)
        return alt.layer(*layers).properties(title=title, width=560, height=300)

    def pdsa(self) -> list[alt.Chart]:
        """A vertical rule at each cycle's start, labelled "PDSA n" (labels of close starts stack)."""
        if not self.cycles:
            return []
        rows = [
            {"on": d, "label": f"PDSA {n}", "row": 10 + 14 * (i % 3)} for i, (d, n) in enumerate(self.cycles)
        ]
        base = alt.Chart(alt.Data(values=rows)).encode(x=self.x)
        rule = base.mark_rule(strokeDash=[2, 3], color=PDSA)
        label = base.mark_text(align="left", dx=3, fontSize=11, color=PDSA).encode(
            y=alt.Y("row:Q", scale=None, axis=None), text="label:N"
        )
        return [rule, label]

    def lines(self) -> list[alt.Chart]:
        """Baseline, aimline and earlier versions' targets: segments of two points each."""
        s, rows = self.series, []
        if self.baseline is not None:
            rows += _segment("Baseline", s["start"], self.baseline, s["deadline"], self.baseline, "b")
            rows += _segment(
                "Aimline (baseline → target)", s["start"], self.baseline, s["deadline"], s["target"], "a"
            )
        for e in self.earlier:  # an earlier version's target, and its aimline when it had a baseline
            v, name = f"v{e['version']}", "Earlier version's target"
            rows += _segment(name, e["start"], e["target"], e["deadline"], e["target"], v)
            if (e.get("baseline") or {}).get("value") is not None:
                rows += _segment(
                    name, e["start"], e["baseline"]["value"], e["deadline"], e["target"], v + "a"
                )
        return [self.encode(alt.Chart(alt.Data(values=rows))).mark_line(strokeWidth=1.5).encode(detail="key:N")] if rows else []  # fmt: skip

    def targets(self) -> list[alt.Chart]:
        s = self.series
        target = _segment("Target", s["start"], s["target"], s["deadline"], s["target"], "t")
        out = [
            self.encode(alt.Chart(alt.Data(values=target))).mark_line(strokeWidth=1.5),
            self.encode(alt.Chart(alt.Data(values=target[1:]))).mark_point(filled=True, size=70, opacity=1),
        ]
        if self.interim:
            rows = [{"on": t["on"], "value": t["value"], "series": "Interim target"} for t in self.interim]
            out.append(
                self.encode(alt.Chart(alt.Data(values=rows))).mark_point(
                    shape="diamond", filled=True, size=110, opacity=1
                )
            )
        return out  # fmt: skip

    def measured(self) -> list[alt.Chart]:
        rows = [{"on": p["on"], "value": p["value"], "series": "Measured value"} for p in self.known]
        out = [self.encode(alt.Chart(alt.Data(values=rows))).mark_line(point=alt.OverlayMarkDef(filled=True, size=45), strokeWidth=2)]  # fmt: skip
        if self.trend():
            first, deadline = self.known[0]["on"], self.series["deadline"]
            trend = (alt.Chart(alt.Data(values=rows)).transform_regression("on", "value", extent=[_ms(first), _ms(deadline)])
                     .transform_calculate(series="'Trend to the deadline'"))  # fmt: skip
            out.append(self.encode(trend).mark_line(strokeWidth=1.5, clip=True))
        return out

    def labels(self) -> list[alt.Chart]:
        """The values on the lines themselves, so nobody reads them off the axis."""
        s, rows = self.series, []
        rows.append({"on": s["start"], "value": s["target"], "text": f"Target {_fmt(s['target'])} by {_day(s['deadline'])}",
                     "colour": COLOURS["Target"], "dy": -8, "align": "left"})  # fmt: skip
        if self.baseline is not None:
            rows.append({"on": s["start"], "value": self.baseline, "text": f"Baseline {_fmt(self.baseline)}",
                         "colour": COLOURS["Baseline"], "dy": 14, "align": "left"})  # fmt: skip
        if self.trend():
            rows.append({"on": s["deadline"], "value": s["projection"], "text": f"Projected {_fmt(s['projection'])}",
                         "colour": COLOURS["Trend to the deadline"], "dy": -10, "align": "right"})  # fmt: skip
        rows += [{"on": e["start"], "value": e["target"], "text": f"v{e['version']} target {_fmt(e['target'])}",
                  "colour": COLOURS["Earlier version's target"], "dy": 13, "align": "left"} for e in self.earlier]  # fmt: skip
        groups = sorted({(r["align"], r["dy"]) for r in rows})  # Vega offsets text per mark, not per datum
        return [_text(self, [r for r in rows if (r["align"], r["dy"]) == g], *g) for g in groups]


def _text(chart: GoalChart, rows: list[dict], align: str, dy: int) -> alt.Chart:
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_text(align=align, dx=4 if align == "left" else -6, dy=dy, fontSize=11)
        .encode(x=chart.x, y=chart.y, text="text:N", color=alt.Color("colour:N", scale=None))
    )


def _segment(series: str, a_on: str, a: float, b_on: str, b: float, key: str) -> list[dict]:
    return [
        {"on": a_on, "value": a, "series": series, "key": key},
        {"on": b_on, "value": b, "series": series, "key": key},
    ]


def _ms(iso: str) -> int:
    """A date as Vega's time value (ms since the epoch, UTC), for the regression's extent."""
    return (date.fromisoformat(iso) - date(1970, 1, 1)).days * 86_400_000


def goal_words(chart: GoalChart) -> str:
    """The text alternative: every figure the chart shows."""
    s, goal = chart.series, chart.goal
    words = [f"{measure_label(goal['measure'])} from {s['start']} to {s['deadline']}."]
    if chart.baseline is not None:
        words.append(f"Baseline {_fmt(chart.baseline)}.")
    words.append(f"Target {_fmt(s['target'])} by {s['deadline']}.")
    if chart.interim:
        words.append(
            "Interim targets: " + ", ".join(f"{_fmt(t['value'])} by {t['on']}" for t in chart.interim) + "."
        )
    if chart.known:
        last = chart.known[-1]
        words.append(f"{len(chart.known)} progress points; latest {_fmt(last['value'])} on {last['on']}.")
    else:
        words.append("No progress points yet.")
    if s.get("status"):
        words.append(f"Status: {s['status']}.")
    if chart.trend():
        words.append(f"Trend projects {_fmt(s['projection'])} at the deadline.")
    if chart.cycles:
        words.append(
            f"{len(chart.cycles)} PDSA cycles, started " + ", ".join(d for d, _ in chart.cycles) + "."
        )
    if chart.earlier:
        words.append(
            "Earlier versions: "
            + "; ".join(
                f"v{e['version']} target {_fmt(e['target'])} by {e['deadline']}" for e in chart.earlier
            )
            + "."
        )
    return " ".join(words)


async def goal_chart(goal: dict, series: dict, cycles: list[dict], versions: list[dict]) -> Markup:
    chart = GoalChart(goal, series, cycles, versions)
    return await draw(
        chart.chart(),
        chart_id="goal-chart",
        title=f"Progress of the goal: {goal['title']}",
        description=goal_words(chart),
    )
