"""The seed's action research, pure, on scipy and statsmodels (no hand-written tests or intervals):

- two proportions: Wilson 95 % intervals, the pooled two-proportion z test, Fisher's exact test, the Newcombe
  (hybrid Wilson) interval of the difference, and a verdict in plain language;
- two measures: Pearson and Spearman r with Fisher-z 95 % intervals.

Schools cluster within districts (a district implementation is a district-level fact), so these methods,
which treat schools as independent, overstate the evidence; every verdict says so.
"""

from __future__ import annotations

import math
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
