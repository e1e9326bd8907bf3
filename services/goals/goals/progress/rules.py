"""Progress of a goal, pure: what a result contributes to a goal's measure, a student's contribution from
their entries, the value, the expected value on the aimline, the status, the OLS projection and the goal's
chart (SVG, in the style of the interventions' progress chart: f-strings, escaped text, classed elements).

A goal's value is numerator / denominator over students: each student contributes (numerator, 1) from their
latest entries, so an event moves the sums by the difference between the student's contribution before and
after it (O(goals touched); corrections and voids move the value back by the same difference).
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape

from plc_shared import counting

PERCENT_KINDS = frozenset({"proficient", "growth", "support_exit"})


@dataclass(frozen=True)
class Thresholds:
    """Share of the expected gain: at or above `on_track` is on track, at or above `at_risk` at risk."""

    on_track: float = 0.9
    at_risk: float = 0.7


def threshold_errors(on_track: float, at_risk: float) -> list[tuple[str, str]]:
    """(field, why) for thresholds a district may not set: they must satisfy 0 < at_risk < on_track <= 1."""
    errors = []
    if not (0 < on_track <= 1):
        errors.append(("on_track", f"{on_track:g} is not in (0, 1]"))
    if not (0 < at_risk < 1):
        errors.append(("at_risk", f"{at_risk:g} is not in (0, 1)"))
    elif at_risk >= on_track:
        errors.append(("at_risk", f"{at_risk:g} is not below on_track {on_track:g}"))
    return errors


@dataclass(frozen=True)
class Spec:
    """What a goal's measure matches in a result event (built from the goal's current version)."""

    goal_id: uuid.UUID
    kind: str  # proficient | average | growth
    start: date
    deadline: date
    school_id: str
    assessment_id: str | None = None
    standard_id: str | None = None
    pre_assessment_id: str | None = None
    post_assessment_id: str | None = None
    min_growth: float = 0.0
    class_ids: frozenset[str] = frozenset()  # empty: any class
    grades: frozenset[str] = frozenset()  # empty: any grade


@dataclass(frozen=True)
class Fact:
    """A result's latest revision, as the events carry it (percent None: not scored, e.g. exempt)."""

    result_id: uuid.UUID
    revision: int
    student_id: str
    school_id: str
    class_ids: tuple[str, ...]
    assessment_id: str
    attempt: int
    assessed_on: date
    percent: float | None
    cut: float | None
    standards: dict[str, tuple[float, float]] = field(default_factory=dict)  # id → (percent, cut)
    voided: bool = False


@dataclass
class Entry:
    result_id: uuid.UUID
    revision: int
    role: str | None  # score | pre | post | None (counts for nothing: voided, out of window, not scored)
    assessed_on: date
    attempt: int
    percent: float | None
    cut: float | None

    @property
    def order(self) -> tuple:
        """The counting rule's order (plc_shared.counting): assessment date, then attempt, then result id."""
        return counting.order(self.assessed_on, self.attempt, self.result_id)


def entry_for(spec: Spec, fact: Fact, grades: frozenset[str] = frozenset()) -> Entry:
    """What `fact` contributes to the goal (role None when nothing)."""
    role, percent, cut = part(spec, fact, grades)
    return Entry(fact.result_id, fact.revision, role, fact.assessed_on, fact.attempt, percent, cut)


def part(spec: Spec, fact: Fact, grades: frozenset[str]) -> tuple[str | None, float | None, float | None]:
    """(role, percent, cut) of the fact in the goal (role None: it counts for nothing)."""
    if fact.voided or not (spec.start <= fact.assessed_on <= spec.deadline):
        return None, None, None
    if fact.school_id != spec.school_id or (
        spec.class_ids and not spec.class_ids.intersection(fact.class_ids)
    ):
        return None, None, None
    if spec.grades and not spec.grades & grades:
        return None, None, None
    if spec.kind == "growth":
        if fact.percent is None:
            return None, None, None
        if fact.assessment_id == spec.pre_assessment_id:
            return "pre", fact.percent, None
        if fact.assessment_id == spec.post_assessment_id:
            return "post", fact.percent, None
        return None, None, None
    if spec.standard_id is not None:
        if spec.standard_id not in fact.standards:
            return None, None, None
        percent, cut = fact.standards[spec.standard_id]
        return "score", percent, cut
    if fact.assessment_id != spec.assessment_id or fact.percent is None:
        return None, None, None
    return "score", fact.percent, fact.cut


