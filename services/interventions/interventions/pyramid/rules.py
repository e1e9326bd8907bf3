"""The pure rules of progress monitoring: the rate of improvement (least-squares slope per week), the goal
line's rate, and the progress chart with its goal line (SVG, in the frame of tiers/rules.py). No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from interventions.tiers.rules import legend, nice_ticks, svg


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


PW, PH = 640, 320  # the progress chart's size
P_LEFT, P_RIGHT, P_TOP, P_BOTTOM = 60, 210, 44, 60  # room for the y axis, the legend and the dates
DATA, GOAL, INK = "#1f5f99", "#b03a2e", "#333"  # both above 4.5:1 on white


def _date_ticks(start: date, end: date) -> list[date]:
    """Every week (or every 2, 4, 8 ... weeks on a long span) from the start, to the end."""
    weeks = max((end - start).days / 7, 1)
    every = 1
    while weeks / every > 8:
        every *= 2
    return [start + timedelta(weeks=k) for k in range(0, int(weeks // every) * every + 1, every)]


def progress_svg(
    points: list[tuple[date, float]],
    *,
    start: date,
    baseline: float,
    goal_date: date,
    goal: float,
    title: str,
) -> str:
    """The student's scores at each progress check against the goal line (baseline on the start date to the goal
    on the goal date): a y axis of scores with values, dates along the x axis, a legend, the score on each
    point, and a text alternative that says all of it with the rate of improvement against the goal line's."""
    end = max(goal_date, *(d for d, _ in points)) if points else goal_date
    days = max((end - start).days, 1)
    # Scores are percents (0-100, like the baseline and the goal): the whole scale, so a gain looks its size.
    ticks = nice_ticks(
        min(baseline, goal, *(v for _, v in points), 0.0),
        max(baseline, goal, *(v for _, v in points), 100.0),
        count=6,  # 0, 20, ... 100
    )
    low, high = ticks[0], ticks[-1]
    right, bottom = PW - P_RIGHT, PH - P_BOTTOM

    def x(d: date) -> float:
        return P_LEFT + (right - P_LEFT) * (d - start).days / days

    def y(v: float) -> float:
        return bottom - (bottom - P_TOP) * (v - low) / ((high - low) or 1)

    parts = [
        f'<g class="y-axis" fill="{INK}"><line x1="{P_LEFT}" y1="{P_TOP}" x2="{P_LEFT}" y2="{bottom}" stroke="{INK}"/>'
    ]
    for t in ticks:
        parts.append(
            f'<line x1="{P_LEFT}" y1="{y(t):.1f}" x2="{right}" y2="{y(t):.1f}" stroke="#ddd"/>'
            f'<text x="{P_LEFT - 6}" y="{y(t) + 4:.1f}" font-size="11" text-anchor="end">{t:g}</text>'
        )
    middle = (P_TOP + bottom) / 2
    parts.append(
        f'<text x="16" y="{middle:.1f}" font-size="12" text-anchor="middle" transform="rotate(-90 16 {middle:.1f})">'
        "Score (%)</text></g>"
    )
    parts.append(
        f'<g class="x-axis" fill="{INK}"><line x1="{P_LEFT}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{INK}"/>'
    )
    for d in _date_ticks(start, end):
        parts.append(
            f'<line x1="{x(d):.1f}" y1="{bottom}" x2="{x(d):.1f}" y2="{bottom + 4}" stroke="{INK}"/>'
            f'<text x="{x(d):.1f}" y="{bottom + 16}" font-size="11" text-anchor="middle">{d:%b} {d.day}</text>'
        )
    years = f"{start.year}" if start.year == end.year else f"{start.year}-{end.year}"
    parts.append(
        f'<text x="{(P_LEFT + right) / 2:.1f}" y="{PH - 12}" font-size="12" text-anchor="middle">'
        f"Date of the progress check ({years})</text></g>"
    )
    parts.append(
        f'<line class="goal" x1="{x(start):.1f}" y1="{y(baseline):.1f}" x2="{x(goal_date):.1f}" y2="{y(goal):.1f}"'
        f' stroke="{GOAL}" stroke-width="2" stroke-dasharray="6 4"/>'
        f'<path class="goal-mark" d="M{x(goal_date):.1f} {y(goal) - 5:.1f}l5 5l-5 5l-5 -5z" fill="{GOAL}"/>'
        f'<text class="goal-label" x="{x(goal_date) - 6:.1f}" y="{y(goal) - 8:.1f}" font-size="11" text-anchor="end"'
        f' fill="{GOAL}">Goal {goal:g}</text>'
    )
    ordered = sorted(points)
    if ordered:
        path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in ordered)
        parts.append(
            f'<polyline class="progress" points="{path}" fill="none" stroke="{DATA}" stroke-width="2"/>'
        )
    for d, v in ordered:
        parts.append(
            f'<circle class="point" cx="{x(d):.1f}" cy="{y(v):.1f}" r="4" fill="{DATA}"><title>{d.isoformat()}: {v:g}</title></circle>'
        )  # fmt: skip
        if len(ordered) <= 12:
            parts.append(
                f'<text class="value" x="{x(d):.1f}" y="{y(v) - 8:.1f}" font-size="11" text-anchor="middle" fill="{DATA}">{v:g}</text>'
            )  # fmt: skip
    parts.append(
        legend(
            [
                (f'<line x1="0" y1="5" x2="14" y2="5" stroke="{DATA}" stroke-width="2"/><circle cx="7" cy="5" r="3.5" fill="{DATA}"/>',
                 "Score at each check"),
                (f'<line x1="0" y1="5" x2="14" y2="5" stroke="{GOAL}" stroke-width="2" stroke-dasharray="4 2"/>',
                 f"Goal line: {baseline:g} → {goal:g}"),
            ],
            right + 16,
            P_TOP,
        )
    )  # fmt: skip
    return svg(
        title,
        "".join(parts),
        _progress_desc(ordered, start, baseline, goal_date, goal),
        axis=False,
        size=(PW, PH),
    )


def _progress_desc(
    points: list[tuple[date, float]], start: date, baseline: float, goal_date: date, goal: float
) -> str:
    wanted = goal_rate(baseline, goal, start, goal_date)
    said = [f"Baseline {baseline:g} on {start.isoformat()}; goal {goal:g} by {goal_date.isoformat()} "
            f"(the goal line rises {wanted:.1f} points a week)."]  # fmt: skip
    if not points:
        return " ".join([*said, "No progress check yet."])
    checks = ", ".join(f"{d.isoformat()}: {v:g}" for d, v in points)
    said.append(f"{len(points)} progress check{'s' if len(points) != 1 else ''}: {checks}.")
    rate = rate_of_improvement(points)
    if rate is not None:
        pace = "at or above" if rate >= wanted else "below"
        said.append(f"Rate of improvement {rate:.1f} points a week, {pace} the goal line's {wanted:.1f}.")
    return " ".join(said)
