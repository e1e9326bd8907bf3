"""The seed's action research, pure, on scipy and statsmodels (no hand-written tests or intervals):

- two proportions: Wilson 95 % intervals, the pooled two-proportion z test, Fisher's exact test, the Newcombe
  (hybrid Wilson) interval of the difference, and a verdict in plain language;
- two measures: Pearson and Spearman r with Fisher-z 95 % intervals.

Schools cluster within districts (a district implementation is a district-level fact), so these methods,
which treat schools as independent, overstate the evidence; every verdict says so.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest

ALPHA = 0.05
CLUSTER_NOTE = (
    "Schools cluster within districts ({districts} districts): these tests treat schools as independent, "
    "so they overstate the evidence."
)


def wilson(k: int, n: int) -> list[float] | None:
    if n == 0:
        return None
    lo, hi = proportion_confint(k, n, alpha=ALPHA, method="wilson")
    return [float(lo), float(hi)]


def proportion(k: int, n: int) -> dict[str, Any]:
    return {"k": k, "n": n, "p": (k / n) if n else None, "wilson_95": wilson(k, n)}


def compare(
    a: tuple[int, int], b: tuple[int, int], *, labels: tuple[str, str], districts: int, note: str = ""
) -> dict[str, Any]:
    """Group b against group a: b - a, its Newcombe interval, pooled z (b vs a), Fisher's exact, a verdict."""
    (k1, n1), (k2, n2) = a, b
    out: dict[str, Any] = {
        "a": {"label": labels[0], **proportion(k1, n1)},
        "b": {"label": labels[1], **proportion(k2, n2)},
        "method": "Wilson 95 % intervals; pooled two-proportion z test; Fisher's exact test (two-sided); "
        "Newcombe (hybrid Wilson) 95 % interval of the difference b - a",
    }
    if not n1 or not n2:
        return {**out, "difference": None, "verdict": "Not enough schools to compare: a group is empty."}
    with np.errstate(invalid="ignore", divide="ignore"):  # equal shares of 0 or 1: no variance, no z
        z, p = proportions_ztest([k2, k1], [n2, n1])
    fisher = stats.fisher_exact([[k2, n2 - k2], [k1, n1 - k1]]).pvalue
    lo, hi = confint_proportions_2indep(k2, n2, k1, n1, method="newcomb", compare="diff", alpha=ALPHA)
    diff = k2 / n2 - k1 / n1
    z, p = (float(z), float(p)) if math.isfinite(z) else (None, 1.0)
    out |= {
        "difference": diff,
        "newcombe_95": [float(lo), float(hi)],
        "z": z,
        "p": p,
        "fisher_p": float(fisher),
        "significant": p < ALPHA and fisher < ALPHA,
    }
    out["verdict"] = verdict(out, districts) + (f" {note}" if note else "")
    return out


def verdict(r: dict[str, Any], districts: int) -> str:
    a, b = r["a"], r["b"]
    lo, hi = r["newcombe_95"]
    said = "significant at the 5 % level" if r["significant"] else "not significant at the 5 % level"
    z = f"z = {r['z']:.2f}, " if r["z"] is not None else ""
    return (
        f"{b['label']} {b['p']:.0%} (n = {b['n']}) vs {a['label']} {a['p']:.0%} (n = {a['n']}): difference "
        f"{r['difference']:+.1%} (95 % CI {lo:+.1%} to {hi:+.1%}); {said} ({z}p = {r['p']:.4f}; Fisher's exact "
        f"p = {r['fisher_p']:.4f}). " + CLUSTER_NOTE.format(districts=districts)
    )


def fisher_z_interval(r: float, n: int) -> list[float] | None:
    if n <= 3 or abs(r) >= 1:
        return None
    half = stats.norm.ppf(1 - ALPHA / 2) / math.sqrt(n - 3)
    return [math.tanh(math.atanh(r) - half), math.tanh(math.atanh(r) + half)]


