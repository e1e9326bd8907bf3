"""The pure rules of progress monitoring: the rate of improvement (least-squares slope per week), the goal
line's rate, and the progress chart with its goal line (SVG, in the frame of tiers/rules.py). No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from interventions.tiers.rules import PAD, H, W, svg


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


def progress_svg(
    points: list[tuple[date, float]],
    *,
    start: date,
    baseline: float,
    goal_date: date,
    goal: float,
    title: str,
) -> str:
    days = max((goal_date - start).days, *((d - start).days for d, _ in points), 1)
    values = [baseline, goal, *(v for _, v in points)]
    low, high = min(*values, 0.0), max(*values, 1.0)

    def x(d: date) -> float:
        return PAD + (W - 2 * PAD) * (d - start).days / days

    def y(v: float) -> float:
        return H - PAD - (H - 2 * PAD) * (v - low) / ((high - low) or 1)

    dots = "".join(f'<circle class="point" cx="{x(d):.1f}" cy="{y(v):.1f}" r="3"/>' for d, v in points)
    path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
    return svg(
        title,
        f'<line class="goal" x1="{x(start):.1f}" y1="{y(baseline):.1f}" x2="{x(goal_date):.1f}" y2="{y(goal):.1f}"'
        ' stroke="#c0392b" stroke-dasharray="6 4"/>'
        f'<polyline class="progress" points="{path}" fill="none" stroke="#2c3e50"/>{dots}'
        f'<text x="{PAD}" y="{H - 10}" font-size="11">{start.isoformat()}</text>'
        f'<text x="{W - PAD}" y="{H - 10}" font-size="11" text-anchor="end">{goal_date.isoformat()}</text>',
    )
