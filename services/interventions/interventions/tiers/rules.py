"""The pure rules of tiers: school days, when a Tier 2/3 student is overdue for an intervention, the tier
distribution against the 80/15/5 guidance, and its chart (SVG written by hand, no plotting dependency; values
are escaped, only numbers and ids appear). No I/O: unit-tested on plain values."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from html import escape

from interventions.flags.rules import Escalation

GUIDANCE = {1: 0.80, 2: 0.15, 3: 0.05}  # share of students per tier the RTI pyramid expects


def school_days_between(start: date, end: date) -> int:
    """Weekdays after `start` up to and including `end` (0 if end <= start)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            count += 1
    return count


def is_overdue(tier: int, since: date, today: date, has_intervention: bool, rules: Escalation) -> bool:
    return (
        tier >= 2 and not has_intervention and school_days_between(since, today) > rules.overdue_school_days
    )


def distribution(tiers: Iterable[int]) -> dict[int, dict[str, float]]:
    """Count and share per tier next to the 80/15/5 guidance."""
    counts = {1: 0, 2: 0, 3: 0}
    for tier in tiers:
        counts[tier] += 1
    total = sum(counts.values())
    return {
        tier: {
            "count": counts[tier],
            "share": counts[tier] / total if total else 0.0,
            "guidance": GUIDANCE[tier],
        }
        for tier in counts
    }


W, H, PAD = 480, 260, 40


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
    return svg(title, "".join(parts))


def svg(title: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img">'
        f'<title>{escape(title)}</title><text x="{PAD}" y="20" font-size="13">{escape(title)}</text>'
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#999"/>{body}</svg>'
    )