def correlate(x: list[float], y: list[float], *, districts: int) -> dict[str, Any]:
    n = len(x)
    out: dict[str, Any] = {"n": n, "method": "Pearson and Spearman r, Fisher-z 95 % intervals"}
    if n < 3 or len(set(x)) < 2 or len(set(y)) < 2:
        return {**out, "pearson": None, "spearman": None, "verdict": "Not enough varied pairs to correlate."}
    pearson, spearman = stats.pearsonr(x, y), stats.spearmanr(x, y)
    cells = {}
    for name, res in (("pearson", pearson), ("spearman", spearman)):
        r = float(res.statistic)
        cells[name] = {"r": r, "p": float(res.pvalue), "fisher_z_95": fisher_z_interval(r, n)}
    said = "significant" if cells["pearson"]["p"] < ALPHA else "not significant"
    out |= cells
    out["verdict"] = (
        f"Implementation and achievement: Pearson r = {cells['pearson']['r']:.2f}, Spearman r = "
        f"{cells['spearman']['r']:.2f} (n = {n}); {said} at the 5 % level. "
        + CLUSTER_NOTE.format(districts=districts)
    )
    return out


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


# --- SVG charts (written by hand, no plotting dependency; only numbers, fixed words and rubric names are drawn) -
# Each chart reads without help: a title, both axes with their values and names, a legend, the value on every
# mark, and a text alternative (<title> and a <desc> that says every value) for a screen reader.

W, H, LEFT, RIGHT, TOP, BOTTOM = 760, 340, 64, 290, 44, 64
COLORS = ("#2c3e50", "#1f6fa8", "#1e7d46", "#b03a2e", "#7d3c98", "#a04000", "#5d6d7e")  # 4.5:1 on white
INK, GRID = "#333", "#ddd"


def _x(fraction: float) -> float:
    return LEFT + (W - LEFT - RIGHT) * fraction


def _y(fraction: float) -> float:
    return H - BOTTOM - (H - TOP - BOTTOM) * fraction


def _frame(
    title: str,
    x_label: str,
    y_label: str,
    y_ticks: list[tuple[float, str]],
    legend: list[tuple[str, str, str]],
    body: str,
    desc: str,
    x_ticks: list[tuple[float, str]] = (),
    legend_title: str = "",
    empty: str = "",
) -> str:
    """The chart's frame: title, y axis with grid lines and values, x axis with its values, both axis names,
    the legend (label, colour, mark: bar | line | dot | whisker) and the text alternative."""
    y_axis = "".join(
        f'<line x1="{LEFT}" y1="{_y(f):.1f}" x2="{_x(1):.1f}" y2="{_y(f):.1f}" stroke="{GRID}"/>'
        f'<text x="{LEFT - 6}" y="{_y(f) + 4:.1f}" font-size="11" text-anchor="end">{escape(t)}</text>'
        for f, t in y_ticks
    )
    middle = _y(0.5)
    y_axis += (
        f'<text x="16" y="{middle:.1f}" font-size="12" text-anchor="middle" transform="rotate(-90 16 {middle:.1f})">'
        f"{escape(y_label)}</text>"
    )
    x_axis = "".join(
        f'<line x1="{_x(f):.1f}" y1="{_y(0)}" x2="{_x(f):.1f}" y2="{_y(0) + 4}" stroke="{INK}"/>'
        f'<text x="{_x(f):.1f}" y="{_y(0) + 16:.1f}" font-size="11" text-anchor="middle">{escape(t)}</text>'
        for f, t in x_ticks
    )
    x_axis += (
        f'<text x="{_x(0.5):.1f}" y="{H - 10}" font-size="12" text-anchor="middle">{escape(x_label)}</text>'
    )
    if empty:  # said in the plot, so an empty chart does not look broken
        body += (
            f'<text class="empty" x="{_x(0.5):.1f}" y="{_y(0.5) - 8:.1f}" font-size="12" text-anchor="middle"'
            f' fill="{INK}">{escape(empty)}</text>'
        )
    top = TOP + (20 if legend_title else 0)
    keys = "".join(_key(i, label, color, mark, top) for i, (label, color, mark) in enumerate(legend))
    if legend_title:
        keys = f'<text x="{W - RIGHT + 16}" y="{TOP + 9}" font-size="11" font-weight="bold">{escape(legend_title)}</text>{keys}'

    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img"'
        ' font-family="sans-serif">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
        f'<rect width="{W}" height="{H}" fill="#fff"/>'
        f'<text x="{LEFT}" y="22" font-size="14" font-weight="bold">{escape(title)}</text>'
        f'<g class="y-axis" fill="{INK}">{y_axis}'
        f'<line x1="{LEFT}" y1="{_y(0)}" x2="{LEFT}" y2="{_y(1)}" stroke="{INK}"/></g>'
        f'<g class="x-axis" fill="{INK}"><line x1="{LEFT}" y1="{_y(0)}" x2="{_x(1)}" y2="{_y(0)}" stroke="{INK}"/>'
        f"{x_axis}</g>{body}"
        f'<g class="legend">{keys}</g></svg>'
    )


