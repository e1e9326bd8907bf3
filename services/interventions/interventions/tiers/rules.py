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


def weekly(
    changes: Iterable[tuple[str, int | None, int, date]], students: int, weeks: int, today: date
) -> list[tuple[date, dict[int, dict[str, float]]]]:
    """The distribution at the end of each of the last `weeks` weeks (the last ends today), oldest first, from
    the school's tier changes (student, from tier, to tier, on), in order. A student's tier on a day is the
    last change's `to` up to that day (before their first change, its `from`, tier 1 when unknown); the other
    students of the school (`students`, today's count) are tier 1."""
    history: dict[str, list[tuple[date, int | None, int]]] = {}
    for student, before, after, on in changes:
        history.setdefault(student, []).append((on, before, after))
    out = []
    for n in range(weeks - 1, -1, -1):
        end = today - timedelta(days=7 * n)
        tiered = []
        for steps in history.values():
            done = [after for on, _, after in steps if on <= end]
            tiered.append(done[-1] if done else (steps[0][1] or 1))
        above = [t for t in tiered if t > 1]
        out.append((end, distribution([*above, *([1] * max(students - len(above), 0))])))
    return out