def relevant(spec: Spec, fact: Fact) -> bool:
    """Could the fact count for this goal (cheap pre-filter on what the goal is matched on)?"""
    if spec.kind == "growth":
        return fact.assessment_id in (spec.pre_assessment_id, spec.post_assessment_id)
    if spec.standard_id is not None:
        return spec.standard_id in fact.standards
    return fact.assessment_id == spec.assessment_id


def contribution(spec: Spec, entries: list[Entry]) -> tuple[float, int]:
    """(numerator, denominator) of one student from their entries for the goal."""
    if spec.kind == "growth":
        pre = _latest([e for e in entries if e.role == "pre"])
        post = _latest([e for e in entries if e.role == "post"])
        if pre is None or post is None:
            return 0.0, 0
        return (1.0 if post.percent - pre.percent >= spec.min_growth else 0.0), 1
    last = _latest([e for e in entries if e.role == "score"])
    if last is None:
        return 0.0, 0
    if spec.kind == "average":
        return float(last.percent), 1
    return (1.0 if last.percent >= last.cut else 0.0), 1


def _latest(entries: list[Entry]) -> Entry | None:
    """The entry that counts: the latest of the student's scored ones (voided and unscored ones have no role)."""
    return counting.latest(entries, key=lambda e: e.order)


def student_points(spec: Spec, entries: list[Entry]) -> tuple[dict[date, tuple[float, int]], Counter]:
    """One student's contribution as it stood on each date of their counting entries (as of that date: the
    entries assessed up to it), and how many entries each date holds (progress.points)."""
    counted = [e for e in entries if e.role is not None]
    per_day = Counter(e.assessed_on for e in counted)

    def as_of(on: date) -> tuple[float, int]:
        return contribution(spec, [e for e in counted if e.assessed_on <= on])

    return {on: as_of(on) for on in sorted(per_day)}, per_day


def value(kind: str, numerator: float, denominator: int) -> float | None:
    if denominator == 0:
        return None
    share = numerator / denominator
    return 100.0 * share if kind in PERCENT_KINDS else share


def expected(baseline: float, target: float, start: date, deadline: date, on: date) -> float:
    """The aimline: baseline at the start, target at the deadline, straight in between."""
    span = (deadline - start).days or 1
    t = min(max((on - start).days / span, 0.0), 1.0)
    return baseline + (target - baseline) * t


def reached(value_: float | None, target: float, direction: str) -> bool:
    if value_ is None:
        return False
    return value_ >= target if direction == "increase" else value_ <= target


def status(
    points: list[tuple[date, float | None]],
    *,
    baseline: float,
    target: float,
    start: date,
    deadline: date,
    direction: str = "increase",
    today: date,
    thresholds: Thresholds = Thresholds(),
) -> str:
    """`achieved`/`missed` after the deadline; before it, the actual gain as a share of the expected gain
    at the last point (fewer than 3 points: insufficient data)."""
    known = [(d, v) for d, v in points if v is not None]
    last = known[-1] if known else None
    return status_of(len(known), last, baseline, target, start, deadline, direction, today, thresholds)


def status_of(
    count: int,
    last: tuple[date, float] | None,
    baseline: float,
    target: float,
    start: date,
    deadline: date,
    direction: str,
    today: date,
    thresholds: Thresholds = Thresholds(),
) -> str:
    if today > deadline:
        return "achieved" if last is not None and reached(last[1], target, direction) else "missed"
    if count < 3 or last is None:
        return "insufficient data"
    on, actual = last
    expected_gain = expected(baseline, target, start, deadline, on) - baseline
    actual_gain = actual - baseline
    if expected_gain == 0:
        share = 1.0 if actual_gain * (1 if direction == "increase" else -1) >= 0 else 0.0
    else:
        share = actual_gain / expected_gain
    if share >= thresholds.on_track:
        return "on track"
    return "at risk" if share >= thresholds.at_risk else "off track"