def _key(i: int, label: str, color: str, mark: str, top: float = TOP) -> str:
    x, y = W - RIGHT + 16, top + 20 * i
    symbol = {
        "bar": f'<rect x="{x}" y="{y}" width="14" height="10" fill="{color}"/>',
        "line": f'<line x1="{x}" y1="{y + 5}" x2="{x + 14}" y2="{y + 5}" stroke="{color}" stroke-width="2.5"/>'
        f'<circle cx="{x + 7}" cy="{y + 5}" r="3" fill="{color}"/>',
        "dot": f'<circle cx="{x + 7}" cy="{y + 5}" r="4" fill="{color}"/>',
        "whisker": f'<line x1="{x + 7}" y1="{y - 2}" x2="{x + 7}" y2="{y + 12}" stroke="{color}" stroke-width="2"/>'
        f'<line x1="{x + 3}" y1="{y - 2}" x2="{x + 11}" y2="{y - 2}" stroke="{color}" stroke-width="2"/>'
        f'<line x1="{x + 3}" y1="{y + 12}" x2="{x + 11}" y2="{y + 12}" stroke="{color}" stroke-width="2"/>',
    }[mark]
    return f'{symbol}<text x="{x + 20}" y="{y + 9}" font-size="11">{escape(label)}</text>'


PERCENT_TICKS = [(f, f"{f:.0%}") for f in (0, 0.25, 0.5, 0.75, 1)]
PERCENT_X = [(f, f"{f:.0%}") for f in (0, 0.25, 0.5, 0.75, 1)]


def _schools(n: int) -> str:
    return f"{n} school{'' if n == 1 else 's'}"


def _pct(value: float | None) -> str:
    return "no data" if value is None else f"{value:.0%}"


def proportions_svg(groups: list[dict[str, Any]], *, title: str) -> str:
    """One bar per group (its share, written on it) with its Wilson 95 % interval as a whisker, k of n under."""
    width = 1 / (len(groups) * 1.5 or 1)
    parts = []
    for i, g in enumerate(groups):
        left, p = _x(i * width * 1.5 + width / 4), g["p"] or 0.0
        right = left + (_x(width) - LEFT)
        mid = (left + right) / 2
        parts.append(
            f'<rect class="bar" x="{left:.1f}" y="{_y(p):.1f}" width="{right - left:.1f}" height="{_y(0) - _y(p):.1f}" fill="{COLORS[1]}"/>'
            f'<text x="{mid:.1f}" y="{_y(0) + 16:.1f}" font-size="11" text-anchor="middle">{escape(g["label"])}</text>'
            f'<text class="n" x="{mid:.1f}" y="{_y(0) + 30:.1f}" font-size="11" text-anchor="middle">{g["k"]} of {_schools(g["n"])}</text>'
        )  # fmt: skip
        if g["wilson_95"]:
            lo, hi = g["wilson_95"]
            parts.append(
                f'<g class="wilson" stroke="{COLORS[3]}" stroke-width="2">'
                f'<line x1="{mid:.1f}" y1="{_y(lo):.1f}" x2="{mid:.1f}" y2="{_y(hi):.1f}"/>'
                f'<line x1="{mid - 6:.1f}" y1="{_y(lo):.1f}" x2="{mid + 6:.1f}" y2="{_y(lo):.1f}"/>'
                f'<line x1="{mid - 6:.1f}" y1="{_y(hi):.1f}" x2="{mid + 6:.1f}" y2="{_y(hi):.1f}"/></g>'
            )
        # the share, above the bar's left edge (clear of the whisker), or inside it in white when the bar is tall
        label_y, fill = (_y(p) + 16, "#fff") if p > 0.9 else (_y(p) - 6, "#000")
        parts.append(
            f'<text class="value" x="{left + 4:.1f}" y="{label_y:.1f}" font-size="12" font-weight="bold" fill="{fill}">'
            f"{_pct(g['p']) if g['n'] else 'no schools'}</text>"
        )
    legend = [
        ("Share in a district implementation", COLORS[1], "bar"),
        ("95 % interval (Wilson)", COLORS[3], "whisker"),
    ]
    said = "; ".join(
        f"{g['label']}: {g['k']} of {_schools(g['n'])} ({_pct(g['p'])}"
        + (f", 95 % interval {g['wilson_95'][0]:.0%} to {g['wilson_95'][1]:.0%})" if g["wilson_95"] else ")")
        for g in groups
    )
    desc = f"Share of program schools that are part of a district implementation, by group. {said}."
    empty = "" if any(g["n"] for g in groups) else "No program school yet"
    return _frame(
        title, "Group of program schools", "Share of schools", PERCENT_TICKS, legend, "".join(parts), desc,
        empty=empty,
    )  # fmt: skip


