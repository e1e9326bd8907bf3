"""The pure rules of the pyramid: flag evaluation, escalation, school days, rate of improvement, 80/15/5.

No I/O here: the consumer and the service feed these functions loaded state and write back what they return,
so every rule is unit-tested (and property-tested) on plain values.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

Kind = Literal["support", "enrichment"]
SUPPORT: Kind = "support"
ENRICHMENT: Kind = "enrichment"
SUPPORT_RULE = "support: percent < proficiency cut"
ENRICHMENT_RULE = "enrichment: percent >= mastery cut"
GUIDANCE = {1: 0.80, 2: 0.15, 3: 0.05}  # share of students per tier the RTI pyramid expects


@dataclass(frozen=True, slots=True)
class Score:
    """One result's score on one standard, at the revision we hold."""

    result_id: uuid.UUID
    revision: int
    percent: float
    proficiency_cut: float
    mastery_cut: float
    assessed_on: date
    first_recorded_at: datetime  # when the result was first recorded: orders results of the same day
    recorded_at: datetime  # when this revision was recorded (latency, re-flag windows)
    assessment_id: str = ""

    @property
    def order(self) -> tuple[date, datetime, int]:
        # result_id.int orders as str(result_id) does (fixed-width lowercase hex), without building a string
        return (self.assessed_on, self.first_recorded_at, self.result_id.int)


@dataclass(frozen=True, slots=True)
class Cuts:
    proficiency: float
    mastery: float


def latest(scores: Collection[Score]) -> Score | None:
    """The student's latest result on a standard: by assessment date, then by when it was first recorded."""
    if len(scores) == 1:
        return next(iter(scores))
    return max(scores, key=_order, default=None)


def _order(score: Score) -> tuple[date, datetime, int]:
    return score.order


def wanted_kinds(score: Score | None) -> set[Kind]:
    """Which flags the latest score calls for (none without a score)."""
    if score is None:
        return set()
    kinds: set[Kind] = set()
    if score.percent < score.proficiency_cut:
        kinds.add(SUPPORT)
    if score.percent >= score.mastery_cut:
        kinds.add(ENRICHMENT)
    return kinds


def cut_for(kind: Kind, score: Score) -> float:
    return score.proficiency_cut if kind == SUPPORT else score.mastery_cut


def rule_for(kind: Kind) -> str:
    return SUPPORT_RULE if kind == SUPPORT else ENRICHMENT_RULE


def effective_cuts(event_cuts: Cuts, school: Cuts | None, assessment: Cuts | None) -> Cuts:
    """Cuts come from the event unless the school (or, more specifically, the assessment) overrides them."""
    return assessment or school or event_cuts


@dataclass(frozen=True, slots=True)
class Escalation:
    open_flags: int = 3  # N: this many open support flags move a student up a tier
    reflag_weeks: int = 6  # M: flagged again on the same standard within this many weeks
    overdue_school_days: int = 5  # K: Tier 2/3 without an intervention after this many school days


def escalation_rule(
    rules: Escalation, *, open_support: int, previous_resolved_at: datetime | None, flagged_at: datetime
) -> str | None:
    """The rule that moves a student up when a new support flag opens, or None."""
    if open_support >= rules.open_flags:
        return f">= {rules.open_flags} open support flags"
    if previous_resolved_at is not None and flagged_at - previous_resolved_at <= timedelta(
        weeks=rules.reflag_weeks
    ):
        return f"flagged again on the same standard within {rules.reflag_weeks} weeks"
    return None


def tier_up(tier: int) -> int:
    return min(tier + 1, 3)


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