def projection(points: list[tuple[date, float | None]], deadline: date) -> float | None:
    """Ordinary least squares over the points (day number → value), evaluated at the deadline."""
    known = [(d.toordinal(), v) for d, v in points if v is not None]
    if len(known) < 2:
        return None
    n = len(known)
    mx = sum(x for x, _ in known) / n
    my = sum(y for _, y in known) / n
    sxx = sum((x - mx) ** 2 for x, _ in known)
    if sxx == 0:
        return my
    slope = sum((x - mx) * (y - my) for x, y in known) / sxx
    return my + slope * (deadline.toordinal() - mx)


@dataclass(frozen=True)
class EarlierTarget:
    """An earlier version's target and aimline, drawn dashed and grey on the chart ("v1 target")."""

    version: int
    target: float
    start: date
    deadline: date
    baseline: float | None = None


# --- the chart -------------------------------------------------------------------------------------------------
CHART_W, CHART_H = 800, 440
LEFT, RIGHT, TOP, BOTTOM = 64, 212, 56, 64  # the plot's margins; the legend sits in the right one
COLOURS = {
    "actual": "#1f4e79",
    "aimline": "#c0392b",
    "trend": "#8e44ad",
    "baseline": "#7f8c8d",
    "target": "#27ae60",
    "interim": "#e67e22",
    "pdsa": "#2c3e50",
    "earlier": "#95a5a6",
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def measure_label(kind: str, min_growth: float | None = None) -> str:
    """What the y axis shows, in a teacher's words."""
    return {
        "proficient": "% of tested students at or above proficient",
        "average": "Average score (%)",
        "growth": f"% of students who grew by at least {min_growth or 0:g} points",
        "support_exit": "% of students flagged for support who exited or were resolved",
    }.get(kind, "Process goal (no student measure)")


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round tick values covering [low, high] with a step of 1, 2, 2.5 or 5 times a power of ten."""
    span = (high - low) or 1.0
    raw = span / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks, v = [], first
    while v < high + step * 1e-9 or len(ticks) < 2:
        ticks.append(round(v, 9))
        v += step
    return ticks


def month_ticks(first: date, last: date) -> list[date]:
    """The first of each month from `first` to `last` (every second or third month on a long span)."""
    months = (last.year - first.year) * 12 + last.month - first.month
    every = 1 if months <= 12 else 2 if months <= 24 else 3
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        d = date(y, m, 1)
        if first <= d <= last and (m - 1) % every == 0:
            out.append(d)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def goal_svg(
    points: list[tuple[date, float | None]],
    *,
    title: str,
    measure: str,
    baseline: float | None,
    target: float,
    start: date,
    deadline: date,
    interim_targets: Sequence[tuple[date, float]] = (),
    cycles: Sequence[tuple[date, str]] = (),
    status: str = "",
    projection_: float | None = None,
    earlier: Sequence[EarlierTarget] = (),
) -> str:
    """One goal's progress chart: axes with values, the baseline, the target and interim targets, the aimline
    (baseline at the start → target at the deadline), earlier versions' targets and aimlines (dashed, grey,
    labelled "v1 target"), the actual series, the OLS trend to the deadline, PDSA cycle starts as vertical
    phase lines, a legend, and an accessible <title>/<desc>."""
    known = [(d, v) for d, v in points if v is not None]
    first = min([start, *(d for d, _ in known), *(d for d, _ in cycles), *(e.start for e in earlier)])
    last = max([deadline, *(d for d, _ in known), *(d for d, _ in cycles), *(e.deadline for e in earlier)])
    trend = None
    if len(known) >= 2 and projection_ is not None:
        trend = ((known[0][0], projection(known, known[0][0])), (deadline, projection_))
    values = [target, *(v for _, v in known), *(v for _, v in interim_targets)]
    values += [baseline] if baseline is not None else []
    values += [e.target for e in earlier] + [e.baseline for e in earlier if e.baseline is not None]
    ticks = nice_ticks(min(0.0, *values), max(100.0, *values))
    low, high = ticks[0], ticks[-1]
    x0, x1, y0, y1 = LEFT, CHART_W - RIGHT, CHART_H - BOTTOM, TOP
    days = (last - first).days or 1

    def x(d: date) -> float:
        return x0 + (x1 - x0) * (d - first).days / days

    def y(v: float) -> float:
        return y0 - (y0 - y1) * (v - low) / ((high - low) or 1)

    parts = [
        f'<rect x="0" y="0" width="{CHART_W}" height="{CHART_H}" fill="#ffffff"/>'
        f'<clipPath id="plot"><rect x="{x0}" y="{y1}" width="{x1 - x0}" height="{y0 - y1}"/></clipPath>'
    ]
    axes = ['<g class="y-axis" font-size="11" text-anchor="end">']
    for t in ticks:
        axes.append(
            f'<line x1="{x0}" y1="{y(t):.1f}" x2="{x1}" y2="{y(t):.1f}" stroke="#e5e5e5"/>'
            f'<text class="tick" x="{x0 - 6}" y="{y(t) + 4:.1f}">{_fmt(t)}</text>'
        )
    axes.append(
        f'<text class="axis-label" transform="translate(16 {(y0 + y1) / 2:.1f}) rotate(-90)"'
        f' text-anchor="middle" font-size="12">{escape(measure)}</text></g>'
        f'<g class="x-axis" font-size="11" text-anchor="middle">'
    )
    for i, d in enumerate(month_ticks(first, last)):
        # The month under its tick; the year on a second line at the first tick and at each January (a label
        # "Feb 2027" per month ran into its neighbours on a school year).
        year = (
            f'<text class="tick-year" x="{x(d):.1f}" y="{y0 + 32}">{d.year}</text>'
            if i == 0 or d.month == 1
            else ""
        )
        axes.append(
            f'<line x1="{x(d):.1f}" y1="{y0}" x2="{x(d):.1f}" y2="{y0 + 5}" stroke="#999"/>'
            f'<text class="tick" x="{x(d):.1f}" y="{y0 + 18}">{MONTHS[d.month - 1]}</text>{year}'
        )
    axes.append(
        f'<text class="axis-label" x="{(x0 + x1) / 2:.1f}" y="{CHART_H - 10}" font-size="12">Date</text></g>'
        f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="#555"/>'
        f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" stroke="#555"/>'
    )
    parts += axes
    c = COLOURS
    label_at: list[float] = []  # the x of each label drawn; cycles started close together stack their labels
    for i, (d, phase) in enumerate(sorted(cycles), 1):
        row = sum(abs(x(d) - at) < 44 for at in label_at)
        label_at.append(x(d))
        parts.append(
            f'<g class="pdsa"><line x1="{x(d):.1f}" y1="{y0}" x2="{x(d):.1f}" y2="{y1}" stroke="{c["pdsa"]}"'
            f' stroke-dasharray="2 3"/><text x="{x(d) + 3:.1f}" y="{y1 + 10 + 12 * row}" font-size="10"'
            f' fill="{c["pdsa"]}">PDSA {i}</text><title>PDSA cycle {i} started {d.isoformat()} ({escape(phase)})'
            "</title></g>"
        )
    if baseline is not None:
        parts.append(
            f'<line class="baseline" x1="{x0}" y1="{y(baseline):.1f}" x2="{x1}" y2="{y(baseline):.1f}"'
            f' stroke="{c["baseline"]}" stroke-dasharray="1 3" stroke-width="1.5"/>'
            f'<line class="aimline" x1="{x(start):.1f}" y1="{y(baseline):.1f}" x2="{x(deadline):.1f}"'
            f' y2="{y(target):.1f}" stroke="{c["aimline"]}" stroke-dasharray="6 4" stroke-width="1.5"/>'
        )
    for e in sorted(earlier, key=lambda e: e.version):
        aim = ""
        if e.baseline is not None:
            aim = (
                f'<line class="earlier-aimline" x1="{x(e.start):.1f}" y1="{y(e.baseline):.1f}"'
                f' x2="{x(e.deadline):.1f}" y2="{y(e.target):.1f}" stroke="{c["earlier"]}" stroke-dasharray="4 4"/>'
            )
        parts.append(
            f'<g class="earlier-target"><line x1="{x(e.start):.1f}" y1="{y(e.target):.1f}" x2="{x(e.deadline):.1f}"'
            f' y2="{y(e.target):.1f}" stroke="{c["earlier"]}" stroke-dasharray="8 4" stroke-width="1.5"/>{aim}'
            f'<text x="{x(e.start) + 4:.1f}" y="{y(e.target) + 13:.1f}" font-size="10" fill="#5f6b6c"'
            f' stroke="#ffffff" stroke-width="3" paint-order="stroke">v{e.version} target {_fmt(e.target)}</text><title>Version {e.version}: target {_fmt(e.target)} by'
            f" {e.deadline.isoformat()}</title></g>"
        )
    parts.append(
        f'<line class="target" x1="{x0}" y1="{y(target):.1f}" x2="{x1}" y2="{y(target):.1f}"'
        f' stroke="{c["target"]}" stroke-width="1.5"/>'
        f'<circle class="target-point" cx="{x(deadline):.1f}" cy="{y(target):.1f}" r="5" fill="{c["target"]}"/>'
    )
    for d, v in interim_targets:
        parts.append(
            f'<path class="interim" d="M{x(d):.1f},{y(v) - 6:.1f} l6,6 l-6,6 l-6,-6 z" fill="{c["interim"]}">'
            f"<title>Interim target {_fmt(v)} by {d.isoformat()}</title></path>"
        )
    if trend:
        (ta, va), (tb, vb) = trend
        parts.append(
            f'<line class="trend" x1="{x(ta):.1f}" y1="{y(va):.1f}" x2="{x(tb):.1f}" y2="{y(vb):.1f}"'
            f' stroke="{c["trend"]}" stroke-dasharray="3 3" stroke-width="1.5" clip-path="url(#plot)"/>'
        )  # the axis is set by the data and targets; a trend beyond it leaves the plot
    if known:
        path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in known)
        parts.append(
            f'<polyline class="actual" points="{path}" fill="none" stroke="{c["actual"]}" stroke-width="2"/>'
        )
        parts += [
            f'<circle class="point" cx="{x(d):.1f}" cy="{y(v):.1f}" r="3.5" fill="{c["actual"]}">'
            f"<title>{d.isoformat()}: {_fmt(v)}</title></circle>"
            for d, v in known
        ]
    parts.append(_value_labels(x, y, x0, x1, baseline, target, deadline, trend))
    parts.append(
        _legend(baseline is not None, bool(interim_targets), trend is not None, bool(cycles), bool(earlier))
    )
    desc = _describe(
        known, measure, baseline, target, start, deadline, interim_targets, cycles, status, projection_
    )
    if earlier:
        desc += (
            " Earlier versions: "
            + "; ".join(
                f"v{e.version} target {_fmt(e.target)} by {e.deadline.isoformat()}"
                for e in sorted(earlier, key=lambda e: e.version)
            )
            + "."
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_W}" height="{CHART_H}"'
        f' viewBox="0 0 {CHART_W} {CHART_H}" role="img" aria-labelledby="chart-title chart-desc"'
        ' font-family="sans-serif">'
        f'<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(desc)}</desc>'
        + "".join(parts)
        + f'<text class="chart-title" x="{LEFT}" y="22" font-size="15" font-weight="bold">{escape(title)}</text>'
        f'<text class="chart-subtitle" x="{LEFT}" y="40" font-size="12" fill="#555">{escape(measure)}'
        f"{' · ' + escape(status) if status else ''}</text></svg>"
    )


def _value_labels(x, y, x0: float, x1: float, baseline, target: float, deadline: date, trend) -> str:
    """The values on the lines themselves, so nobody reads them off the axis: the target (with its date) and
    the baseline at the left of the plot, the trend's projected value at the deadline."""
    c, halo = COLOURS, 'stroke="#ffffff" stroke-width="3" paint-order="stroke"'
    out = [
        f'<text class="target-label" x="{x0 + 4}" y="{y(target) - 5:.1f}" font-size="11" fill="#1e7e46" {halo}>'
        f"Target {_fmt(target)} by {_day(deadline)}</text>"
    ]
    if baseline is not None:
        out.append(
            f'<text class="baseline-label" x="{x0 + 4}" y="{y(baseline) + 14:.1f}" font-size="11" fill="#5f6b6c"'
            f" {halo}>Baseline {_fmt(baseline)}</text>"
        )
    if trend is not None:
        value = trend[1][1]
        out.append(
            f'<text class="projection-label" x="{x(deadline) - 8:.1f}" y="{y(value) - 7:.1f}" font-size="11"'
            f' text-anchor="end" fill="{c["trend"]}" {halo} clip-path="url(#plot)">Projected {_fmt(value)}</text>'
        )
    return f'<g class="value-labels">{"".join(out)}</g>'