def scatter_svg(points: list[tuple[float, float]], *, title: str) -> str:
    """x: rubric percent Proficient+ (0-100); y: percent proficient on summative assessments (0-100)."""
    dots = "".join(
        f'<circle class="point" cx="{_x(x / 100):.1f}" cy="{_y(y / 100):.1f}" r="4" fill="{COLORS[0]}" fill-opacity="0.75">'
        f"<title>rubric {x:.0f} %, students proficient {y:.0f} %</title></circle>"
        for x, y in points
    )  # fmt: skip
    said = "; ".join(f"({x:.0f} %, {y:.0f} %)" for x, y in sorted(points)) or "no school has both yet"
    desc = (
        "One dot per school: across, the share of rubric indicators rated Proficient or Deep on its latest site "
        f"review; up, the share of its students proficient on summative assessments that year. {said}."
    )
    return _frame(title, "Rubric indicators rated Proficient or Deep (latest site review)",
                  "Students proficient (summative)", PERCENT_TICKS,
                  [("One school", COLORS[0], "dot")], dots, desc, PERCENT_X,
                  empty="" if points else "No school with both a site review and results yet")  # fmt: skip


def _school_year(value: str) -> str:
    """2026 → 2026-27 (a school year is named by the calendar year it starts in)."""
    return f"{value}-{(int(value) + 1) % 100:02d}" if value.isdigit() else value


def trend_svg(
    series: dict[str, list[tuple[str, float | None]]],
    labels: list[tuple[str, int]],
    *,
    title: str,
    names: dict[str, str] | None = None,
) -> str:
    """One line per strand (named from the rubric) of its mean points as a share of the maximum, over the
    school years, with the value at each point and the number of reviews under each year."""
    names = names or {}
    step = 1 / max(len(labels) - 1, 1)
    at = (lambda i: 0.5) if len(labels) == 1 else (lambda i: i * step)
    x_ticks = [(at(i), _school_year(v)) for i, (v, _) in enumerate(labels)]
    parts = [
        f'<text class="n" x="{_x(at(i)):.1f}" y="{_y(0) + 30:.1f}" font-size="11" text-anchor="middle">{n} review{"s" if n != 1 else ""}</text>'
        for i, (_, n) in enumerate(labels)
    ]  # fmt: skip
    legend, said = [], []
    for j, (strand, values) in enumerate(sorted(series.items(), key=lambda kv: names.get(kv[0], kv[0]))):
        color, name = COLORS[j % len(COLORS)], names.get(strand, strand)
        latest = next((v for _, v in reversed(values) if v is not None), None)
        legend.append(
            (f"{name}: {_pct(latest)}", color, "line")
        )  # lines on top of each other stay told apart
        drawn = [(at(i), v) for i, (_, v) in enumerate(values) if v is not None]
        pts = " ".join(f"{_x(x):.1f},{_y(v):.1f}" for x, v in drawn)
        dots = "".join(
            f'<circle cx="{_x(x):.1f}" cy="{_y(v):.1f}" r="3.5" fill="{color}"><title>{escape(name)}: {v:.0%}</title></circle>'
            for x, v in drawn
        )  # fmt: skip
        parts.append(
            f'<g class="strand" data-strand="{escape(strand)}"><polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2.5"/>{dots}</g>'
        )  # fmt: skip
        said.append(f"{name}: " + ", ".join(f"{_school_year(y)} {_pct(v)}" for y, v in values))
    desc = (
        "Mean rubric points of each strand as a share of the most a strand can score (every indicator rated "
        f"Deep Implementation), by school year. {'; '.join(said) or 'No finalized site review yet'}."
    )
    last = f"In {_school_year(labels[-1][0])}" if labels else "Strands"
    return _frame(title, "School year", "Strand points (% of the maximum)", PERCENT_TICKS, legend,
                  "".join(parts), desc, x_ticks, legend_title=last if series else "",
                  empty="" if labels else "No finalized site review yet")  # fmt: skip


