"""The pure rules of tiers: school days, when a Tier 2/3 student is overdue for an intervention, and the tier
distribution against the 80/15/5 guidance (the web app charts it). No I/O: unit-tested on plain values."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

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
