"""PDSA, pure (the cycles' routes are in plans/): Anhøj's run-chart rules and the order of the phases.

A shift: the longest run of points on one side of the median is longer than round(log2 n) + 3. Too few
crossings: the median is crossed fewer times than the lower 5 % quantile of Binomial(n - 1, 0.5). Points on
the median neither make nor break a run and are left out of n (Anhøj 2014).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

PHASES = ("plan", "do", "study", "act", "closed")


def longest_run_limit(n: int) -> int:
    return round(math.log2(n)) + 3


def crossings_limit(n: int) -> int:
    """The smallest number of crossings that is not a signal: the 5 % quantile of Binomial(n - 1, 1/2)."""
    trials, total, cumulative = n - 1, 2 ** (n - 1), 0
    for k in range(trials + 1):
        cumulative += math.comb(trials, k)
        if cumulative / total >= 0.05:
            return k
    return trials


@dataclass(frozen=True)
class RunChart:
    n: int
    median: float | None
    longest_run: int
    crossings: int
    longest_run_limit: int | None
    crossings_limit: int | None
    shift: bool
    too_few_crossings: bool


def run_chart(values: list[float]) -> RunChart:
    if not values:
        return RunChart(0, None, 0, 0, None, None, False, False)
    median = statistics.median(values)
    sides = [1 if v > median else -1 for v in values if v != median]
    n = len(sides)
    runs, longest, crossings = 0, 0, 0
    for i, side in enumerate(sides):
        runs = runs + 1 if i and side == sides[i - 1] else 1
        longest = max(longest, runs)
        crossings += 1 if i and side != sides[i - 1] else 0
    if n < 2:
        return RunChart(n, median, longest, crossings, None, None, False, False)
    run_limit, cross_limit = longest_run_limit(n), crossings_limit(n)
    return RunChart(
        n, median, longest, crossings, run_limit, cross_limit, longest > run_limit, crossings < cross_limit
    )


def next_phase(phase: str) -> str:
    return PHASES[PHASES.index(phase) + 1]