LEVEL_NAMES = ("Minimal/No", "Partial", "Proficient", "Deep Implementation")
KIND_NAMES = {"pre": "Pre-review", "interim": "Interim review", "site": "Site review"}


def history_svg(reviews: list[tuple[str, str, float | None]], *, title: str) -> str:
    """A school's implementation level over time: one point per finalized review (date, kind, mean rating 0-3,
    i.e. points times 3), oldest first and evenly spaced, joined by a line; the rubric's levels named on the grid."""
    step = 1 / max(len(reviews) - 1, 1)
    at = (lambda i: 0.5) if len(reviews) == 1 else (lambda i: 0.1 + 0.8 * i * step)  # clear of the axis
    levels = "".join(
        f'<text class="level" x="{_x(0) + 6:.1f}" y="{_y(i / 3) - 4:.1f}" font-size="10" fill="#555">{name}</text>'
        for i, name in enumerate(LEVEL_NAMES)
    )  # fmt: skip
    drawn = [(at(i), on, kind, mean) for i, (on, kind, mean) in enumerate(reviews)]
    rated = [(x, mean) for x, _, _, mean in drawn if mean is not None]
    parts = [levels]
    if rated:
        line = " ".join(f"{_x(x):.1f},{_y(m / 3):.1f}" for x, m in rated)
        parts.append(f'<polyline class="level-line" points="{line}" fill="none" stroke="{COLORS[1]}" stroke-width="2.5"/>')  # fmt: skip
    for x, _on, kind, mean in drawn:
        color = COLORS[2] if kind == "site" else COLORS[5]
        parts.append(
            f'<text class="n" x="{_x(x):.1f}" y="{_y(0) + 30:.1f}" font-size="11" text-anchor="middle">{escape(KIND_NAMES.get(kind, kind))}</text>'
        )  # fmt: skip
        if mean is not None:
            parts.append(
                f'<circle class="review" cx="{_x(x):.1f}" cy="{_y(mean / 3):.1f}" r="5" fill="{color}"/>'
                f'<text class="value" x="{_x(x):.1f}" y="{_y(mean / 3) - 9:.1f}" font-size="11" font-weight="bold" text-anchor="middle">{mean:.1f}</text>'
            )  # fmt: skip
    said = "; ".join(
        f"{on} {KIND_NAMES.get(kind, kind).lower()}: "
        + (f"mean rating {mean:.1f} of 3 ({LEVEL_NAMES[min(int(mean + 1e-9), 3)]})" if mean is not None else "not rated")
        for on, kind, mean in reviews
    )  # fmt: skip
    desc = (
        "The school's mean rating on the rubric (0 Minimal/No, 1 Partial, 2 Proficient, 3 Deep Implementation) "
        f"on each finalized review, oldest first. {said or 'No finalized review yet'}."
    )
    legend = [("Site review", COLORS[2], "dot"), ("Pre- or interim review", COLORS[5], "dot"),
              ("Mean rating over time", COLORS[1], "line")]  # fmt: skip
    x_ticks = [(x, on) for x, on, _, _ in drawn]
    ticks = [(i / 3, str(i)) for i in range(4)]
    return _frame(title, "Date of the review", "Mean rating (0-3)", ticks, legend, "".join(parts), desc, x_ticks,
                  empty="" if reviews else "No finalized review yet")  # fmt: skip
