"""Two small SVG charts, written by hand (no plotting dependency): progress with its goal line, and a
school's tier distribution next to the 80/15/5 guidance. Values are escaped; only numbers and ids appear."""

from __future__ import annotations

from datetime import date
from html import escape

W, H, PAD = 480, 260, 40


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
    return _svg(
        title,
        f'<line class="goal" x1="{x(start):.1f}" y1="{y(baseline):.1f}" x2="{x(goal_date):.1f}" y2="{y(goal):.1f}"'
        ' stroke="#c0392b" stroke-dasharray="6 4"/>'
        f'<polyline class="progress" points="{path}" fill="none" stroke="#2c3e50"/>{dots}'
        f'<text x="{PAD}" y="{H - 10}" font-size="11">{start.isoformat()}</text>'
        f'<text x="{W - PAD}" y="{H - 10}" font-size="11" text-anchor="end">{goal_date.isoformat()}</text>',
    )


def distribution_svg(shares: list[tuple[int, float, float]], *, title: str) -> str:
    """Bars per tier (share of students) with the guidance marked on each bar."""
    bar_w = (W - 2 * PAD) / (len(shares) * 1.5 or 1)
    parts = []
    for i, (tier, share, guidance) in enumerate(shares):
        left = PAD + i * bar_w * 1.5
        top, mark = H - PAD - (H - 2 * PAD) * share, H - PAD - (H - 2 * PAD) * guidance
        parts.append(
            f'<rect class="tier" data-tier="{tier}" x="{left:.1f}" y="{top:.1f}" width="{bar_w:.1f}"'
            f' height="{H - PAD - top:.1f}" fill="#2980b9"/>'
            f'<line class="guidance" x1="{left:.1f}" y1="{mark:.1f}" x2="{left + bar_w:.1f}" y2="{mark:.1f}"'
            ' stroke="#c0392b" stroke-width="2"/>'
            f'<text x="{left + bar_w / 2:.1f}" y="{H - PAD + 14}" font-size="11" text-anchor="middle">'
            f"Tier {tier}: {share:.0%}</text>"
        )
    return _svg(title, "".join(parts))


def _svg(title: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img">'
        f'<title>{escape(title)}</title><text x="{PAD}" y="20" font-size="13">{escape(title)}</text>'
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#999"/>{body}</svg>'
    )
