"""The pure rules of progress monitoring: the rate of improvement (least-squares slope per week), the goal
line's rate (the web app charts the points against the goal line), and an exit's reason as the code its event
carries. No I/O."""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from datetime import date

from plc_shared.events.interventions import ExitReason


def slope(points: Sequence[tuple[float, float]]) -> float | None:
    """Least-squares slope of y over x; None with fewer than two distinct x."""
    n = len(points)
    if n < 2:
        return None
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx


def rate_of_improvement(points: Sequence[tuple[date, float]]) -> float | None:
    """Points gained per week (least-squares slope over the monitoring dates)."""
    if not points:
        return None
    first = min(d for d, _ in points)
    return slope([((d - first).days / 7, y) for d, y in points])


def goal_rate(baseline: float, target: float, start: date, goal_date: date) -> float:
    """The goal line's slope in points per week."""
    weeks = max((goal_date - start).days / 7, 1 / 7)
    return (target - baseline) / weeks


def goal_met(last_score: float | None, goal: float) -> bool:
    """Does the data say the goal is met: the last progress point at or above the goal?"""
    return last_score is not None and last_score >= goal


# The documented exit reasons (the web app's choices) → the code StudentExitedV2 carries; the words stay here.
EXIT_REASONS: dict[str, ExitReason] = {
    "goal met": "goal_met",
    "goal not met: a more intensive intervention": "goal_not_met_more_intensive",
    "goal not met: a different intervention": "goal_not_met_different",
    "left the school": "left_school",
}


def exit_reason_code(reason: str) -> ExitReason:
    """A documented reason (or its code), whatever its case and spacing; any other words are `other`."""
    said = re.sub(r"\s+", " ", reason).strip().casefold()
    if said in EXIT_REASONS.values():
        return said  # type: ignore[return-value]
    return EXIT_REASONS.get(said, "other")


def outcomes(assignments: Sequence[tuple]) -> dict:
    """Per intervention id, from (assignment, its progress points (date, score)): exits, exits with the goal
    met and their share, the assignments monitored (2 points or more) and their median rate of improvement."""
    by: dict = {}
    for a, points in assignments:
        by.setdefault(a.intervention_id, []).append((a, points))
    out = {}
    for intervention_id, these in by.items():
        exited = [a for a, _ in these if a.status == "exited"]
        met = sum(exit_reason_code(a.exit_reason or "") == "goal_met" for a in exited)
        rates = [r for _, p in these if (r := rate_of_improvement(p)) is not None]
        out[intervention_id] = {
            "exited": len(exited),
            "exited_goal_met": met,
            "goal_met_share": met / len(exited) if exited else None,
            "monitored": len(rates),
            "median_rate_of_improvement": round(statistics.median(rates), 2) if rates else None,
        }
    return out