def _day(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _legend(baseline: bool, interim: bool, trend: bool, cycles: bool, earlier: bool = False) -> str:
    c, lx, ly = COLOURS, CHART_W - RIGHT + 16, TOP + 4
    rows = [
        ("Actual", f'<line x1="0" y1="0" x2="24" y2="0" stroke="{c["actual"]}" stroke-width="2"/>'
         f'<circle cx="12" cy="0" r="3.5" fill="{c["actual"]}"/>'),
        ("Target", f'<line x1="0" y1="0" x2="24" y2="0" stroke="{c["target"]}" stroke-width="1.5"/>'),
    ]  # fmt: skip
    if baseline:
        rows += [
            ("Baseline", f'<line x1="0" y1="0" x2="24" y2="0" stroke="{c["baseline"]}" stroke-dasharray="1 3"'
             ' stroke-width="1.5"/>'),
            ("Aimline (baseline → target)", f'<line x1="0" y1="0" x2="24" y2="0" stroke="{c["aimline"]}"'
             ' stroke-dasharray="6 4" stroke-width="1.5"/>'),
        ]  # fmt: skip
    if earlier:
        rows.append(
            ("Earlier version's target", f'<line x1="0" y1="0" x2="24" y2="0" stroke="{c["earlier"]}"'
             ' stroke-dasharray="8 4" stroke-width="1.5"/>')
        )  # fmt: skip
    if interim:
        rows.append(("Interim target", f'<path d="M12,-6 l6,6 l-6,6 l-6,-6 z" fill="{c["interim"]}"/>'))
    if trend:
        rows.append(
            ("Trend to deadline", f'<line x1="0" y1="0" x2="24" y2="0" stroke="{c["trend"]}"'
             ' stroke-dasharray="3 3" stroke-width="1.5"/>')
        )  # fmt: skip
    if cycles:
        rows.append(
            ("PDSA cycle start", f'<line x1="12" y1="-7" x2="12" y2="7" stroke="{c["pdsa"]}"'
             ' stroke-dasharray="2 3"/>')
        )  # fmt: skip
    items = "".join(
        f'<g class="legend-item" transform="translate({lx} {ly + 20 * i})">{mark}'
        f'<text x="30" y="4" font-size="11">{escape(label)}</text></g>'
        for i, (label, mark) in enumerate(rows)
    )
    return f'<g class="legend">{items}</g>'


def _describe(known, measure, baseline, target, start, deadline, interim, cycles, status, projection_) -> str:
    words = [f"{measure} from {start.isoformat()} to {deadline.isoformat()}."]
    if baseline is not None:
        words.append(f"Baseline {_fmt(baseline)}.")
    words.append(f"Target {_fmt(target)} by {deadline.isoformat()}.")
    if interim:
        words.append(
            "Interim targets: " + ", ".join(f"{_fmt(v)} by {d.isoformat()}" for d, v in sorted(interim)) + "."
        )
    if known:
        on, v = known[-1]
        words.append(f"{len(known)} progress points; latest {_fmt(v)} on {on.isoformat()}.")
    else:
        words.append("No progress points yet.")
    if status:
        words.append(f"Status: {status}.")
    if projection_ is not None:
        words.append(f"Trend projects {_fmt(projection_)} at the deadline.")
    if cycles:
        words.append(
            f"{len(cycles)} PDSA cycles, started " + ", ".join(d.isoformat() for d, _ in sorted(cycles)) + "."
        )
    return " ".join(words)
