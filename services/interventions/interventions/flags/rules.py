"""The pure rules of flags: which flags a student's latest score on a standard wants, the effective cuts, and
the escalation rules that move a student up a tier when support flags pile up or come back.

No I/O here: the consumer and the services feed these functions loaded state and write back what they return,
so every rule is unit-tested (and property-tested) on plain values."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from plc_shared import counting

Kind = Literal["support", "enrichment"]


SUPPORT: Kind = "support"


ENRICHMENT: Kind = "enrichment"


SUPPORT_RULE = "support: percent < proficiency cut"


ENRICHMENT_RULE = "enrichment: percent >= mastery cut"


@dataclass(frozen=True, slots=True)
class Score:
    """One result's score on one standard, at the revision we hold."""

    result_id: uuid.UUID
    revision: int
    percent: float
    proficiency_cut: float
    mastery_cut: float
    assessed_on: date
    first_recorded_at: datetime  # when the result was first recorded (kept as evidence; never orders)
    recorded_at: datetime  # when this revision was recorded (latency, re-flag windows)
    assessment_id: str = ""
    attempt: int = 1

    @property
    def order(self) -> tuple[date, int, int]:
        """The counting rule's order (plc_shared.counting): assessment date, then attempt, then result id."""
        return counting.order(self.assessed_on, self.attempt, self.result_id)


@dataclass(frozen=True, slots=True)
class Cuts:
    proficiency: float
    mastery: float


def latest(scores: Collection[Score]) -> Score | None:
    """The score that counts on a standard: the student's latest live result that scored it, by the one
    counting rule (`plc_shared.counting`: assessment date, then attempt; voids and exempt results never get
    here). Results of every assessment measuring the standard compete."""
    if len(scores) == 1:
        return next(iter(scores))
    return counting.latest(scores, key=_order)


def _order(score: Score) -> tuple[date, int, int]:
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
