"""The pure rules of tiers: school days, when a Tier 2/3 student is overdue for an intervention, the tier
distribution against the 80/15/5 guidance, and its chart (SVG written by hand, no plotting dependency; values
are escaped, only numbers and ids appear). No I/O: unit-tested on plain values."""

from __future__ import annotations

import math
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
LEFT, RIGHT, TOP, BOTTOM = 64, 176, 40, 40  # room for the y axis on the left and the legend on the right
BAR, GUIDE = "#1f5f99", "#b03a2e"  # both above 4.5:1 on white


def distribution_svg(shares: list[tuple[int, float, float]], *, title: str) -> str:
    """Bars per tier (share of students) with the guidance marked on each bar; a y axis in percent, a legend
    and a text alternative (<desc>) that says every value, so the chart reads without help."""
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    bar_w = plot_w / (len(shares) * 1.5 or 1)
    parts = [_y_axis(plot_h)]
    for i, (tier, share, guidance) in enumerate(shares):
        left = LEFT + bar_w * 0.25 + i * bar_w * 1.5
        top, mark = H - BOTTOM - plot_h * share, H - BOTTOM - plot_h * guidance
        parts.append(
            f'<rect class="tier" data-tier="{tier}" x="{left:.1f}" y="{top:.1f}" width="{bar_w:.1f}"'
            f' height="{H - BOTTOM - top:.1f}" fill="{BAR}"/>'
            f'<line class="guidance" x1="{left - 4:.1f}" y1="{mark:.1f}" x2="{left + bar_w + 4:.1f}" y2="{mark:.1f}"'
            f' stroke="{GUIDE}" stroke-width="2.5"/>'
            f'<text x="{left + bar_w / 2:.1f}" y="{max(top - 4, TOP + 10):.1f}" font-size="11" text-anchor="middle">'
            f"{share:.0%}</text>"
            f'<text x="{left + bar_w / 2:.1f}" y="{H - BOTTOM + 15}" font-size="12" text-anchor="middle">'
            f"Tier {tier}</text>"
        )
    parts.append(_legend())
    described = "; ".join(f"tier {t}: {s:.0%} of students (guidance {g:.0%})" for t, s, g in shares)
    parts.append(f'<line x1="{LEFT}" y1="{H - BOTTOM}" x2="{W - RIGHT}" y2="{H - BOTTOM}" stroke="#555"/>')
    desc = f"Share of students per tier: {described or 'no students yet'}."
    return svg(title, "".join(parts), desc, axis=False)


def _y_axis(plot_h: float) -> str:
    out = [f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{H - BOTTOM}" stroke="#555"/>']
    for pct in range(0, 101, 25):
        y = H - BOTTOM - plot_h * pct / 100
        out.append(
            f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{pct} %</text>'
        )
    middle = TOP + plot_h / 2
    out.append(
        f'<text x="14" y="{middle:.1f}" font-size="11" text-anchor="middle" transform="rotate(-90 14 {middle:.1f})">'
        "Share of students</text>"
    )
    return "".join(out)


def _legend() -> str:
    x, y = W - RIGHT + 16, TOP + 6
    return (
        f'<g class="legend"><rect x="{x}" y="{y}" width="14" height="10" fill="{BAR}"/>'
        f'<text x="{x + 20}" y="{y + 9}" font-size="11">Students in the tier</text>'
        f'<line x1="{x}" y1="{y + 26}" x2="{x + 14}" y2="{y + 26}" stroke="{GUIDE}" stroke-width="2.5"/>'
        f'<text x="{x + 20}" y="{y + 30}" font-size="11">Guidance (RTI)</text></g>'
    )


def svg(title: str, body: str, desc: str = "", *, axis: bool = True, size: tuple[int, int] = (W, H)) -> str:
    width, height = size
    description = f"<desc>{escape(desc)}</desc>" if desc else ""
    base = (
        f'<line x1="{PAD}" y1="{height - PAD}" x2="{width - PAD}" y2="{height - PAD}" stroke="#999"/>'
        if axis
        else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        ' role="img" font-family="sans-serif">'
        f'<title>{escape(title)}</title>{description}<rect width="{width}" height="{height}" fill="#fff"/>'
        f'<text x="{PAD}" y="20" font-size="14" font-weight="bold">{escape(title)}</text>'
        f"{base}{body}</svg>"
    )


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2 or 5 times 10^k) covering low..high, about `count` of them."""
    span = (high - low) or 1.0
    raw = span / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks, value = [], first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def legend(entries: list[tuple[str, str]], x: float, y: float) -> str:
    """A legend as <g class="legend">: each entry a symbol (SVG drawn at 0,0 in a 14 by 10 box) and its words."""
    rows = "".join(
        f'<g transform="translate({x:.1f} {y + 20 * i:.1f})">{symbol}'
        f'<text x="20" y="9" font-size="11">{escape(words)}</text></g>'
        for i, (symbol, words) in enumerate(entries)
    )
    return f'<g class="legend">{rows}</g>'
