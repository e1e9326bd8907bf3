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


# --- SVG charts (written by hand, no plotting dependency; only numbers, ids and fixed words are drawn) --------

W, H, LEFT, RIGHT, TOP, BOTTOM = 560, 320, 56, 150, 40, 56
COLORS = ("#2c3e50", "#2980b9", "#27ae60", "#c0392b", "#8e44ad", "#d35400", "#7f8c8d")


def _x(fraction: float) -> float:
    return LEFT + (W - LEFT - RIGHT) * fraction


def _y(fraction: float) -> float:
    return H - BOTTOM - (H - TOP - BOTTOM) * fraction


def _frame(
    title: str,
    x_label: str,
    y_label: str,
    y_ticks: list[tuple[float, str]],
    legend: list[tuple[str, str]],
    body: str,
) -> str:
    ticks = "".join(
        f'<line x1="{LEFT - 4}" y1="{_y(f):.1f}" x2="{LEFT}" y2="{_y(f):.1f}" stroke="#999"/>'
        f'<text x="{LEFT - 6}" y="{_y(f) + 4:.1f}" font-size="10" text-anchor="end">{escape(t)}</text>'
        for f, t in y_ticks
    )
    keys = "".join(
        f'<rect x="{W - RIGHT + 12}" y="{TOP + 16 * i}" width="10" height="10" fill="{c}"/>'
        f'<text class="legend" x="{W - RIGHT + 26}" y="{TOP + 16 * i + 9}" font-size="10">{escape(t)}</text>'
        for i, (t, c) in enumerate(legend)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img">'
        f'<title>{escape(title)}</title><text x="{LEFT}" y="20" font-size="13">{escape(title)}</text>'
        f'<line class="x-axis" x1="{LEFT}" y1="{_y(0)}" x2="{_x(1)}" y2="{_y(0)}" stroke="#999"/>'
        f'<line class="y-axis" x1="{LEFT}" y1="{_y(0)}" x2="{LEFT}" y2="{_y(1)}" stroke="#999"/>{ticks}'
        f'<text x="{_x(0.5):.1f}" y="{H - 8}" font-size="11" text-anchor="middle">{escape(x_label)}</text>'
        f'<text x="14" y="{_y(0.5):.1f}" font-size="11" text-anchor="middle" transform="rotate(-90 14 {_y(0.5):.1f})">'
        f"{escape(y_label)}</text>{keys}{body}</svg>"
    )


PERCENT_TICKS = [(f, f"{f:.0%}") for f in (0, 0.25, 0.5, 0.75, 1)]


def proportions_svg(groups: list[dict[str, Any]], *, title: str) -> str:
    """One bar per group (its share) with its Wilson 95 % interval as a whisker and k/n under it."""
    width = 1 / (len(groups) * 1.5 or 1)
    parts = []
    for i, g in enumerate(groups):
        left, p = _x(i * width * 1.5 + width / 4), g["p"] or 0.0
        right = left + (_x(width) - LEFT)
        parts.append(
            f'<rect class="bar" x="{left:.1f}" y="{_y(p):.1f}" width="{right - left:.1f}" height="{_y(0) - _y(p):.1f}" fill="{COLORS[1]}"/>'
            f'<text x="{(left + right) / 2:.1f}" y="{_y(0) + 14:.1f}" font-size="10" text-anchor="middle">{escape(g["label"])}</text>'
            f'<text class="n" x="{(left + right) / 2:.1f}" y="{_y(0) + 26:.1f}" font-size="10" text-anchor="middle">{g["k"]}/{g["n"]} (n = {g["n"]})</text>'
        )  # fmt: skip
        if g["wilson_95"]:
            lo, hi, mid = *g["wilson_95"], (left + right) / 2
            parts.append(f'<line class="wilson" x1="{mid:.1f}" y1="{_y(lo):.1f}" x2="{mid:.1f}" y2="{_y(hi):.1f}" stroke="{COLORS[3]}" stroke-width="2"/>')  # fmt: skip
    legend = [("share in district implementations", COLORS[1]), ("Wilson 95 % interval", COLORS[3])]
    return _frame(title, "group of program schools", "share", PERCENT_TICKS, legend, "".join(parts))


def scatter_svg(points: list[tuple[float, float]], *, title: str) -> str:
    """x: rubric percent Proficient+ (0-100); y: percent proficient on summative assessments (0-100)."""
    dots = "".join(
        f'<circle class="point" cx="{_x(x / 100):.1f}" cy="{_y(y / 100):.1f}" r="3" fill="{COLORS[0]}" fill-opacity="0.6"/>'
        for x, y in points
    )  # fmt: skip
    return _frame(title, "rubric: percent of indicators Proficient or Deep", "students proficient (summative)",
                  PERCENT_TICKS, [("one school's latest site review", COLORS[0])], dots)  # fmt: skip


def trend_svg(
    series: dict[str, list[tuple[str, float | None]]], labels: list[tuple[str, int]], *, title: str
) -> str:
    """One line per strand of its mean points (0-1) over the groups (e.g. school years), n under each group."""
    step = 1 / max(len(labels) - 1, 1)
    parts = [
        f'<text class="n" x="{_x(i * step):.1f}" y="{_y(0) + 14:.1f}" font-size="10" text-anchor="middle">{escape(v)} (n = {n})</text>'
        for i, (v, n) in enumerate(labels)
    ]  # fmt: skip
    legend = []
    for j, (strand, values) in enumerate(sorted(series.items())):
        color = COLORS[j % len(COLORS)]
        legend.append((strand, color))
        pts = " ".join(f"{_x(i * step):.1f},{_y(v):.1f}" for i, (_, v) in enumerate(values) if v is not None)
        parts.append(
            f'<polyline class="strand" points="{pts}" fill="none" stroke="{color}" stroke-width="2"/>'
        )
    ticks = [(f, f"{f:.2f}") for f in (0, 0.25, 0.5, 0.75, 1)]
    return _frame(title, "group", "mean points (levels ÷ 3n)", ticks, legend, "".join(parts))
